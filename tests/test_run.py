"""`sitrep run` and `sitrep export` end to end, as a user calls them."""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app

runner = CliRunner()

PARAGRAPHS = [
    "Gunmen on motorbikes attacked the weekly market in a village north of Mopti on {day}, killing "
    "{n} civilians and burning shops, a local official said.",
    "The army said it had sent a patrol to the area and that the attackers fled towards the forest "
    "near the border with Burkina Faso.",
    "No group claimed the attack, but JNIM fighters have besieged several villages in the region "
    "since the start of the rainy season, residents said.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article_text(i: int) -> str:
    body = "\n".join(p.format(day=DAYS[i % 7], n=3 + i % 40) for p in PARAGRAPHS)
    return f"Market raid number {i} near Mopti\n{body}\nThe official said it was raid number {i} this year."


def export_records(db: Path, fmt: str = "articles-jsonl") -> list[dict]:
    result = runner.invoke(app, ["export", "--db", str(db), "--format", fmt])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_run_stores_exports_and_is_idempotent(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"a{i}.txt").write_text(article_text(i))
    (corpus / "copies.jsonl").write_text("\n".join(json.dumps({"title": f"Copy {i}", "text": article_text(i)})
                                                   for i in range(2)))
    out = tmp_path / "out"
    first = runner.invoke(app, ["run", str(corpus), "--out", str(out)])
    assert first.exit_code == 0, first.output
    records = export_records(out / "sitrep.db")
    # the JSONL copies have the same text as a0 and a1 under another title: stored once each? No:
    # a different title makes a different cleaned text, so they are distinct articles.
    assert len(records) == 5
    assert {r["path"].rsplit("/", 1)[-1] for r in records} >= {"copies.jsonl:1", "copies.jsonl:2", "a0.txt"}
    assert set(records[0]) == {"id", "path", "title", "subtitle", "outlet", "author", "published", "url",
                               "language", "text", "status", "error"}
    assert all(r["status"] == "processed" and r["language"] == "en" for r in records)
    assert (out / "articles.jsonl").read_text().count("\n") == 5
    with open(out / "articles.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 5

    again = runner.invoke(app, ["run", str(corpus), "--out", str(out)])
    assert again.exit_code == 0
    assert "Nothing new: all 5 articles read are already stored" in again.stdout
    assert len(export_records(out / "sitrep.db")) == 5


def test_the_same_text_from_two_files_is_stored_once(tmp_path):
    (tmp_path / "one.txt").write_text(article_text(7))
    (tmp_path / "two.txt").write_text("\n\n" + article_text(7) + "\n")  # another raw form, same cleaned text
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert len(export_records(tmp_path / "out" / "sitrep.db")) == 1


def test_bad_inputs_are_named_and_the_run_goes_on(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "good.txt").write_text(article_text(1))
    (corpus / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "garbage.txt").write_bytes(b"\xff" * 4096)
    (corpus / "cut.json").write_text('{"title": "Ambush", "text": "Soldiers were amb')
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(corpus), "--out", str(out)])
    assert result.exit_code == 1
    for name, problem in [("photo.png", "binary file (PNG image)"), ("empty.txt", "empty file"),
                          ("garbage.txt", "unreadable text"), ("cut.json", "malformed JSON")]:
        lines = [l for l in result.stderr.splitlines() if f"{name}:" in l]
        assert len(lines) == 1 and problem in lines[0], result.stderr
    assert [r["title"] for r in export_records(out / "sitrep.db")] == ["Market raid number 1 near Mopti"]
    with sqlite3.connect(out / "sitrep.db") as db:
        assert db.execute("select count(*) from problems").fetchone()[0] == 4


def test_seeds_export(tmp_path, seeds_dir):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(seeds_dir), "--out", str(out)]).exit_code == 0
    records = {Path(r["path"]).name[:3]: r for r in export_records(out / "sitrep.db")}
    first, second = records["000"], records["002"]
    paragraphs = first["text"].split("\n\n")
    assert len(paragraphs) == len(set(paragraphs)) and first["text"].count(first["title"]) == 1
    assert second["published"] == "2025-06-06"
    assert second["outlet"] in ("ClashReport", "Clash Report")
    for junk in ("View post on X", "Cover Image"):
        assert junk not in second["text"]
    assert not second["text"].rstrip().endswith(second["title"])


def test_a_killed_run_resumes_and_stores_each_article_once(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    total = 400
    with open(corpus / "many.jsonl", "w") as f:
        for i in range(total):
            f.write(json.dumps({"title": f"Raid {i}", "text": article_text(i), "outlet": "Sahel Monitor"}) + "\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sitrep", "run", str(corpus), "--out", str(out), "--batch-size", "8"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db_file = out / "sitrep.db"
    stored = 0
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if db_file.exists():
            with sqlite3.connect(db_file) as db:
                try:
                    stored = db.execute("select count(*) from articles").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
            if stored >= 24:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db_file) as db:
        stored_at_kill = db.execute("select count(*) from articles").fetchone()[0]
    assert 0 < stored_at_kill < total, "the run should have been killed mid-way"
    assert stored_at_kill % 8 == 0, "only whole batches are stored"

    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    with sqlite3.connect(db_file) as db:
        assert db.execute("select count(*), count(distinct id) from articles").fetchone() == (total, total)
        assert db.execute("select count(*) from articles a where not exists "
                          "(select 1 from mentions m where m.article_id = a.id)").fetchone()[0] == 0
