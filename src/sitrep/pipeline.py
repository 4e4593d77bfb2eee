"""Where the stages are composed: ingest -> clean -> dedup -> language -> nlp -> places -> events,
claims -> store -> stories (corpus level).

Per-article stages take an `Article` and return it; batch stages take a list (spaCy reads
fastest in batches). Later stages (events, places, claims) are added to these lists.
Near-duplicates (dedup.py) skip the batch stages: they take their original's annotations.
After each stored batch the corpus-level stage (stories.py) clusters the new articles into
stories, merges their events with the events other articles reported and compares claims,
in its own transaction; what it has not done yet it does at the next call, or the next run.

With `processes` > 1 the batch stages run in worker processes, each loading the spaCy pipeline
once; the main process reads, skips what is stored, cleans, finds duplicates, writes each batch
in one transaction (in input order) and runs the corpus stage, while the workers parse the next
batches. At most `processes + 1` batches are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

import os
import time
from collections import deque
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


# What the per-stage timings call each stage (RunReport.stages, `sitrep bench`).
STAGE_NAMES = {"detect_language": "language", "annotate": "nlp", "geoparse": "places",
               "extract_events": "events", "extract_claims": "claims"}


def _stage_name(stage) -> str:
    return STAGE_NAMES.get(stage.__name__, stage.__name__)


def _run_stages(batch: list[Article], settings: Settings, times: dict[str, float] | None = None) -> list[Article]:
    times = {} if times is None else times
    for stage in ARTICLE_STAGES:
        t = time.perf_counter()
        for i, article in enumerate(batch):
            article = stage(article, settings)
            if article is None:
                raise TypeError(f"stage {stage.__name__} returned None instead of the article")
            batch[i] = article
        _add(times, _stage_name(stage), time.perf_counter() - t)
    try:
        for stage in BATCH_STAGES:
            t = time.perf_counter()
            batch = stage(batch, settings)
            _add(times, _stage_name(stage), time.perf_counter() - t)
    except Exception:
        # One bad article must not sink its batch: run the batch stages one by one.
        return [_run_alone(a, settings, times) for a in batch]
    for article in batch:
        if article.status == "new":
            article.status = "processed"
    return batch


def _add(times: dict[str, float], name: str, seconds: float) -> None:
    times[name] = times.get(name, 0.0) + seconds


def _run_alone(article: Article, settings: Settings, times: dict[str, float] | None = None) -> Article:
    times = {} if times is None else times
    try:
        for stage in BATCH_STAGES:
            t = time.perf_counter()
            [article] = stage([article], settings)
            _add(times, _stage_name(stage), time.perf_counter() - t)
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
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over processes


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
            capacity = self.options.duplicate_index_articles
            index = DuplicateIndex(self.options.duplicate_threshold, capacity)
            for article_id, minhash, original in self.store.iter_signatures(newest=capacity):
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
        command: str = "sitrep run", exclude: tuple[Path, ...] = (), story_options=None,
        processes: int | None = 1) -> RunReport:
    """Read, process and store every article under `paths`; resumable after a crash.

    `exclude`: folders not to read (the run's own output); `story_options`: a
    `stories.StoryOptions` (default: data/stories/stories.yaml); `processes`: worker processes
    for the batch stages (None: one per core; 1: all in this process)."""
    hooks = hooks or Hooks()
    report = RunReport()
    corpus = Corpus(store, settings, story_options)
    run_id = store.start_run(command)
    found = list(find_files(paths, settings, exclude))
    files = [f for f in found if isinstance(f, Path)]
    report.files = len(files)
    del files
    hooks.files_found(report.files)
    pending: list[RawArticle] = []
    pending_problems: list[InputProblem] = []
    seen: set[str] = set()
    with Workers(settings, processes) as workers:
        in_flight: deque[Batch] = deque()
        corpus_seen = False

        def finish_oldest() -> None:
            nonlocal corpus_seen
            batch = in_flight.popleft()
            stored = _finish_batch(batch, workers, store, settings, run_id, report, seen, corpus)
            hooks.batch_stored(report)
            # After a batch that stored articles, and once per run for what a crashed run left
            # (a re-run over known articles does not look again after every batch).
            if stored or not corpus_seen:
                corpus_seen = True
                t = time.perf_counter()
                update_corpus(corpus, report)
                _add(report.stages, "stories", time.perf_counter() - t)
            hooks.stories_updated(report)

        def flush() -> None:
            batch = _prepare_batch(pending, pending_problems, store, settings, report, seen, corpus)
            pending.clear()
            pending_problems.clear()
            batch.job = workers.submit(batch.originals)
            in_flight.append(batch)
            while len(in_flight) > workers.depth:
                finish_oldest()

        items = _read_all(found, settings, hooks, lambda h: bool(store.known_raw_hashes([h])))
        while True:
            t = time.perf_counter()
            item = next(items, None)
            _add(report.stages, "read", time.perf_counter() - t)
            if item is None:
                break
            if isinstance(item, InputProblem):
                report.problems.append(item)
                pending_problems.append(item)
                hooks.problem(item)
            else:
                pending.append(item)
                if len(pending) >= settings.batch_size:
                    flush()
        flush()
        while in_flight:
            finish_oldest()
    store.finish_run(run_id, report.new, report.known, len(report.problems))
    return report


def default_processes() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# --- worker processes ----------------------------------------------------------------------

_worker_settings: Settings | None = None


def _init_worker(settings: Settings, parent: int) -> None:
    """Each worker loads the spaCy pipeline once, and ends when the main process is gone (a
    killed run must not leave workers behind)."""
    global _worker_settings
    _worker_settings = settings
    import threading

    from .nlp import build_nlp

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="sitrep-parent-watch").start()
    build_nlp(settings)


def _work(batch: list[Article]) -> tuple[list[Article], dict[str, float]]:
    """The batch stages over some cleaned articles; the spaCy Doc stays here (not picklable
    cheaply, and not needed once the annotations are taken)."""
    times: dict[str, float] = {}
    done = _run_stages(batch, _worker_settings, times)
    for article in done:
        article.doc = None
    return done, times


class _Done:
    """A batch run in this process: already done when submitted."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class Workers:
    """The batch stages, in this process (1) or in a pool of worker processes."""

    def __init__(self, settings: Settings, processes: int | None = 1):
        self.settings = settings
        self.processes = processes if processes is not None else default_processes()
        self.pool = None
        # batches submitted and not yet stored: enough to keep every worker busy while the
        # main process stores one and prepares the next
        self.depth = 0 if self.processes <= 1 else self.processes + 1

    def __enter__(self) -> "Workers":
        if self.processes > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # The workers are started as batches come; they read this when they import sitrep.
            self._env = os.environ.get("SITREP_WORKER")
            os.environ["SITREP_WORKER"] = "1"
            self.pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_init_worker, initargs=(self.settings, os.getpid()))
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)
            if self._env is None:
                os.environ.pop("SITREP_WORKER", None)
            else:
                os.environ["SITREP_WORKER"] = self._env

    def submit(self, batch: list[Article]):
        if not batch:
            return _Done(([], {}))
        if self.pool is None:
            times: dict[str, float] = {}
            return _Done((_run_stages(batch, self.settings, times), times))
        return self.pool.submit(_work, batch)


@dataclass
class Batch:
    """One batch between its preparation (main process) and its storing."""

    fresh: list[Article]                 # new articles, in input order (originals and copies)
    problems: list[InputProblem]
    signatures: dict[str, bytes]
    originals: list[Article]             # what the batch stages run on
    job: object = None                   # the batch stages' result, when ready


def _read_all(found, settings, hooks, known=None) -> Iterator[RawArticle | InputProblem]:
    for item in found:
        if isinstance(item, InputProblem):
            yield item
            continue
        yield from read_one(item, settings, known)
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


def _prepare_batch(raws: list[RawArticle], batch_problems: list[InputProblem], store: Store,
                   settings: Settings, report: RunReport, seen: set[str], corpus: Corpus | None = None) -> Batch:
    """Skip what is stored (raw hash, then cleaned-text id), clean, find near-duplicates."""
    t = time.perf_counter()
    known_raw = store.known_raw_hashes([r.raw_hash for r in raws]) if raws else set()
    cleaned: list[Article] = []
    fresh_raws = []
    for raw in raws:
        if raw.raw_hash in known_raw:
            report.known += 1
        else:
            fresh_raws.append(raw)
    _add(report.stages, "skip known", time.perf_counter() - t)
    t = time.perf_counter()
    for raw in fresh_raws:
        try:
            cleaned.append(clean(raw, settings))
        except Exception as e:
            problem = InputProblem(raw.path, f"cleaning failed: {type(e).__name__}: {e}", raw.line)
            report.problems.append(problem)
            batch_problems.append(problem)
    _add(report.stages, "clean", time.perf_counter() - t)
    t = time.perf_counter()
    known_ids = store.known_ids([a.id for a in cleaned]) if cleaned else set()
    fresh = []
    for article in cleaned:
        if article.id in known_ids or article.id in seen:
            report.known += 1
            continue
        seen.add(article.id)
        fresh.append(article)
    _add(report.stages, "skip known", time.perf_counter() - t)
    t = time.perf_counter()
    signatures: dict[str, bytes] = {}
    if corpus is not None and fresh:
        candidates = [Candidate(a.id, a.text, a.raw.text, a.outlet, a.published.date().isoformat()
                                if a.published else None, i) for i, a in enumerate(fresh)]
        sigs, matches = find_duplicates(corpus.index, candidates)
        signatures = {k: to_bytes(v) for k, v in sigs.items()}
        for article, match in zip(fresh, _matches_in_order(fresh, matches)):
            if match:
                article.duplicate_of, article.duplicate_similarity = match.duplicate_of, match.similarity
    _add(report.stages, "dedup", time.perf_counter() - t)
    return Batch(fresh, list(batch_problems), signatures, [a for a in fresh if not a.duplicate_of])


def _finish_batch(batch: Batch, workers: Workers, store: Store, settings: Settings, run_id: int,
                  report: RunReport, seen: set[str], corpus: Corpus | None = None) -> int:
    """Take the batch stages' result, give copies their originals' annotations, store it all in
    one transaction. Returns the number of articles stored."""
    t = time.perf_counter()
    originals, times = batch.job.result()
    _add(report.stages, "wait for workers", time.perf_counter() - t)
    for name, seconds in times.items():
        _add(report.stages, name, seconds)
    t = time.perf_counter()
    by_id = {a.id: a for a in originals}
    copies = [_as_copy(a, by_id, store, settings) for a in batch.fresh if a.duplicate_of]
    order = {a.id: i for i, a in enumerate(batch.fresh)}
    fresh = sorted(originals + copies, key=lambda a: order[a.id])
    _add(report.stages, "dedup", time.perf_counter() - t)
    t = time.perf_counter()
    store.write_batch(fresh, batch.problems, run_id, batch.signatures)
    _add(report.stages, "store", time.perf_counter() - t)
    for article in fresh:
        article.doc = None  # free the parse once stored
        report.new += 1
        report.skipped += article.status == "skipped"
        report.errors += article.status == "error"
        report.duplicates += article.duplicate_of is not None
        seen.discard(article.id)  # stored: the store knows it from now on
    batch.fresh = batch.originals = []
    return len(fresh)


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
