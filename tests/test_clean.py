"""The cleaning stage on scraped text: junk, metadata, repeats, and offsets back to the raw text."""

from __future__ import annotations

import pytest

from sitrep.clean import clean
from sitrep.document import RawArticle

SCRAPED = """Gunmen Kill Nine Herders Near Ménaka

Gunmen Kill Nine Herders Near Ménaka
Local officials blame Islamic State fighters for the dawn raid.
March 14, 2024Sahel Monitor
By Aminata Traoré
Cover Image
Sahel Monitor
Armed men on motorbikes raided a herders' camp east of Ménaka at dawn on Tuesday, killing nine people and driving off hundreds of cattle, two local officials told Sahel Monitor by telephone.
View post on X
The officials said the attackers belonged to the Islamic State's Sahel branch, which has fought rival jihadists and Tuareg militias for control of the area since 2022.
Photo: AFP/Getty Images
Share this article
Armed men on motorbikes raided a herders' camp east of Ménaka at dawn on Tuesday, killing nine people and driving off hundreds of cattle, two local officials told Sahel Monitor by telephone.
Click to expand
No group has claimed the raid so far.
Gunmen Kill Nine Herders Near Ménaka
"""


@pytest.fixture()
def scraped(settings):
    return clean(RawArticle(path="raid.txt", format="txt", text=SCRAPED), settings)


def test_each_paragraph_and_the_title_stay_once(scraped):
    assert scraped.text.count("Armed men on motorbikes raided") == 1
    assert scraped.text.count("Gunmen Kill Nine Herders Near Ménaka") == 1
    assert scraped.text.startswith("Gunmen Kill Nine Herders Near Ménaka")
    assert scraped.text.rstrip().endswith("No group has claimed the raid so far.")


@pytest.mark.parametrize("junk", ["View post on X", "Cover Image", "Photo: AFP/Getty Images",
                                  "Share this article", "Click to expand", "By Aminata Traoré",
                                  "March 14, 2024Sahel Monitor"])
def test_junk_and_metadata_lines_leave_the_text(scraped, junk):
    assert junk not in scraped.text


def test_metadata_is_lifted(scraped):
    assert scraped.title == "Gunmen Kill Nine Herders Near Ménaka"
    assert scraped.subtitle == "Local officials blame Islamic State fighters for the dawn raid."
    assert scraped.outlet == "Sahel Monitor"
    assert scraped.author == "Aminata Traoré"
    assert scraped.published.date().isoformat() == "2024-03-14"
    # the standalone outlet line went too, but the body sentence naming the outlet stays
    assert "told Sahel Monitor by telephone" in scraped.text
    assert "\n\nSahel Monitor\n\n" not in scraped.text


def test_every_kept_character_maps_back_to_the_raw_text(scraped):
    for seg in scraped.offsets.segments:
        kept = scraped.text[seg.clean_start:seg.clean_start + seg.length]
        assert SCRAPED[seg.raw_start:seg.raw_start + seg.length] == kept
    start = scraped.text.index("No group has claimed")
    raw_start, raw_end = scraped.offsets.span_to_raw(start, start + 8)
    assert SCRAPED[raw_start:raw_end] == "No group"


@pytest.mark.parametrize("line, date, outlet", [
    ("June 06, 2025Clash Report", "2025-06-06", "Clash Report"),
    ("6 June 2025 | Niger River Dispatch", "2025-06-06", "Niger River Dispatch"),
    ("Published: 2024-09-18 10:42 GMT", "2024-09-18", None),
    ("Harmattan Times - Sept. 3, 2023", "2023-09-03", "Harmattan Times"),
    ("Tuesday, November 14, 2023 at 9:15 AM West Africa Wire", "2023-11-14", "West Africa Wire"),
    ("12 juillet 2024Le Sahel Hebdo", "2024-07-12", "Le Sahel Hebdo"),
])
def test_glued_date_lines(settings, line, date, outlet):
    body = ("Soldiers repelled an attack on a checkpoint outside the town overnight, the army said in a "
            "statement read on state television on Wednesday morning, adding that several attackers died.")
    article = clean(RawArticle(path="x.txt", format="txt", text=f"Checkpoint Attack Repelled\n{line}\n{body}\n"), settings)
    assert article.published.date().isoformat() == date
    assert article.outlet == outlet
    assert line not in article.text


def test_a_sentence_that_starts_with_a_date_is_not_metadata(settings):
    text = ("Army Convoy Ambushed\n"
            "June 3, 2025 was the deadliest day for the army this year, when an ambush on a supply convoy "
            "between Gao and Ansongo killed at least a dozen soldiers, according to two security sources.\n")
    article = clean(RawArticle(path="x.txt", format="txt", text=text), settings)
    assert "deadliest day" in article.text


def test_declared_title_from_json_is_put_at_the_head_once(settings):
    raw = RawArticle(path="feed.jsonl", format="json", line=3, title="Drone strike hits market town",
                     text="A drone strike hit the weekly market in the town on Sunday, residents said.\n\n"
                          "Drone strike hits market town")
    article = clean(raw, settings)
    assert article.text.count("Drone strike hits market town") == 1
    assert article.text.startswith("Drone strike hits market town\n\n")
    # the title moved to the head keeps its offsets in the raw text, where it stood last
    assert article.offsets.span_to_raw(0, 5) == (77, 82)
    start = article.text.index("A drone strike")
    assert article.offsets.span_to_raw(start, start + 14) == (0, 14)


def test_title_known_only_from_metadata_has_no_raw_offsets(settings):
    raw = RawArticle(path="a.json", format="json", title="Market town struck",
                     text="A drone strike hit the weekly market in the town on Sunday, residents said.")
    article = clean(raw, settings)
    assert article.text.startswith("Market town struck\n\nA drone strike")
    assert article.offsets.span_to_raw(0, 6) == (None, None)
    assert article.offsets.span_to_raw(20, 26) == (0, 6)


def test_seed_articles(settings, seeds_dir):
    first = seeds_dir / "000_9a916c0e96314c57.txt"
    second = seeds_dir / "002_fa0e94c600480488.txt"
    a = clean(RawArticle(path=str(first), format="txt", text=first.read_text()), settings)
    paragraphs = a.text.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
    assert a.text.count(a.title) == 1
    b = clean(RawArticle(path=str(second), format="txt", text=second.read_text()), settings)
    assert b.published.date().isoformat() == "2025-06-06"
    assert b.outlet.replace(" ", "") == "ClashReport"
    for junk in ("View post on X", "Cover Image"):
        assert junk not in b.text
    assert b.text.count(b.title) == 1 and b.text.startswith(b.title)
