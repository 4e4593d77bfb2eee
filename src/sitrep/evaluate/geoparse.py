"""`sitrep eval geoparse`: recognise and resolve toponyms, and compare with gold spans and points.

Two schemas are read, told apart by their content:

- LGL / TR-News: `<article docid=...><text>` and `<toponyms><toponym>` with `start`, `end`,
  `phrase` and a `gaztag` holding `lat` and `lon` (a toponym without them is a toponym still,
  but has no point to be scored against);
- GeoVirus: `<article><source><text>` and `<locations><location>` with `name`, `start`, `end`,
  `lat`, `lon`, `page`.

Gold offsets are checked against the text: when a corpus is off by some characters (GeoVirus
counts from 1), the shift most of its spans need is applied, and a span it does not fit is
looked for a few characters either way.

Figures, over the gold toponyms that have a point (`toponyms`):

- `resolution_acc161`, `resolution_median_km`: each document's gold spans are resolved together
  (as the places stage resolves an article's toponyms, with the document as their context);
  the share within 161 km of the gold point, and the median error; an unresolved toponym counts
  as a miss and as 20039 km (half the Earth's circumference), as in Mordecai 3;
- `recognition_precision`, `recognition_recall`, `recognition_f1`: the predicted toponyms are
  what the places stage takes from the spaCy parse of the document (`geoparse.toponym_spans`);
  a predicted and a gold toponym match when their character spans overlap. Recall is over the
  gold toponyms with a point; a prediction overlapping any gold toponym (with a point or not)
  is correct;
- `end_to_end_acc161`: the share of gold toponyms that a predicted toponym overlaps and whose
  resolution (the places stage on the predicted toponyms) lies within 161 km of the gold point.

The misses (`errors`, JSONL), one object per line with a `kind`: `resolution` (a gold span
resolved more than 161 km away, or not at all), `missed` (a gold toponym no prediction
overlaps) and `spurious` (a prediction overlapping no gold toponym).
"""

from __future__ import annotations

import bisect
import statistics
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..gazetteer import distance_km, open_gazetteer
from ..geoparse import GeoContext, resolve_toponyms, toponym_spans
from ..nlp import build_nlp
from ..settings import Settings
from . import ProgressBar, write_jsonl

KEYS = ["toponyms", "resolution_acc161", "resolution_median_km", "recognition_precision",
        "recognition_recall", "recognition_f1", "end_to_end_acc161"]
HIT_KM = 161.0
MAX_KM = 20039.0          # unresolved: half the Earth's circumference
MAX_SHIFT = 3             # offsets tried either way when a span does not fit its text
SNIPPET = 80              # characters of context either side, in the errors file


@dataclass
class Gold:
    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class GoldDoc:
    id: str
    text: str
    toponyms: list[Gold] = field(default_factory=list)

    @property
    def scored(self) -> list[Gold]:
        return [g for g in self.toponyms if g.has_point]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None and value.strip() else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def detect_schema(root: ET.Element) -> str:
    """'lgl' (LGL, TR-News) or 'geovirus', from the elements the articles hold."""
    for article in root.iter("article"):
        if article.find("toponyms") is not None or article.find(".//toponym") is not None:
            return "lgl"
        if article.find("locations") is not None or article.find(".//location") is not None:
            return "geovirus"
    raise ValueError("neither the LGL / TR-News schema (article/toponyms/toponym) nor "
                     "GeoVirus's (article/locations/location)")


def read_corpus(path: Path) -> tuple[str, list[GoldDoc]]:
    """The schema and the documents of a gold file, offsets realigned to the text."""
    root = ET.parse(path).getroot()
    schema = detect_schema(root)
    docs = []
    for number, article in enumerate(root.iter("article"), start=1):
        text = article.findtext("text") or ""
        doc = GoldDoc(id=article.get("docid") or str(number), text=text)
        if schema == "lgl":
            for t in article.iter("toponym"):
                start, end = _int(t.findtext("start")), _int(t.findtext("end"))
                g = t.find("gaztag")
                if start is None or end is None:
                    continue
                doc.toponyms.append(Gold(start, end, t.findtext("phrase") or text[start:end],
                                         _float(g.findtext("lat")) if g is not None else None,
                                         _float(g.findtext("lon")) if g is not None else None))
        else:
            for t in article.iter("location"):
                start, end = _int(t.findtext("start")), _int(t.findtext("end"))
                if start is None or end is None:
                    continue
                doc.toponyms.append(Gold(start, end, t.findtext("name") or text[start:end],
                                         _float(t.findtext("lat")), _float(t.findtext("lon"))))
        docs.append(doc)
    realign(docs)
    return schema, docs


def realign(docs: list[GoldDoc]) -> int:
    """Shift the gold offsets by what most spans of the corpus need to fit their names (0 for a
    well-made corpus); a span that still does not fit is looked for within MAX_SHIFT characters.
    Returns the corpus shift."""
    shifts = (0,) + tuple(d for k in range(1, MAX_SHIFT + 1) for d in (-k, k))
    votes: Counter = Counter()
    for doc in docs:
        for g in doc.toponyms:
            for d in shifts:
                if doc.text[g.start + d:g.end + d] == g.name:
                    votes[d] += 1
                    break
    corpus_shift = votes.most_common(1)[0][0] if votes else 0
    order = (corpus_shift,) + tuple(d for d in shifts if d != corpus_shift)
    for doc in docs:
        for g in doc.toponyms:
            for d in order:
                if doc.text[g.start + d:g.end + d] == g.name:
                    break
            else:
                d = corpus_shift
            g.start, g.end = max(0, g.start + d), max(0, g.end + d)
    return corpus_shift


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _sentence(sent_starts: list[int], sent_ends: list[int], start: int) -> tuple[int, int]:
    i = max(0, bisect.bisect_right(sent_starts, start) - 1)
    return sent_starts[i], sent_ends[i]


def _error_km(gold: Gold, place) -> float:
    if place is None or place.latitude is None:
        return MAX_KM
    return distance_km(gold.lat, gold.lon, place.latitude, place.longitude)


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - SNIPPET):end + SNIPPET].split())


def evaluate(path: Path, settings: Settings, errors: Path | None = None, progress: bool = True) -> dict:
    _, docs = read_corpus(Path(path))
    nlp = build_nlp(settings)
    gz = open_gazetteer()
    context = GeoContext.from_settings(settings, gazetteer=gz)

    n_gold = n_predicted = predicted_correct = found = resolved_hits = end_to_end_hits = 0
    km_errors: list[float] = []
    misses: list[dict] = []
    bar = ProgressBar("geoparsing", "documents", len(docs), progress)
    try:
        for doc, parsed in zip(docs, nlp.pipe((d.text for d in docs), batch_size=settings.batch_size)):
            sents = list(parsed.sents)
            starts = [s.start_char for s in sents] or [0]
            ends = [s.end_char for s in sents] or [len(doc.text)]
            gold = doc.scored

            # Resolution, given the gold spans.
            spans = [(g.start, g.end, *_sentence(starts, ends, g.start)) for g in gold]
            for g, m in zip(gold, resolve_toponyms(doc.text, spans, context)):
                km = _error_km(g, m.place)
                km_errors.append(km)
                if km <= HIT_KM:
                    resolved_hits += 1
                elif errors is not None:
                    misses.append(_miss("resolution", doc, g, m, km))

            # Recognition, then resolution of what was recognised (the places stage).
            predicted = resolve_toponyms(doc.text, toponym_spans(parsed), context)
            n_predicted += len(predicted)
            for m in predicted:
                if any(_overlaps(m.start, m.end, g.start, g.end) for g in doc.toponyms):
                    predicted_correct += 1
                elif errors is not None:
                    misses.append(_miss("spurious", doc, None, m, None))
            for g in gold:
                over = [m for m in predicted if _overlaps(m.start, m.end, g.start, g.end)]
                if over:
                    found += 1
                    if any(_error_km(g, m.place) <= HIT_KM for m in over):
                        end_to_end_hits += 1
                elif errors is not None:
                    misses.append(_miss("missed", doc, g, None, None))
            n_gold += len(gold)
            bar.advance()
    finally:
        bar.stop()

    if errors is not None:
        write_jsonl(errors, misses)

    precision = predicted_correct / n_predicted if n_predicted else 0.0
    recall = found / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "toponyms": n_gold,
        "resolution_acc161": round(resolved_hits / n_gold, 4) if n_gold else 0.0,
        "resolution_median_km": round(statistics.median(km_errors), 1) if km_errors else 0.0,
        "recognition_precision": round(precision, 4),
        "recognition_recall": round(recall, 4),
        "recognition_f1": round(f1, 4),
        "end_to_end_acc161": round(end_to_end_hits / n_gold, 4) if n_gold else 0.0,
    }


def _miss(kind: str, doc: GoldDoc, gold: Gold | None, mention, km: float | None) -> dict:
    place = mention.place if mention is not None else None
    start = gold.start if gold is not None else mention.start
    end = gold.end if gold is not None else mention.end
    return {
        "kind": kind,
        "doc": doc.id,
        "toponym": gold.name if gold is not None else mention.text,
        "start": start,
        "end": end,
        "gold_lat": gold.lat if gold is not None else None,
        "gold_lon": gold.lon if gold is not None else None,
        "predicted": place.name if place is not None else None,
        "predicted_lat": place.latitude if place is not None else None,
        "predicted_lon": place.longitude if place is not None else None,
        "predicted_country": place.country if place is not None else None,
        "predicted_feature": place.feature if place is not None else None,
        "km": round(km, 1) if km is not None else None,
        "rule": mention.rule if mention is not None else None,
        "context": _snippet(doc.text, start, end),
    }
