"""`sitrep eval acled`: code each row's notes as an article and compare with ACLED's coding.

Each row becomes an article whose text is the row's `notes` without a leading label such as
"Looting: " (it gives the answer away), published the day after the event, with the row's
country as the focus-country hint. The row's primary event is the extracted event of highest
confidence that is not background. A row with no event counts as wrong in every share.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from math import asin, cos, radians, sin, sqrt
from pathlib import Path

from ..actors import comparable, load_dictionary
from ..document import RawArticle
from ..pipeline import process
from ..records import event_rows
from ..settings import Settings
from . import ProgressBar

# A short capitalised label and a colon at the very start: "Looting: ", "Property destruction: ".
LABEL = re.compile(r"^[A-Z][A-Za-z-]*(?: [A-Za-z-]+){0,3}: ")
BATCH = 64
KEYS = ["rows", "detected", "event_type_acc", "sub_event_type_acc", "actor1_acc", "actor2_acc",
        "location_25km", "location_50km", "location_median_km", "fatalities_exact", "date_exact"]


def strip_label(notes: str) -> str:
    return LABEL.sub("", notes.strip(), count=1)


def event_day(value: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable event_date {value!r}")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    h = sin(radians(lat2 - lat1) / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * asin(sqrt(h))


def read_rows(path: Path, limit: int | None = None) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = []
        for row in csv.DictReader(f):
            if not (row.get("notes") or "").strip():
                continue
            rows.append(row)
            if limit and len(rows) >= limit:
                break
    missing = {"event_date", "event_type", "sub_event_type", "actor1", "notes"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"{path}: not an ACLED export (missing columns: {', '.join(sorted(missing))})")
    return rows


def _batches(rows: list[dict], countries: tuple[str, ...]) -> Iterator[tuple[list[dict], list[RawArticle], tuple]]:
    """Rows grouped by focus country (one settings object per group), in batches."""
    dictionary = load_dictionary()
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        focus = countries or tuple(c for c in [dictionary.country_of_name(row.get("country") or "")] if c)
        groups.setdefault(focus, []).append(row)
    for focus, group in groups.items():
        for i in range(0, len(group), BATCH):
            chunk = group[i:i + BATCH]
            raws = [RawArticle(path=f"acled:{r.get('event_id_cnty') or n}", format="json",
                               text=strip_label(r["notes"]),
                               published=(event_day(r["event_date"]) + timedelta(days=1)).isoformat())
                    for n, r in enumerate(chunk, start=i + 1)]
            yield chunk, raws, focus


def evaluate(path: Path, settings: Settings, errors: Path | None = None, countries: tuple[str, ...] = (),
             limit: int | None = None, progress: bool = True) -> dict:
    rows = read_rows(path, limit)
    hits = {k: 0 for k in ("detected", "event_type", "sub_event_type", "actor1", "actor2", "loc25", "loc50",
                           "fatalities", "date")}
    distances: list[float] = []
    out = open(errors, "w", encoding="utf-8") if errors else None
    bar = ProgressBar("coding rows", "rows", len(rows), progress)
    try:
        for chunk, raws, focus in _batches(rows, tuple(c.upper() for c in countries)):
            for row, article in zip(chunk, process(raws, settings.updated(focus_countries=focus))):
                ok, predicted, distance = _score(row, article)
                for key, good in ok.items():
                    hits[key] += good
                if distance is not None:
                    distances.append(distance)
                if out and not all(ok.values()):
                    out.write(json.dumps(_miss(row, article, ok, predicted, distance), ensure_ascii=False) + "\n")
            bar.advance(len(chunk))
    finally:
        bar.stop()
        if out:
            out.close()
    n = len(rows)
    return {
        "rows": n, "detected": hits["detected"] / n,
        "event_type_acc": hits["event_type"] / n, "sub_event_type_acc": hits["sub_event_type"] / n,
        "actor1_acc": hits["actor1"] / n, "actor2_acc": hits["actor2"] / n,
        "location_25km": hits["loc25"] / n, "location_50km": hits["loc50"] / n,
        "location_median_km": statistics.median(distances) if distances else None,
        "fatalities_exact": hits["fatalities"] / n, "date_exact": hits["date"] / n,
    }


def primary_event(article):
    """The event of highest confidence that is not background."""
    new = [e for e in article.events if e.context is None]
    return max(new, key=lambda e: e.confidence) if new else None


def _score(row: dict, article) -> tuple[dict, dict | None, float | None]:
    event = primary_event(article)
    p = event_rows(article, event, "primary")[0] if event else None
    distance = None
    if p and p["latitude"] is not None and row.get("latitude") and row.get("longitude"):
        distance = km(float(row["latitude"]), float(row["longitude"]), p["latitude"], p["longitude"])
    ok = {
        "detected": p is not None,
        "event_type": bool(p) and p["event_type"] == row["event_type"],
        "sub_event_type": bool(p) and p["sub_event_type"] == row["sub_event_type"],
        "actor1": bool(p) and comparable(p["actor1"]) == comparable(row["actor1"]),
        "actor2": bool(p) and comparable(p["actor2"]) == comparable(row.get("actor2")),
        "loc25": distance is not None and distance <= 25,
        "loc50": distance is not None and distance <= 50,
        "fatalities": bool(p) and int(p["fatalities"] or 0) == int(float(row.get("fatalities") or 0)),
        "date": bool(p) and p["event_date"] == event_day(row["event_date"]).isoformat(),
    }
    return ok, p, distance


def _miss(row: dict, article, ok: dict, p: dict | None, distance: float | None) -> dict:
    gold = {k: row.get(k) for k in ("event_type", "sub_event_type", "actor1", "actor2", "location", "latitude",
                                    "longitude", "geo_precision", "fatalities", "event_date")}
    predicted = None if p is None else {k: p[k] for k in (
        "event_type", "sub_event_type", "actor1", "actor2", "location", "latitude", "longitude", "geo_precision",
        "place_rule", "fatalities", "fatalities_text", "event_date", "date_text", "date_rule", "confidence")}
    return {"id": row.get("event_id_cnty"), "text": article.text, "missed": [k for k, v in ok.items() if not v],
            "gold": gold, "predicted": predicted, "km": distance,
            "events": len(article.events), "flagged": [e.context for e in article.events if e.context]}
