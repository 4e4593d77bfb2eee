"""The spaCy stage: the EntityRuler fixes what the bare model gets wrong on Sahel names."""

from __future__ import annotations

from sitrep.document import RawArticle
from sitrep.pipeline import process

TEXT = ("Fighting Spreads Across Northern Mali\n"
        "Mali has deployed more troops to Gao after JNIM fighters attacked a convoy on the road from "
        "Kidal on Sunday, officials said. Residents of Timbuktu reported gunfire overnight, while the "
        "government in Bamako said the situation was under control.")


def test_ruler_labels_sahel_names(settings):
    [article] = process([RawArticle(path="t.txt", format="txt", text=TEXT)], settings)
    labels = {m.text: m.label for m in article.mentions}
    for place in ("Mali", "Gao", "Kidal", "Timbuktu", "Bamako"):
        assert labels.get(place) == "GPE", (place, labels)
    assert labels["JNIM"] == "ORG"
    ruled = [m for m in article.mentions if m.text == "Gao"][0]
    assert ruled.source == "entity_ruler:place:gao" and ruled.confidence == settings.ruler_confidence


def test_mentions_point_into_the_clean_and_the_raw_text(settings):
    [article] = process([RawArticle(path="t.txt", format="txt", text="\n\n  " + TEXT)], settings)
    assert article.status == "processed" and article.mentions
    for m in article.mentions:
        assert article.text[m.start:m.end] == m.text
        assert m.sentence_start <= m.start < m.end <= m.sentence_end
        assert article.raw.text[m.raw_start:m.raw_end] == m.text


def test_french_is_stored_but_not_processed(settings):
    french = RawArticle(path="fr.txt", format="txt", text=(
        "Attaque contre un camp militaire au Burkina Faso\n"
        "Des hommes armés ont attaqué samedi un camp de l'armée près de Djibo, dans le nord du pays, "
        "faisant plusieurs morts parmi les soldats, selon des sources sécuritaires."))
    [article] = process([french], settings)
    assert article.language == "fr"
    assert article.status == "skipped" and "language 'fr'" in article.error
    assert article.mentions == []


def test_attribute_table_gives_the_rulers_output_on_every_token(settings, samples_dir):
    """The lookup table that stands in for the model's attribute_ruler (attribute_table.py) must
    set the same part of speech, morphology, lemma, tag and dependency label on every token."""
    import spacy

    from sitrep.attribute_table import AttributeTable
    from sitrep.nlp import MODEL_PACKAGE, build_nlp

    texts = [p.read_text(encoding="utf-8") for p in sorted(samples_dir.rglob("*.txt"))]
    assert len(texts) >= 5
    texts.append("Y'all gon na see: let's go, it ain't over. I told you it was them, and you knew it.")
    ours = build_nlp(settings)
    assert isinstance(ours.get_pipe("attribute_ruler"), AttributeTable)
    model = spacy.load(MODEL_PACKAGE)
    model.add_pipe("paragraph_breaks", before="parser")
    tokens = 0
    for a, b in zip(ours.pipe(texts), model.pipe(texts)):
        for x, y in zip(a, b, strict=True):
            tokens += 1
            assert (x.pos_, str(x.morph), x.lemma_, x.tag_, x.dep_) == \
                   (y.pos_, str(y.morph), y.lemma_, y.tag_, y.dep_), (x.text, x.i)
    assert tokens > 2000
