"""gate.py: the spaCy model reads only the sentences that can hold an event, a toll, a claim or a
date; the Doc later stages get is whole all the same."""

from __future__ import annotations

import pytest

from sitrep import gate
from sitrep.document import RawArticle
from sitrep.ingest import find_files, read_one
from sitrep.nlp import build_nlp
from sitrep.pipeline import process
from sitrep.settings import data_path

TEXT = ("Convoy ambushed near Gao\n\n"
        "Gunmen attacked a supply convoy on the road to Gao, killing four drivers, the army said. "
        "The road crosses a flat, empty plain. "
        "The convoy had left Bamako on Monday. "
        "Its trucks were painted white and blue, and the drivers knew the route well.")


@pytest.fixture(scope="module")
def doc(settings):
    [parsed] = gate.pipe(build_nlp(settings), [TEXT])
    return parsed


def _sentence(doc, start: str):
    return next(s for s in doc.sents if s.text.startswith(start))


def test_inflections_come_from_the_lemmatizers_own_tables(settings):
    nlp = build_nlp(settings)
    rules, irregular = gate._lemmatizer_tables(nlp)
    assert {"kills", "killed", "killing"} <= gate.inflections("kill", rules, irregular)
    assert "shot" in gate.inflections("shoot", rules, irregular)
    assert "kidnapped" in gate.inflections("kidnap", rules, irregular)
    assert {"seized", "seizes", "seizing"} <= gate.inflections("seize", rules, irregular)


def test_each_sentence_gets_what_it_needs(doc):
    texts = [s.text.strip() for s in doc.sents]
    assert texts == ["Convoy ambushed near Gao",
                     "Gunmen attacked a supply convoy on the road to Gao, killing four drivers, the army said.",
                     "The road crosses a flat, empty plain.", "The convoy had left Bamako on Monday.",
                     "Its trucks were painted white and blue, and the drivers knew the route well."]
    event = _sentence(doc, "Gunmen")       # a trigger: the whole model
    attacked = next(t for t in event if t.text == "attacked")
    assert attacked.lemma_ == "attack" and attacked.pos_ == "VERB"
    assert {c.dep_ for c in attacked.children} >= {"nsubj", "dobj"}
    dated = _sentence(doc, "The convoy had")   # a date only: the entity recogniser, no parse
    assert [e.text for e in dated.ents if e.label_ == "DATE"] == ["Monday"]
    assert {t.dep_ for t in dated} == {"ROOT", "dep"} and not any(t.lemma_ for t in dated)
    light = _sentence(doc, "Its trucks")       # nothing: a flat tree, no tags
    assert light.root.i == light.start and not any(t.pos_ for t in light)
    assert not light.ents


def test_known_names_are_found_in_every_sentence(doc):
    # The EntityRuler (places, actors, countries) reads all text; Bamako's sentence has no trigger.
    assert [e.text for e in _sentence(doc, "The convoy had").ents if e.label_ == "GPE"] == ["Bamako"]


def test_both_scopes_code_the_sample_corpus_alike(settings):
    raws = [r for path in find_files([data_path("samples", "corpus")], settings)
            for r in read_one(path, settings) if isinstance(r, RawArticle)]
    assert len(raws) >= 10

    def coded(scope: str) -> set[tuple]:
        return {(a.id, e.event_type, e.sub_event_type, e.actor1 and e.actor1.name, e.actor2 and e.actor2.name,
                 e.place and e.place.text, e.date and e.date.start, e.context)
                for a in process(list(raws), settings.updated(model_scope=scope)) for e in a.events}

    everything, gated = coded("all"), coded("event_sentences")
    assert len(everything) >= 60
    # Pieces read apart can tip the model on a word or two; the coding must stay the same.
    assert len(everything & gated) >= 0.95 * len(everything), (everything - gated, gated - everything)


def test_an_unknown_scope_is_refused(settings):
    with pytest.raises(ValueError, match="model_scope"):
        settings.updated(model_scope="some")
