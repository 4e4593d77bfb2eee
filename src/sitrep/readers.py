"""One reader per input format: decoded text -> `RawArticle`s (or `InputProblem`s).

Each reader yields problems for single bad records and goes on, so one broken line of a
JSONL file does not cost the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import trafilatura

from .document import RawArticle
from .errors import InputProblem

Result = Iterator[RawArticle | InputProblem]

# JSON fields sitrep reads; every other field is kept as metadata in `extra`.
KNOWN_FIELDS = {"title", "text", "html", "url", "outlet", "published", "language", "author"}
# Fewer words than this from a page is a menu or a stub, not an article.
MIN_PAGE_WORDS = 10
FIELD_ALIASES = {"body": "text", "content": "text", "source": "outlet", "site_name": "outlet",
                 "date": "published", "published_at": "published", "lang": "language", "link": "url"}


def read_txt(path: str, text: str) -> Result:
    yield RawArticle(path=path, format="txt", text=text)


# trafilatura's options, most precise first: favoring precision leaves out the teasers, link
# lists and sign-up boxes around the story; a page (or a feed entry) that yields too little
# that way is read again favoring recall.
EXTRACTION_TRIES = (
    dict(include_comments=False, include_tables=True, favor_precision=True),
    dict(include_comments=False, include_tables=True, favor_recall=True),
)


def html_to_raw(path: str, html: str, line: int | None = None, known=None) -> RawArticle:
    """Main text and metadata of a web page, through trafilatura. A page `known` (by its raw
    hash) is not extracted: it comes back with the page alone, to be counted as stored."""
    if known is not None:
        raw = RawArticle(path=path, format="html", text="", html=html, line=line)
        if known(raw.raw_hash):
            return raw
    doc, words = None, 0
    for options in EXTRACTION_TRIES:
        try:
            doc = trafilatura.bare_extraction(html, with_metadata=True, **options)
        except Exception as e:  # lxml and trafilatura raise many kinds on broken markup
            raise InputProblem(path, f"malformed HTML ({type(e).__name__}: {e})", line) from None
        words = len((doc.text or "").split()) if doc is not None else 0
        if words >= MIN_PAGE_WORDS:
            break
    if words < MIN_PAGE_WORDS:
        raise InputProblem(path, f"no article text found in the HTML page ({words} words)", line)
    return RawArticle(path=path, format="html", text=doc.text, html=html, line=line,
                      title=doc.title, outlet=doc.sitename, author=doc.author,
                      published=doc.date, url=doc.url, language=doc.language)


def read_html(path: str, text: str, known=None) -> Result:
    yield html_to_raw(path, text, known=known)


def record_to_raw(path: str, record: Any, line: int | None, known=None) -> RawArticle:
    """One JSON object -> a RawArticle; a record without text is a problem."""
    if not isinstance(record, dict):
        raise InputProblem(path, f"expected a JSON object, found {type(record).__name__}", line)
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in record.items():
        name = FIELD_ALIASES.get(key, key)
        if name in KNOWN_FIELDS and name not in fields:
            fields[name] = value
        else:
            extra[key] = value
    declared = {k: str(fields[k]) for k in ("title", "url", "outlet", "published", "language", "author")
                if fields.get(k) not in (None, "")}
    text, html = fields.get("text"), fields.get("html")
    if isinstance(text, str) and text.strip():
        return RawArticle(path=path, format="json", text=text, line=line, extra=extra, **declared)
    if isinstance(html, str) and html.strip():
        raw = html_to_raw(path, html, line, known)
        if not raw.text:  # known: not extracted
            return raw
        for key, value in declared.items():  # what the record says beats what the page guessed
            setattr(raw, key, value)
        raw.format, raw.extra = "json", extra
        return raw
    raise InputProblem(path, "record has no 'text' or 'html' field with content", line)


def read_json(path: str, text: str, known=None) -> Result:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputProblem(path, f"malformed JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records, start=1):
        try:
            yield record_to_raw(path, record, i if isinstance(data, list) else None, known)
        except InputProblem as problem:
            yield problem


def read_jsonl(path: str, text: str, known=None) -> Result:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield record_to_raw(path, record, number, known)
        except json.JSONDecodeError as e:
            yield InputProblem(path, f"malformed JSON: {e.msg} at column {e.colno}", number)
        except InputProblem as problem:
            yield problem


def read_feed(path: str, text: str, known=None) -> Result:
    """RSS or Atom: one article per entry, with the entry's full content when it has one."""
    import feedparser

    feed = feedparser.parse(text)
    if not feed.entries:
        reason = f": {feed.bozo_exception}" if feed.bozo else ""
        raise InputProblem(path, f"malformed or empty feed{reason}")
    outlet = feed.feed.get("title")
    for number, entry in enumerate(feed.entries, start=1):
        content = entry.get("content", [{}])[0].get("value") or entry.get("summary") or ""
        record = {"title": entry.get("title"), "url": entry.get("link"), "outlet": outlet,
                  "published": entry.get("published") or entry.get("updated"),
                  "author": entry.get("author"), "html": f"<html><body><article>{content}</article></body></html>"}
        try:
            raw = record_to_raw(path, record, number, known)
            raw.format = "feed"
            yield raw
        except InputProblem as problem:
            yield problem
