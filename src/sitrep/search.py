"""Full-text search over the stored articles (title, outlet, text).

SQLite: an FTS5 table, `articles_fts`, in the database itself, whose rowids are the articles'
rowids. It is created when missing and brought up to date before each search by adding the
articles with a rowid above the highest indexed one (articles are only ever appended), so a
running `sitrep run` and the dashboard can share the database. Ranking is bm25 (title weighs
most); snippets come from FTS5's snippet() with control characters as markers, which are
turned into <mark> only after the snippet is escaped. A database that cannot be written (a
read-only file) falls back to a LIKE scan without ranking.

PostgreSQL: to_tsvector / websearch-free plainto_tsquery, ts_rank and ts_headline, computed
on the fly (no index is created). This path is written but untested here.

The user's words never reach the FTS5 query syntax: each is quoted, so `AND`, `*`, `"` or
`NEAR(` are searched as words. A trailing `*` asks for a prefix; "double quotes" for a phrase.
"""

from __future__ import annotations

import re
import threading

from markupsafe import Markup, escape
from sqlalchemy import func, select, text

from .store import Store, articles

OPEN, CLOSE = "\x02", "\x03"     # snippet markers: control characters, removed from the indexed text
FTS_TABLE = "articles_fts"
MAX_TERMS = 32

_lock = threading.Lock()
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def fts_query(q: str) -> str | None:
    """The user's words as a safe FTS5 query: every term quoted, all required."""
    parts = []
    for phrase, word in _TOKEN.findall(q or ""):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        words = _WORD.findall(word)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'   # "al-Qaeda" -> "al Qaeda", a phrase
        if word.endswith("*") and len(words) == 1:
            term += "*"
        parts.append(term)
    return " ".join(parts[:MAX_TERMS]) or None


def highlighted(snippet: str | None) -> Markup:
    """A snippet with OPEN/CLOSE markers as HTML: the text escaped first, then the marks added."""
    if not snippet:
        return Markup("")
    safe = str(escape(snippet))
    return Markup(safe.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


class Search:
    def __init__(self, store: Store):
        self.store = store
        self.dialect = store.engine.dialect.name
        self.fts = False
        if self.dialect == "sqlite":
            self.fts = self._create()

    # --- the index ---------------------------------------------------------------------
    def _create(self) -> bool:
        """Create the index when missing and fill it; False when there is none (a read-only
        database, an SQLite without FTS5): search then scans with LIKE."""
        try:
            with _lock, self.store.engine.begin() as conn:
                conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                                  "title, outlet, text, tokenize='unicode61 remove_diacritics 2')"))
        except Exception:  # noqa: BLE001
            pass
        with self.store.engine.connect() as conn:
            exists = conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = :name"), {"name": FTS_TABLE})
        if not exists:
            return False
        try:
            self.refresh()
        except Exception:  # noqa: BLE001 - locked by a running `sitrep run`: the next search retries
            pass
        return True

    def refresh(self) -> int:
        """Index the articles added since the last call (a read when there are none); returns how many."""
        query = f"SELECT (SELECT coalesce(max(rowid), 0) FROM {FTS_TABLE}), (SELECT coalesce(max(rowid), 0) FROM articles)"
        with self.store.engine.connect() as conn:
            indexed, stored = conn.execute(text(query)).one()
        if stored <= indexed:
            return 0
        clean = "replace(replace(coalesce({0}, ''), char(2), ''), char(3), '')"
        with _lock, self.store.engine.begin() as conn:
            last = conn.scalar(text(f"SELECT coalesce(max(rowid), 0) FROM {FTS_TABLE}"))
            result = conn.execute(text(
                f"INSERT INTO {FTS_TABLE}(rowid, title, outlet, text) "
                f"SELECT rowid, {clean.format('title')}, {clean.format('outlet')}, {clean.format('text')} "
                "FROM articles WHERE rowid > :last ORDER BY rowid"), {"last": last})
            return result.rowcount or 0

    # --- searching ---------------------------------------------------------------------
    def search(self, q: str, limit: int = 20, offset: int = 0) -> dict:
        """{"query", "total", "results": [{id, title, outlet, published, url, status, snippet (HTML),
        title_html, score}]}, best first."""
        q = (q or "").strip()
        if not q:
            return {"query": q, "total": 0, "results": []}
        if self.dialect == "postgresql":
            return self._search_postgres(q, limit, offset)
        if self.fts:
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - the index could not be updated: search what it holds
                pass
            return self._search_fts(q, limit, offset)
        return self._search_like(q, limit, offset)

    def _search_fts(self, q: str, limit: int, offset: int) -> dict:
        match = fts_query(q)
        if match is None:
            return {"query": q, "total": 0, "results": []}
        params = {"match": match, "limit": limit, "offset": offset}
        with self.store.engine.connect() as conn:
            total = conn.scalar(text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"), params)
            rows = conn.execute(text(
                f"SELECT a.id, a.title, a.outlet, a.published, a.url, a.status, "
                f"snippet({FTS_TABLE}, 2, char(2), char(3), '…', 28) AS snippet, "
                f"highlight({FTS_TABLE}, 0, char(2), char(3)) AS title_marked, "
                f"bm25({FTS_TABLE}, 10.0, 2.0, 1.0) AS score "
                f"FROM {FTS_TABLE} JOIN articles a ON a.rowid = {FTS_TABLE}.rowid "
                f"WHERE {FTS_TABLE} MATCH :match ORDER BY score, a.published DESC LIMIT :limit OFFSET :offset"),
                params).mappings().all()
        return {"query": q, "total": total, "results": [self._result(r, -r["score"]) for r in rows]}

    def _search_like(self, q: str, limit: int, offset: int) -> dict:
        words = _WORD.findall(q)[:MAX_TERMS]
        if not words:
            return {"query": q, "total": 0, "results": []}
        conditions = [articles.c.title.icontains(w, autoescape=True) | articles.c.text.icontains(w, autoescape=True)
                      for w in words]
        with self.store.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(articles).where(*conditions))
            rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.outlet, articles.c.published,
                                       articles.c.url, articles.c.status, articles.c.text)
                                .where(*conditions).order_by(articles.c.published.desc(), articles.c.id)
                                .limit(limit).offset(offset)).mappings().all()
        results = []
        for r in rows:
            results.append(self._result({**r, "snippet": _window(r["text"], words), "title_marked": r["title"]}, None))
        return {"query": q, "total": total, "results": results}

    def _search_postgres(self, q: str, limit: int, offset: int) -> dict:  # pragma: no cover - untested here
        document = ("setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
                    "setweight(to_tsvector('simple', coalesce(outlet, '')), 'B') || "
                    "to_tsvector('english', coalesce(text, ''))")
        options = f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=40, MinWords=15, MaxFragments=2"
        with self.store.engine.connect() as conn:
            total = conn.scalar(text(f"SELECT count(*) FROM articles WHERE ({document}) @@ plainto_tsquery('english', :q)"),
                                {"q": q})
            rows = conn.execute(text(
                f"SELECT id, title, outlet, published, url, status, "
                f"ts_headline('english', text, plainto_tsquery('english', :q), :options) AS snippet, "
                f"title AS title_marked, ts_rank({document}, plainto_tsquery('english', :q)) AS score "
                f"FROM articles WHERE ({document}) @@ plainto_tsquery('english', :q) "
                f"ORDER BY score DESC, published DESC LIMIT :limit OFFSET :offset"),
                {"q": q, "options": options, "limit": limit, "offset": offset}).mappings().all()
        return {"query": q, "total": total, "results": [self._result(r, r["score"]) for r in rows]}

    @staticmethod
    def _result(r, score) -> dict:
        return {"id": r["id"], "title": r["title"], "outlet": r["outlet"], "published": r["published"],
                "url": r["url"], "status": r["status"], "score": score,
                "snippet": str(highlighted(r["snippet"])),
                "title_html": str(highlighted(r["title_marked"] or r["title"] or ""))}


def _window(body: str, words: list[str], width: int = 220) -> str:
    """A stretch of text around the first word found, with the words marked (LIKE fallback)."""
    body = (body or "").replace(OPEN, "").replace(CLOSE, "")
    lower = body.lower()
    hits = [lower.find(w.lower()) for w in words if lower.find(w.lower()) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    piece = body[start:start + width]
    for w in sorted(set(words), key=len, reverse=True):
        piece = re.sub(re.escape(w), lambda m: OPEN + m.group(0) + CLOSE, piece, flags=re.IGNORECASE)
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")
