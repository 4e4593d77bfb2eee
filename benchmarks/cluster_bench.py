"""Benchmark (not a test): near-duplicate detection and story clustering on synthetic corpora.

    .venv/bin/python benchmarks/cluster_bench.py [--sizes 10000 100000] [--per-day 100]

Synthetic articles are made by perturbing the bundled sample corpus (cleaned, no spaCy): each
synthetic story takes one sample article, swaps its actor and place names for others, gives
80% of its words a spelling of its own (so that stories made from one sample article share a
skeleton, not a vocabulary), moves its dates and changes its numbers; each of the story's 1-5
articles keeps the lead and about half of the other paragraphs, shuffled, with other figures; one in ten articles is a syndicated copy
of another (a dateline and a credit line added). The corpus covers `per_day` articles a day, so
a bigger corpus covers a longer period, as a real archive does. Timed: MinHash signatures and
LSH lookups in batches of 32 (dedup.find_duplicates), rebuilding the LSH index from stored
signature bytes, and incremental clustering (stories.StoryIndex.assign, articles in date order).
The same code runs in `sitrep run`; the database reads and writes around it are not timed.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta

import yaml

from sitrep.clean import clean
from sitrep.dedup import Candidate, DuplicateIndex, find_duplicates, from_bytes, to_bytes
from sitrep.ingest import read_articles
from sitrep.settings import data_path, load_settings
from sitrep.stories import StoryIndex, StoryOptions, article_features

PLACES = ["Gao", "Kidal", "Mopti", "Ségou", "Sikasso", "Kayes", "Ménaka", "Tessalit", "Ansongo", "Douentza",
          "Djibo", "Dori", "Kaya", "Fada N'Gourma", "Ouahigouya", "Tillabéri", "Tahoua", "Agadez", "Diffa",
          "Maradi", "Zinder", "Ayorou", "Téra", "Bankilaré", "Niono", "Macina", "Bandiagara", "Koro", "Djenné",
          "Nioro", "Léré", "Goundam", "Bourem", "Aguelhok", "Anefis", "Ber", "Arbinda", "Gorom-Gorom",
          "Sebba", "Titao", "Tougan", "Nouna", "Dédougou", "Banfora", "Ouallam", "Abala", "Inatès", "Torodi"]
ACTORS = ["JNIM", "Islamic State Sahel", "Ansarul Islam", "Katiba Macina", "FLA", "CSP-DPA", "Dozo militia",
          "VDP militia", "Wagner Group", "Africa Corps", "MINUSMA", "Barkhane", "G5 Sahel", "AQIM",
          "Ganda Izo", "GATIA", "MSA", "HCUA", "Dan Na Ambassagou", "Koglweogo"]
OUTLETS = [f"Outlet {i}" for i in range(40)]


def base_articles() -> list[dict]:
    """The English sample articles, cleaned, with the names the manifest gives them."""
    settings = load_settings()
    manifest = yaml.safe_load(data_path("samples", "manifest.yaml").read_text(encoding="utf-8"))
    corpus = data_path("samples", "corpus")
    by_key = {e["file"] + (f":{e['line']}" if e.get("line") else ""): e for e in manifest}
    out = []
    for raw in read_articles([corpus], settings):
        article = clean(raw, settings)
        from pathlib import Path

        entry = by_key[Path(raw.path).relative_to(corpus).as_posix() + (f":{raw.line}" if raw.line else "")]
        if entry["language"] != "en" or entry["kind"] == "syndicated_copy":
            continue
        names = {n for e in entry.get("events") or [] for n in (e["actor1"], e["actor2"]) if n}
        places = {e["location"] for e in entry.get("events") or [] if e.get("location")}
        places |= {p for p in PLACES if p in article.text}
        out.append({"title": article.title or "", "text": article.text, "actors": sorted(names),
                    "places": sorted(p for p in places if p in article.text)})
    return out


def perturb(rng: random.Random, base: dict, story: int, day: int) -> tuple[dict, list[dict]]:
    """A synthetic story: new names and dates, then 1-5 articles told differently."""
    swap = {p: rng.choice(PLACES) for p in base["places"]}
    actor_swap = {a: rng.choice(ACTORS) for a in base["actors"] if len(a) > 3 and a in base["text"]}
    shift = timedelta(days=rng.randint(-3000, 3000))
    # A story's own wording: 80% of the base's longer words become words of this story only, so
    # two stories made from one sample article share its skeleton but not its vocabulary.
    vocabulary = sorted({w.lower() for w in re.findall(r"[a-z]{4,}", base["text"])})
    own = {w: w + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(3)) for w in vocabulary
           if rng.random() < 0.8}

    def rewrite(text: str) -> str:
        for old, new in itertools.chain(swap.items(), actor_swap.items()):
            text = text.replace(old, new)
        text = re.sub(r"\b[a-z]{4,}\b", lambda m: own.get(m.group(0), m.group(0)), text)
        text = re.sub(r"\b(\d{1,3})\b", lambda m: str(max(1, int(m.group(1)) + rng.randint(-3, 9))), text)
        text = re.sub(r"\b(19|20)\d\d\b", lambda m: str(2000 + (int(m.group(0)) - 2000 + shift.days // 365) % 30), text)
        return text

    title, text = rewrite(base["title"]), rewrite(base["text"])
    body = text[len(title):] if text.startswith(title) else text
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    articles = []
    for n in range(rng.choice((1, 1, 2, 2, 3, 4, 5))):
        # each report keeps the lead and about half of the rest, in another order
        rest = [p for p in paragraphs[1:] if rng.random() < 0.5] or paragraphs[1:2]
        ps = paragraphs[:1] + rng.sample(rest, len(rest))
        ps = [re.sub(r"\b(\d{1,3})\b", lambda m: str(int(m.group(1)) + rng.randint(0, 4)), p) for p in ps]
        published = date.fromordinal(day + rng.randint(0, 3))
        headline = title if n == 0 else f"{title.split(',')[0]}: {rng.choice(['update', 'toll rises', 'what we know', 'reactions'])}"
        articles.append({"id": f"{story:07d}-{n}", "story": story, "title": headline,
                         "text": headline + "\n\n" + "\n\n".join(ps), "published": published.isoformat(),
                         "outlet": rng.choice(OUTLETS),
                         "actors": [actor_swap.get(a, a) for a in base["actors"]] * 2,
                         "places": [swap.get(p, p) for p in base["places"]],
                         "dates": [(published - timedelta(days=1)).isoformat()]})
    return base, articles


def corpus(size: int, per_day: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    bases = base_articles()
    out: list[dict] = []
    start = date(2020, 1, 1).toordinal()
    story = 0
    while len(out) < size:
        day = start + len(out) // per_day
        _, articles = perturb(rng, rng.choice(bases), story, day)
        out += articles
        story += 1
        if out and rng.random() < 0.1:   # a syndicated copy of a recent article
            original = rng.choice(out[-50:])
            out.append({**original, "id": original["id"] + "-copy", "outlet": rng.choice(OUTLETS),
                        "text": f"({original['outlet']}) — " + original["text"] + f"\n\nDistributed by {original['outlet']}.",
                        "copy_of": original["id"]})
    out = out[:size]
    out.sort(key=lambda a: (a["published"], a["id"]))
    return out


def pairwise(gold: dict[str, int], found: dict[str, str], sample: int = 200_000, seed: int = 1) -> tuple[float, float]:
    """Precision over all found same-story pairs, recall over all gold pairs (exact, by grouping)."""
    found_groups: dict[str, list[str]] = {}
    for a, s in found.items():
        found_groups.setdefault(s, []).append(a)
    gold_groups: dict[int, list[str]] = {}
    for a, s in gold.items():
        gold_groups.setdefault(s, []).append(a)
    tp_found = sum(1 for g in found_groups.values() for a, b in itertools.combinations(g, 2) if gold[a] == gold[b])
    n_found = sum(len(g) * (len(g) - 1) // 2 for g in found_groups.values())
    tp_gold = sum(1 for g in gold_groups.values() for a, b in itertools.combinations(g, 2) if found[a] == found[b])
    n_gold = sum(len(g) * (len(g) - 1) // 2 for g in gold_groups.values())
    return tp_found / (n_found or 1), tp_gold / (n_gold or 1)


def bench(size: int, per_day: int) -> dict:
    articles = corpus(size, per_day)
    options = StoryOptions.load()
    gc.collect()
    # 1. near-duplicates, in batches of 32 as `sitrep run` stores them
    index = DuplicateIndex(options.duplicate_threshold)
    t = time.perf_counter()
    copies = {}
    signatures = {}
    for i in range(0, len(articles), 32):
        batch = [Candidate(a["id"], a["text"], a["text"], a["outlet"], a["published"], j)
                 for j, a in enumerate(articles[i:i + 32])]
        sigs, matches = find_duplicates(index, batch)
        signatures.update((k, to_bytes(v)) for k, v in sigs.items())
        copies.update((m.article_id, m.duplicate_of) for m in matches)
    dedup = time.perf_counter() - t
    true_copies = {a["id"]: a["copy_of"] for a in articles if "copy_of" in a}
    found_true = sum(1 for a, o in copies.items() if true_copies.get(a) == o or true_copies.get(o) == a)
    # 2. rebuilding the index from stored signatures (a new run's first lookup)
    t = time.perf_counter()
    rebuilt = DuplicateIndex(options.duplicate_threshold)
    for article_id, blob in signatures.items():
        rebuilt.add(article_id, from_bytes(blob), copies.get(article_id))
    rebuild = time.perf_counter() - t
    del rebuilt
    # 3. features (no spaCy: names come from the perturbation) and incremental clustering
    t = time.perf_counter()
    features = [article_features(a["id"], a["title"], a["text"], a["published"], a["outlet"], a["actors"], a["places"],
                                 a["dates"], options.title_weight, options.lead_weight, copies.get(a["id"]))
                for a in articles]
    featurize = time.perf_counter() - t
    stories = StoryIndex(options)
    t = time.perf_counter()
    assigned = {f.id: stories.assign(f).story_id for f in features}
    cluster = time.perf_counter() - t
    gold = {a["id"]: a["story"] for a in articles}
    precision, recall = pairwise(gold, assigned)
    return {"articles": size, "days": len({a["published"] for a in articles}), "copies": len(true_copies),
            "copies_found": found_true, "false_copies": len(copies) - found_true,
            "dedup_s": dedup, "lsh_rebuild_s": rebuild, "features_s": featurize, "cluster_s": cluster,
            "stories": len(stories.stories), "gold_stories": len(set(gold.values())),
            "precision": precision, "recall": recall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--per-day", type=int, default=100)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        r = bench(size, args.per_day)
        rows.append(r)
        print(f"{r['articles']:>7} articles over {r['days']} days: dedup {r['dedup_s']:.1f} s "
              f"({1000 * r['dedup_s'] / size:.2f} ms/article; {r['copies_found']}/{r['copies']} copies found, "
              f"{r['false_copies']} false), LSH rebuild from stored signatures {r['lsh_rebuild_s']:.1f} s, "
              f"features {r['features_s']:.1f} s, clustering {r['cluster_s']:.1f} s "
              f"({1000 * r['cluster_s'] / size:.2f} ms/article); {r['stories']} stories for {r['gold_stories']} "
              f"synthetic ones, pairwise P {r['precision']:.3f} R {r['recall']:.3f}", flush=True)
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        grow = b["articles"] / a["articles"]
        for key in ("dedup_s", "lsh_rebuild_s", "cluster_s"):
            print(f"{key}: x{b[key] / a[key]:.1f} for x{grow:.0f} articles")


if __name__ == "__main__":
    sys.exit(main())
