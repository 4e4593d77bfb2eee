"""The data objects that flow through the pipeline.

A reader turns an input file into `RawArticle`s; the cleaning stage turns each into an
`Article`, the one document object every later stage reads and annotates (like spaCy's `Doc`).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class RawArticle:
    """One article as a reader found it, before cleaning."""

    path: str                      # the input file
    format: str                    # txt | html | json | feed
    text: str                      # the raw text the cleaned text points into
    line: int | None = None        # line (JSONL) or entry number (feeds) within the file
    html: str | None = None        # the page, for HTML inputs
    title: str | None = None       # metadata the input declares, if any
    outlet: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # fields sitrep does not know, kept

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    @property
    def raw_hash(self) -> str:
        return hashlib.sha256((self.html or self.text).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Segment:
    """`length` characters of cleaned text from `clean_start` copy raw text from `raw_start`.

    `raw_start` is None for text that has no place in the raw text (a title taken from a
    JSON field and put at the head of the cleaned text)."""

    clean_start: int
    raw_start: int | None
    length: int


@dataclass
class OffsetMap:
    """Maps character offsets in the cleaned text back to the raw text."""

    segments: list[Segment] = field(default_factory=list)

    def to_raw(self, clean_offset: int) -> int | None:
        starts = [s.clean_start for s in self.segments]
        i = bisect.bisect_right(starts, clean_offset) - 1
        if i < 0:
            return None
        seg = self.segments[i]
        inside = clean_offset - seg.clean_start
        if seg.raw_start is None or inside > seg.length:
            return None
        return seg.raw_start + inside

    def span_to_raw(self, start: int, end: int) -> tuple[int | None, int | None]:
        """Raw offsets of a cleaned span; (None, None) when it crosses a paragraph break."""
        raw_start, raw_end = self.to_raw(start), self.to_raw(end)
        if raw_start is None or raw_end is None or raw_end - raw_start != end - start:
            return None, None
        return raw_start, raw_end

    def to_json(self) -> list[list[int | None]]:
        return [[s.clean_start, s.raw_start, s.length] for s in self.segments]

    @classmethod
    def from_json(cls, rows: list[list[int | None]]) -> "OffsetMap":
        return cls([Segment(int(a), b if b is None else int(b), int(c)) for a, b, c in rows])


@dataclass
class Mention:
    """A named entity found in an article, with where it came from."""

    start: int                     # offsets in the cleaned text
    end: int
    text: str
    label: str                     # spaCy label: GPE, LOC, ORG, PERSON, NORP, DATE ...
    sentence_start: int
    sentence_end: int
    source: str                    # "entity_ruler:<pattern id>" or the statistical model's name
    confidence: float
    raw_start: int | None = None
    raw_end: int | None = None
    entity_id: str | None = None   # the pattern's id, when a data file named the entity


@dataclass
class Article:
    """The document every stage reads and annotates."""

    raw: RawArticle
    text: str
    offsets: OffsetMap
    title: str | None = None
    subtitle: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: datetime | None = None
    url: str | None = None
    language: str | None = None
    language_score: float | None = None
    status: str = "new"            # new -> processed | skipped | error
    error: str | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)  # (why, line) the cleaner dropped
    doc: Any = None                # the spaCy Doc, while in memory
    mentions: list[Mention] = field(default_factory=list)
    places: list["PlaceMention"] = field(default_factory=list)
    actors: list["ActorMention"] = field(default_factory=list)
    events: list["Event"] = field(default_factory=list)
    claims: list["Claim"] = field(default_factory=list)
    duplicate_of: str | None = None          # a near-duplicate's original (dedup.py): not parsed again
    duplicate_similarity: float | None = None
    _id: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        """Stable id: the first 16 hex digits of the SHA-256 of the cleaned text (computed once
        per text)."""
        if self._id is None or self._id[0] is not self.text:
            self._id = (self.text, text_id(self.text))
        return self._id[1]

    def skip(self, reason: str) -> None:
        self.status, self.error = "skipped", reason


def doc_text(doc) -> str:
    """A spaCy Doc's text, joined once: `doc.text` joins the tokens again at each access."""
    text = doc.user_data.get("sitrep:text")
    if text is None:
        text = doc.user_data["sitrep:text"] = doc.text
    return text


def text_id(text: str) -> str:
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 date or timestamp from an input's metadata, or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


# --- Annotations added by the extraction stages (issue #3) --------------------------------


@dataclass
class Place:
    """A point on the map that a toponym resolved to."""

    name: str
    latitude: float
    longitude: float
    country: str | None            # ISO 3166-1 alpha-2
    admin1: str | None = None      # first-level division's name
    admin2: str | None = None
    geonames_id: int | None = None
    geo_precision: int = 1         # ACLED: 1 the town itself, 2 near a town / part of a region, 3 a larger region
    feature: str = "populated place"  # populated place | admin1 | admin2 | country | addition


@dataclass
class PlaceMention:
    """A toponym in the cleaned text and what it resolved to (None: not resolved)."""

    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    place: Place | None
    rule: str                      # how it was resolved, e.g. "gazetteer:population+country-context"
    confidence: float
    raw_start: int | None = None
    raw_end: int | None = None


@dataclass
class DateSpan:
    """When something happened: a day, a week or a month (ACLED time_precision 1, 2, 3)."""

    start: date
    end: date
    precision: int
    text: str                      # the expression as written ("on Monday", "late 2021")
    rule: str                      # which resolution rule produced it


@dataclass
class Fatalities:
    """Deaths reported in one sentence, by ACLED's conservative rule, with UCDP-like bounds."""

    best: int                      # the most conservative reported number ("over 30" -> 30)
    low: int
    high: int
    text: str                      # the words that gave it ("more than 30 soldiers were killed")
    start: int                     # offsets in the cleaned text
    end: int
    rule: str


@dataclass
class ActorMention:
    """An actor named in the text: a dictionary actor, a generic phrase, or an unknown group."""

    start: int
    end: int
    text: str
    name: str | None               # canonical name; None until a generic phrase gets its country
    inter: int | None
    country: str | None
    role: str | None = None        # for generic phrases: the role ("civilians", "unidentified_armed_group")
    source: str = "actor_dictionary"
    confidence: float = 0.9


@dataclass
class EventSource:
    """Where an event is reported: an article's sentence, with offsets and the trigger."""

    article_id: str
    sentence: str
    start: int                     # the sentence's offsets in the cleaned text
    end: int
    raw_start: int | None
    raw_end: int | None
    trigger: str
    trigger_start: int
    trigger_end: int
    rule: str                      # the trigger rule id


@dataclass
class Event:
    event_type: str
    sub_event_type: str
    plover_type: str | None
    plover_mode: str | None
    actor1: ActorMention | None
    actor2: ActorMention | None
    place: PlaceMention | None
    date: DateSpan | None
    fatalities: Fatalities | None
    sources: list[EventSource]
    context: str | None = None     # None (a new event) | negated | hypothetical | future | historical
    confidence: float = 0.5
    assoc_actor_1: list[str] = field(default_factory=list)
    assoc_actor_2: list[str] = field(default_factory=list)
    priority: int = 0


@dataclass
class Claim:
    """An attributed statement: who said what, with which verb, where."""

    speaker: str                   # as written
    speaker_actor: str | None      # normalised actor name, when known
    verb: str
    text: str
    start: int                     # the claim text's offsets in the cleaned text
    end: int
    sentence_start: int
    sentence_end: int
    confidence: float = 0.7
