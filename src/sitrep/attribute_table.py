"""The model's attribute_ruler, applied through a lookup table: same patterns, same output, faster.

en_core_web_sm's attribute_ruler maps tags to parts of speech and morphology with 179 Matcher
patterns, and then builds a Span and sets attributes once per match: about 12% of the model's
time on news text, for what is a table lookup. Nearly all patterns look at one token's TAG,
LOWER, DEP and IS_SPACE, so the patterns that hold for a token are a function of those four
values: worked out once per distinct combination and cached. The few two-token patterns
("gon na", "let 's") are checked at each position the same way. Rules apply in the order the
ruler applies them (later rules win), so the output equals the ruler's; tests/test_nlp.py
compares the two on every token of the sample corpus.

Patterns that use anything else (operators, other attributes) raise `Unsupported`, and
`nlp.py` then keeps the original component.
"""

from __future__ import annotations

import re

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

FEATURES = ("TAG", "LOWER", "DEP", "IS_SPACE")   # the order of a token's key
KEY_ATTRS = [TAG, LOWER, DEP, IS_SPACE]


class Unsupported(ValueError):
    """A pattern this table cannot evaluate; the original attribute_ruler is kept."""


def _predicate(spec):
    """A test on one feature's value: a literal, or {IN|NOT_IN|REGEX: ...}."""
    if not isinstance(spec, dict):
        return lambda value: value == spec
    if len(spec) != 1:
        raise Unsupported(f"predicate {spec}")
    (op, arg), = spec.items()
    if op == "IN":
        allowed = set(arg)
        return lambda value: value in allowed
    if op == "NOT_IN":
        banned = set(arg)
        return lambda value: value not in banned
    if op == "REGEX":
        rx = re.compile(arg)
        return lambda value: isinstance(value, str) and rx.search(value) is not None
    raise Unsupported(f"operator {op}")


def _token_test(spec: dict):
    unknown = set(spec) - set(FEATURES)
    if unknown:
        raise Unsupported(f"token attributes {sorted(unknown)}")
    tests = [(FEATURES.index(name), _predicate(value)) for name, value in spec.items()]
    return lambda features: all(test(features[i]) for i, test in tests)


class AttributeTable:
    """Callable like a spaCy component; built from an AttributeRuler's `patterns`."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.attrs: list[dict] = []                 # per rule, in the ruler's order (its precedence)
        self.single: list[tuple[int, object]] = []  # (rule, test)
        self.multi: list[tuple[int, int, list]] = []  # (rule, index of the token it sets, tests)
        # Per distinct (TAG, LOWER, DEP, IS_SPACE): the one-token rules that hold, and the
        # two-token patterns whose first token it can be.
        self._by_key: dict[tuple, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._merged: dict[tuple[int, ...], dict] = {}

    def copy_rules(self, ruler) -> None:
        """Take a loaded AttributeRuler's rules (raises Unsupported for patterns it cannot read)."""
        single, multi = [], []
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if not isinstance(pattern, list) or not pattern:
                    raise Unsupported(f"pattern {pattern!r}")
                tests = [_token_test(spec) for spec in pattern]
                index = entry.get("index", 0)
                if len(tests) == 1 and index in (0, -1):
                    single.append((rule, tests[0]))
                else:
                    multi.append((rule, index % len(tests), tests))
        self.attrs, self.single, self.multi = list(ruler.attrs), single, multi
        self._by_key.clear()
        self._merged.clear()

    def _features(self, key: tuple) -> tuple:
        strings = self.vocab.strings
        tag, lower, dep, is_space = key
        return (strings[tag] if tag else "", strings[lower] if lower else "",
                strings[dep] if dep else "", bool(is_space))

    def _lookup(self, key: tuple) -> tuple[tuple[int, ...], tuple[int, ...]]:
        found = self._by_key.get(key)
        if found is None:
            features = self._features(key)
            found = (tuple(rule for rule, test in self.single if test(features)),
                     tuple(m for m, (_, _, tests) in enumerate(self.multi) if tests[0](features)))
            self._by_key[key] = found
        return found

    def _attrs(self, rules: tuple[int, ...]) -> dict:
        merged = self._merged.get(rules)
        if merged is None:
            merged = {}
            for rule in sorted(set(rules)):
                merged.update(self.attrs[rule])
            self._merged[rules] = merged
        return merged

    def __call__(self, doc: Doc) -> Doc:
        keys = [tuple(row) for row in doc.to_array(KEY_ATTRS).tolist()]
        found = [self._lookup(key) for key in keys]
        extra: dict[int, list[int]] = {}
        for i, (_, starts) in enumerate(found):
            for m in starts:
                rule, target, tests = self.multi[m]
                if i + len(tests) <= len(keys) and all(
                        tests[k](self._features(keys[i + k])) for k in range(1, len(tests))):
                    extra.setdefault(i + target, []).append(rule)
        for i, (rules, _) in enumerate(found):
            if i in extra:
                rules = rules + tuple(extra[i])
            if rules:
                set_token_attrs(doc[i], self._attrs(rules))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


def replace_ruler(nlp, name: str = "attribute_ruler") -> bool:
    """Put an AttributeTable with the ruler's rules in the ruler's place; False (and the ruler
    kept) when a pattern is beyond the table."""
    ruler = nlp.get_pipe(name)
    table = AttributeTable(nlp.vocab)
    try:
        table.copy_rules(ruler)
    except Unsupported:
        return False
    nlp.replace_pipe(name, "attribute_table")
    nlp.get_pipe(name).copy_rules(ruler)
    return True


@Language.factory("attribute_table")
def make_attribute_table(nlp, name):
    return AttributeTable(nlp.vocab)
