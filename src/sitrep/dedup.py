"""Near-duplicate articles: MinHash over word shingles of the cleaned text, LSH for candidates.

A syndicated copy or a re-scrape differs from its original by a dateline, a credit line, a word
or two: its 5-word shingles are nearly all the original's. Every stored article keeps its
MinHash signature (`article_signatures`, 128 uint32 values, 512 bytes), so the LSH index is
rebuilt from the database at the first lookup of a run and grows as batches are stored: the
corpus is never re-read. A new article whose estimated Jaccard similarity with a stored (or
same-batch) article reaches `threshold` is a duplicate of that article's original: it is not
parsed for events again, its entity mentions are carried over from the original by aligning
the two texts, and it counts as one more source of the original's events.

Within one batch the original of a group of copies is the one that does not credit another's
outlet ("distributed by Savanna Wire"), else the earliest published, else the first read.
A stored article always stays the original of a newer copy.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.8

_WORD = re.compile(r"\w+")


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """Lower-cased k-word shingles; a text shorter than k words is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words).encode("utf-8", "surrogatepass")} if words else set()
    return {" ".join(words[i:i + k]).encode("utf-8", "surrogatepass") for i in range(len(words) - k + 1)}


_PERMUTER: MinHash | None = None


def signature(text: str) -> LeanMinHash:
    """The MinHash of a text's shingles (the permutations are made once per process)."""
    global _PERMUTER
    if _PERMUTER is None:
        _PERMUTER = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_PERMUTER.permutations)
    items = shingles(text)
    if items:
        m.update_batch(list(items))
    return LeanMinHash(m)


def to_bytes(m: LeanMinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(data, dtype="<u4").astype(np.uint32), scheme=SCHEME)


@dataclass
class Match:
    article_id: str
    duplicate_of: str
    similarity: float


def _band_key(band: bytes) -> bytes:
    """An LSH band's 8-byte digest instead of its 104 bytes (the index holds 9 bands an
    article); a rare collision only adds a candidate, which `best` then compares."""
    return hashlib.blake2b(band, digest_size=8).digest()


def _similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two `to_bytes` signatures (as `LeanMinHash.jaccard`)."""
    return float(np.count_nonzero(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4"))) / NUM_PERM


class DuplicateIndex:
    """An LSH index over article signatures, keyed by article id, with each copy's original.
    It holds the `capacity` articles added last (None: all): a copy is found if its original
    is among them, as copies follow their original within days; memory stays bounded (about
    3.6 KB an article, most of it datasketch's bucket sets; each signature is kept as its 512
    bytes and each band as an 8-byte digest) however long the stream."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, capacity: int | None = None):
        self.threshold = threshold
        self.capacity = capacity
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, hashfunc=_band_key)
        self.signatures: dict[str, bytes] = {}   # to_bytes(signature)
        self.original: dict[str, str] = {}      # duplicate id -> its original's id

    def __len__(self) -> int:
        return len(self.signatures)

    def add(self, article_id: str, sig: LeanMinHash, duplicate_of: str | None = None) -> None:
        if article_id in self.signatures:
            return
        self.signatures[article_id] = to_bytes(sig)
        self.lsh.insert(article_id, sig, check_duplication=False)
        if duplicate_of:
            self.original[article_id] = duplicate_of
        if self.capacity is not None and len(self.signatures) > self.capacity:
            oldest = next(iter(self.signatures))   # dicts keep the order of insertion
            del self.signatures[oldest]
            self.original.pop(oldest, None)
            self.lsh.remove(oldest)

    def root(self, article_id: str) -> str:
        seen = set()
        while article_id in self.original and article_id not in seen:
            seen.add(article_id)
            article_id = self.original[article_id]
        return article_id

    def best(self, sig: LeanMinHash, exclude: str | None = None) -> tuple[str, float] | None:
        """The most similar indexed article at or above the threshold, or None."""
        best = None
        mine = to_bytes(sig)
        for key in self.lsh.query(sig):
            if key == exclude:
                continue
            similarity = _similarity(mine, self.signatures[key])
            if similarity >= self.threshold and (best is None or (similarity, key) > (best[1], best[0])):
                best = (key, similarity)
        return best


@dataclass
class Candidate:
    """What deduplication needs to know of a new article."""

    id: str
    text: str
    raw_text: str
    outlet: str | None
    published: str | None   # ISO date, for ordering
    order: int


def find_duplicates(index: DuplicateIndex, batch: list[Candidate]) -> tuple[dict[str, LeanMinHash], list[Match]]:
    """Signatures of a batch and its duplicates; adds the batch to the index.

    A copy of a stored article links to that article's original; copies within the batch are
    grouped and the group's original chosen by `_original_first`."""
    sigs = {c.id: signature(c.text) for c in batch}
    matches: list[Match] = []
    pending: list[Candidate] = []
    for c in batch:
        hit = index.best(sigs[c.id])
        if hit:
            matches.append(Match(c.id, index.root(hit[0]), hit[1]))
        else:
            pending.append(c)
    # Copies among the new articles: group them, then pick each group's original.
    local = DuplicateIndex(index.threshold)
    for c in pending:
        local.add(c.id, sigs[c.id])
    parent = {c.id: c.id for c in pending}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in pending:
        for key in local.lsh.query(sigs[c.id]):
            if key != c.id and sigs[c.id].jaccard(sigs[key]) >= index.threshold:
                parent[find(key)] = find(c.id)
    groups: dict[str, list[Candidate]] = {}
    for c in pending:
        groups.setdefault(find(c.id), []).append(c)
    for members in groups.values():
        if len(members) < 2:
            continue
        ordered = _original_first(members)
        original = ordered[0]
        for copy in ordered[1:]:
            matches.append(Match(copy.id, original.id, sigs[copy.id].jaccard(sigs[original.id])))
    links = {m.article_id: m.duplicate_of for m in matches}
    for c in batch:
        index.add(c.id, sigs[c.id], links.get(c.id))
    return sigs, matches


def _original_first(members: list[Candidate]) -> list[Candidate]:
    def credits_another(c: Candidate) -> bool:
        raw = c.raw_text.lower()
        return any(o.outlet and o.outlet != c.outlet and o.outlet.lower() in raw for o in members if o is not c)

    return sorted(members, key=lambda c: (credits_another(c), c.published or "9999", c.order))


# --- carrying annotations over from an original to its copy --------------------------------


class Alignment:
    """Maps character offsets of an original text to a near-identical copy."""

    def __init__(self, original: str, copy: str):
        matcher = difflib.SequenceMatcher(None, original, copy, autojunk=False)
        self.blocks = [b for b in matcher.get_matching_blocks() if b.size]
        self.copy_length = len(copy)

    def position(self, offset: int) -> int:
        """The copy's offset for an original offset (in a changed stretch: its nearest edge)."""
        previous_end = 0
        for a, b, size in self.blocks:
            if offset < a:
                return previous_end
            if offset <= a + size:
                return b + (offset - a)
            previous_end = b + size
        return min(previous_end, self.copy_length)

    def span(self, start: int, end: int) -> tuple[int, int]:
        s, e = self.position(start), self.position(end)
        return s, max(s, e)


def carried_spans(alignment: Alignment, copy_text: str, spans: Iterable[tuple[int, int, str]]
                  ) -> list[tuple[int, int] | None]:
    """Copy offsets of original spans whose text is the same in the copy (None where it is not)."""
    out = []
    for start, end, text in spans:
        s, e = alignment.span(start, end)
        out.append((s, e) if copy_text[s:e] == text else None)
    return out


def carry_over(copy, original) -> None:
    """Give a copy (an `Article`) the original's entity, place and actor mentions, at the copy's
    own offsets: only those whose text reads the same in the copy are kept."""
    from dataclasses import replace

    alignment = Alignment(original.text, copy.text)

    def moved(items):
        out = []
        for item, span in zip(items, carried_spans(alignment, copy.text, ((i.start, i.end, i.text) for i in items))):
            if span is None:
                continue
            changes = {"start": span[0], "end": span[1]}
            if hasattr(item, "sentence_start"):
                changes["sentence_start"], changes["sentence_end"] = alignment.span(item.sentence_start, item.sentence_end)
            if hasattr(item, "raw_start"):
                changes["raw_start"], changes["raw_end"] = copy.offsets.span_to_raw(*span)
            out.append(replace(item, **changes))
        return out

    copy.mentions = moved(original.mentions)
    copy.places = moved(original.places)
    copy.actors = moved(original.actors)
