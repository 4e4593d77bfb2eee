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

from sqlalchemy import (Column, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text,
                        create_engine, event, func, insert, inspect, select, text, update)
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

places = Table(
    "places", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("raw_start", Integer), Column("raw_end", Integer),
    Column("sentence_start", Integer, nullable=False), Column("sentence_end", Integer, nullable=False),
    Column("name", Text), Column("latitude", Float), Column("longitude", Float),
    Column("country", String(2)), Column("admin1", Text), Column("admin2", Text),
    Column("geonames_id", Integer), Column("geo_precision", Integer), Column("feature", Text),
    Column("rule", Text, nullable=False), Column("confidence", Float, nullable=False),
)

actor_mentions = Table(
    "actor_mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("actor", Text, index=True),                      # canonical name (None: generic, no country)
    Column("inter", Integer), Column("country", String(2)), Column("role", Text),
    Column("source", Text, nullable=False), Column("confidence", Float, nullable=False),
)

actors = Table(
    "actors", metadata,
    Column("name", Text, primary_key=True),
    Column("inter", Integer), Column("country", String(2)), Column("parent", Text), Column("wikidata", Text),
)

events = Table(
    "events", metadata,
    Column("id", String(24), primary_key=True),             # <article id>-<n>
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("event_date", String(10), index=True), Column("date_start", String(10)), Column("date_end", String(10)),
    Column("time_precision", Integer), Column("date_text", Text), Column("date_rule", Text),
    Column("event_type", Text, nullable=False, index=True), Column("sub_event_type", Text, nullable=False),
    Column("plover_type", Text), Column("plover_mode", Text),
    Column("actor1", Text, index=True), Column("assoc_actor_1", Text), Column("inter1", Integer),
    Column("actor2", Text), Column("assoc_actor_2", Text), Column("inter2", Integer),
    Column("country", Text), Column("iso", String(2), index=True), Column("admin1", Text), Column("admin2", Text),
    Column("location", Text), Column("latitude", Float), Column("longitude", Float),
    Column("geo_precision", Integer), Column("geonames_id", Integer), Column("place_rule", Text),
    Column("fatalities", Integer), Column("fatalities_low", Integer), Column("fatalities_high", Integer),
    Column("fatalities_text", Text),
    Column("notes", Text), Column("confidence", Float), Column("context", String(16), index=True),
    Column("fatalities_rule", Text),                        # fatalities.py's rule: count:, vague:, none: ...
    Column("merged_id", String(24), index=True),            # the real event it is one report of (merged_events)
)

event_sources = Table(
    "event_sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(24), ForeignKey("events.id"), nullable=False, index=True),
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("sentence", Text, nullable=False),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("raw_start", Integer), Column("raw_end", Integer),
    Column("trigger", Text), Column("trigger_start", Integer), Column("trigger_end", Integer),
    Column("rule", Text),
)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("speaker", Text, nullable=False), Column("speaker_actor", Text, index=True),
    Column("verb", Text, nullable=False), Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False), Column("sentence_end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
)

# --- corpus level: duplicates, stories, merged events, contradictions (issue #5) ------------

article_signatures = Table(
    "article_signatures", metadata,
    Column("article_id", String(16), ForeignKey("articles.id"), primary_key=True),
    Column("minhash", LargeBinary, nullable=False),         # 128 little-endian uint32 (dedup.py)
)

duplicates = Table(
    "duplicates", metadata,
    Column("article_id", String(16), ForeignKey("articles.id"), primary_key=True),
    Column("duplicate_of", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("similarity", Float, nullable=False),            # estimated Jaccard of 5-word shingles
)

stories = Table(
    "stories", metadata,
    Column("id", String(24), primary_key=True),             # "s" + its first article's id
    Column("title", Text), Column("summary", Text),
    Column("summary_sources", Text),                        # JSON [{article_id, outlet, start, end}]
    Column("first_published", String(32), index=True), Column("last_published", String(32), index=True),
    Column("n_articles", Integer, nullable=False), Column("n_outlets", Integer, nullable=False),
    Column("outlets", Text),                                # JSON list
    Column("state", Text, nullable=False),                  # JSON: term counts, entities, days (stories.py)
    Column("embedding", LargeBinary),                       # float32 mean of its articles' embeddings
    Column("updated_at", String(32), nullable=False),
)

story_articles = Table(
    "story_articles", metadata,
    Column("article_id", String(16), ForeignKey("articles.id"), primary_key=True),
    Column("story_id", String(24), ForeignKey("stories.id"), nullable=False, index=True),
    Column("score", Float),                                 # similarity with the story when it joined
    Column("features", Text, nullable=False),               # JSON: term counts, entities, day
    Column("embedding", LargeBinary),
    Column("joined_at", String(32), nullable=False),
)

term_df = Table(
    "term_df", metadata,
    Column("term", String(200), primary_key=True),
    Column("df", Integer, nullable=False),                  # articles clustered that contain the term
)

merged_events = Table(
    "merged_events", metadata,
    Column("id", String(24), primary_key=True),             # the id of its first event
    Column("representative_id", String(24), nullable=False),  # the member whose fields are exported
    Column("story_id", String(24), index=True),
    Column("context", String(16)),
    Column("fatalities", Integer), Column("fatalities_low", Integer), Column("fatalities_high", Integer),
    Column("fatalities_sources", Text),                     # JSON: each source's figure
    Column("n_events", Integer, nullable=False), Column("n_sources", Integer, nullable=False),
    Column("n_outlets", Integer, nullable=False),
    Column("updated_at", String(32), nullable=False),
)

event_mentions = Table(
    "event_mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(24), nullable=False, index=True),   # merged_events.id
    Column("source_event_id", String(24), nullable=False),        # events.id it was extracted as
    Column("article_id", String(16), ForeignKey("articles.id"), nullable=False, index=True),
    Column("via", String(16), nullable=False),              # extracted | duplicate
    Column("sentence", Text, nullable=False),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("raw_start", Integer), Column("raw_end", Integer),
    Column("trigger", Text), Column("rule", Text),
)

contradictions = Table(
    "contradictions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", String(24), nullable=False, index=True),
    Column("kind", String(16), nullable=False),             # statement | toll | denial
    Column("subject", Text, nullable=False),
    Column("event_id", String(24)),                         # for toll and denial
    Column("a", Text, nullable=False), Column("b", Text, nullable=False),  # JSON sides
    Column("rule", Text, nullable=False),
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
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Databases made by an older sitrep get the nullable columns added since."""
        existing = inspect(self.engine)
        with self.engine.begin() as conn:
            for table in metadata.sorted_tables:
                have = {c["name"] for c in existing.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in have and column.nullable:
                        kind = column.type.compile(dialect=self.engine.dialect)
                        conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
                        for index in table.indexes:
                            if column.name in index.columns:
                                index.create(conn, checkfirst=True)

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
    def write_batch(self, batch: list[Article], batch_problems: list, run_id: int,
                    signatures: dict[str, bytes] | None = None) -> None:
        """Articles with everything found in them, their MinHash signatures and duplicate links,
        and the batch's problems, in one transaction."""
        stamp = now()
        with self.engine.begin() as conn:
            if batch:
                conn.execute(insert(articles), [_article_row(a, run_id, stamp) for a in batch])
                for table, rows in rows_for(batch).items():
                    if rows:
                        conn.execute(insert(table), rows)
                self._add_actors(conn, batch)
                if signatures:
                    conn.execute(insert(article_signatures),
                                 [{"article_id": a.id, "minhash": signatures[a.id]} for a in batch
                                  if a.id in signatures])
                links = [{"article_id": a.id, "duplicate_of": a.duplicate_of, "similarity": a.duplicate_similarity}
                         for a in batch if a.duplicate_of]
                if links:
                    conn.execute(insert(duplicates), links)
            if batch_problems:
                conn.execute(insert(problems), [{"run_id": run_id, "path": p.path, "line": p.line,
                                                 "message": p.message} for p in batch_problems])

    def articles_without_signature(self) -> list[dict]:
        """Id and text of articles stored before signatures were kept."""
        return self.select(select(articles.c.id, articles.c.text)
                           .where(articles.c.id.not_in(select(article_signatures.c.article_id))))

    def add_signatures(self, signatures: dict[str, bytes]) -> None:
        if signatures:
            with self.engine.begin() as conn:
                conn.execute(insert(article_signatures),
                             [{"article_id": i, "minhash": m} for i, m in signatures.items()])

    def _add_actors(self, conn, batch: list[Article]) -> None:
        from .actors import load_dictionary

        names = {m.name for a in batch for m in a.actors if m.name}
        names |= {m.name for a in batch for e in a.events for m in (e.actor1, e.actor2) if m and m.name}
        if not names:
            return
        known = set(conn.scalars(select(actors.c.name).where(actors.c.name.in_(names))))
        dictionary = load_dictionary()
        rows = []
        for name in sorted(names - known):
            actor = dictionary.actors.get(name)
            rows.append({"name": name, "inter": actor.inter if actor else None,
                         "country": actor.country if actor else None,
                         "parent": actor.parent if actor else None, "wikidata": actor.wikidata if actor else None})
        if rows:
            conn.execute(insert(actors), rows)

    def select(self, statement) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(statement)]

    # --- reading ----------------------------------------------------------------------
    def iter_signatures(self, chunk: int = 5000, newest: int | None = None) -> Iterator[tuple[str, bytes, str | None]]:
        """(article id, MinHash bytes, the id of its original if it is a copy) of every article, or
        of the `newest` stored last, in the order they were stored."""
        order = (articles.c.stored_at, articles.c.id)
        query = (select(article_signatures.c.article_id, article_signatures.c.minhash, duplicates.c.duplicate_of)
                 .join(articles, articles.c.id == article_signatures.c.article_id)
                 .outerjoin(duplicates, duplicates.c.article_id == article_signatures.c.article_id))
        if newest is not None:
            last = (select(articles.c.id).join(article_signatures, article_signatures.c.article_id == articles.c.id)
                    .order_by(*(c.desc() for c in order)).limit(newest))
            query = query.where(articles.c.id.in_(last))
        query = query.order_by(*order)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=chunk).execute(query)
            for row in result:
                yield row[0], bytes(row[1]), row[2]

    def annotations_of(self, article_id: str):
        """A stored article's text, status and entity, place and actor mentions, as objects."""
        from types import SimpleNamespace

        from .document import ActorMention, Mention, Place, PlaceMention

        with self.engine.connect() as conn:
            row = conn.execute(select(articles.c.text, articles.c.status).where(articles.c.id == article_id)).first()
            if row is None:
                return None
            found = SimpleNamespace(id=article_id, text=row.text, status=row.status, mentions=[], places=[], actors=[])
            for m in conn.execute(select(mentions).where(mentions.c.article_id == article_id).order_by(mentions.c.id)):
                m = m._mapping
                found.mentions.append(Mention(m["start"], m["end"], m["text"], m["label"], m["sentence_start"],
                                              m["sentence_end"], m["source"], m["confidence"], m["raw_start"],
                                              m["raw_end"], m["entity_id"]))
            for p in conn.execute(select(places).where(places.c.article_id == article_id).order_by(places.c.id)):
                p = p._mapping
                place = (Place(p["name"], p["latitude"], p["longitude"], p["country"], p["admin1"], p["admin2"],
                               p["geonames_id"], p["geo_precision"], p["feature"])
                         if p["name"] is not None and p["latitude"] is not None else None)
                found.places.append(PlaceMention(p["start"], p["end"], p["text"], p["sentence_start"],
                                                 p["sentence_end"], place, p["rule"], p["confidence"],
                                                 p["raw_start"], p["raw_end"]))
            for a in conn.execute(select(actor_mentions).where(actor_mentions.c.article_id == article_id)
                                  .order_by(actor_mentions.c.id)):
                a = a._mapping
                found.actors.append(ActorMention(a["start"], a["end"], a["text"], a["actor"], a["inter"], a["country"],
                                                 a["role"], a["source"], a["confidence"]))
            return found

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


def rows_for(batch: list[Article]) -> dict[Table, list[dict]]:
    """The rows each table gets from a batch of processed articles."""
    from .records import event_rows

    out: dict[Table, list[dict]] = {mentions: [], places: [], actor_mentions: [], events: [],
                                    event_sources: [], claims: []}
    for a in batch:
        out[mentions] += [_mention_row(a.id, m) for m in a.mentions]
        out[places] += [_place_row(a.id, p) for p in a.places]
        out[actor_mentions] += [{"article_id": a.id, "start": m.start, "end": m.end, "text": m.text,
                                 "actor": m.name, "inter": m.inter, "country": m.country, "role": m.role,
                                 "source": m.source, "confidence": m.confidence} for m in a.actors]
        for n, found in enumerate(a.events, start=1):
            event_row, source_rows = event_rows(a, found, f"{a.id}-{n}")
            out[events].append(event_row)
            out[event_sources] += source_rows
        out[claims] += [{"article_id": a.id, "speaker": c.speaker, "speaker_actor": c.speaker_actor, "verb": c.verb,
                         "text": c.text, "start": c.start, "end": c.end, "sentence_start": c.sentence_start,
                         "sentence_end": c.sentence_end, "confidence": c.confidence} for c in a.claims]
    return out


def _place_row(article_id: str, p) -> dict:
    place = p.place
    return {"article_id": article_id, "text": p.text, "start": p.start, "end": p.end,
            "raw_start": p.raw_start, "raw_end": p.raw_end,
            "sentence_start": p.sentence_start, "sentence_end": p.sentence_end,
            "name": place.name if place else None, "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None, "country": place.country if place else None,
            "admin1": place.admin1 if place else None, "admin2": place.admin2 if place else None,
            "geonames_id": place.geonames_id if place else None,
            "geo_precision": place.geo_precision if place else None, "feature": place.feature if place else None,
            "rule": p.rule, "confidence": p.confidence}


def _mention_row(article_id: str, m) -> dict:
    return {"article_id": article_id, "start": m.start, "end": m.end, "raw_start": m.raw_start,
            "raw_end": m.raw_end, "sentence_start": m.sentence_start, "sentence_end": m.sentence_end,
            "text": m.text, "label": m.label, "entity_id": m.entity_id, "source": m.source,
            "confidence": m.confidence}
