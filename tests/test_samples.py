"""The bundled sample corpus through ingest and cleaning, checked against its hand-coded manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitrep.clean import clean
from sitrep.document import RawArticle
from sitrep.ingest import read_articles
from sitrep.language import detect_language

NOISE_KINDS = {"repeated_title", "repeated_paragraphs", "glued_date"}


@pytest.fixture(scope="module")
def manifest(samples_dir) -> list[dict]:
    return yaml.safe_load((samples_dir / "manifest.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cleaned(samples_dir, settings) -> dict[str, object]:
    corpus = samples_dir / "corpus"
    articles = {}
    for raw in read_articles([corpus], settings):
        assert isinstance(raw, RawArticle), str(raw)
        key = Path(raw.path).relative_to(corpus).as_posix() + (f":{raw.line}" if raw.line else "")
        articles[key] = detect_language(clean(raw, settings), settings)
    return articles


def entry_key(entry: dict) -> str:
    return entry["file"] + (f":{entry['line']}" if entry.get("line") else "")


def test_the_corpus_has_what_the_issue_asks(manifest, cleaned):
    assert len(cleaned) == len(manifest) >= 15
    assert len({e["outlet"] for e in manifest}) >= 5
    assert {a.raw.format for a in cleaned.values()} >= {"txt", "html", "json"}
    kinds = {e["kind"] for e in manifest}
    assert {"background", "non_conflict", "syndicated_copy", "french"} <= kinds


def test_metadata_matches_the_manifest(manifest, cleaned):
    for entry in manifest:
        article = cleaned[entry_key(entry)]
        where = entry_key(entry)
        assert article.title == entry["title"], where
        assert article.outlet == entry["outlet"], where
        if entry.get("author"):
            assert article.author and entry["author"] in article.author, where
        assert article.published.date().isoformat() == str(entry["published"]), where
        assert article.language == entry["language"], where
        if entry.get("subtitle") and article.raw.format == "txt":
            assert article.subtitle == entry["subtitle"], where


def test_noise_is_gone_and_content_stays(manifest, cleaned):
    for entry in manifest:
        article = cleaned[entry_key(entry)]
        where = entry_key(entry)
        paragraphs = article.text.split("\n\n")
        assert len(paragraphs) == len(set(paragraphs)), where
        assert article.text.count(entry["title"]) == 1, where
        for line in entry.get("noise") or []:
            if line not in NOISE_KINDS:
                assert line not in paragraphs, (where, line)
        for event in entry.get("events") or []:
            assert event["sentence"] in article.text, where


def test_french_article_is_skipped_not_dropped(manifest, cleaned):
    [entry] = [e for e in manifest if e["kind"] == "french"]
    article = cleaned[entry_key(entry)]
    assert article.status == "skipped" and article.language == "fr"
