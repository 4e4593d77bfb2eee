"""Where the stages are composed: ingest -> clean -> language -> nlp -> places -> events, claims -> store.

Per-article stages take an `Article` and return it; batch stages take a list (spaCy reads
fastest in batches). Later stages (events, places, claims) are added to these lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .claims import extract_claims
from .clean import clean
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
    problems: list[InputProblem] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


class Hooks:
    """What a caller (the CLI) wants to hear while a run goes on."""

    def files_found(self, count: int) -> None: ...
    def file_done(self, path: Path) -> None: ...
    def problem(self, problem: InputProblem) -> None: ...
    def batch_stored(self, report: RunReport) -> None: ...


def run(paths: list[Path], store: Store, settings: Settings, hooks: Hooks | None = None,
        command: str = "sitrep run", exclude: tuple[Path, ...] = ()) -> RunReport:
    """Read, process and store every article under `paths`; resumable after a crash.

    `exclude`: folders not to read (the run's own output)."""
    hooks = hooks or Hooks()
    report = RunReport()
    run_id = store.start_run(command)
    found = list(find_files(paths, settings, exclude))
    files = [f for f in found if isinstance(f, Path)]
    report.files = len(files)
    hooks.files_found(len(files))
    pending: list[RawArticle] = []
    pending_problems: list[InputProblem] = []
    seen: set[str] = set()

    def flush() -> None:
        _store_batch(pending, pending_problems, store, settings, run_id, report, seen)
        pending.clear()
        pending_problems.clear()
        hooks.batch_stored(report)

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


def _store_batch(raws: list[RawArticle], batch_problems: list[InputProblem], store: Store,
                 settings: Settings, run_id: int, report: RunReport, seen: set[str]) -> None:
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
    fresh = _run_stages(fresh, settings)
    store.write_batch(fresh, batch_problems, run_id)
    for article in fresh:
        article.doc = None  # free the parse once stored
        report.new += 1
        report.skipped += article.status == "skipped"
        report.errors += article.status == "error"
        report.article_ids.append(article.id)
