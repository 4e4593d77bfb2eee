"""Which sentences the spaCy model reads: the ones that can hold an event.

The model is most of sitrep's cost, and most of it is spent on sentences no later stage uses:
background, quotes about nothing, captions. So a document is read in three tiers
(data/events/gate.yaml says which words put a sentence in which):

  full      a trigger, a death or wound word, a verb of speech or attribution: the whole model
            (tagger, parser, lemmas, entities), as events, fatalities and claims need;
  entities  a date word or a year: the entity recogniser only (its DATE can date the events
            told after it);
  light     anything else: the EntityRuler's known names only.

Sentences come from spaCy's rule-based Sentencizer (after the paragraph breaks); consecutive
sentences of a tier are read together as one piece, so the parser still splits a full-tier
piece where it sees fit. The pieces' annotations are copied back into one Doc per article, and
the sentences outside the full tier get a flat tree (the first word the root), so `doc.sents`
and every later stage work on the same Doc as before. `nlp.model_scope = "all"` (settings)
reads everything instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy
import yaml
from spacy.attrs import DEP, ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE, HEAD, LEMMA, LIKE_NUM, LOWER, MORPH, POS, TAG
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from .settings import data_path

FULL, ENTITIES, LIGHT = 2, 1, 0
PARSE_ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
ENT_ATTRS = [ENT_IOB, ENT_TYPE, ENT_ID, ENT_KB_ID]
ALL_ATTRS = PARSE_ATTRS + ENT_ATTRS


@dataclass(frozen=True)
class GateWords:
    full: numpy.ndarray        # LOWER hashes of every form of a word that calls for the whole model
    phrases: object            # a PhraseMatcher (lower case) of the phrases that do
    entities: numpy.ndarray    # LOWER hashes of the words that call for the entity recogniser


def inflections(lemma: str, rules: list[list[str]], irregular: dict[str, set[str]]) -> set[str]:
    """Every form the model's lemmatizer could map to `lemma`: its suffix rules run backwards,
    doubled final consonants ("kidnapped"), and its exception table inverted ("shot")."""
    forms = {lemma}
    for old, new in rules:
        if lemma.endswith(new):
            forms.add(lemma[:len(lemma) - len(new)] + old)
    if lemma[-1:].isalpha():
        forms.update(lemma + lemma[-1] + ending for ending in ("ed", "ing", "er", "ers"))
    forms.update(irregular.get(lemma, ()))
    return forms


def _lemmatizer_tables(nlp) -> tuple[list[list[str]], dict[str, set[str]]]:
    lookups = nlp.get_pipe("lemmatizer").lookups
    rules = [rule for table in lookups.get_table("lemma_rules").values() for rule in table]
    irregular: dict[str, set[str]] = {}
    for table in lookups.get_table("lemma_exc").values():
        for form, lemmas in table.items():
            for lemma in lemmas:
                irregular.setdefault(lemma, set()).add(form)
    return rules, irregular


@lru_cache(maxsize=2)
def gate_words(nlp) -> GateWords:
    with open(data_path("events", "gate.yaml"), encoding="utf-8") as f:
        config = yaml.safe_load(f)
    entries: set[str] = {str(w).lower() for w in config.get("full_model_words") or ()}
    for file, keys in (config.get("full_model_lists") or {}).items():
        with open(data_path("events", file), encoding="utf-8") as f:
            data = yaml.safe_load(f)
        for key in keys:
            # triggers.yaml is a list of rules, each with its own lists; the others are mappings.
            found = [w for rule in data for w in rule.get(key) or ()] if isinstance(data, list) else data[key]
            entries.update(str(w).lower().strip() for w in found)
    rules, irregular = _lemmatizer_tables(nlp)
    strings = nlp.vocab.strings
    words = {w for w in entries if len(nlp.make_doc(w)) == 1}
    full = {strings.add(form) for word in words for form in inflections(word, rules, irregular)}
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    phrases.add("full", list(nlp.tokenizer.pipe(sorted(entries - words))))
    entities = {strings.add(str(w).lower()) for w in config.get("entities_only_words") or ()}
    return GateWords(numpy.array(sorted(full), dtype=numpy.uint64), phrases,
                     numpy.array(sorted(entities), dtype=numpy.uint64))


@lru_cache(maxsize=1)
def _sentencizer() -> Sentencizer:
    return Sentencizer(overwrite=False)   # keeps the paragraph breaks set before it


def _spaces_close(doc: Doc) -> Doc:
    """Whitespace ends the sentence before it, as the parser has it (the Sentencizer would make
    a paragraph break a sentence of its own)."""
    for token in doc[1:]:
        if token.is_space and token.is_sent_start:
            token.is_sent_start = False
    return doc


def _tiers(doc: Doc, words: GateWords) -> list[tuple[int, int, int]]:
    """(start, end, tier) of each sentence."""
    lower = doc.to_array([LOWER, LIKE_NUM])
    full = numpy.isin(lower[:, 0], words.full)
    for _, a, b in words.phrases(doc):
        full[a:b] = True
    dated = numpy.isin(lower[:, 0], words.entities)
    out = []
    for sent in doc.sents:
        a, b = sent.start, sent.end
        if full[a:b].any():
            tier = FULL
        elif dated[a:b].any() or any(t.like_num and len(t) == 4 and t.text[:2] in ("19", "20") for t in sent):
            tier = ENTITIES
        else:
            tier = LIGHT
        out.append((a, b, tier))
    return out


def _pieces(tiers: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Consecutive sentences of one tier joined."""
    pieces: list[list[int]] = []
    for a, b, tier in tiers:
        if pieces and pieces[-1][2] == tier and pieces[-1][1] == a:
            pieces[-1][1] = b
        else:
            pieces.append([a, b, tier])
    return [tuple(p) for p in pieces]


def _piece_doc(doc: Doc, a: int, b: int) -> Doc:
    span = doc[a:b]
    return Doc(doc.vocab, words=[t.text for t in span], spaces=[bool(t.whitespace_) for t in span])


def pipe(nlp, texts: Iterable[str], batch_size: int = 32) -> Iterator[Doc]:
    """Docs like `nlp.pipe(texts)`'s, with the model run only where gate.yaml says."""
    texts = list(texts)
    words = gate_words(nlp)
    ruler = nlp.get_pipe("entity_ruler")
    breaks = nlp.get_pipe("paragraph_breaks")
    sentencizer = _sentencizer()
    docs = [ruler(_spaces_close(sentencizer(breaks(nlp.make_doc(text))))) for text in texts]
    plans = [_pieces(_tiers(doc, words)) for doc in docs]
    full = [(d, a, b) for d, plan in enumerate(plans) for a, b, tier in plan if tier == FULL]
    named = [(d, a, b) for d, plan in enumerate(plans) for a, b, tier in plan if tier == ENTITIES]
    parsed = list(nlp.pipe((_piece_doc(docs[d], a, b) for d, a, b in full), batch_size=batch_size))
    with nlp.select_pipes(enable=["entity_ruler", "ner"]):
        recognised = list(nlp.pipe((_piece_doc(docs[d], a, b) for d, a, b in named), batch_size=batch_size))
    arrays = [_flat(doc) for doc in docs]
    for (d, a, b), piece in zip(full, parsed):
        arrays[d][a:b] = piece.to_array(ALL_ATTRS)
    ents = slice(len(PARSE_ATTRS), None)
    for (d, a, b), piece in zip(named, recognised):
        arrays[d][a:b, ents] = piece.to_array(ENT_ATTRS)
    for doc, array in zip(docs, arrays):
        _fix_iob(array[:, len(PARSE_ATTRS)])
        doc.from_array(ALL_ATTRS, array)
        yield doc


def _flat(doc: Doc) -> numpy.ndarray:
    """The doc's attributes with one flat tree per sentence: its first word the root, every
    other word attached to it (label "dep"), no tags or lemmas."""
    array = doc.to_array(ALL_ATTRS)
    array[:, :len(PARSE_ATTRS)] = 0
    root, dep = doc.vocab.strings.add("ROOT"), doc.vocab.strings.add("dep")
    dep_col, head_col = PARSE_ATTRS.index(DEP), PARSE_ATTRS.index(HEAD)
    for sent in doc.sents:
        a, b = sent.start, sent.end
        array[a:b, dep_col] = dep
        array[a, dep_col] = root
        offsets = numpy.arange(a, b, dtype=numpy.int64)
        array[a:b, head_col] = (a - offsets).astype(numpy.uint64)
    return array


def _fix_iob(iob: numpy.ndarray) -> None:
    """An entity cut at a piece's edge must begin with B, not I (1 = I, 2 = O, 3 = B)."""
    before = numpy.concatenate(([2], iob[:-1]))
    iob[(iob == 1) & ((before == 2) | (before == 0))] = 3
