"""`sitrep bench`, its corpus generator, and runs with worker processes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from sitrep.bench import KEYS, generate, samples, write_corpus
from sitrep.cli import app
from sitrep.export import event_records
from sitrep.ingest import read_articles, read_one
from sitrep.pipeline import run
from sitrep.settings import data_path, load_settings
from sitrep.store import Store

runner = CliRunner()


def test_generated_articles_are_about_500_words_and_differ_from_the_samples():
    articles = list(generate(12, seed=3))
    assert len(articles) == 12
    assert all(420 <= a.words <= 650 for a in articles), [a.words for a in articles]
    texts = {a.text for a in articles}
    assert len(texts) == 12
    pool = samples()
    sample_paragraphs = {p for s in pool for p in s.paragraphs}
    for a in articles:
        # several samples' paragraphs, with names, places, numbers and dates swapped
        assert len(a.paragraphs) >= 5
        assert any(p not in sample_paragraphs for p in a.paragraphs)
        assert a.text not in {"\n\n".join(s.paragraphs) for s in pool}
    assert list(generate(12, seed=3))[2].text == articles[2].text  # reproducible


def test_generated_dates_fall_just_before_publication():
    """A day and month in the text is redrawn within the week before publication, and years move
    with the publication date, as in a real feed (merging then stays local in time)."""
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    day_month = re.compile(r"\b(" + "|".join(months) + r") (\d{1,2})\b(?!,? \d{4})")
    seen = 0
    for a in generate(60, seed=5):
        for month, day in day_month.findall(a.text):
            told = date(a.published.year - (months.index(month) + 1 > a.published.month), months.index(month) + 1,
                        int(day))
            assert 0 <= (a.published - told).days <= 8, (a.published, month, day)
            seen += 1
        assert not any(int(y) > a.published.year + 1 for y in re.findall(r"\b20\d\d\b", a.text)), a.published
    assert seen >= 10


def test_the_written_corpus_mixes_txt_and_jsonl_and_reads_back(tmp_path):
    words = write_corpus(tmp_path, 5, seed=1)
    assert len(list(tmp_path.rglob("*.txt"))) == 3 and len(list(tmp_path.rglob("*.jsonl"))) == 1
    raws = list(read_articles([tmp_path], load_settings()))
    assert len(raws) == 5 and all(r.text for r in raws)
    assert 5 * 400 < words < 5 * 700


def test_bench_prints_one_object_with_the_listed_keys():
    result = runner.invoke(app, ["bench", "--articles", "20", "--processes", "1", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert tuple(figures) == KEYS
    assert figures["articles"] == 20 and figures["processes"] == 1
    assert figures["words"] > 20 * 400 and figures["seconds"] > 0 and figures["ratio_to_spacy"] > 0
    assert {"read", "clean", "nlp", "places", "events", "store", "stories"} <= set(figures["stages"])


def _events(db: Path, processes: int) -> list[tuple]:
    store = Store(db)
    report = run([data_path("samples", "corpus")], store, load_settings(), processes=processes)
    assert report.new == 20 and not report.problems
    return sorted((e["id"], e["event_type"], e["sub_event_type"], e["actor1"], e["actor2"], e["location"],
                   e["event_date"], e["fatalities"], e["n_sources"], e["story_id"]) for e in event_records(store))


def test_two_worker_processes_store_the_same_events_as_one(tmp_path):
    one = _events(tmp_path / "one.db", 1)
    two = _events(tmp_path / "two.db", 2)
    assert len(one) > 20
    assert one == two


def test_a_stored_page_is_not_extracted_again(monkeypatch):
    import trafilatura

    page = data_path("samples", "corpus", "html", "fambita_mosque_sahara_gate.html")
    settings = load_settings()
    [first] = read_one(page, settings)
    assert first.text

    def fail(*args, **kwargs):
        raise AssertionError("extracted again")

    monkeypatch.setattr(trafilatura, "bare_extraction", fail)
    [again] = read_one(page, settings, known=lambda h: h == first.raw_hash)
    assert again.raw_hash == first.raw_hash and again.text == ""
