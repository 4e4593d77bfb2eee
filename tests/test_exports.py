"""Every export format of `sitrep export`, on the bundled sample corpus run as a user would."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.export import ACLED_COLUMNS

runner = CliRunner()
EVENT_KEYS = ["id", "event_date", "time_precision", "event_type", "sub_event_type", "plover_type", "plover_mode",
              "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "country", "iso", "admin1",
              "admin2", "location", "latitude", "longitude", "geo_precision", "fatalities", "fatalities_low",
              "fatalities_high", "notes", "sources", "confidence", "context"]
ACLED_EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
                     "Strategic developments"}
PLOVER_TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["run", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "events" in result.stdout and "top actors" in result.stdout
    return out / "sitrep.db"


def export(db, fmt) -> str:
    result = runner.invoke(app, ["export", "--db", str(db), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_events_jsonl(db):
    events = [json.loads(line) for line in export(db, "jsonl").splitlines()]
    assert len(events) >= 20
    for e in events:
        assert list(e)[:len(EVENT_KEYS)] == EVENT_KEYS
        assert e["event_type"] in ACLED_EVENT_TYPES
        assert e["context"] in (None, "negated", "hypothetical", "future", "historical")
        assert e["sources"] and all(s["sentence"] and s["article_id"] and s["outlet"] for s in e["sources"])
        assert e["fatalities_low"] <= e["fatalities"] <= e["fatalities_high"]
    articles = {a["id"]: a for a in map(json.loads, export(db, "articles-jsonl").splitlines())}
    for e in events:
        for s in e["sources"]:
            assert articles[s["article_id"]]["text"][s["start"]:s["end"]] == s["sentence"]


def test_acled_csv_has_acleds_columns_and_only_new_events(db):
    rows = list(csv.DictReader(io.StringIO(export(db, "acled-csv"))))
    assert rows and list(rows[0]) == ACLED_COLUMNS
    events = [json.loads(line) for line in export(db, "jsonl").splitlines()]
    assert len(rows) == sum(e["context"] is None for e in events)
    mali = [r for r in rows if r["country"] == "Mali"]
    assert mali and all(r["iso"] == "466" for r in mali)


def test_geojson(db):
    collection = json.loads(export(db, "geojson"))
    assert collection["type"] == "FeatureCollection" and collection["features"]
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert feature["properties"]["event_type"] in ACLED_EVENT_TYPES


def test_plover_jsonl(db):
    records = [json.loads(line) for line in export(db, "plover-jsonl").splitlines()]
    assert records and all(r["event_type"] in PLOVER_TYPES for r in records)
    assert {"ASSAULT", "PROTEST"} <= {r["event_type"] for r in records}


def test_claims_jsonl(db):
    claims = [json.loads(line) for line in export(db, "claims-jsonl").splitlines()]
    keys = ["id", "speaker", "speaker_actor", "verb", "text", "article_id", "outlet", "published", "sentence",
            "start", "end"]
    assert claims and all(list(c) == keys for c in claims)
    assert all(c["text"] in c["sentence"] for c in claims)
    assert any(c["speaker_actor"] == "Wagner Group" for c in claims)


def test_places_jsonl_points_into_clean_and_raw_text(db):
    places = [json.loads(line) for line in export(db, "places-jsonl").splitlines()]
    articles = {a["id"]: a for a in map(json.loads, export(db, "articles-jsonl").splitlines())}
    assert places
    import sqlite3

    raw = dict(sqlite3.connect(db).execute("select id, raw_text from articles").fetchall())
    for p in places:
        assert articles[p["article_id"]]["text"][p["start"]:p["end"]] == p["text"]
        if p["raw_start"] is not None:
            assert raw[p["article_id"]][p["raw_start"]:p["raw_end"]] == p["text"]
    boulikessi = [p for p in places if p["text"] == "Boulikessi" and p["latitude"] is not None]
    assert boulikessi and abs(boulikessi[0]["latitude"] - 14.80) < 0.2
