"""Reading inputs: formats told by content, and one clear problem per bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from sitrep.document import RawArticle
from sitrep.errors import InputProblem
from sitrep.ingest import read_articles

BODY = ("Suspected jihadists attacked a gendarmerie post in the town of Djibo before dawn on Monday, "
        "killing four gendarmes, a regional security source said. The army said reinforcements "
        "had been sent and that the attackers had fled towards the border with Mali.")

PAGE = f"""<!doctype html><html><head><title>Gendarmes killed in Djibo | Harmattan Times</title>
<meta property="og:site_name" content="Harmattan Times"><meta name="author" content="Issa Ouédraogo">
<meta property="article:published_time" content="2024-05-13T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/africa">Africa</a></nav>
<article><h1>Gendarmes killed in Djibo</h1><p>{BODY}</p>
<p>The post had been attacked twice before this year, residents said.</p></article>
<footer>Harmattan Times, all rights reserved</footer></body></html>"""


def read(paths, settings):
    items = list(read_articles([Path(p) for p in paths], settings))
    return ([i for i in items if isinstance(i, RawArticle)], [i for i in items if isinstance(i, InputProblem)])


def test_formats_are_told_by_content(tmp_path, settings):
    (tmp_path / "a.txt").write_text(f"Gendarmes killed in Djibo\n{BODY}\n")
    (tmp_path / "page.txt").write_text(PAGE)                          # a saved page named .txt
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"title": "One", "text": BODY, "outlet": "Sahel Monitor", "published": "2024-05-13", "section": "Africa"},
        {"title": "Two", "html": PAGE, "url": "https://harmattan.example/djibo", "outlet": "Harmattan Times"},
    ]))
    (tmp_path / "d.json").write_text(json.dumps({"title": "Three", "text": BODY, "language": "en"}))
    raws, problems = read([tmp_path], settings)
    assert problems == []
    by_name = {(Path(r.path).name, r.line): r for r in raws}
    assert by_name[("a.txt", None)].format == "txt"
    page = by_name[("page.txt", None)]
    assert page.format == "html" and page.outlet == "Harmattan Times" and page.published == "2024-05-13"
    assert "nav" not in page.text and "Home" not in page.text and BODY in page.text
    assert by_name[("b.html.gz", None)].title == "Gendarmes killed in Djibo"
    one = by_name[("c.jsonl", 1)]
    assert one.outlet == "Sahel Monitor" and one.extra == {"section": "Africa"}
    two = by_name[("c.jsonl", 2)]
    assert two.title == "Two" and two.url == "https://harmattan.example/djibo" and BODY in two.text
    assert by_name[("d.json", None)].language == "en"


def test_rss_feed(tmp_path, settings):
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Niger River Dispatch</title>
    <item><title>Gendarmes killed in Djibo</title><link>https://nrd.example/1</link>
    <pubDate>Mon, 13 May 2024 09:00:00 GMT</pubDate><description>&lt;p&gt;{BODY}&lt;/p&gt;</description></item>
    </channel></rss>"""
    (tmp_path / "feed.xml").write_text(feed)
    raws, problems = read([tmp_path], settings)
    assert problems == [] and len(raws) == 1
    assert raws[0].outlet == "Niger River Dispatch" and raws[0].url == "https://nrd.example/1"
    assert "four gendarmes" in raws[0].text


def test_latin1_text_is_decoded(tmp_path, settings):
    text = "Attaque près de Ménaka\nDes hommes armés ont attaqué un marché à l'est de Ménaka mardi, tuant cinq civils."
    (tmp_path / "fr.txt").write_bytes(text.encode("latin-1"))
    raws, problems = read([tmp_path], settings)
    assert problems == [] and raws[0].text == text


@pytest.mark.parametrize("name, data, message", [
    ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "binary file (PNG image)"),
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n \t\n", "empty file"),
    ("garbage.txt", b"\xff" * 3000, "unreadable text"),
    ("truncated.json", b'{"title": "Ambush near Gao", "text": "Soldiers were', "malformed JSON"),
    ("nul.txt", b"abc\x00\x01\x02def" * 50, "binary file (contains NUL bytes)"),
    ("broken.gz", b"\x1f\x8b\x08\x00garbage", "gzip"),
    ("notext.json", b'{"title": "No body here", "url": "https://x.example"}', "no 'text' or 'html'"),
    ("empty.html", b"<html><body><nav>Home</nav></body></html>", "no article text found"),
    ("empty-feed.rss", b'<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>', "malformed or empty feed"),
])
def test_bad_inputs_are_named_with_their_problem(tmp_path, settings, name, data, message):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(f"Gendarmes killed in Djibo\n{BODY}\n")
    raws, problems = read([tmp_path], settings)
    assert [Path(r.path).name for r in raws] == ["good.txt"]
    assert len(problems) == 1
    assert problems[0].path.endswith(name) and message in problems[0].message
    assert str(problems[0]).startswith(str(tmp_path / name) + ": ")


def test_oversized_file_is_refused(tmp_path, settings):
    (tmp_path / "big.txt").write_text(BODY * 100)
    _, problems = read([tmp_path], settings.updated(max_bytes=1000))
    assert "too large" in problems[0].message


def test_a_gzip_bomb_stops_at_the_limit(tmp_path, settings):
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a " * 2_000_000))
    _, problems = read([tmp_path], settings.updated(max_bytes=100_000))
    assert "larger than the limit" in problems[0].message


def test_one_bad_jsonl_line_costs_only_itself(tmp_path, settings):
    lines = [json.dumps({"title": "One", "text": BODY}), '{"title": "Two", "text": "cut', json.dumps({"title": "Three", "text": BODY + " More."})]
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines))
    raws, problems = read([tmp_path], settings)
    assert [r.line for r in raws] == [1, 3]
    assert problems[0].line == 2 and str(problems[0]).startswith(f"{tmp_path / 'mixed.jsonl'}:2: malformed JSON")


def test_missing_path(tmp_path, settings):
    _, problems = read([tmp_path / "nope"], settings)
    assert problems[0].message == "no such file or folder"
