"""`sitrep bench`: a synthetic corpus of realistic articles, and the throughput of sitrep on it
next to bare spaCy's on the same texts.

The corpus is made from the sample articles (data/samples/corpus): each generated article takes
one sample's title and paragraphs, adds paragraphs of other samples up to about 500 words,
shuffles all but the lead, and swaps names, places, numbers and dates by the lists in
data/bench/substitutions.yaml. Half the articles are written as .txt scrapes (with outlet,
byline and date lines for the cleaner to lift), half as JSON lines, 100 to a file.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from .settings import Settings, data_path

TARGET_WORDS = 500
JSONL_RECORDS = 100       # articles per generated .jsonl file
FILES_PER_FOLDER = 1000   # .txt files per sub-folder
MIN_PARAGRAPH_WORDS = 8


@dataclass
class Sample:
    title: str
    paragraphs: list[str]
    year: int | None = None    # of its publication: the years in its text move with the new date


@dataclass
class Generated:
    title: str
    paragraphs: list[str]
    outlet: str
    author: str
    published: date

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        return len(self.title.split()) + sum(len(p.split()) for p in self.paragraphs)


@lru_cache(maxsize=1)
def substitutions() -> dict:
    with open(data_path("bench", "substitutions.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=1)
def samples() -> tuple[Sample, ...]:
    """The English sample articles, cleaned, as title and body paragraphs."""
    from .clean import clean
    from .errors import InputProblem
    from .ingest import read_articles
    from .language import detect_language
    from .settings import load_settings

    settings = load_settings()
    out = []
    for raw in read_articles([data_path("samples", "corpus")], settings):
        if isinstance(raw, InputProblem):
            continue
        article = detect_language(clean(raw, settings), settings)
        if article.status != "new":
            continue
        paragraphs = [p for p in article.text.split("\n\n")
                      if p not in (article.title, article.subtitle) and len(p.split()) >= MIN_PARAGRAPH_WORDS]
        if article.title and paragraphs:
            out.append(Sample(article.title, paragraphs, article.published.year if article.published else None))
    return tuple(out)


class Perturber:
    """Swaps the names of each substitution group, consistently within one article."""

    def __init__(self, table: dict):
        # Month names are not swapped at random: a date in the text is redrawn near the publication
        # day (below), as news tells what happened in the days before it was published.
        self.months = list(table["groups"].get("months", []))
        self.groups = {name: list(members) for name, members in table["groups"].items() if name != "months"}
        self.group_of = {member: name for name, members in self.groups.items() for member in members}
        names = sorted(self.group_of, key=len, reverse=True)
        self.names = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
        months = "|".join(self.months)
        # A day next to a month ("June 1", "1 June") is redrawn as a day; any other number of
        # one to three digits is scaled; four-digit numbers (years) stay.
        self.numbers = re.compile(r"(?<![\w.,])(?:(?P<month>(?:" + months + r") )(?P<day>\d{1,2})\b"
                                  r"|(?P<day2>\d{1,2})(?P<month2> (?:" + months + r"))\b"
                                  r"|(?P<n>\d{1,3})(?!\d)(?![.,]\d))")
        self.scale = tuple(table.get("number_scale", (0.5, 2.0)))
        self.years = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

    def __call__(self, texts: list[str], rng: random.Random, published: date,
                 years: list[int | None] | None = None) -> list[str]:
        """`years`: each text's sample's publication year; the years a text names move by as much
        as its publication date does ("in July 2023" stays as far back)."""
        mapping: dict[str, str] = {}
        factor = rng.uniform(*self.scale)

        def recent_day() -> tuple[str, int]:
            day = published - timedelta(days=rng.randrange(0, 8))   # within the week before
            return self.months[day.month - 1], min(day.day, 28)

        def name(m: re.Match) -> str:
            old = m.group(1)
            if old not in mapping:
                mapping[old] = rng.choice(self.groups[self.group_of[old]])
            return mapping[old]

        def number(m: re.Match) -> str:
            if m.group("month") is not None:
                month, day = recent_day()
                return f"{month} {day}"
            if m.group("day2") is not None:
                month, day = recent_day()
                return f"{day} {month}"
            n = int(m.group("n"))
            return str(max(1, round(n * factor))) if n > 1 else m.group("n")

        def moved(text: str, year: int | None) -> str:
            shift = published.year - year if year else 0
            return self.years.sub(lambda m: str(int(m.group(0)) + shift), text)

        return [moved(self.numbers.sub(number, self.names.sub(name, t)), y)
                for t, y in zip(texts, years or [None] * len(texts))]


def generate(n: int, seed: int = 7) -> Iterator[Generated]:
    """`n` articles of about 500 words, each different, reproducible from `seed`."""
    pool = samples()
    table = substitutions()
    perturb = Perturber(table)
    first, last = date.fromisoformat(str(table["published"]["first"])), date.fromisoformat(str(table["published"]["last"]))
    days = (last - first).days
    # Published in order over the range, a day or two apart at most, as a feed is read.
    given, family = table["groups"]["given_names"], table["groups"]["family_names"]
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        lead = rng.choice(pool)
        paragraphs = list(lead.paragraphs)
        words = sum(len(p.split()) for p in paragraphs)
        others = [s for s in pool if s is not lead]
        year_of = {p: lead.year for p in paragraphs}
        while words < TARGET_WORDS - 20:
            other = rng.choice(others)
            p = rng.choice(other.paragraphs)
            if p in paragraphs:
                continue
            paragraphs.append(p)
            year_of[p] = other.year
            words += len(p.split())
        if len(paragraphs) > 2 and rng.random() < 0.5:
            paragraphs.pop(rng.randrange(1, len(paragraphs)))  # one paragraph fewer, somewhere
        body = paragraphs[1:]
        rng.shuffle(body)
        published = first + timedelta(days=min(days, i * days // max(n, 1) + rng.randrange(2)))
        texts = [lead.title, paragraphs[0], *body]
        title, *paragraphs = perturb(texts, rng, published, [year_of.get(t, lead.year) for t in texts])
        yield Generated(title, paragraphs, rng.choice(table["outlets"]),
                        f"{rng.choice(given)} {rng.choice(family)}", published)


def write_corpus(folder: Path, n: int, seed: int = 7, advance: Callable[[int], None] | None = None) -> int:
    """Write `n` generated articles under `folder`: even ones as .txt, odd ones as JSONL.
    Returns the number of words written (titles and bodies)."""
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    jsonl = None
    try:
        for i, g in enumerate(generate(n, seed)):
            words += g.words
            if i % 2 == 0:
                sub = folder / "txt" / f"{i // (2 * FILES_PER_FOLDER):04d}"
                sub.mkdir(parents=True, exist_ok=True)
                head = f"{g.title}\n\n{g.outlet}\nBy {g.author}\n{g.published:%B} {g.published.day}, {g.published.year}\n\n"
                (sub / f"article-{i:07d}.txt").write_text(head + g.text + "\n", encoding="utf-8")
            else:
                k = i // 2
                if k % JSONL_RECORDS == 0:
                    if jsonl is not None:
                        jsonl.close()
                    (folder / "jsonl").mkdir(exist_ok=True)
                    jsonl = open(folder / "jsonl" / f"feed-{k // JSONL_RECORDS:05d}.jsonl", "w", encoding="utf-8")
                jsonl.write(json.dumps({"title": g.title, "text": g.text, "outlet": g.outlet, "author": g.author,
                                        "published": g.published.isoformat(),
                                        "url": f"https://bench.example/{i}"}, ensure_ascii=False) + "\n")
            if advance is not None:
                advance(1)
    finally:
        if jsonl is not None:
            jsonl.close()
    return words


# --- measuring ----------------------------------------------------------------------------


class MemorySampler:
    """Peak resident memory of this process and its descendants (the workers), summed, sampled
    every `interval` seconds from /proc; where /proc is missing, getrusage's peaks (this process
    plus its largest child)."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="sitrep-bench-memory")

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def peak_mb(self) -> float:
        if self.peak_kb == 0:  # no /proc: getrusage (kilobytes on Linux)
            import resource

            self.peak_kb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        return round(self.peak_kb / 1024, 1)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        if not Path("/proc/self/status").exists():
            return
        total = sum(_rss_kb(pid) for pid in _family(os.getpid()))
        self.peak_kb = max(self.peak_kb, total)


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _family(root: int) -> list[int]:
    """`root` and every process descending from it."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    parents[int(entry.name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, todo = [root], [root]
    while todo:
        pid = todo.pop()
        children = [c for c, p in parents.items() if p == pid]
        family += children
        todo += children
    return family


KEYS = ("articles", "words", "processes", "seconds", "articles_per_s", "words_per_s", "spacy_words_per_s",
        "ratio_to_spacy", "peak_rss_mb", "stages")


def benchmark(articles: int, processes: int, settings: Settings, workdir: Path, seed: int = 7,
              progress=None, rerun: bool = False, spacy: bool = True) -> dict:
    """Generate the corpus under `workdir`, run sitrep over it into `workdir/sitrep.db`, then bare
    spaCy (`nlp.pipe` of the model as shipped, with sitrep's batch size and process count) over the cleaned texts
    sitrep parsed (`spacy` false: not; its figures are then None). `progress`: a Rich Progress, or None."""
    from .pipeline import Hooks, run
    from .store import Store

    corpus = workdir / "corpus"
    task = progress.add_task("Writing the corpus", total=articles) if progress else None
    write_corpus(corpus, articles, seed, (lambda k: progress.advance(task, k)) if progress else None)

    class Advance(Hooks):
        def batch_stored(self, report) -> None:
            if progress:
                progress.update(run_task, completed=report.new + report.known)

    run_task = progress.add_task("sitrep run", total=articles) if progress else None
    store = Store(workdir / "sitrep.db")
    with MemorySampler() as memory:
        started = time.perf_counter()
        report = run([corpus], store, settings, Advance(), command="sitrep bench", processes=processes)
        seconds = time.perf_counter() - started
    texts_file = workdir / "texts.jsonl"
    words = _dump_texts(store, texts_file)

    spacy_seconds = bare_spacy(texts_file, settings, processes, progress, articles) if spacy else None
    result = {
        "articles": report.new, "words": words, "processes": processes, "seconds": round(seconds, 2),
        "articles_per_s": round(report.new / seconds, 2), "words_per_s": round(words / seconds, 1),
        "spacy_words_per_s": round(words / spacy_seconds, 1) if spacy_seconds else None,
        "ratio_to_spacy": round(spacy_seconds / seconds, 3) if spacy_seconds else None,
        "peak_rss_mb": memory.peak_mb,
        "stages": {k: round(v, 2) for k, v in report.stages.items() if k != "wait for workers"},
    }
    if rerun:
        started = time.perf_counter()
        again = run([corpus], store, settings, command="sitrep bench --rerun", processes=processes)
        result["rerun_seconds"] = round(time.perf_counter() - started, 2)
        result["rerun_known"] = again.known
    store.engine.dispose()
    return result


def _dump_texts(store, path: Path) -> int:
    """The cleaned texts of the stored articles, one JSON string a line; their word count."""
    from sqlalchemy import select

    from .store import articles as table

    words = 0
    with store.engine.connect() as conn, open(path, "w", encoding="utf-8") as f:
        rows = conn.execution_options(stream_results=True, yield_per=500).execute(select(table.c.text))
        for (text,) in rows:
            words += len(text.split())
            f.write(json.dumps(text, ensure_ascii=False) + "\n")
    return words


def bare_spacy(texts_file: Path, settings: Settings, processes: int, progress=None, total: int | None = None) -> float:
    """Seconds for `nlp.pipe` of the spaCy model as shipped (all its components, nothing of
    sitrep's) over the texts, nothing else: what sitrep's run is compared with."""
    import spacy

    from .nlp import MODEL_PACKAGE

    nlp = spacy.load(MODEL_PACKAGE)
    task = progress.add_task("bare spaCy", total=total) if progress else None

    def texts() -> Iterator[str]:
        with open(texts_file, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)

    started = time.perf_counter()
    for _ in nlp.pipe(texts(), batch_size=settings.batch_size, n_process=processes):
        if progress:
            progress.advance(task)
    return time.perf_counter() - started
