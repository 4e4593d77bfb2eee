"""The database: SQLite by default, any SQLAlchemy URL (PostgreSQL) by `--db`.

Each batch of articles is written in one transaction, so a run killed mid-way leaves only
whole batches behind, and the next run skips what is stored (articles are keyed by the hash
of their cleaned text, and raw inputs by the hash of their raw text).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, create_engine,
                        event, func, insert, select, update)
from sqlalchemy.engine import Engine

from .document import Article

metadata = MetaData()

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("command", Text),
    Column("articles_new", Integer, default=0),
    Column("articles_known", Integer, default=0),
    Column("problems", Integer, default=0),
)

articles = Table(
    "articles", metadata,
    Column("id", String(16), primary_key=True),           # hash of the cleaned text
    Column("raw_hash", String(64), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("line", Integer),
    Column("format", String(8), nullable=False),
    Column("title", Text), Column("subtitle", Text), Column("outlet", Text), Column("author", Text),
    Column("published", String(32), index=True),
    Column("url", Text),
    Column("language", String(8)), Column("language_score", Float),
    Column("status", String(16), nullable=False, index=True),
    Column("error", Text),
    Column("raw_text", Text, nullable=False),
    Column("raw_html", Text),
    Column("text", Text, nullable=False),
    Column("offsets", Text, nullable=False),                # JSON: [[clean_start, raw_start, length], ...]
    Column("removed", Text),                                # JSON: [[why, line], ...] the cleaner dropped
    Column("extra", Text),                                  # JSON: input fields sitrep does not read
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("stored_at", String(32), nullable=False),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("raw_start", Integer), Column("raw_end", Integer),
    Column("sentence_start", Integer, nullable=False), Column("sentence_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("label", String(16), nullable=False, index=True),
    Column("entity_id", Text),
    Column("source", Text, nullable=False),
    Column("confidence", Float, nullable=False),
)

problems = Table(
    "problems", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("path", Text, nullable=False),
    Column("line", Integer),
    Column("message", Text, nullable=False),
)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a plain file path."""
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser().resolve()}"


def iso_published(value: datetime | None) -> str | None:
    """ISO 8601; a date alone when the source gave no time of day."""
    if value is None:
        return None
    if value.tzinfo is None and (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.date().isoformat()
    return value.isoformat()


class Store:
    def __init__(self, db: str | Path):
        self.url = database_url(db)
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    # --- runs -------------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(runs).values(started_at=now(), command=command)).inserted_primary_key[0]

    def finish_run(self, run_id: int, new: int, known: int, n_problems: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(
                finished_at=now(), articles_new=new, articles_known=known, problems=n_problems))

    # --- what is stored -----------------------------------------------------------------
    def known_raw_hashes(self, hashes: list[str]) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(articles.c.raw_hash).where(articles.c.raw_hash.in_(hashes))))

    def known_ids(self, ids: list[str]) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(articles.c.id).where(articles.c.id.in_(ids))))

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(articles))

    # --- writing ----------------------------------------------------------------------
    def write_batch(self, batch: list[Article], batch_problems: list, run_id: int) -> None:
        """Articles, their mentions and the batch's problems, in one transaction."""
        stamp = now()
        with self.engine.begin() as conn:
            if batch:
                conn.execute(insert(articles), [_article_row(a, run_id, stamp) for a in batch])
                rows = [_mention_row(a.id, m) for a in batch for m in a.mentions]
                if rows:
                    conn.execute(insert(mentions), rows)
            if batch_problems:
                conn.execute(insert(problems), [{"run_id": run_id, "path": p.path, "line": p.line,
                                                 "message": p.message} for p in batch_problems])

    # --- reading ----------------------------------------------------------------------
    def iter_articles(self) -> Iterator[dict]:
        with self.engine.connect() as conn:
            for row in conn.execute(select(articles).order_by(articles.c.path, articles.c.line)):
                yield dict(row._mapping)

    def mentions_of(self, article_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(mentions).where(mentions.c.article_id == article_id)
                                .order_by(mentions.c.start))
            return [dict(r._mapping) for r in rows]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")      # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")    # still crash-safe with WAL
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _article_row(a: Article, run_id: int, stamp: str) -> dict:
    return {
        "id": a.id, "raw_hash": a.raw.raw_hash, "path": a.raw.path, "line": a.raw.line, "format": a.raw.format,
        "title": a.title, "subtitle": a.subtitle, "outlet": a.outlet, "author": a.author,
        "published": iso_published(a.published), "url": a.url,
        "language": a.language, "language_score": a.language_score,
        "status": a.status, "error": a.error,
        "raw_text": a.raw.text, "raw_html": a.raw.html, "text": a.text,
        "offsets": json.dumps(a.offsets.to_json()),
        "removed": json.dumps(a.removed, ensure_ascii=False),
        "extra": json.dumps(a.raw.extra, ensure_ascii=False, default=str) if a.raw.extra else None,
        "run_id": run_id, "stored_at": stamp,
    }


def _mention_row(article_id: str, m) -> dict:
    return {"article_id": article_id, "start": m.start, "end": m.end, "raw_start": m.raw_start,
            "raw_end": m.raw_end, "sentence_start": m.sentence_start, "sentence_end": m.sentence_end,
            "text": m.text, "label": m.label, "entity_id": m.entity_id, "source": m.source,
            "confidence": m.confidence}
