"""Cleaning stage: `RawArticle` -> `Article` with clean text, lifted metadata and an offset map.

What scraped text carries and what this removes, in order:
1. junk lines anywhere (embeds, credits, share bars: data/cleaning/patterns.yaml);
2. metadata lines in the head (a date glued to the outlet, a byline, the outlet alone),
   lifted into fields;
3. repeated lines and paragraphs, the title among them (the first copy stays).
The cleaned text is the kept lines, in order, joined by blank lines; each kept line is an
exact slice of the raw text, so every offset maps back (`Article.offsets`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Article, OffsetMap, RawArticle, Segment
from .metadata import byline_author, date_line, is_junk, parse_date, same_name
from .settings import Settings

PARAGRAPH_BREAK = "\n\n"


@dataclass
class Line:
    text: str
    raw_start: int | None

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def key(self) -> str:
        """What two copies of a line share: letters and digits, without case."""
        return " ".join(re.sub(r"[^\w]+", " ", self.text.casefold()).split())


def split_lines(text: str) -> list[Line]:
    """Non-empty lines, stripped, each with its offset in `text`."""
    lines = []
    for m in re.finditer(r"[^\r\n]+", text):
        stripped = m.group().strip()
        if stripped:
            lead = len(m.group()) - len(m.group().lstrip())
            lines.append(Line(stripped, m.start() + lead))
    return lines


def clean(raw: RawArticle, settings: Settings) -> Article:
    removed: list[tuple[str, str]] = []
    lines = []
    for line in split_lines(raw.text):
        if is_junk(line.text):
            removed.append(("junk", line.text))
        else:
            lines.append(line)

    title, outlet, author = raw.title, raw.outlet, raw.author
    published = parse_date(raw.published)

    # Metadata stands in the head, before the first real paragraph.
    body_at = next((i for i, l in enumerate(lines) if l.words >= settings.body_min_words), len(lines))
    head = lines[:body_at]
    is_meta = [False] * len(head)
    for i, line in enumerate(head):
        found = date_line(line.text)
        if found:
            published = published or found.published
            outlet = outlet or found.outlet
            is_meta[i] = True
            removed.append(("date", line.text))
            continue
        by = byline_author(line.text)
        if by and not _same_key(line, title):
            author = author or by
            is_meta[i] = True
            removed.append(("byline", line.text))
    # The outlet alone on a line: its known name, or a short name standing beside the date
    # or byline ("Acacia Post" above "May 4, 2025"). The first line is the title's place.
    for i, line in enumerate(head):
        if is_meta[i]:
            continue
        beside_meta = (i > 0 and is_meta[i - 1]) or (i + 1 < len(head) and is_meta[i + 1])
        if same_name(line.text, outlet) or (
                not outlet and beside_meta and i > 0 and _looks_like_name(line.text) and not _same_key(line, title)):
            outlet = outlet or line.text
            is_meta[i] = True
            removed.append(("outlet", line.text))
    lines = [l for i, l in enumerate(head) if not is_meta[i]] + lines[body_at:]

    if not title:
        title = _guess_title(lines, settings)

    # The title leads the text, once: its first copy in the text moves to the head (keeping
    # its raw offsets); a title known only from metadata is put there without them.
    title_key = Line(title, None).key if title else None
    title_line = next((l for l in lines if l.key == title_key), None)
    if title and title_line is None:
        title_line = Line(title.strip(), None)
    kept, seen = ([title_line], {title_key}) if title_line else ([], set())
    for line in lines:
        if line.key in seen:
            if line is not title_line:
                removed.append(("repeat", line.text))
            continue
        seen.add(line.key)
        kept.append(line)
    # A subtitle is guessed only under a title that stood in the text: under a title taken
    # from metadata, the first short line is the body's first paragraph.
    from_text = title_line is not None and title_line.raw_start is not None
    subtitle = _guess_subtitle(kept, title_key, settings) if from_text else None

    text, offsets = _assemble(kept)
    return Article(raw=raw, text=text, offsets=offsets, title=title, subtitle=subtitle,
                   outlet=outlet, author=author, published=published, url=raw.url,
                   language=None, removed=removed)


def _same_key(line: Line, title: str | None) -> bool:
    return bool(title) and line.key == Line(title, None).key


def _looks_like_name(text: str) -> bool:
    """A short capitalised name with no sentence punctuation: "Acacia Post", "Le Veilleur du Sahel"."""
    words = text.split()
    return 1 <= len(words) <= 5 and words[0][:1].isupper() and not re.search(r"[.!?:;,\d]", text)


def _guess_title(lines: list[Line], settings: Settings) -> str | None:
    """The first short line near the top that is not a sentence; a repeated one wins."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.key] = counts.get(line.key, 0) + 1
    candidates = [l for l in lines[:6]
                  if 2 <= l.words <= settings.title_max_words and not l.text.endswith((".", ":", ";", ","))]
    for line in candidates:
        if counts[line.key] > 1:
            return line.text
    if candidates and candidates[0] is lines[0]:
        return lines[0].text
    return None


def _guess_subtitle(kept: list[Line], title_key: str | None, settings: Settings) -> str | None:
    """The short line right after the title, when more text follows it."""
    for i, line in enumerate(kept[:-2]):
        if line.key == title_key:
            following = kept[i + 1]
            if following.words <= settings.subtitle_max_words and kept[i + 2:]:
                return following.text
            return None
    return None


def _assemble(lines: list[Line]) -> tuple[str, OffsetMap]:
    parts, segments, at = [], [], 0
    for line in lines:
        if parts:
            parts.append(PARAGRAPH_BREAK)
            at += len(PARAGRAPH_BREAK)
        segments.append(Segment(at, line.raw_start, len(line.text)))
        parts.append(line.text)
        at += len(line.text)
    return "".join(parts), OffsetMap(segments)
