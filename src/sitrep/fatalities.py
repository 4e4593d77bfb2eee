"""Deaths reported in a sentence, coded by ACLED's conservative rule.

`count_fatalities(sent)` reads one spaCy sentence and returns a `Fatalities` (best, low, high,
the words that gave it, their offsets in the doc's text, and the rule) or None when the
sentence reports no deaths. `merge_counts` combines the counts of several sentences about one
event. The words live in `data/events/fatality_words.yaml`.

How a number becomes deaths (the dependency parse ties it to a death word; a number never
counts for standing near one):

* the quantity: digits ("30", "1,200"), number words ("twenty-five", "two hundred",
  "a dozen"), ranges ("between 30 and 50", "30-50", "two or three": best = low = the lower,
  high = the upper) and vague words with ACLED's values ("dozens" = 12, "hundreds" = 100 ...,
  listed with their source in the data file). "over 30", "more than 60", "at least 12" and
  "up to 40" are coded as the number written (ACLED: the most conservative reported figure).
* the link: the number, or the noun it counts, is the object of an active death verb
  ("killing 44 worshippers", "killed 5"), the subject of a passive one ("30 soldiers were
  killed") or of a headline participle ("30 killed"), the subject of "die"/"perish", of "lost
  their lives", the object of a verb with "dead" ("left 21 civilians dead", "shot dead"), is
  counted by a death noun ("12 deaths", "30 dead", "the bodies of 12 herders", "the lives of
  30"), or is what a toll reaches ("the death toll rose to 70", "put the toll at 45"). Agents
  ("50 gunmen attacked"), ages ("40-year-old"), years, times, the wounded and the kidnapped
  have none of these links and are not counted.
* no number: a singular victim ("a soldier was killed", "shot dead the chief") counts 1; a
  bare plural ("soldiers were killed") counts ACLED's plural value (10) and only when the
  sentence has nothing better. "no one was killed", "no casualties" give 0 (rule "none").
* in one sentence: conjoined groups of one verb are added ("killing 10 soldiers and 5
  civilians" = 15, "killed 10 soldiers and a civilian" = 11); groups under different verbs are
  added when their victims differ ("10 soldiers were killed and 5 civilians died" = 15);
  otherwise they are two reports of the same deaths, and best is the lower (low = min,
  high = max). Breakdowns ("including 12 officers", "12 of them", "12 people, eight children
  and four women") are not added.
* a sentence whose only casualties are wounded gives 0 with rule "wounded-only:...".

Every rule starts with its category, which `merge_counts` uses to rank reports:
"count:" (a number or a singular victim), "vague:" (a vague word), "plural:" (a bare plural),
"none:" (nobody died), "wounded-only:". A rule ends in ":claim" when a verb like "claimed"
governs the death word (the caller flags claims).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any

import yaml

from .document import Fatalities, doc_text
from .settings import data_path

NOMINAL_POS = {"NOUN", "PROPN", "PRON", "NUM", "ADJ"}
VERB_POS = {"VERB", "AUX"}

_LIST_SECTIONS = (
    "death_verbs", "die_verbs", "death_nouns", "dead_results", "to_death", "life_nouns",
    "life_verbs", "loss_verbs", "toll_nouns", "toll_prepositions", "wound_verbs", "wound_nouns", "none_nouns",
    "none_pronouns", "claim_verbs", "non_human", "animal_measures", "collective_nouns", "generic_victims",
    "singular_pronouns", "subset_pronouns", "range_separators", "summary_fillers",
    "attempt_words", "anaphoric_victims", "grievance_heads", "breakdown_leads",
)


# --- the word lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FatalityWords:
    lists: dict[str, frozenset[str]]
    vague_words: dict[str, tuple[int, str]]                      # "dozens" -> (12, rule)
    vague_phrases: tuple[tuple[tuple[str, ...], int, str], ...]  # ("a", "number", "of") -> ...
    implicit_plural: tuple[int, str]
    qualifiers: tuple[tuple[tuple[str, ...], str], ...]          # longest phrase first
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    lemma_fixes: dict[str, str]                                  # "corpses" -> "corpse"

    def __getattr__(self, name: str) -> frozenset[str]:
        try:
            return self.lists[name]
        except KeyError:
            raise AttributeError(name) from None


def _clean_list(path: Path, section: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{path}: '{section}' must be a non-empty list")
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{path}: '{section}' has an empty entry")
        out.append(item.strip().lower())
    return out


def _clean_numbers(path: Path, section: str, value: Any) -> dict[str, int]:
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{path}: 'number_words.{section}' must be a non-empty mapping")
    out = {}
    for word, number in value.items():
        if not isinstance(word, str) or not word.strip() or not isinstance(number, int):
            raise ValueError(f"{path}: 'number_words.{section}' has an empty or non-integer entry")
        out[word.strip().lower()] = number
    return out


def parse_words(data: dict, path: Path) -> FatalityWords:
    """Validate the YAML content of fatality_words.yaml (no missing section, no empty entry)."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    lists = {name: frozenset(_clean_list(path, name, data.get(name))) for name in _LIST_SECTIONS}

    vague_words: dict[str, tuple[int, str]] = {}
    vague_phrases = []
    entries = data.get("vague_quantities")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: 'vague_quantities' must be a non-empty list")
    for entry in entries:
        value, rule = entry.get("value"), entry.get("rule")
        if not isinstance(value, int) or not isinstance(rule, str) or not rule.strip():
            raise ValueError(f"{path}: a vague quantity needs an integer 'value' and a 'rule'")
        if "words" in entry:
            for word in _clean_list(path, "vague_quantities.words", entry["words"]):
                vague_words[word] = (value, rule.strip())
        elif isinstance(entry.get("phrase"), str) and entry["phrase"].strip():
            vague_phrases.append((tuple(entry["phrase"].lower().split()), value, rule.strip()))
        else:
            raise ValueError(f"{path}: a vague quantity needs 'words' or a non-empty 'phrase'")

    plural = data.get("implicit_plural") or {}
    if not isinstance(plural.get("value"), int) or not str(plural.get("rule", "")).strip():
        raise ValueError(f"{path}: 'implicit_plural' needs 'value' and 'rule'")

    qualifiers = []
    table = data.get("qualifiers")
    if not isinstance(table, dict) or not table:
        raise ValueError(f"{path}: 'qualifiers' must be a non-empty mapping")
    for kind, phrases in table.items():
        for phrase in _clean_list(path, f"qualifiers.{kind}", phrases):
            qualifiers.append((tuple(phrase.split()), str(kind)))
    qualifiers.sort(key=lambda q: -len(q[0]))

    fixes = data.get("lemma_fixes")
    if not isinstance(fixes, dict) or not all(isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
                                               for k, v in fixes.items()):
        raise ValueError(f"{path}: 'lemma_fixes' must be a mapping of words to lemmas")

    numbers = data.get("number_words") or {}
    return FatalityWords(
        lists=lists, vague_words=vague_words, vague_phrases=tuple(vague_phrases),
        implicit_plural=(plural["value"], str(plural["rule"]).strip()),
        qualifiers=tuple(qualifiers),
        units=_clean_numbers(path, "units", numbers.get("units")),
        tens=_clean_numbers(path, "tens", numbers.get("tens")),
        scales=_clean_numbers(path, "scales", numbers.get("scales")),
        lemma_fixes={k.strip().lower(): v.strip().lower() for k, v in fixes.items()},
    )


@lru_cache(maxsize=1)
def fatality_words() -> FatalityWords:
    path = data_path("events", "fatality_words.yaml")
    with open(path, encoding="utf-8") as f:
        return parse_words(yaml.safe_load(f), path)


# --- numbers --------------------------------------------------------------------------------


_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")


def parse_number(words: list[str]) -> int | None:
    """The value of a written number: ["1,200"], ["twenty", "-", "five"], ["two", "hundred",
    "and", "ten"], ["a", "dozen"], ["1.5", "million"]. None if a word is not a number word."""
    w = fatality_words()
    total, current, seen = 0.0, 0.0, False
    for raw in words:
        word = raw.lower()
        if word in ("-", "and", "‐"):
            continue
        if _DIGITS.fullmatch(word):
            current += float(word.replace(",", ""))
        elif word in w.units:
            current += w.units[word]
        elif word in w.tens:
            current += w.tens[word]
        elif word in w.scales:
            current = (current or 1) * w.scales[word]
            if w.scales[word] >= 1000:
                total, current = total + current, 0.0
        else:
            return None
        seen = True
    return int(total + current) if seen else None


def _lemma(token) -> str:
    return fatality_words().lemma_fixes.get(token.lower_) or token.lemma_.lower()


def _is_number_word(token) -> bool:
    w = fatality_words()
    text = token.lower_
    if text in w.scales:
        return True
    if not token.like_num or ":" in text:
        return False
    if re.fullmatch(r"(?:19|20)\d\d", text):         # a year ("the 2015 agreement"), not a count
        return False
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if nxt is not None and nxt.lower_ in ("%", "percent", "per"):
        return False
    return parse_number([text]) is not None


def _vague_word(token) -> tuple[int, str] | None:
    w = fatality_words()
    found = w.vague_words.get(token.lower_)
    if found and token.lower_ == "scores" and token.pos_ == "VERB":
        return None
    return found


# --- quantities -----------------------------------------------------------------------------


@dataclass
class _Quantity:
    tokens: list                   # the quantity's words, qualifier included
    root: Any                      # the number word that carries the syntax
    nominal: Any                   # the token whose dependency role decides
    best: int
    low: int
    high: int
    category: str                  # count | vague
    rule: str
    negated: bool = False


_CLUSTER_DEPS = {"compound", "quantmod", "advmod", "amod", "det", "cc", "conj", "punct", "nummod", "nmod"}


def _phrase_keys(sent) -> dict[int, tuple[list, int, str]]:
    """Tokens standing for a multi-word vague quantity ("a number of" -> "number")."""
    w = fatality_words()
    keys: dict[int, tuple[list, int, str]] = {}
    toks = list(sent)
    lowers = [t.lower_ for t in toks]
    for phrase, value, rule in w.vague_phrases:
        n = len(phrase)
        for i in range(len(toks) - n + 1):
            if tuple(lowers[i:i + n]) == phrase:
                words = toks[i:i + n]
                key = [t for t in words if t.lower_ not in ("a", "an", "of")][-1]
                keys[key.i] = (words, value, rule)
    return keys


def _is_quantity_word(token, phrase_keys) -> bool:
    return token.i in phrase_keys or _vague_word(token) is not None or _is_number_word(token)


def _quantities(sent) -> list[_Quantity]:
    phrase_keys = _phrase_keys(sent)
    numberish = [t for t in sent if _is_quantity_word(t, phrase_keys)]
    members = {t.i for t in numberish}

    def cluster_root(t):
        while (t.head.i != t.i and t.head.i in members and not _apart(t.head, t, members)
               and (t.dep_ in ("compound", "quantmod", "conj", "nummod", "nmod", "amod", "advmod")
                    or _range_end(t, t.head))):
            t = t.head
        return t

    roots = sorted({cluster_root(t).i for t in numberish})
    out = []
    for i in roots:
        root = sent.doc[i]
        tokens = _cluster(root, members)
        q = _make_quantity(root, tokens, phrase_keys)
        if q is not None:
            out.append(q)
    return out


def _range_end(t, head) -> bool:
    """ "6-8 killed": the parse may hang the upper figure on the lower one as a preposition."""
    w = fatality_words()
    return (t.i == head.i + 2 and t.dep_ in ("prep", "pobj", "punct", "dep", "appos")
            and t.doc[head.i + 1].lower_ in w.range_separators)


def _apart(head, t, members) -> bool:
    """ "nine dead and five wounded": two figures, each with its own word, are not one range
    ("two or three", "30 and 50" are)."""
    if t.dep_ != "conj":
        return False
    lo, hi = sorted((head.i, t.i))
    return any(x.i not in members and x.pos_ not in ("CCONJ", "PUNCT") for x in t.doc[lo + 1:hi])


def _cluster(root, members) -> list:
    tokens, todo = [root], [root]
    while todo:
        t = todo.pop()
        for c in t.children:
            if c.i in members and _apart(t, c, members):
                continue
            if c.i in members and _range_end(c, t):
                tokens.extend([c.doc[t.i + 1], c])
                todo.append(c)
                continue
            if c.dep_ not in _CLUSTER_DEPS:
                continue
            if c.dep_ in ("conj", "nummod", "compound", "nmod") and c.i not in members:
                continue
            if c.i > root.i and c.i not in members and c.dep_ not in ("cc", "punct"):
                continue
            tokens.append(c)
            todo.append(c)
    tokens.sort(key=lambda t: t.i)
    while len(tokens) > 1 and tokens[-1].i > root.i and tokens[-1].dep_ in ("cc", "punct"):
        tokens.pop()                     # "nine dead and [five wounded]": the "and" is not its
    return tokens


def _qualifier(words: list[str]) -> str | None:
    w = fatality_words()
    for phrase, kind in w.qualifiers:
        n = len(phrase)
        for j in range(len(words) - n + 1):
            if tuple(words[j:j + n]) == phrase:
                return kind
    return None


def _make_quantity(root, tokens, phrase_keys) -> _Quantity | None:
    w = fatality_words()
    if root.i in phrase_keys:
        words, value, rule = phrase_keys[root.i]
        tokens = sorted({*tokens, *words}, key=lambda t: t.i)
        return _Quantity(tokens, root, _nominal(root), value, value, value, "vague", rule)

    number_tokens = [t for t in tokens if _is_number_word(t) or _vague_word(t)]
    if not number_tokens:
        return None
    numbers = [t for t in number_tokens if _is_number_word(t)]
    if numbers and _qualifier([t.lower_ for t in tokens if t.i < numbers[0].i]):
        # "as many as 14": "many" belongs to the qualifier, the figure is the number
        number_tokens = [t for t in number_tokens if t.i >= numbers[0].i or not _vague_word(t)]
    first = number_tokens[0]
    before = [t.lower_ for t in tokens if t.i < first.i]
    negated = "no" in before
    qualifier = _qualifier(before)
    nominal = _nominal(root)

    vague = [t for t in number_tokens if _vague_word(t)]
    if vague:
        scale = next((t for t in number_tokens if t.lower_ in w.scales), None)
        if scale is not None and f"{scale.lower_}s" in w.vague_words:   # "several hundred"
            value, rule = w.vague_words[f"{scale.lower_}s"]
        else:
            value, rule = _vague_word(vague[-1])
        return _Quantity(tokens, root, nominal, value, value, value, "vague", rule, negated)

    # split the number words into groups at range separators ("30 and 50", "30-50", "two or three")
    span = [t for t in tokens if first.i <= t.i <= number_tokens[-1].i]
    groups: list[list[str]] = [[]]
    for k, t in enumerate(span):
        if t.lower_ in w.range_separators and groups[-1]:
            prev = groups[-1][-1]
            nxt = span[k + 1].lower_ if k + 1 < len(span) else ""
            joins = ((t.lower_ == "and" and prev in w.scales)                  # hundred and ten
                     or (t.lower_ in ("-", "‐") and prev in w.tens and nxt in w.units))  # twenty-five
            if not joins:
                groups.append([])
                continue
        if _is_number_word(t):
            groups[-1].append(t.lower_)
    values = [parse_number(g) for g in groups if g]
    if not values or any(v is None for v in values):
        return None
    if len(values) >= 2:
        low, high = min(values), max(values)
        return _Quantity(tokens, root, nominal, low, low, high, "count", "count:range", negated)
    value = values[0]
    dozen = any(t.lower_ == "dozen" for t in number_tokens)
    rule = f"count:{qualifier}" if qualifier else ("count:dozen" if dozen else "count:number")
    return _Quantity(tokens, root, nominal, value, value, value, "count", rule, negated)


def _nominal(root):
    """The token whose role counts: the noun a number modifies, else the number itself."""
    if (root.dep_ in ("nummod", "quantmod", "amod", "det", "nmod", "compound") and root.head.i != root.i
            and root.head.pos_ in NOMINAL_POS | {"ADV"}):
        return root.head
    return root


# --- roles ------------------------------------------------------------------------------------


def _negated(verb) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _attempted(verb) -> bool:
    """ "attempted to assassinate the mayor", "an attempt to kill him", "tried to execute":
    the act was tried, not done (ACLED codes no death unless one is reported)."""
    w = fatality_words()
    head = verb.head
    return verb.dep_ in ("xcomp", "acl", "advcl") and head.i != verb.i and _lemma(head) in w.attempt_words \
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _has_child(token, deps: set[str], lemmas: frozenset[str] | set[str] | None = None) -> bool:
    return any(c.dep_ in deps and (lemmas is None or _lemma(c) in lemmas) for c in token.children)


def _is_toll(token) -> bool:
    w = fatality_words()
    if _lemma(token) in w.toll_nouns:
        return True
    if _lemma(token) == "number":               # "the number of dead"
        return any(c.dep_ == "prep" and c.lower_ == "of" and
                   any(_lemma(p) in w.death_nouns for p in c.children) for c in token.children)
    return False


def _has_toll_argument(verb) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass", "dobj") and _is_toll(c) for c in verb.children)


def _dead_result(verb, deps: set[str]) -> bool:
    """ "left 21 civilians dead", "found dead": a result word of the verb; not one with a subject
    of its own ("one attacker dead, two policemen wounded": the policemen live)."""
    w = fatality_words()
    return any(r.dep_ in deps and _lemma(r) in w.dead_results and not _has_child(r, {"nsubj"})
               for r in verb.children)


def _verb_role(x, h) -> tuple[str, Any, str] | None:
    """Role of `x` as an argument of the verb `h`."""
    w = fatality_words()
    dep, lh = x.dep_, _lemma(h)
    if _negated(h) or _attempted(h):
        return None
    if lh in w.death_verbs:
        if dep == "dobj":
            return "death", h, "object"
        if dep == "nsubjpass":
            return "death", h, "passive-subject"
        if dep == "nsubj" and not _has_child(h, {"dobj"}) and h.tag_ in ("VBN", "VBD"):
            return "death", h, "headline"
    if lh in w.die_verbs and dep in ("nsubj", "nsubjpass"):
        return "death", h, "died"
    if dep == "nsubjpass":
        for c in h.children:               # "four men ... were abducted and executed"
            if c.dep_ == "conj" and c.tag_ == "VBN" and _lemma(c) in w.death_verbs and not _negated(c) \
                    and not _has_child(c, {"nsubj", "nsubjpass", "dobj"}):
                return "death", c, "shared-passive-subject"
    if lh == "lose" and dep == "nsubj" and _has_child(h, {"dobj"}, w.life_nouns):
        return "death", h, "lost-lives"
    if lh in w.loss_verbs and dep == "dobj" and _lemma(x) not in w.life_nouns:
        return "death", h, "lost"
    if dep in ("dobj", "nsubjpass", "nsubj") and _dead_result(
            h, {"oprd", "acomp", "xcomp", "advmod", "ccomp", "dobj", "npadvmod", "amod"}):
        return "death", h, "left-dead"
    if dep in ("dobj", "nsubjpass") and any(
            c.dep_ == "prep" and c.lower_ == "to" and any(_lemma(p) in w.to_death for p in c.children)
            for c in h.children):
        return "death", h, "to-death"
    if dep in ("dobj", "attr", "oprd") and _has_toll_argument(h):
        return "death", h, "toll"
    if lh in w.wound_verbs:
        if dep in ("dobj", "nsubjpass") or (dep == "nsubj" and not _has_child(h, {"dobj"})):
            return "wound", h, "wounded"
    return None


def _role(q: _Quantity | None, nominal) -> tuple[str, Any, str] | None:
    """('death' | 'wound', anchor token, how) for a counted token, or None. A death word right
    after the count beats a wound word further on that the parse tied it to ("11 soldiers and
    4 attackers dead, several wounded")."""
    role = _parse_role(q, nominal)
    if role is not None and role[0] == "wound":
        trailing = _trailing_result(q, nominal)
        if trailing is not None and trailing[0] == "death" and trailing[1].i < role[1].i:
            return trailing
    return role


def _parse_role(q: _Quantity | None, nominal) -> tuple[str, Any, str] | None:
    w = fatality_words()
    counted_by_number = q is not None and nominal.i != q.root.i
    if counted_by_number:
        ln = _lemma(nominal)
        if ln in w.life_nouns:
            if _lemma(nominal.head) in w.life_verbs:
                return "death", nominal.head, "lives"
        elif ln in w.death_nouns and not _is_toll(nominal):
            return "death", nominal, "death-noun"
        elif ln in w.wound_nouns:
            return "wound", nominal, "wound-noun"
    for c in nominal.children:                      # "30 people killed in ...", "30 people dead"
        if c.dep_ in ("acl", "amod") and c.tag_ == "VBN" and _lemma(c) in w.death_verbs:
            return "death", c, "participle"
        if c.dep_ in ("amod", "acomp", "acl") and _lemma(c) in w.dead_results:
            return "death", c, "dead"
        if c.dep_ in ("acl", "amod") and c.tag_ == "VBN" and _lemma(c) in w.wound_verbs:
            return "wound", c, "participle"

    x = nominal
    while x.dep_ == "conj" and x.head.i != x.i and x.head.pos_ in NOMINAL_POS:
        x = x.head
    h = x.head
    if h.i == x.i:
        return _trailing_result(q, nominal)
    if h.pos_ in VERB_POS or h.tag_.startswith("VB"):
        role = _verb_role(x, h)
        if role is not None:
            return role
    if x.dep_ == "pobj" and h.pos_ == "ADP":
        p, g = h.lower_, h.head
        if p in w.toll_prepositions:
            if p in ("to", "at") and (g.pos_ in VERB_POS) and _has_toll_argument(g):
                return "death", g, "toll"
            if p == "of" and _is_toll(g):
                return "death", g, "toll"
        if p == "of":
            if _lemma(g) in w.life_nouns and _lemma(g.head) in w.life_verbs:
                return "death", g.head, "lives-of"
            if _lemma(g) in w.death_nouns and not _is_toll(g):
                return "death", g, "of-death-noun"
            if _lemma(g) in w.wound_nouns:
                return "wound", g, "of-wound-noun"
    if x.dep_ == "npadvmod" and _lemma(x) in w.dead_results:   # "30 dead" read as an adverb
        return "death", x, "dead"
    # "..., at least one killed and one wounded", "2 dead and 7 wounded", "9 soldiers and 2
    # jihadists dead": incident summaries put the result right after the count, and the parse
    # often ties neither to the other.
    return _trailing_result(q, nominal)


def _trailing_result(q: _Quantity | None, nominal) -> tuple[str, Any, str] | None:
    """The death or wound word that follows a count in a summary ("2 dead", "1 soldier killed",
    "9 soldiers and 2 jihadists dead", "4 reported killed"), read on the words, not the parse.

    From the end of the counted phrase, words of the phrase (adjectives, nouns, names) and
    fillers ("reported", "were") are passed over, at most `SUMMARY_SPAN` in a row; "and", ","
    or "&" followed by another count continue a list of counts. A death verb that has an object
    of its own ("2 men killed a soldier") makes the count its agent, not its victims."""
    w = fatality_words()
    doc, sent = nominal.doc, nominal.sent
    if q is not None and q.root.ent_type_ in ("DATE", "TIME", "QUANTITY", "MONEY", "PERCENT"):
        return None
    # a vague word ("several killed", "a number of Dozos killed") only with its result at hand,
    # never through a list ("multiple directions, two soldiers were killed")
    vague = q is not None and q.category != "count"
    span = 2 if vague else SUMMARY_SPAN
    first = min([nominal.i, *(t.i for t in (q.tokens if q is not None else []))])
    after = max([nominal.i, *(t.i for t in (q.tokens if q is not None else []))]) + 1
    wounded = after < sent.end and (_lemma(doc[after]) in w.wound_verbs or doc[after].lower_ in w.wound_nouns)
    if first > sent.start and not wounded:
        # "arrested and executed at least ten individuals ..., the victims were found": the
        # parse gave the count to a later verb; the active death verb just before it has none
        prev = doc[first - 1]
        if _lemma(prev) in w.death_verbs and prev.tag_ in ("VBD", "VBG", "VBN") and not _negated(prev) \
                and not _attempted(prev) and not _has_child(prev, {"auxpass", "nsubjpass"}) \
                and not _has_victim_object(prev):
            return "death", prev, "object"
    last = max([nominal.i, *(t.i for t in (q.tokens if q is not None else [])
                             if t.dep_ not in ("cc", "punct", "conj"))])
    j, run = last + 1, 0
    while j < sent.end and run <= span:
        t = doc[j]
        lemma = _lemma(t)
        if lemma in w.dead_results:
            return "death", t, "trailing-dead"
        if t.tag_ in ("VBN", "VBD") and (lemma in w.death_verbs or lemma in w.die_verbs):
            if _negated(t) or (lemma in w.death_verbs and _has_victim_object(t)):
                return None
            return "death", t, "reduced-passive"
        if lemma in w.wound_verbs or t.lower_ in w.wound_nouns:
            return ("wound", t, "reduced-passive") if t.tag_ in ("VBN", "VBD", "JJ") else None
        if not vague and t.lower_ in ("and", ",", "&") and j + 1 < sent.end and _is_number_word(doc[j + 1]):
            j, run = j + 2, 0                     # the next count of a list
            continue
        if t.lower_ in w.summary_fillers or (t.pos_ in ("ADJ", "NOUN", "PROPN") and t.tag_ != "VBN"
                                             and not t.is_punct):
            j, run = j + 1, run + 1
            continue
        return None
    return None


SUMMARY_SPAN = 6


def _has_victim_object(verb) -> bool:
    """The verb has an object that can be its victims: not a thing ("killing four herders and
    burning motorbikes" read with "motorbikes" as the object) and not a count of wounded the
    parse hung on it ("one gendarme killed two wounded")."""
    w = fatality_words()
    for c in verb.children:
        if c.dep_ != "dobj" or _not_human(c):
            continue
        if any(g.dep_ in ("acl", "amod") and _lemma(g) in w.wound_verbs for g in c.children):
            continue
        return True
    return False


def _victim(nominal, q: _Quantity | None):
    """The counted people: "civilians" in "dozens of civilians", the noun itself, or None."""
    for c in nominal.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in c.children:
                if p.dep_ == "pobj":
                    return p
    if q is not None and nominal.i == q.root.i:
        return None
    return nominal


# --- reports ----------------------------------------------------------------------------------


_TIER = {"count": 0, "none": 0, "vague": 1, "plural": 2}


@dataclass
class _Report:
    kind: str                      # death | wound | none
    category: str                  # count | vague | plural | none
    best: int
    low: int
    high: int
    anchor: Any
    victim: str                    # lemma of the counted noun, "" when generic or absent
    tokens: list = field(default_factory=list)
    rule: str = ""
    counted: Any = None            # the counted token ("soldiers" in "30 soldiers")


def _victim_key(token) -> str:
    w = fatality_words()
    if token is None:
        return ""
    lemma = _lemma(token)
    return "" if lemma in w.generic_victims or token.pos_ == "PRON" else lemma


def _is_claim(anchor) -> bool:
    w = fatality_words()
    t = anchor
    for _ in range(6):
        if _lemma(t) in w.claim_verbs and not _has_child(t, {"dobj"}, w.life_nouns):  # not "claimed the lives"
            return True
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def _wounded_who_died(sent, reports: list[_Report]) -> list[_Report]:
    """ "wounded two others, the two wounded later succumbed", "wounded another who died the next
    day": the wounded who die are dead too, other people than those killed at once."""
    w = fatality_words()
    out = []
    for t in sent:
        if _lemma(t) not in w.die_verbs:
            continue
        subject = next((c for c in t.children if c.dep_ == "nsubj"), None)
        if subject is None or any(r.kind == "death" and r.anchor.i == t.i for r in reports):
            continue
        if subject.tag_ in ("WP", "WDT") and t.dep_ == "relcl" and _lemma(t.head.head) in w.wound_verbs:
            # "wounded another who succumbed", "wounded a trader who later died"
            best = 1 if t.head.lower_ in ("another", "one") or t.head.tag_ == "NN" else 0
        elif subject.lower_ in w.wound_nouns or any(_lemma(c) in w.wound_verbs for c in subject.children):
            earlier = [r for r in reports if r.kind == "wound" and r.anchor.i < t.i]
            # "the two wounded later succumbed"; "the guard who was wounded later died" is one
            best = 1 if subject.tag_ == "NN" else earlier[-1].best if earlier else 0
        else:
            continue
        if best:
            out.append(_Report("death", "count", best, best, best, t, "wounded", [subject, t],
                               "count:wounded-died"))
    return out


def _grievance(anchor) -> bool:
    """ "rioted in protest against the killing of a girl", "angry about the death of a guard": a
    death that a crowd reacts to, told earlier, is not this event's toll."""
    heads = fatality_words().grievance_heads
    return any(t.dep_ == "pobj" and t.head.lower_ in ("against", "about", "over", "at") and _lemma(t.head.head) in heads
               for t in islice(chain([anchor], anchor.ancestors), 6))


def _explicit_reports(sent, quantities: list[_Quantity]) -> list[_Report]:
    w = fatality_words()
    reports = []
    for q in quantities:
        role = _role(q, q.nominal)
        if role is None:
            continue
        kind, anchor, how = role
        victim = _victim(q.nominal, q)
        if victim is not None and victim.lower_ in w.subset_pronouns:
            continue                                 # "12 of them": part of a count already made
        if victim is not None and _not_human(victim):
            continue
        tokens = [*q.tokens, q.nominal, anchor]
        if q.negated and kind == "death":
            reports.append(_Report("none", "none", 0, 0, 0, anchor, "", tokens, f"none:no-{how}"))
            continue
        reports.append(_Report(kind, q.category, q.best, q.low, q.high, anchor, _victim_key(victim),
                               tokens, f"{q.rule}@{how}", q.nominal))
    return reports


def _victim_slots(anchor) -> list[tuple[Any, str]]:
    """The tokens that name the dead around a death word, with how they were found."""
    w = fatality_words()
    la = _lemma(anchor)
    slots = []
    if anchor.pos_ in VERB_POS and not _negated(anchor) and not _attempted(anchor):
        headline = (anchor.tag_ == "VBN" or any(c.dep_ == "agent" for c in anchor.children)) and \
            not any(c.dep_ == "aux" and _lemma(c) == "have" for c in anchor.children)
        has_object = _has_child(anchor, {"dobj", "nsubjpass"})
        # "the attack left 6 dead": the dead are counted on "dead"; the subject is the cause
        counted_dead = any(_lemma(c) in w.dead_results and _has_child(c, {"nummod"}) for c in anchor.children)
        if la in w.death_verbs and (headline or anchor.tag_ == "VBD") and anchor.dep_ == "acl" \
                and anchor.head.pos_ in NOMINAL_POS and not _is_toll(anchor.head) \
                and not any(_is_number_word(t) for t in anchor.doc[anchor.head.i + 1:anchor.i]):
            first = anchor.head                              # "a guard and his guide killed by ..."
            while first.dep_ == "conj" and first.head.i < first.i and first.head.pos_ in NOMINAL_POS:
                first = first.head
            slots.append((first, "participle"))       # "a fraction chief assassinated by gunmen"
        if la in w.death_verbs and not headline and not has_object and _headline_subject(anchor):
            headline = True                     # "Guide of the brigade assassinated at his home"
        for c in anchor.children:
            if la in w.death_verbs and headline and c.dep_ == "nsubj":
                slots.append((c, "headline-subject"))        # "Councilman assassinated by jihadists"
            elif la in w.death_verbs and c.dep_ == "dobj":
                slots.append((c, "object"))
            elif la in w.death_verbs and c.dep_ == "nsubjpass":
                slots.append((c, "passive-subject"))
            elif la in w.die_verbs and c.dep_ in ("nsubj", "nsubjpass"):
                slots.append((c, "died"))
            elif la == "lose" and c.dep_ == "nsubj" and _has_child(anchor, {"dobj"}, w.life_nouns):
                slots.append((c, "lost-lives"))
            elif (la not in w.death_verbs and (c.dep_ in ("dobj", "nsubjpass")
                                               or (c.dep_ == "nsubj" and not has_object and la != "be"
                                                   and anchor.tag_ in ("VBD", "VBN") and not counted_dead))
                  and _dead_result(anchor, {"oprd", "acomp", "xcomp", "advmod", "ccomp", "npadvmod"})):
                slots.append((c, "left-dead"))       # "shot dead the chief", "coordinator found dead"
        nxt = anchor.nbor(1) if anchor.i + 1 < anchor.sent.end else None
        if nxt is not None and _lemma(nxt) in w.dead_results and la not in w.death_verbs:
            # "shot dead the chief of staff": the parse hangs the victim on "dead"
            slots.extend((c, "left-dead") for c in nxt.children if c.dep_ == "dobj")
            if not _has_child(nxt, {"dobj"}) and nxt.dep_ == "amod":
                # "shot dead CSMAK officer Baba Ag Adobent": "dead" read as the victim's adjective
                slots.extend((c, "left-dead") for c in anchor.children if c.dep_ == "dobj")
        if la in w.death_verbs and anchor.tag_ in ("VBG", "VBD") and not any(
                c.dep_ == "dobj" and not _not_human(c) for c in anchor.children):
            # "killing a man and burning tents": the parse lost the object; read "a/an" and
            # the singular noun that follows the verb
            words = anchor.doc[anchor.i + 1:min(anchor.i + 5, anchor.sent.end)]
            if len(words) >= 2 and words[0].lower_ in ("a", "an"):
                noun = next((t for t in words[1:] if t.pos_ in ("NOUN", "PROPN")), None)
                if noun is not None and noun.tag_ in ("NN", "NNP") and not any(
                        t.is_punct or t.pos_ in VERB_POS for t in anchor.doc[anchor.i + 1:noun.i]):
                    if noun.dep_ != "dobj" or noun.head.i != anchor.i:
                        slots.append((noun, "object-by-position"))
        if la in w.death_verbs and not has_object:
            # "killed and buried a herder", "abducted and later executed a notable": conjoined
            # verbs share their object
            for v in _verb_conjuncts(anchor):
                if abs(v.i - anchor.i) <= 3:         # "killed and buried", "abducted and later executed"
                    slots.extend((c, "shared-object") for c in v.children if c.dep_ == "dobj")
            if anchor.dep_ == "conj" and anchor.tag_ == "VBN" and anchor.head.i < anchor.i \
                    and not _has_child(anchor, {"nsubj"}):
                # "four men ... were abducted and executed": the passive subject is shared
                slots.extend((c, "shared-passive-subject") for c in anchor.head.children if c.dep_ == "nsubjpass")
    elif anchor.pos_ == "NOUN" and la in w.death_nouns and la not in ("dead",):
        for c in anchor.children:                     # "the death of a soldier"
            if c.dep_ == "prep" and c.lower_ == "of":
                slots.extend((p, "of-death-noun") for p in c.children if p.dep_ == "pobj")
    return slots


def _verb_conjuncts(verb) -> list:
    """The verbs coordinated with `verb` ("arrested and executed")."""
    out = [c for c in verb.children if c.dep_ == "conj" and c.pos_ in VERB_POS]
    if verb.dep_ == "conj" and verb.head.pos_ in VERB_POS:
        out.append(verb.head)
    return out


def _headline_subject(verb) -> bool:
    """A death verb in the past with a singular subject that opens the sentence and no object:
    the summary style "Guide of the brigade assassinated at his home" (a participle the tagger
    read as a past tense)."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return (subject is not None and verb.tag_ == "VBD" and subject.tag_ in ("NN", "NNP")
            and subject.pos_ != "PRON" and subject.left_edge.i == verb.sent.start
            and subject.right_edge.i + 1 == verb.i
            and not any(_is_number_word(t) for t in subject.subtree if t.i > subject.i))


def _listed_appos(token) -> bool:
    """"an officer, a leader of the faction and six others": the parser hangs the middle item
    of a list on the first as an apposition. An indefinite common noun after a common noun,
    with the list's "and" on it, is one more item, not a second name for the first."""
    return (token.dep_ == "appos" and token.pos_ == "NOUN" and token.head.pos_ == "NOUN"
            and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.children)
            and any(c.dep_ == "cc" for c in token.children))


def _conjuncts(token) -> list:
    out, todo = [token], [token]
    while todo:
        t = todo.pop()
        for c in t.children:
            if (c.dep_ == "conj" and c.pos_ in NOMINAL_POS) or _listed_appos(c):
                out.append(c)
                todo.append(c)
    # "killed a member of the militia, his son and ...", "a leader of the faction and his
    # driver": a relative or companion named with "his"/"her" is one more victim, wherever the
    # parse hung it inside the phrase
    for t in token.subtree:
        if t.i > token.i and t not in out and t.dep_ in ("conj", "appos") and t.tag_ == "NN" and any(
                c.dep_ == "poss" and c.lower_ in ("his", "her") for c in t.children) \
                and not any(c.dep_ in ("acl", "relcl") for c in t.children):
            out.append(t)
    return out


def _implicit_reports(sent, quantities: list[_Quantity]) -> list[_Report]:
    """Deaths named without a number: "a soldier was killed", "soldiers were killed", "no one"."""
    w = fatality_words()
    counted = set()
    for q in quantities:
        counted.update(t.i for t in q.tokens)
        counted.add(q.nominal.i)
        victim = _victim(q.nominal, q)
        if victim is not None:
            counted.add(victim.i)
    linked = {t.i for q in quantities if _role(q, q.nominal) is not None for t in q.tokens}
    reports = []
    for anchor in sent:
        for slot, how in _victim_slots(anchor):
            for person in _conjuncts(slot):
                if person.i in counted:
                    continue
                if person is not slot and any(c.dep_ in ("acl", "relcl") and c.pos_ in VERB_POS
                                              and _lemma(c) not in w.death_verbs for c in person.children):
                    continue              # "a farmer killed and a herder abducted": the herder lives
                counted.add(person.i)
                report = _antecedent(person, anchor, how, quantities, linked) or _implicit(person, anchor, how)
                if report is not None and report.rule.startswith("count:number-in-phrase") and \
                        report.tokens[0].i in linked:
                    continue                  # its number is counted already ("Two FAMa soldiers killed")
                if report is not None:
                    reports.append(report)
    # "there were no casualties", "no deaths were reported"
    for t in sent:
        if _lemma(t) in w.none_nouns and t.i not in counted and any(
                c.dep_ == "det" and c.lower_ == "no" for c in t.children):
            det = [c for c in t.children if c.dep_ == "det"]
            reports.append(_Report("none", "none", 0, 0, 0, t, "", [*det, t], "none:no-" + _lemma(t)))
    return reports


def _antecedent(person, anchor, how, quantities: list[_Quantity], linked: set[int]) -> _Report | None:
    """ "abducted four men ..., they were executed", "a vehicle carrying four members ..., the
    occupants were executed", "arrested six people, the corpses of those arrested were found":
    a word that points back to people counted earlier in the sentence takes their number (the
    nearest earlier count of people that is not itself a death or wound count)."""
    w = fatality_words()
    if not (person.lower_ in w.anaphoric_victims
            or (_lemma(person) in w.anaphoric_victims and person.tag_ == "NNS"
                and any(c.dep_ == "det" and c.lower_ == "the" for c in person.children))):
        return None
    earlier = [q for q in quantities if q.root.i < person.i and q.category == "count" and q.root.i not in linked
               and q.nominal.i != q.root.i and q.nominal.tag_ in ("NNS", "NNPS")
               and not _not_human(_victim(q.nominal, q) or q.nominal)
               and q.root.ent_type_ not in ("DATE", "TIME", "QUANTITY", "MONEY", "PERCENT")]
    if not earlier:
        return None
    q = max(earlier, key=lambda q: q.root.i)
    return _Report("death", "count", q.best, q.low, q.high, anchor, _victim_key(q.nominal),
                   [*q.tokens, q.nominal, person, anchor], f"count:antecedent@{how}", q.nominal)


def _implicit(person, anchor, how) -> _Report | None:
    w = fatality_words()
    text, lemma = person.lower_, _lemma(person)
    if text in w.none_pronouns or any(c.dep_ == "det" and c.lower_ == "no" for c in person.children):
        det = [c for c in person.children if c.dep_ == "det"]
        return _Report("none", "none", 0, 0, 0, anchor, "", [*det, person, anchor],
                       f"none:nobody@{how}")
    if _not_human(person) or lemma in w.collective_nouns:
        return None
    if text in w.singular_pronouns:
        single = True
    elif person.pos_ == "PRON":
        return None
    elif person.pos_ == "PROPN":
        # a person's name, or a common noun capitalised at the head of a headline ("Councilman")
        headline_noun = not person.ent_type_ and person.i == person.sent.start
        # "an Algerian", "a retired National Guard": one person, whatever the entity type;
        # "officer Baba Ag Adobent": a name under a title
        indefinite = any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in person.children)
        titled = any(c.dep_ == "compound" and c.pos_ == "NOUN" and c.tag_ == "NN" for c in person.children)
        if person.ent_type_ != "PERSON" and not (headline_noun or indefinite or titled):
            return None
        single = True
    elif person.pos_ == "ADJ" and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in person.children):
        single = True                          # "a notable of the community was killed"
    elif person.tag_ == "NN":
        single = True
    elif person.tag_ == "NNS":
        single = False
    else:
        return None
    det = [c for c in person.children if c.dep_ in ("det", "poss")]
    count = None if single else _number_in_phrase(person)
    if count is not None:
        # "three presumed Ansaroul Islam militants were killed": the parse tied the number to
        # the group's name, but it counts the militants.
        number, value = count
        return _Report("death", "count", value, value, value, anchor, _victim_key(person),
                       [number, person, anchor], f"count:number-in-phrase@{how}", person)
    if single:
        return _Report("death", "count", 1, 1, 1, anchor, _victim_key(person), [*det, person, anchor],
                       f"count:singular@{how}", person)
    value, rule = w.implicit_plural
    return _Report("death", "plural", value, value, value, anchor, _victim_key(person), [*det, person, anchor],
                   f"plural:{rule}@{how}", person)


def _not_human(token) -> bool:
    w = fatality_words()
    lemma = _lemma(token)
    if lemma in w.animal_measures:
        return any(c.dep_ == "nummod" for c in token.children) or any(
            p.dep_ == "pobj" and _lemma(p) in w.non_human
            for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children)
    return lemma in w.non_human


def _number_in_phrase(person):
    """(token, value) of the one number word in a plural victim's phrase before it, if any."""
    doc, start = person.doc, person.i
    while start > person.left_edge.i and not doc[start - 1].is_punct and person.i - start < 6:
        start -= 1                      # the words just before it, up to a comma ("On May 2, ...")
    numbers = [t for t in doc[start:person.i] if _is_number_word(t) and t.ent_type_ not in ("DATE", "TIME")]
    if len(numbers) != 1:
        return None
    value = parse_number([numbers[0].text])
    return (numbers[0], value) if value else None


def _span(reports: list[_Report]) -> tuple[int, int]:
    """Offsets covering the reports' words and the words that complete a death phrase
    ("dead" in "left 21 civilians dead", "their lives", "to death")."""
    w = fatality_words()
    tokens = [t for r in reports for t in r.tokens]
    for r in reports:
        for c in r.anchor.children:
            if ((_lemma(c) in w.dead_results and c.dep_ != "amod")
                    or (c.dep_ == "dobj" and _lemma(c) in w.life_nouns)
                    or (c.dep_ == "prep" and c.lower_ == "to"
                        and any(_lemma(p) in w.to_death for p in c.children))):
                tokens.extend(c.subtree)
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t) for t in tokens)
    return start, end


def _summary(reports: list[_Report], category: str, rule: str) -> _Report:
    victims = sorted({r.victim for r in reports})
    return _Report("death", category, sum(r.best for r in reports), sum(r.low for r in reports),
                   sum(r.high for r in reports), reports[0].anchor, "+".join(victims),
                   [t for r in reports for t in r.tokens], rule)


def _conservative(reports: list[_Report]) -> _Report:
    """Several reports of the same deaths: the lowest of the most precise, bounds over all."""
    best_tier = min(_TIER[r.category] for r in reports)
    top = [r for r in reports if _TIER[r.category] == best_tier]
    chosen = min([r for r in top if r.best > 0] or top, key=lambda r: (r.best, r.anchor.i))
    considered = [r for r in reports if r.category not in ("none", "plural")] or [chosen]
    rule = (f"conservative({len(reports)} reports; "
            f"{' | '.join(_strip_category(r.rule) for r in reports)})")
    out = _Report("death", chosen.category, chosen.best, min(min(r.low for r in considered), chosen.best),
                  max(max(r.high for r in considered), chosen.best), chosen.anchor, chosen.victim,
                  [t for r in reports for t in r.tokens], f"{chosen.category}:{rule}")
    return out


def _without_breakdown(members: list[_Report]) -> list[_Report]:
    """"killed 12 people, eight children and four women": the groups after the comma break the
    first figure down and are not added to it. Read so when the first group is followed by a
    comma and either names people in general or equals the sum of the rest."""
    w = fatality_words()
    if len(members) < 2:
        return members
    members = sorted(members, key=lambda m: (m.counted.i if m.counted is not None else m.anchor.i))
    first, rest = members[0], members[1:]
    counted = first.counted
    if counted is None or counted.i + 1 >= len(counted.doc) or counted.doc[counted.i + 1].text != ",":
        return members
    total = sum(m.best for m in rest)
    generic = counted.pos_ == "NUM" or _lemma(counted) in w.generic_victims
    if total == first.best or (generic and total <= first.best):
        return [replace(first, rule=f"{first.rule}+breakdown")]
    return members


def _breakdown_lead(r: _Report) -> bool:
    own = [t.i for t in r.tokens if t.i != r.anchor.i]
    if not own:
        return False
    first = min(own)
    doc = r.anchor.doc
    return first >= 2 and f"{doc[first - 2].lower_} {doc[first - 1].lower_}" in fatality_words().breakdown_leads


def _listed_after(r: _Report, counted: dict[int, int]) -> int | None:
    """The counted noun that `r`'s group is listed after ("2 gendarmes and [5 attackers]"):
    its conjunct head, or the noun just before it across "and" or a comma."""
    c = r.counted
    if c is None:
        return None
    if c.dep_ == "conj" and c.head.i in counted:
        return c.head.i
    first = min([t.i for t in r.tokens] + [c.i])
    gap = c.doc[max(first - 2, 0):first]
    if len(gap) == 2 and gap[1].dep_ == "cc" and gap[0].i in counted and gap[0].i != c.i:
        return gap[0].i
    return None


def _combine_segment(reports: list[_Report]) -> _Report:
    """One stretch of text's death reports -> one report (its rule starts with its category)."""
    w = fatality_words()
    if len(reports) > 1:                      # "..., among them two soldiers": part of a figure
        reports = [r for r in reports if not _breakdown_lead(r)] or reports
    groups: dict[int, list[_Report]] = {}
    # "the toll is 3 soldiers and 4 militants killed": a group conjoined with another's counted
    # noun shares its death word, even when the parse gives it one of its own
    anchor_of = {r.counted.i: r.anchor.i for r in reports if r.counted is not None}
    for r in reports:
        lead = _listed_after(r, anchor_of)
        groups.setdefault(anchor_of[lead] if lead is not None else r.anchor.i, []).append(r)
    summed = []
    for members in groups.values():           # conjoined groups of one death word add up
        if any(m.category != "plural" for m in members):
            members = [m for m in members if m.category != "plural"]
        else:
            members = members[:1]
        members = _without_breakdown(members)
        category = max((m.category for m in members), key=lambda c: _TIER[c])
        if category == "none" and any(m.category != "none" for m in members):
            category = "count"
        rule = (members[0].rule if len(members) == 1
                else f"sum({' + '.join(_strip_category(m.rule) for m in members)})")
        summed.append(_summary(members, category, f"{category}:{_strip_category(rule)}"))

    best_tier = min(_TIER[r.category] for r in summed)
    usable = [r for r in summed if r.category != "plural" or best_tier == _TIER["plural"]]
    if len(usable) == 1:
        return usable[0]
    victims = [r.victim for r in usable]
    distinct = (all(v and not any(part in w.generic_victims for part in v.split("+")) for v in victims)
                and len(set(victims)) == len(victims)
                and not any("toll" in r.rule for r in usable))
    if distinct:                               # different people under different verbs add up
        category = max((r.category for r in usable), key=lambda c: _TIER[c])
        if category == "none":
            category = "count"
        rule = f"{category}:sum({' + '.join(_strip_category(r.rule) for r in usable)})"
        return _summary(usable, category, rule)
    return _conservative(usable)


def _combine(reports: list[_Report], segment) -> _Report:
    """A sentence's death reports. Text the parser glued across a line break (a headline and
    the first paragraph) is read as separate reports of the same deaths, never added."""
    by_segment: dict[int, list[_Report]] = {}
    for r in reports:
        by_segment.setdefault(segment(r.anchor), []).append(r)
    parts = [_combine_segment(rs) for rs in by_segment.values()]
    return parts[0] if len(parts) == 1 else _conservative(parts)


def _strip_category(rule: str) -> str:
    for prefix in ("count:", "vague:", "plural:", "none:"):
        if rule.startswith(prefix):
            return rule[len(prefix):]
    return rule


def count_fatalities(sent) -> Fatalities | None:
    """Deaths reported in one spaCy sentence `Span`, or None when it reports none.

    Offsets are in the doc's text. A sentence whose only casualties are wounded gives a count
    of 0 with rule "wounded-only:..."."""
    breaks = [t.i for t in sent if "\n" in t.text]

    def segment(token) -> int:
        return bisect.bisect_right(breaks, token.i)

    quantities = _quantities(sent)
    reports = [r for r in _explicit_reports(sent, quantities) + _implicit_reports(sent, quantities)
               if len({segment(t) for t in r.tokens}) == 1]       # no link across a line break
    reports = [r for r in reports if not _grievance(r.anchor)] + _wounded_who_died(sent, reports)
    deaths = [r for r in reports if r.kind in ("death", "none")]
    doc = sent.doc
    if not deaths:
        wounds = [r for r in reports if r.kind == "wound"]
        if not wounds:
            return None
        start, end = _span(wounds)
        return Fatalities(0, 0, 0, doc_text(doc)[start:end], start, end,
                          f"wounded-only:{' | '.join(_strip_category(r.rule) for r in wounds)}")
    result = _combine(deaths, segment)
    rule = result.rule
    if _is_claim(result.anchor) or any(_is_claim(r.anchor) for r in deaths if r.best == result.best):
        rule += ":claim"
    start, end = _span([result])
    return Fatalities(result.best, result.low, result.high, doc_text(doc)[start:end], start, end, rule)


# --- several sentences ------------------------------------------------------------------------


def category(f: Fatalities) -> str:
    """The category a rule starts with: count, vague, plural, none or wounded-only."""
    return f.rule.split(":", 1)[0]


def merge_counts(counts: list[Fatalities]) -> Fatalities:
    """Combine the counts of several sentences about one event (ACLED: the most conservative
    single report, never a sum of repeated mentions).

    best: the lowest count among the most precise reports (numbers beat vague words, which beat
    a bare plural); a sentence that says nobody died, or only wounded, does not lower a count
    another sentence gives. low / high: the lowest and highest figure among the reports used."""
    if not counts:
        raise ValueError("merge_counts needs at least one count")
    deaths = [f for f in counts if category(f) != "wounded-only"]
    if not deaths:
        first = counts[0]
        return Fatalities(0, 0, 0, first.text, first.start, first.end,
                          f"wounded-only:merge({len(counts)})")
    tier = {c: n for c, n in _TIER.items()}
    positive = [f for f in deaths if f.best > 0]
    pool = positive or deaths
    best_tier = min(tier.get(category(f), 3) for f in pool)
    top = [f for f in pool if tier.get(category(f), 3) == best_tier]
    chosen = min(top, key=lambda f: (f.best, f.start))
    considered = [f for f in pool if tier.get(category(f), 3) <= max(best_tier, tier["vague"])]
    low = min(min(f.low for f in considered), chosen.best)
    high = max(max(f.high for f in considered), chosen.best)
    rule = f"{category(chosen)}:merge({len(counts)} sentences; most conservative) {_strip_category(chosen.rule)}"
    return Fatalities(chosen.best, low, high, chosen.text, chosen.start, chosen.end, rule)
