"""Stories: articles about the same news story, grouped across outlets and days, incrementally.

Each article becomes a sparse profile: TF-IDF-weighted content words (title words count
twice) and three small sets the extraction stages found: normalised actors, resolved places
(not whole countries) and the dates of its new events. An article is compared with the stories
that have an article published within `window_days` of it, found through an inverted index of
the stories' top terms and entities, and joins the most similar one when the weighted sum of
the cosines reaches `threshold`; otherwise it begins a story. Stories keep their summed term
and entity counts, so a new article joins without anything being recomputed; document
frequencies are kept in `term_df`. A near-duplicate joins its original's story.

Each story gets a title (the title of its article closest to the story's profile) and an
extractive summary: the most central sentences (cosine with the profile, a bonus for a
paragraph's lead), one per article at most, with their sources.

`StoryIndex` is the in-memory core (used as is by the benchmark); `CorpusStage` loads from
and writes to the database and calls the event merging and contradiction passes.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from .settings import data_path

NAMESPACES = ("actors", "places", "dates")
_PREFIX = {"actors": "a:", "places": "p:", "dates": "d:"}
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|$)", re.MULTILINE)


# --- options -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryOptions:
    duplicate_threshold: float = 0.8
    duplicate_index_articles: int | None = 10_000
    window_days: int = 7
    max_span_days: int = 30
    threshold: float = 0.24
    weights: tuple[tuple[str, float], ...] = (("text", 0.3), ("lead", 0.3), ("actors", 0.15), ("places", 0.15),
                                              ("dates", 0.1))
    embeddings: bool = False
    embedding_weight: float = 0.5
    embedding_threshold: float = 0.28
    min_lead: float = 0.1
    story_terms: int = 200
    query_terms: int = 30
    title_weight: int = 3
    lead_weight: int = 2
    summary_sentences: int = 3
    distance_km: float = 50.0
    date_slack_days: int = 1
    min_merge_score: float = 2.5
    near_types: tuple[frozenset, ...] = ()

    @classmethod
    def load(cls, user_file: Path | None = None, **changes) -> "StoryOptions":
        data = _read_yaml(data_path("stories", "stories.yaml"))
        if user_file is not None:
            for section, values in (_read_yaml(user_file) or {}).items():
                data.setdefault(section, {}).update(values or {})
        d, s, e = data.get("duplicates", {}), data.get("stories", {}), data.get("events", {})
        options = cls(
            duplicate_threshold=float(d.get("threshold", 0.8)),
            duplicate_index_articles=int(d.get("index_articles", 10_000)) or None,
            window_days=int(s.get("window_days", 7)), max_span_days=int(s.get("max_span_days", 30)),
            threshold=float(s.get("threshold", 0.24)),
            weights=tuple((k, float(v)) for k, v in (s.get("weights") or dict(cls.weights)).items()),
            embeddings=bool(s.get("embeddings", False)), embedding_weight=float(s.get("embedding_weight", 0.5)),
            embedding_threshold=float(s.get("embedding_threshold", 0.28)),
            min_lead=float(s.get("min_lead", 0.1)),
            story_terms=int(s.get("story_terms", 200)), query_terms=int(s.get("query_terms", 30)),
            title_weight=int(s.get("title_weight", 3)), lead_weight=int(s.get("lead_weight", 2)),
            summary_sentences=int(s.get("summary_sentences", 3)),
            distance_km=float(e.get("distance_km", 50)), date_slack_days=int(e.get("date_slack_days", 1)),
            min_merge_score=float(e.get("min_score", 2.5)),
            near_types=tuple(frozenset(pair) for pair in e.get("near_types") or ()),
        )
        unknown = {k for k, _ in options.weights} - {"text", "lead", *NAMESPACES}
        if unknown:
            raise ValueError(f"stories.weights: unknown parts {sorted(unknown)}")
        return replace(options, **{k: v for k, v in changes.items() if v is not None})

    def weight(self, part: str) -> float:
        return dict(self.weights).get(part, 0.0)


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    extra = (data_path("stories", "stopwords.txt")).read_text(encoding="utf-8").split()
    return frozenset(STOP_WORDS) | frozenset(w.lower() for w in extra if not w.startswith("#"))


# --- article profiles ----------------------------------------------------------------------


@dataclass
class ArticleFeatures:
    """What clustering knows of an article."""

    id: str
    day: int | None                    # publication date as a proleptic ordinal (None: unknown)
    title: str | None
    outlet: str | None
    terms: Counter                     # content word -> count (title and lead words count more)
    lead: Counter = field(default_factory=Counter)                # the title's and first paragraph's words
    entities: dict[str, Counter] = field(default_factory=dict)    # namespace -> normalised key -> mentions
    embedding: object = None           # numpy float32 unit vector, with the embeddings extra
    duplicate_of: str | None = None

    def to_json(self) -> str:
        return json.dumps({"day": self.day, "terms": dict(self.terms), "lead": dict(self.lead),
                           "entities": {k: dict(v) for k, v in self.entities.items() if v}},
                          ensure_ascii=False, separators=(",", ":"))


_SUFFIXES = ("ations", "ation", "ings", "ing", "ments", "ment", "ers", "er", "ies", "ied", "es", "ed", "s", "al")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: "withdrawal", "withdrawing" and "withdraws" give "withdraw"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[:-len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]                       # "killed" -> "kill", "attacker" -> "attack", "planned" -> "plan"
    return word


def content_words(text: str) -> list[str]:
    """Stems of lower-cased words of three letters or more, not stop words, without a possessive 's."""
    return [t for t in map(_term, _WORD.findall(text)) if t]


@lru_cache(maxsize=200_000)
def _term(word: str) -> str | None:
    # One word's stem, or None for a stop word; cached, as the same words come again and again.
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return stem(word) if len(word) > 2 and word not in stopwords() else None


def article_features(article_id: str, title: str | None, text: str, published: str | None, outlet: str | None,
                     actors: Iterable[str] = (), places: Iterable[str] = (), dates: Iterable[str] = (),
                     title_weight: int = 3, lead_weight: int = 2, duplicate_of: str | None = None) -> ArticleFeatures:
    """An article's profile. `actors`, `places` and `dates` are lists with one item per mention.

    The title counts `title_weight` times and the first two paragraphs after it `lead_weight`
    times: what a story is about is told first, what it recalls comes later."""
    terms = Counter(content_words(text))
    body = text[len(title):] if title and text.startswith(title) else text
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    lead = Counter(content_words(title or ""))
    for paragraph in paragraphs[:2]:
        words = content_words(paragraph)
        lead.update(words)
        for word in words:
            terms[word] += lead_weight - 1
    if title:
        for word in content_words(title):
            terms[word] += title_weight - 1   # the title already leads the cleaned text once
    return ArticleFeatures(article_id, day_of(published), title, outlet, terms, lead,
                           {"actors": Counter(a for a in actors if a), "places": Counter(p for p in places if p),
                            "dates": Counter(d for d in dates if d)}, duplicate_of=duplicate_of)


def day_of(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        return None


def iso_day(day: int | None) -> str | None:
    return date.fromordinal(day).isoformat() if day else None


# --- the in-memory index -----------------------------------------------------------------


@dataclass
class Story:
    id: str
    terms: Counter = field(default_factory=Counter)
    lead: Counter = field(default_factory=Counter)
    entities: dict[str, Counter] = field(default_factory=lambda: {ns: Counter() for ns in NAMESPACES})
    days: list[int] = field(default_factory=list)      # publication days of its dated articles
    articles: list[str] = field(default_factory=list)
    undated: int = 0
    embedding: object = None                           # numpy sum of unit vectors
    indexed_terms: set[str] = field(default_factory=set)
    cache: dict = field(default_factory=dict, repr=False)   # weighted vectors, until the story changes

    def state_json(self) -> str:
        return json.dumps({"terms": dict(self.terms), "lead": dict(self.lead), "entities": {k: dict(v) for k, v in self.entities.items() if v},
                           "days": self.days, "undated": self.undated}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_state(cls, story_id: str, state: str, articles: list[str], embedding=None) -> "Story":
        data = json.loads(state)
        story = cls(story_id, Counter(data.get("terms", {})), Counter(data.get("lead", {})),
                    {ns: Counter(data.get("entities", {}).get(ns, {})) for ns in NAMESPACES},
                    list(data.get("days", [])), list(articles), int(data.get("undated", 0)), embedding)
        return story


@dataclass
class Assignment:
    article_id: str
    story_id: str
    score: float
    new_story: bool


class StoryIndex:
    """Stories in memory, with document frequencies and the inverted indexes that find candidates."""

    def __init__(self, options: StoryOptions, df: Counter | None = None, n_docs: int = 0):
        self.options = options
        self.df: Counter = df if df is not None else Counter()
        self.n_docs = n_docs
        self.stories: dict[str, Story] = {}
        self.postings: dict[str, set[str]] = defaultdict(set)
        self.by_day: dict[int, set[str]] = defaultdict(set)
        self.undated: set[str] = set()
        self.story_of: dict[str, str] = {}                 # article id -> story id (articles seen)
        self.df_delta: Counter = Counter()

    # -- weights
    def idf(self, key: str) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(key, 0) + 1)) + 1.0

    def _vector(self, counts: Counter, prefix: str = "") -> dict[str, float]:
        vec = {k: (1.0 + math.log(c)) * self.idf(prefix + k) for k, c in counts.items() if c > 0}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items()}

    @staticmethod
    def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(k, 0.0) for k, v in a.items())

    # -- building
    def add_story(self, story: Story) -> None:
        """A story loaded from the database (or begun now)."""
        self.stories[story.id] = story
        for article_id in story.articles:
            self.story_of[article_id] = story.id
        self._index(story)

    def _index(self, story: Story) -> None:
        for day in story.days:
            self.by_day[day].add(story.id)
        if story.undated and not story.days:
            self.undated.add(story.id)
        else:
            self.undated.discard(story.id)
        top = {t for t, _ in story.terms.most_common(self.options.story_terms)}
        for term in top - story.indexed_terms:
            self.postings[term].add(story.id)
        for term in story.indexed_terms - top:
            self.postings[term].discard(story.id)
        story.indexed_terms = top
        for ns in NAMESPACES:
            for key in story.entities[ns]:
                self.postings[_PREFIX[ns] + key].add(story.id)

    def forget_before(self, day: int) -> int:
        """Let go of the dated stories whose last article is older than `day` (they stay in the
        database; `story_of` keeps their articles). Returns how many."""
        old = [sid for sid, story in self.stories.items() if story.days and max(story.days) < day]
        for sid in old:
            story = self.stories.pop(sid)
            keys = set(story.indexed_terms) | {_PREFIX[ns] + k for ns in NAMESPACES for k in story.entities[ns]}
            for index, names in ((self.by_day, set(story.days)), (self.postings, keys)):
                for name in names:
                    ids = index.get(name)
                    if ids is not None:
                        ids.discard(sid)
                        if not ids:
                            del index[name]
            self.undated.discard(sid)
        return len(old)

    # -- scoring
    def similarity(self, features: ArticleFeatures, story: Story, article_vec: dict[str, float] | None = None
                   ) -> float:
        o = self.options
        article_vec = article_vec if article_vec is not None else self._vector(features.terms)
        cache = story.cache
        if "terms" not in cache:
            cache["terms"] = self._vector(Counter(dict(story.terms.most_common(o.story_terms))))
            cache["lead"] = self._vector(Counter(dict(story.lead.most_common(o.story_terms))))
            for ns in NAMESPACES:
                cache[ns] = self._vector(story.entities[ns], _PREFIX[ns])
        text = self._cosine(article_vec, cache["terms"])
        if o.embeddings and features.embedding is not None and story.embedding is not None:
            import numpy as np

            norm = float(np.linalg.norm(story.embedding)) or 1.0
            dense = float(np.dot(features.embedding, story.embedding) / norm)
            text = (1 - o.embedding_weight) * text + o.embedding_weight * max(dense, 0.0)
        score = o.weight("text") * text
        if features.lead and story.lead:
            lead = self._cosine(self._vector(features.lead), cache["lead"])
            if lead < o.min_lead and not (o.embeddings and features.embedding is not None):
                return 0.0   # what the article is about (its title and lead) is not the story's
            score += o.weight("lead") * lead
        for ns in NAMESPACES:
            keys = features.entities.get(ns)
            if not keys or not story.entities[ns]:
                continue
            score += o.weight(ns) * self._cosine(self._vector(keys, _PREFIX[ns]), cache[ns])
        return score

    def candidates(self, features: ArticleFeatures, article_vec: dict[str, float]) -> set[str]:
        o = self.options
        if features.day is not None:
            in_window: set[str] = set(self.undated)
            for day in range(features.day - o.window_days, features.day + o.window_days + 1):
                in_window |= self.by_day.get(day, set())
            # A story that began more than max_span_days before stays closed: follow-ups a month
            # on begin a story of their own, and no story grows without end.
            in_window = {sid for sid in in_window
                         if not self.stories[sid].days or min(self.stories[sid].days) >= features.day - o.max_span_days}
        else:
            in_window = set(self.stories)
        if not in_window:
            return set()
        keys = [t for t, _ in sorted(article_vec.items(), key=lambda kv: -kv[1])[:o.query_terms]]
        keys += [_PREFIX[ns] + k for ns in NAMESPACES for k in features.entities.get(ns, {})]
        hits: Counter = Counter()
        for key in keys:
            for story_id in self.postings.get(key, ()):
                if story_id in in_window:
                    hits[story_id] += 1
        return {story_id for story_id, _ in hits.most_common(50)}

    def best(self, features: ArticleFeatures) -> tuple[str | None, float]:
        article_vec = self._vector(features.terms)
        best, best_score = None, 0.0
        for story_id in self.candidates(features, article_vec):
            score = self.similarity(features, self.stories[story_id], article_vec)
            if score > best_score or (score == best_score and best is not None and story_id < best):
                best, best_score = story_id, score
        return best, best_score

    # -- assigning
    def assign(self, features: ArticleFeatures) -> Assignment:
        if features.id in self.story_of:
            story_id = self.story_of[features.id]
            return Assignment(features.id, story_id, 1.0, False)
        if features.duplicate_of and features.duplicate_of in self.story_of:
            story_id, score, new = self.story_of[features.duplicate_of], 1.0, False
        else:
            story_id, score = self.best(features)
            threshold = self.options.embedding_threshold if self.options.embeddings else self.options.threshold
            new = story_id is None or score < threshold
            if new:
                story_id, score = "s" + features.id, 0.0
        story = self.stories.get(story_id)
        if story is None:
            story = self.stories[story_id] = Story(story_id)
        story.articles.append(features.id)
        story.cache.clear()
        story.terms.update(features.terms)
        story.lead.update(features.lead)
        for ns in NAMESPACES:
            story.entities[ns].update(features.entities.get(ns, Counter()))
        if features.day is not None:
            story.days.append(features.day)
        else:
            story.undated += 1
        if features.embedding is not None:
            story.embedding = features.embedding.copy() if story.embedding is None else story.embedding + features.embedding
        if len(story.terms) > 4 * self.options.story_terms:   # keep profiles small
            story.terms = Counter(dict(story.terms.most_common(2 * self.options.story_terms)))
        if len(story.lead) > 4 * self.options.story_terms:
            story.lead = Counter(dict(story.lead.most_common(2 * self.options.story_terms)))
        self._index(story)
        self.story_of[features.id] = story_id
        keys = set(features.terms) | {_PREFIX[ns] + k for ns in NAMESPACES for k in features.entities.get(ns, {})}
        for key in keys:
            self.df[key] += 1
            self.df_delta[key] += 1
        self.n_docs += 1
        return Assignment(features.id, story_id, round(score, 4), new)


# --- titles and summaries ----------------------------------------------------------------


def sentences(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, leads its paragraph) of each sentence-like stretch of a text."""
    out = []
    paragraph_start = True
    for m in _SENTENCE.finditer(text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if not stripped:
            continue
        start = m.start() + (len(chunk) - len(chunk.lstrip()))
        out.append((start, start + len(stripped), paragraph_start))
        paragraph_start = text[m.end():m.end() + 1] == "\n" or m.end() >= len(text)
    return out


def summarize(index: StoryIndex, story: Story, members: list[dict], n: int) -> tuple[str | None, str | None, list]:
    """(title, summary, summary sources) of a story from its members' rows
    (id, title, text, outlet, status, published)."""
    if not members:
        return None, None, []
    profile = index._vector(Counter(dict(story.terms.most_common(index.options.story_terms))))
    usable = [m for m in members if m.get("status") == "processed"] or members
    ranked = []
    for m in usable:
        vec = index._vector(Counter(content_words(m["text"])))
        ranked.append((StoryIndex._cosine(vec, profile), m["published"] or "9999", m["id"], m))
    ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
    title = ranked[0][3]["title"]
    scored = []
    for rank, (_, _, _, m) in enumerate(ranked[:5]):
        text = m["text"]
        title_end = len(m["title"] or "") if m["title"] and text.startswith(m["title"]) else 0
        for position, (start, end, lead) in enumerate(sentences(text)):
            if end <= title_end or end - start < 40 or end - start > 400:
                continue
            words = Counter(content_words(text[start:end]))
            if len(words) < 5:
                continue
            score = StoryIndex._cosine(index._vector(words), profile)
            score *= 1.0 + (0.25 if lead else 0.0) + (0.25 if position <= 2 else 0.0)
            scored.append((score, rank, position, m, start, end, set(words)))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    chosen = []
    used_articles: set[str] = set()
    for score, rank, position, m, start, end, words in scored:
        if m["id"] in used_articles and len({s[3]["id"] for s in scored}) > len(used_articles):
            continue
        if any(len(words & c[6]) / max(1, len(words | c[6])) > 0.4 for c in chosen):
            continue
        chosen.append((score, rank, position, m, start, end, words))
        used_articles.add(m["id"])
        if len(chosen) >= n:
            break
    chosen.sort(key=lambda c: (c[3]["published"] or "9999", c[3]["id"], c[4]))
    def finished(sentence: str) -> str:
        sentence = " ".join(sentence.split())
        return sentence if sentence[-1:] in ".!?\"'”’)" else sentence + "."

    summary = " ".join(finished(c[3]["text"][c[4]:c[5]]) for c in chosen) or None
    sources = [{"article_id": c[3]["id"], "outlet": c[3]["outlet"], "start": c[4], "end": c[5]} for c in chosen]
    return title, summary, sources


# --- the corpus stage: database glue -----------------------------------------------------


@dataclass
class StageReport:
    articles: int = 0
    stories_new: int = 0
    stories_grown: int = 0
    events_merged: int = 0
    contradictions: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class CorpusStage:
    """Clusters every stored article that is not yet in a story, merges their events and
    compares claims, in one transaction per call."""

    def __init__(self, store, options: StoryOptions):
        self.store = store
        self.options = options
        self.reset()

    def reset(self) -> None:
        self.index: StoryIndex | None = None
        self.loaded_days: set[int] = set()
        self.newest_day: int | None = None
        self._embedder = None
        from .merge import GroupCache

        self.merge_cache = GroupCache()   # stored merged events' members, between calls

    # -- loading
    def _load_index(self, conn) -> StoryIndex:
        from sqlalchemy import func, select

        from .store import story_articles, term_df

        df = Counter({r.term: r.df for r in conn.execute(select(term_df.c.term, term_df.c.df))})
        n_docs = conn.scalar(select(func.count()).select_from(story_articles)) or 0
        index = StoryIndex(self.options, df, n_docs)
        self._load_stories(conn, index, undated=True)
        return index

    def _load_stories(self, conn, index: StoryIndex, days: Iterable[int] = (), undated: bool = False) -> None:
        """Stories active within the window of `days` (and the undated ones), unless loaded."""
        from sqlalchemy import or_

        from .store import stories

        w = self.options.window_days
        wanted = {d + k for d in days for k in range(-w, w + 1)} - self.loaded_days
        conditions = []
        runs: list[list[int]] = []   # wanted days in runs of consecutive days
        for d in sorted(wanted):
            if runs and d == runs[-1][1] + 1:
                runs[-1][1] = d
            else:
                runs.append([d, d])
        for first, last in runs:
            conditions.append((stories.c.last_published >= iso_day(first)) & (stories.c.first_published <= iso_day(last)))
        if undated:
            conditions.append(stories.c.first_published.is_(None))
        if not conditions:
            return
        self._add_stories(conn, index, or_(*conditions))
        self.loaded_days |= wanted

    def _load_story_ids(self, conn, index: StoryIndex, ids: set[str]) -> None:
        """Stories by id: one let go from memory (`_forget_old`) that an article of this call is
        already in, or that the original of a copy is in."""
        from .store import stories

        for chunk in _chunks(sorted(ids), 500):
            self._add_stories(conn, index, stories.c.id.in_(chunk))

    @staticmethod
    def _add_stories(conn, index: StoryIndex, condition) -> None:
        """The stored stories that meet `condition`, unless already in memory."""
        from sqlalchemy import select

        from .store import stories, story_articles

        rows = conn.execute(select(stories.c.id, stories.c.state, stories.c.embedding).where(condition)).all()
        new_ids = [r.id for r in rows if r.id not in index.stories]
        members: dict[str, list[str]] = defaultdict(list)
        for chunk in _chunks(new_ids, 500):
            for r in conn.execute(select(story_articles.c.story_id, story_articles.c.article_id)
                                  .where(story_articles.c.story_id.in_(chunk))):
                members[r.story_id].append(r.article_id)
        for r in rows:
            if r.id not in index.stories:
                index.add_story(Story.from_state(r.id, r.state, members.get(r.id, []), _from_blob(r.embedding)))

    def _pending(self, conn) -> list[dict]:
        from sqlalchemy import select

        from .store import articles, duplicates, story_articles

        query = (select(articles.c.id, articles.c.title, articles.c.text, articles.c.outlet, articles.c.published,
                        articles.c.status, duplicates.c.duplicate_of)
                 .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
                 .where(articles.c.id.not_in(select(story_articles.c.article_id))))
        rows = [dict(r._mapping) for r in conn.execute(query)]
        # Originals before their copies, then by publication date, undated last.
        rows.sort(key=lambda r: (r["duplicate_of"] is not None, r["published"] is None, r["published"] or "", r["id"]))
        return rows

    def _features(self, conn, rows: list[dict]) -> list[ArticleFeatures]:
        from sqlalchemy import select

        from .store import actor_mentions, events, places

        ids = [r["id"] for r in rows]
        actors: dict[str, list[str]] = defaultdict(list)
        where: dict[str, list[str]] = defaultdict(list)
        when: dict[str, list[str]] = defaultdict(list)
        for chunk in _chunks(ids, 500):
            for r in conn.execute(select(actor_mentions.c.article_id, actor_mentions.c.actor)
                                  .where(actor_mentions.c.article_id.in_(chunk), actor_mentions.c.actor.is_not(None))):
                actors[r.article_id].append(r.actor)
            for r in conn.execute(select(places.c.article_id, places.c.name, places.c.feature)
                                  .where(places.c.article_id.in_(chunk), places.c.name.is_not(None))):
                if r.feature != "country":
                    where[r.article_id].append(r.name)
            for r in conn.execute(select(events.c.article_id, events.c.event_date, events.c.time_precision)
                                  .where(events.c.article_id.in_(chunk), events.c.context.is_(None))):
                if r.event_date and r.time_precision == 1:
                    when[r.article_id].append(r.event_date)
        out = [article_features(r["id"], r["title"], r["text"], r["published"], r["outlet"], actors[r["id"]],
                                where[r["id"]], when[r["id"]], self.options.title_weight, self.options.lead_weight,
                                r["duplicate_of"])
               for r in rows]
        if self.options.embeddings:
            from .embeddings import embed_articles

            vectors = embed_articles([r["text"] for r in rows])
            for f, v in zip(out, vectors):
                f.embedding = v
        return out

    # -- the stage
    def update(self) -> StageReport:
        try:
            return self._update()
        except BaseException:
            self.merge_cache.clear()   # it may hold what the rolled back transaction wrote
            raise

    def _update(self) -> StageReport:
        report = StageReport()
        started = time.perf_counter()
        with self.store.engine.begin() as conn:
            rows = self._pending(conn)
            if not rows:
                return report
            if self.index is None:
                self.index = self._load_index(conn)
            index = self.index
            features = self._features(conn, rows)
            self._load_stories(conn, index, [f.day for f in features if f.day is not None])
            self._load_story_ids(conn, index, {sid for f in features if (sid := index.story_of.get(
                f.id, index.story_of.get(f.duplicate_of or ""))) is not None and sid not in index.stories})
            report.seconds["load"] = time.perf_counter() - started
            t = time.perf_counter()
            before = {sid: len(index.stories[sid].articles) for sid in index.stories}
            assignments = [index.assign(f) for f in features]
            report.seconds["cluster"] = time.perf_counter() - t
            report.articles = len(assignments)
            changed = sorted({a.story_id for a in assignments})
            report.stories_new = sum(1 for s in changed if s not in before)
            report.stories_grown = len(changed) - report.stories_new
            t = time.perf_counter()
            self._write_clusters(conn, index, features, assignments, changed)
            report.seconds["write"] = time.perf_counter() - t
            t = time.perf_counter()
            from .merge import merge_events

            merged = merge_events(conn, self.options, [r["id"] for r in rows], index.story_of, self.merge_cache)
            report.events_merged = merged.merged
            report.seconds["merge"] = time.perf_counter() - t
            t = time.perf_counter()
            from .contradictions import update_contradictions

            report.contradictions = update_contradictions(conn, changed)
            report.seconds["contradictions"] = time.perf_counter() - t
        self._forget_old(features)
        return report

    def _forget_old(self, features: list[ArticleFeatures]) -> None:
        """Keep in memory only the stories an article published now could join: those with an
        article within window_days + max_span_days of the newest day seen. An older article
        loads its days' stories again (`loaded_days` forgets the days they covered)."""
        days = [f.day for f in features if f.day is not None]
        if not days:
            return
        self.newest_day = max(days + ([self.newest_day] if self.newest_day is not None else []))
        o = self.options
        cutoff = self.newest_day - o.window_days - o.max_span_days
        if self.index.forget_before(cutoff):
            self.loaded_days = {d for d in self.loaded_days if d >= cutoff + o.window_days}

    def _write_clusters(self, conn, index: StoryIndex, features: list[ArticleFeatures],
                        assignments: list[Assignment], changed: list[str]) -> None:
        from sqlalchemy import insert, select, update

        from .store import articles, duplicates, now, stories, story_articles, term_df

        stamp = now()
        by_id = {f.id: f for f in features}
        # Document frequencies: add this call's counts.
        if index.df_delta:
            keys = list(index.df_delta)
            known = set()
            for chunk in _chunks(keys, 500):
                known |= set(conn.scalars(select(term_df.c.term).where(term_df.c.term.in_(chunk))))
            new_rows = [{"term": k, "df": index.df_delta[k]} for k in keys if k not in known and len(k) <= 200]
            if new_rows:
                conn.execute(insert(term_df), new_rows)
            from sqlalchemy import bindparam

            old = [{"k": k, "n": index.df_delta[k]} for k in keys if k in known]
            if old:
                conn.execute(update(term_df).where(term_df.c.term == bindparam("k"))
                             .values(df=term_df.c.df + bindparam("n")), old)
            index.df_delta = Counter()
        # Stories: state, dates, outlets, title and summary.
        existing = set()
        for chunk in _chunks(changed, 500):
            existing |= set(conn.scalars(select(stories.c.id).where(stories.c.id.in_(chunk))))
        for story_id in changed:
            story = index.stories[story_id]
            members = [dict(r._mapping) for r in conn.execute(
                select(articles.c.id, articles.c.title, articles.c.text, articles.c.outlet, articles.c.status,
                       articles.c.published, duplicates.c.duplicate_of)
                .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
                .where(articles.c.id.in_(story.articles)))]
            outlets = sorted({m["outlet"] for m in members if m["outlet"]})
            dated = sorted(m["published"] for m in members if m["published"])
            originals = [m for m in members if not m["duplicate_of"]] or members
            title, summary, sources = summarize(index, story, originals, self.options.summary_sentences)
            values = {"title": title, "summary": summary, "summary_sources": json.dumps(sources, ensure_ascii=False),
                      "first_published": dated[0][:10] if dated else None,
                      "last_published": dated[-1][:10] if dated else None,
                      "n_articles": len(members), "n_outlets": n_outlets(members),
                      "outlets": json.dumps(outlets, ensure_ascii=False), "state": story.state_json(),
                      "embedding": _to_blob(story.embedding), "updated_at": stamp}
            if story_id in existing:
                conn.execute(update(stories).where(stories.c.id == story_id).values(**values))
            else:
                conn.execute(insert(stories).values(id=story_id, **values))
        conn.execute(insert(story_articles), [
            {"article_id": a.article_id, "story_id": a.story_id, "score": a.score,
             "features": by_id[a.article_id].to_json(), "embedding": _to_blob(by_id[a.article_id].embedding),
             "joined_at": stamp} for a in assignments])


def n_outlets(rows: Iterable[dict]) -> int:
    """Distinct outlets; an article whose outlet is unknown counts as one of its own."""
    names = set()
    for r in rows:
        names.add(("outlet", r["outlet"].strip().lower()) if r.get("outlet") else ("article", r.get("id") or
                                                                                    r.get("article_id")))
    return len(names)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _to_blob(vector) -> bytes | None:
    if vector is None:
        return None
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def _from_blob(blob):
    if blob is None:
        return None
    import numpy as np

    return np.frombuffer(bytes(blob), dtype="<f4").astype("float32")
