"""Exports: the stored data in the formats analysts use. One writer per format.

`FORMATS` maps a format name to (writer, default file name); the event formats of later
stages (jsonl, acled-csv, geojson, plover-jsonl) register here too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
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
    n = 0
    for n, record in enumerate(article_records(store), start=1):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


def write_articles_csv(store: Store, out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=ARTICLE_FIELDS)
    writer.writeheader()
    n = 0
    for n, record in enumerate(article_records(store), start=1):
        writer.writerow(record)
    return n


Writer = Callable[[Store, IO[str]], int]
FORMATS: dict[str, tuple[Writer, str]] = {
    "articles-jsonl": (write_articles_jsonl, "articles.jsonl"),
    "articles-csv": (write_articles_csv, "articles.csv"),
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
