"""Claims: attributed statements ("Wagner said the state controls its territory").

A reporting verb (data/events/reporting_verbs.yaml) with a subject is a claim: the speaker is
the subject (or the subject of the clause it hangs from: "..., claiming that ..."), the claim is
the verb's clausal complement, object or the quoted text. "According to X, ..." makes X the
speaker of the rest of the sentence. Speakers are normalised to dictionary actors when the
speaker phrase names one ("Wagner officials" -> Wagner Group).
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from .document import ActorMention, Article, Claim, doc_text
from .settings import Settings, data_path

QUOTES = "\"“”«»"


@lru_cache(maxsize=1)
def _verbs() -> tuple[frozenset, frozenset]:
    with open(data_path("events", "reporting_verbs.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return frozenset(data["verbs"]), frozenset(data.get("need_clause") or [])


def extract_claims(articles: list[Article], settings: Settings) -> list[Article]:
    """Batch stage: claims of every parsed article (runs after the actors are found)."""
    for article in articles:
        if article.doc is None or article.status != "new":
            continue
        article.claims = [c for sent in article.doc.sents for c in sentence_claims(sent, article.actors)]
    return articles


def sentence_claims(sent, actors: list[ActorMention]) -> list[Claim]:
    verbs, need_clause = _verbs()
    claims = []
    for token in sent:
        if token.pos_ not in ("VERB", "AUX") or token.lemma_ not in verbs:
            continue
        speaker = _subject(token)
        content = _content(token, need_clause)
        if speaker is None or content is None:
            continue
        start, end = content
        claims.append(_claim(sent, speaker, token.text, start, end, actors))
    claims.extend(_according_to(sent, actors))
    return claims


def _subject(verb):
    """The speaker: the verb's subject, or the subject of the clause a participle hangs from."""
    for t in (verb, verb.head if verb.dep_ in ("advcl", "conj", "xcomp") else None):
        if t is None:
            continue
        for child in t.children:
            if child.dep_ in ("nsubj", "nsubjpass") and child.lower_ not in ("it", "this", "that", "which"):
                return child
    return None


def _content(verb, need_clause) -> tuple[int, int] | None:
    """Character span of what was claimed: a clause, a quote, or an object."""
    for child in verb.children:
        if child.dep_ in ("ccomp", "xcomp"):
            tokens = [t for t in child.subtree]
            return _trim(tokens)
    quoted = _quote_near(verb)
    if quoted:
        return quoted
    if verb.lemma_ in need_clause:
        return None
    for child in verb.children:
        if child.dep_ == "dobj" and len(list(child.subtree)) >= 3:
            return _trim(list(child.subtree))
    return None


def _trim(tokens) -> tuple[int, int] | None:
    tokens = [t for t in tokens if not t.is_punct or t.text in QUOTES]
    while tokens and (tokens[0].dep_ == "mark" or tokens[0].text in QUOTES):
        tokens = tokens[1:]
    while tokens and tokens[-1].text in QUOTES:
        tokens = tokens[:-1]
    if len(tokens) < 3:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _quote_near(verb) -> tuple[int, int] | None:
    """A quoted passage in the verb's sentence, when the verb introduces it."""
    sent = verb.sent
    text, base = sent.text, sent.start_char
    opens = [i for i, c in enumerate(text) if c in "\"“«"]
    for i in opens:
        close = next((j for j in range(i + 1, len(text)) if text[j] in "\"”»"), None)
        if close and close - i > 15:
            return base + i + 1, base + close
    return None


def _claim(sent, speaker, verb: str, start: int, end: int, actors: list[ActorMention]) -> Claim:
    subtree = list(speaker.subtree)
    s_start, s_end = subtree[0].idx, subtree[-1].idx + len(subtree[-1].text)
    doc = sent.doc
    speaker_text = doc_text(doc)[s_start:s_end]
    actor = next((m for m in actors if s_start <= m.start < s_end and m.name), None)
    return Claim(speaker=speaker_text, speaker_actor=actor.name if actor else None, verb=verb,
                 text=doc_text(doc)[start:end], start=start, end=end,
                 sentence_start=sent.start_char, sentence_end=sent.end_char,
                 confidence=0.8 if actor else 0.6)


def _according_to(sent, actors: list[ActorMention]) -> list[Claim]:
    claims = []
    for token in sent:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to":
            to = token.doc[token.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            if pobj is None:
                continue
            subtree = list(pobj.subtree)
            rest = [t for t in sent if t.i < token.i or t.i > subtree[-1].i]
            span = _trim(rest)
            if span:
                claims.append(_claim(sent, pobj, "according to", span[0], span[1], actors))
    return claims
