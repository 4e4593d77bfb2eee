"""Contradictions are recomputed for every story that changed: each article's part is remembered
while its text and claims stay, and the results are those of a fresh computation."""

from __future__ import annotations

import pytest

import sitrep.contradictions as contradictions
from sitrep.contradictions import denials, opposite_statements, statements

TEXT = ("The army said the government now has full control over the whole country. "
        "Wagner accused the army of killings in the north. "
        "The junta denied the accusations of killings. "
        "Bamako rejected the account given by Wagner. "
        "Most of the north is still under the control of rebel and jihadist groups.")


def claim(article_id: str, text: str, body: str, speaker: str, verb: str, actor: str | None = None) -> dict:
    start = text.index(body)
    sentence_start = text.rfind(". ", 0, start)
    sentence_start = 0 if sentence_start < 0 else sentence_start + 2
    return {"article_id": article_id, "start": start, "end": start + len(body), "text": body,
            "sentence_start": sentence_start, "sentence_end": text.index(".", start) + 1,
            "speaker": speaker, "verb": verb, "speaker_actor": actor}


def article(article_id: str, outlet: str, text: str = TEXT) -> tuple[dict, list[dict]]:
    row = {"id": article_id, "text": text, "outlet": outlet, "status": "processed"}
    claims = [claim(article_id, text, "the government now has full control over the whole country", "The army", "said",
                    "army"),
              claim(article_id, text, "the army of killings in the north", "Wagner", "accused", "wagner")]
    return row, claims


def plain(items) -> list:
    return [(s.as_side(), s.speaker_key, s.verb, s.named, s.sides) for s in items]


@pytest.fixture(autouse=True)
def empty_cache():
    contradictions._ARTICLE_CACHE.clear()
    yield
    contradictions._ARTICLE_CACHE.clear()


def test_an_unchanged_article_is_not_read_again(monkeypatch):
    row, claims = article("a1", "Outlet A")
    first = contradictions._article_statements(row, claims)
    calls = []
    monkeypatch.setattr(contradictions, "statements", lambda *a: calls.append(a) or statements(*a))
    again = contradictions._article_statements(dict(row), [dict(c) for c in claims])
    assert calls == [] and again[0] is first[0] and again[1] is first[1]
    # a changed claim or text is read again
    changed = [dict(c) for c in claims]
    changed[0]["speaker_actor"] = None
    contradictions._article_statements(row, changed)
    contradictions._article_statements({**row, "text": TEXT + " More."}, changed)
    assert len(calls) == 2


def test_remembered_parts_give_the_same_contradictions():
    rows, items, extra = {}, [], {}
    for article_id, outlet in (("a1", "Outlet A"), ("a2", "Outlet B")):
        row, claims = article(article_id, outlet)
        rows[article_id] = row
        fresh = statements(row, claims)
        found, extra[article_id] = contradictions._article_statements(row, claims)
        assert plain(found) == plain(fresh)
        items += found
    expected = denials(items, rows)                 # sentence denials found afresh
    assert expected, "the sample holds denials"
    assert denials(items, rows, extra) == expected
    assert {d["subject"] for d in expected} >= {"killings", "account of Wagner"}   # an attack; a named account
    assert opposite_statements(items)
