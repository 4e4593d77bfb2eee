"""`sitrep eval extract`: article bodies from saved pages, against gold bodies and plain trafilatura.

The fixture folder holds three short news pages with a menu, a share bar, an advertisement,
follow and newsletter prompts, related stories and a footer around the story:
- market-attack, protest-capital: the gold body is the story's paragraphs, all of them;
- convoy-ambush: the gold body leaves out the story's last paragraph.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.evaluate.extract import evaluate, score, shingles

runner = CliRunner()
FIXTURE = Path(__file__).parent / "fixtures" / "extract"
SHARED_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "article-extraction"
KEYS = {"pages", "precision", "recall", "f1", "baseline_precision", "baseline_recall", "baseline_f1"}
ROW_KEYS = {"id", "url", "precision", "recall", "baseline_precision", "baseline_recall"}

# What sitrep reached on the shared set (62 pages) when this test was written. Three of its pages
# (large inline scripts) are refused by the ingest stage's readable-text check, and score 0; read,
# they bring f1 to 0.980.
REACHED_F1 = 0.9797


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    errors = tmp_path_factory.mktemp("extract") / "pages.jsonl"
    result = runner.invoke(app, ["eval", "extract", str(FIXTURE), "--json", "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    return json.loads(result.stdout), {row["id"]: row for row in rows}


def test_cli_reports_exactly_the_figures(fixture_run):
    figures, _ = fixture_run
    assert set(figures) == KEYS
    assert figures["pages"] == 3
    for key in KEYS - {"pages"}:
        assert 0.0 <= figures[key] <= 1.0
    p, r = figures["precision"], figures["recall"]
    assert figures["f1"] == pytest.approx(2 * p * r / (p + r))
    bp, br = figures["baseline_precision"], figures["baseline_recall"]
    assert figures["baseline_f1"] == pytest.approx(2 * bp * br / (bp + br))


def test_means_of_the_pages(fixture_run):
    figures, rows = fixture_run
    assert set(rows) == {"market-attack", "convoy-ambush", "protest-capital"}
    for key in ("precision", "recall", "baseline_precision", "baseline_recall"):
        assert figures[key] == pytest.approx(sum(row[key] for row in rows.values()) / 3)


def test_errors_file_has_per_page_figures(fixture_run):
    _, rows = fixture_run
    for row in rows.values():
        assert ROW_KEYS <= set(row)
        assert row["url"].startswith("https://")


def test_gold_equal_to_the_body_is_fully_recalled(fixture_run):
    """The story's paragraphs, without title, menu, share bar, ads or prompts: sitrep gives them back."""
    _, rows = fixture_run
    for pid in ("market-attack", "protest-capital"):
        assert rows[pid]["recall"] == 1.0
        assert rows[pid]["precision"] == 1.0  # the title line sitrep puts at the head is not counted


def test_paragraph_missing_from_gold_costs_precision(fixture_run):
    _, rows = fixture_run
    assert rows["convoy-ambush"]["recall"] == 1.0
    assert rows["convoy-ambush"]["precision"] < 1.0


def test_cleaning_beats_plain_trafilatura_on_junk(fixture_run):
    """Plain trafilatura keeps the advertisement and the follow prompt; sitrep's cleaner drops them."""
    figures, rows = fixture_run
    assert figures["precision"] > figures["baseline_precision"]
    assert all(row["precision"] >= row["baseline_precision"] for row in rows.values())


def test_score_conventions():
    gold = "One two three four five. Six seven."
    assert score(gold, gold) == (1.0, 1.0)
    assert score("", "") == (1.0, 1.0)      # nothing to find, nothing found
    assert score("", gold) == (0.0, 0.0)    # an empty extraction is a failure, not a perfect precision
    assert score(gold, "") == (0.0, 0.0)
    assert score("ONE two, three-four", "one two three four") == (1.0, 1.0)  # lowercase \w+ tokens
    assert shingles("a b") == {("a", "b"): 1}  # fewer than 4 tokens: one shingle of them all
    # Multisets: a paragraph given twice counts twice against precision.
    p, r = score("a b c d e. a b c d e.", "a b c d e.")
    assert r == 1.0 and p == pytest.approx(2 / 7)


def test_progress_bar_goes_to_stderr(capsys):
    figures = evaluate(FIXTURE, _settings(), progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert figures["pages"] == 3


def _settings():
    from sitrep.settings import load_settings

    return load_settings()


@pytest.fixture(scope="module")
def shared_figures():
    if not (SHARED_SET / "ground-truth.json").is_file():
        pytest.skip(f"{SHARED_SET} is absent (development data, not shipped with sitrep)")
    return evaluate(SHARED_SET, _settings(), progress=False)


def test_no_regression_on_the_shared_set(shared_figures):
    assert shared_figures["pages"] == 62
    assert shared_figures["f1"] >= REACHED_F1 - 0.005


def test_beats_plain_trafilatura_on_the_shared_set(shared_figures):
    assert shared_figures["f1"] >= shared_figures["baseline_f1"]
