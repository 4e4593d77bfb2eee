"""Pairwise precision/recall of same-story links on the sample corpus manifest and the seeds.

    .venv/bin/python benchmarks/story_eval.py [--embeddings] [--threshold 0.3 ...]

Runs `sitrep run` once over the sample corpus (and ../shared/seeds when present) into a temporary
database, then re-runs only the corpus stage with each setting asked for, and prints the figures.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
from pathlib import Path

import yaml
from sqlalchemy import delete, select, update

from sitrep.pipeline import run
from sitrep.settings import data_path, load_settings
from sitrep.store import (Store, articles, contradictions, event_mentions, events, merged_events, stories,
                          story_articles, term_df)
from sitrep.stories import CorpusStage, StoryOptions

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def gold_stories(store: Store) -> dict[str, str]:
    """article id -> the manifest's story (the seeds are one story)."""
    manifest = yaml.safe_load(data_path("samples", "manifest.yaml").read_text(encoding="utf-8"))
    corpus = data_path("samples", "corpus")
    by_key = {e["file"] + (f":{e['line']}" if e.get("line") else ""): e["story"] for e in manifest}
    gold = {}
    for row in store.select(select(articles.c.id, articles.c.path, articles.c.line)):
        path = Path(row["path"])
        if path.is_relative_to(corpus):
            gold[row["id"]] = by_key[path.relative_to(corpus).as_posix() + (f":{row['line']}" if row["line"] else "")]
        elif path.parent.name == "seeds":
            gold[row["id"]] = "wagner-exit-2025"   # the same story as the manifest's Wagner articles
    return gold


def pairwise(gold: dict[str, str], found: dict[str, str]) -> dict[str, float]:
    ids = sorted(gold)
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        same_gold, same_found = gold[a] == gold[b], found.get(a) == found.get(b)
        tp += same_gold and same_found
        fp += same_found and not same_gold
        fn += same_gold and not same_found
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"pairs": tp + fn, "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def recluster(store: Store, options: StoryOptions) -> dict[str, str]:
    with store.engine.begin() as conn:
        for table in (contradictions, event_mentions, merged_events, story_articles, stories, term_df):
            conn.execute(delete(table))
        conn.execute(update(events).values(merged_id=None))
    CorpusStage(store, options).update()
    return {r["article_id"]: r["story_id"] for r in store.select(select(story_articles))}


def build(folder: Path, seeds: bool = True) -> Store:
    store = Store(folder / "sitrep.db")
    inputs = [data_path("samples", "corpus")] + ([SEEDS] if seeds and SEEDS.is_dir() else [])
    run(inputs, store, load_settings())
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", action="store_true", help="also measure with the embeddings extra")
    parser.add_argument("--threshold", type=float, nargs="*", default=[None])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sitrep-story-eval-"))
    try:
        store = build(folder)
        gold = gold_stories(store)
        print(f"{len(gold)} articles, {len(set(gold.values()))} gold stories")
        for embeddings in ([False, True] if args.embeddings else [False]):
            for threshold in args.threshold:
                options = StoryOptions.load(threshold=threshold if not embeddings else None,
                                            embedding_threshold=threshold if embeddings else None,
                                            embeddings=embeddings or None)
                figures = pairwise(gold, recluster(store, options))
                used = options.embedding_threshold if embeddings else options.threshold
                print(f"embeddings={embeddings} threshold={used}: " +
                      ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
