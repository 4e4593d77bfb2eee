"""Article extraction from saved web pages, against gold article bodies.

FOLDER holds `ground-truth.json` ({id: {"articleBody": ..., "url": ...}}) and `html/ID.html.gz`
(or `html/ID.html`). For each page, sitrep's extraction is what `sitrep run` stores as the
cleaned text: the file read as `sitrep run` reads it (`ingest.read_one`: gunzip, decode, then
`readers.html_to_raw`) and cleaned (`clean.clean`). The title line that the cleaner puts at
the head of the text is left out, as the gold bodies carry no title (nor does trafilatura's
text, the baseline). A page sitrep refuses counts as an empty extraction, and its row in the
errors file says why ("problem").

Measure: lowercase word tokens (`\\w+`), the multiset of 4-token shingles (a text of 1-3
tokens is one shingle of all of them). Per page, precision = |pred ∩ gold| / |pred| and
recall = |pred ∩ gold| / |gold|, with multiset intersection; a 0/0 ratio (an empty
extraction, or an empty gold body) scores 1 when both sides are empty and 0 otherwise.
The figures are means over pages; f1 is 2PR/(P+R) of the means. The baseline is plain
`trafilatura.extract` with its default arguments on the same (gunzipped) page, measured in
the same run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import trafilatura

from ..clean import clean
from ..document import RawArticle
from ..ingest import read_file, read_one
from ..settings import Settings
from . import ProgressBar, write_jsonl

SHINGLE = 4
_WORD = re.compile(r"\w+")


def shingles(text: str | None, n: int = SHINGLE) -> Counter:
    tokens = _WORD.findall((text or "").lower())
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _ratio(hits: int, total: int, other: int) -> float:
    if total:
        return hits / total
    return 1.0 if other == 0 else 0.0


def score(pred: str | None, gold: str | None) -> tuple[float, float]:
    """(precision, recall) of one extraction against one gold body."""
    p, g = shingles(pred), shingles(gold)
    hits = sum((p & g).values())
    n_p, n_g = sum(p.values()), sum(g.values())
    return _ratio(hits, n_p, n_g), _ratio(hits, n_g, n_p)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def sitrep_text(path: Path, settings: Settings) -> tuple[str, str | None]:
    """The cleaned text `sitrep run` stores for the page, without its leading title line,
    and the problem that made sitrep refuse the page, if it did."""
    try:
        raws = list(read_one(path, settings))
    except Exception as e:  # a crash is sitrep's failure on this page, not the run's
        return "", f"{type(e).__name__}: {e}"
    raw = next((r for r in raws if isinstance(r, RawArticle)), None)
    if raw is None:
        return "", "; ".join(p.message for p in raws) or "no article read"
    article = clean(raw, settings)
    text = article.text
    if article.title:  # the cleaner always leads with the title line when it has a title
        text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return text, None


def baseline_text(path: Path, settings: Settings) -> str:
    """Plain `trafilatura.extract` on the page's bytes (gunzipped): trafilatura alone, its own
    decoding included, so a page that sitrep refuses to decode is still measured for it."""
    try:
        return trafilatura.extract(read_file(path, settings).data) or ""
    except Exception:  # unreadable file or broken markup: the baseline found nothing
        return ""


def _page_path(folder: Path, page_id: str) -> Path | None:
    for name in (f"{page_id}.html.gz", f"{page_id}.html"):
        path = folder / "html" / name
        if path.is_file():
            return path
    return None


def evaluate(folder: Path, settings: Settings, errors: Path | None = None, progress: bool = True) -> dict:
    folder = Path(folder)
    with open(folder / "ground-truth.json", encoding="utf-8") as f:
        gold = json.load(f)
    pages = [(pid, entry, path) for pid, entry in gold.items()
             if (path := _page_path(folder, pid)) is not None]

    rows = []
    bar = ProgressBar("Extracting", "pages", len(pages), progress)
    try:
        for pid, entry, path in pages:
            body = entry.get("articleBody") or ""
            text, problem = sitrep_text(path, settings)
            p, r = score(text, body)
            bp, br = score(baseline_text(path, settings), body)
            row = {"id": pid, "url": entry.get("url"), "precision": p, "recall": r,
                   "baseline_precision": bp, "baseline_recall": br}
            if problem:
                row["problem"] = problem  # why sitrep stored nothing for this page
            rows.append(row)
            bar.advance()
    finally:
        bar.stop()

    if errors is not None:
        write_jsonl(errors, rows)

    n = len(rows)

    def mean(key: str) -> float:
        return sum(row[key] for row in rows) / n if n else 0.0

    p, r, bp, br = (mean(k) for k in ("precision", "recall", "baseline_precision", "baseline_recall"))
    return {"pages": n, "precision": p, "recall": r, "f1": f1(p, r),
            "baseline_precision": bp, "baseline_recall": br, "baseline_f1": f1(bp, br)}
