"""Where the stages are composed: ingest -> clean -> dedup -> language -> nlp -> places -> events,
claims -> store -> stories (corpus level).

Per-article stages take an `Article` and return it; batch stages take a list (spaCy reads
fastest in batches). Later stages (events, places, claims) are added to these lists.
Near-duplicates (dedup.py) skip the batch stages: they take their original's annotations.
After each stored batch the corpus-level stage (stories.py) clusters the new articles into
stories, merges their events with the events other articles reported and compares claims,
in its own transaction; what it has not done yet it does at the next call, or the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .claims import extract_claims
from .clean import clean
from .dedup import Candidate, DuplicateIndex, carry_over, find_duplicates, from_bytes, signature, to_bytes
from .document import Article, RawArticle
from .errors import InputProblem
from .ingest import find_files, read_one
from .language import detect_language
from .events import extract_events
from .geoparse import geoparse
from .nlp import annotate
from .settings import Settings
from .store import Store


ArticleStage = Callable[[Article, Settings], Article]
BatchStage = Callable[[list[Article], Settings], list[Article]]

ARTICLE_STAGES: list[ArticleStage] = [detect_language]
BATCH_STAGES: list[BatchStage] = [annotate, geoparse, extract_events, extract_claims]


def process(raws: Iterable[RawArticle], settings: Settings) -> list[Article]:
    """Run every stage over some raw articles, with no database: the library entry point."""
    return _run_stages([clean(r, settings) for r in raws], settings)


def _run_stages(batch: list[Article], settings: Settings) -> list[Article]:
    for i, article in enumerate(batch):
        for stage in ARTICLE_STAGES:
            article = stage(article, settings)
            if article is None:
                raise TypeError(f"stage {stage.__name__} returned None instead of the article")
        batch[i] = article
    try:
        for stage in BATCH_STAGES:
            batch = stage(batch, settings)
    except Exception:
        # One bad article must not sink its batch: run the batch stages one by one.
        return [_run_alone(a, settings) for a in batch]
    for article in batch:
        if article.status == "new":
            article.status = "processed"
    return batch


def _run_alone(article: Article, settings: Settings) -> Article:
    try:
        for stage in BATCH_STAGES:
            [article] = stage([article], settings)
        if article.status == "new":
            article.status = "processed"
    except Exception as e:  # the article is kept, with the reason, instead of lost
        article.status, article.error = "error", f"{stage.__name__} failed: {type(e).__name__}: {e}"
    return article


@dataclass
class RunReport:
    files: int = 0
    new: int = 0            # articles stored by this run
    known: int = 0          # already stored (same raw input, or same cleaned text)
    skipped: int = 0        # stored but not processed (language)
    errors: int = 0         # stored with an error from a stage
    duplicates: int = 0     # stored as near-duplicates of an article (linked, not parsed again)
    stories_new: int = 0    # stories begun by this run
    stories_grown: int = 0  # stories this run added articles to
    events_merged: int = 0  # events found to be another report of an event already known
    contradictions: int = 0
    corpus_error: str | None = None  # the corpus stage failed (the next run retries it)
    problems: list[InputProblem] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


class Hooks:
    """What a caller (the CLI) wants to hear while a run goes on."""

    def files_found(self, count: int) -> None: ...
    def file_done(self, path: Path) -> None: ...
    def problem(self, problem: InputProblem) -> None: ...
    def batch_stored(self, report: RunReport) -> None: ...
    def stories_updated(self, report: RunReport) -> None: ...


class Corpus:
    """What a run keeps across batches: the duplicate index (loaded at its first use from the
    stored signatures) and the corpus-level stage."""

    def __init__(self, store: Store, settings: Settings, options=None):
        from .stories import CorpusStage, StoryOptions

        self.store = store
        self.settings = settings
        self.options = options or StoryOptions.load()
        self._index: DuplicateIndex | None = None
        self.stage = CorpusStage(store, self.options)

    @property
    def index(self) -> DuplicateIndex:
        if self._index is None:
            index = DuplicateIndex(self.options.duplicate_threshold)
            for article_id, minhash, original in self.store.iter_signatures():
                index.add(article_id, from_bytes(minhash), original)
            self._backfill(index)
            self._index = index
        return self._index

    def _backfill(self, index: DuplicateIndex) -> None:
        """Articles stored before signatures were kept get theirs now (once)."""
        added = {}
        for row in self.store.articles_without_signature():
            sig = signature(row["text"])
            index.add(row["id"], sig)
            added[row["id"]] = to_bytes(sig)
        self.store.add_signatures(added)

def run(paths: list[Path], store: Store, settings: Settings, hooks: Hooks | None = None,
        command: str = "sitrep run", exclude: tuple[Path, ...] = (), story_options=None) -> RunReport:
    """Read, process and store every article under `paths`; resumable after a crash.

    `exclude`: folders not to read (the run's own output); `story_options`: a
    `stories.StoryOptions` (default: data/stories/stories.yaml)."""
    hooks = hooks or Hooks()
    report = RunReport()
    corpus = Corpus(store, settings, story_options)
    run_id = store.start_run(command)
    found = list(find_files(paths, settings, exclude))
    files = [f for f in found if isinstance(f, Path)]
    report.files = len(files)
    hooks.files_found(len(files))
    pending: list[RawArticle] = []
    pending_problems: list[InputProblem] = []
    seen: set[str] = set()

    def flush() -> None:
        _store_batch(pending, pending_problems, store, settings, run_id, report, seen, corpus)
        pending.clear()
        pending_problems.clear()
        hooks.batch_stored(report)
        update_corpus(corpus, report)
        hooks.stories_updated(report)

    for item in _read_all(found, settings, hooks):
        if isinstance(item, InputProblem):
            report.problems.append(item)
            pending_problems.append(item)
            hooks.problem(item)
        else:
            pending.append(item)
            if len(pending) >= settings.batch_size:
                flush()
    flush()
    store.finish_run(run_id, report.new, report.known, len(report.problems))
    return report


def _read_all(found, settings, hooks) -> Iterator[RawArticle | InputProblem]:
    for item in found:
        if isinstance(item, InputProblem):
            yield item
            continue
        yield from read_one(item, settings)
        hooks.file_done(item)


def update_corpus(corpus: Corpus, report: RunReport) -> None:
    """The corpus-level stage over every article not yet in a story (this batch's, and any a
    crashed run left). A failure is reported, not raised: the articles stay stored, and the
    next call or run takes them up again."""
    try:
        done = corpus.stage.update()
    except Exception as e:  # noqa: BLE001 - the stage's own transaction was rolled back
        corpus.stage.reset()
        report.corpus_error = f"{type(e).__name__}: {e}"
        return
    report.corpus_error = None
    report.stories_new += done.stories_new
    report.stories_grown += done.stories_grown
    report.events_merged += done.events_merged
    report.contradictions += done.contradictions


def _store_batch(raws: list[RawArticle], batch_problems: list[InputProblem], store: Store,
                 settings: Settings, run_id: int, report: RunReport, seen: set[str],
                 corpus: Corpus | None = None) -> None:
    known_raw = store.known_raw_hashes([r.raw_hash for r in raws]) if raws else set()
    cleaned: list[Article] = []
    for raw in raws:
        if raw.raw_hash in known_raw:
            report.known += 1
            continue
        try:
            cleaned.append(clean(raw, settings))
        except Exception as e:
            problem = InputProblem(raw.path, f"cleaning failed: {type(e).__name__}: {e}", raw.line)
            report.problems.append(problem)
            batch_problems.append(problem)
    known_ids = store.known_ids([a.id for a in cleaned]) if cleaned else set()
    fresh = []
    for article in cleaned:
        if article.id in known_ids or article.id in seen:
            report.known += 1
            continue
        seen.add(article.id)
        fresh.append(article)
    signatures: dict[str, bytes] = {}
    if corpus is not None and fresh:
        candidates = [Candidate(a.id, a.text, a.raw.text, a.outlet, a.published.date().isoformat()
                                if a.published else None, i) for i, a in enumerate(fresh)]
        sigs, matches = find_duplicates(corpus.index, candidates)
        signatures = {k: to_bytes(v) for k, v in sigs.items()}
        for article, match in zip(fresh, _matches_in_order(fresh, matches)):
            if match:
                article.duplicate_of, article.duplicate_similarity = match.duplicate_of, match.similarity
    originals = _run_stages([a for a in fresh if not a.duplicate_of], settings)
    by_id = {a.id: a for a in originals}
    copies = [_as_copy(a, by_id, store, settings) for a in fresh if a.duplicate_of]
    order = {a.id: i for i, a in enumerate(fresh)}
    fresh = sorted(originals + copies, key=lambda a: order[a.id])
    store.write_batch(fresh, batch_problems, run_id, signatures)
    for article in fresh:
        article.doc = None  # free the parse once stored
        report.new += 1
        report.skipped += article.status == "skipped"
        report.errors += article.status == "error"
        report.duplicates += article.duplicate_of is not None
        report.article_ids.append(article.id)


def _matches_in_order(fresh: list[Article], matches) -> list:
    by_id = {m.article_id: m for m in matches}
    return [by_id.get(a.id) for a in fresh]


def _as_copy(copy: Article, originals: dict[str, Article], store: Store, settings: Settings) -> Article:
    """A near-duplicate: its language is found, and its mentions come from its original."""
    for stage in ARTICLE_STAGES:
        copy = stage(copy, settings)
    original = originals.get(copy.duplicate_of) or store.annotations_of(copy.duplicate_of)
    if original is not None:
        carry_over(copy, original)
    if copy.status == "new":
        copy.status = "processed"
    return copy
