"""merge.py adds to a stored merged event only what is new (its new members' mentions, the
mentions in new copies of its articles) instead of rewriting it: the result must be what a
full rewrite of every merged event gives."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sitrep import merge
from sitrep.cli import app
from sitrep.store import Store, event_mentions, merged_events, story_articles

MENTION = ("source_event_id", "article_id", "via", "sentence", "start", "end", "raw_start", "raw_end", "trigger", "rule")
MERGED = ("representative_id", "story_id", "context", "fatalities", "fatalities_low", "fatalities_high",
          "fatalities_sources", "n_events", "n_sources", "n_outlets")


def snapshot(conn) -> tuple[dict, dict]:
    mentions: dict[str, Counter] = {}
    for r in conn.execute(select(event_mentions)):
        mentions.setdefault(r.event_id, Counter())[tuple(getattr(r, k) for k in MENTION)] += 1
    groups = {r.id: {k: getattr(r, k) for k in MERGED} for r in conn.execute(select(merged_events))}
    return mentions, groups


@pytest.mark.parametrize("batch_size", ["1", "2"])   # copies come in later batches; with their original
def test_batches_written_incrementally_equal_a_full_rewrite(tmp_path, monkeypatch, batch_size):
    calls = Counter()
    extend = merge._extend_group

    def counting(conn, gid, members, story_of, new_ids, *rest):
        calls["grown" if any(m["id"] in new_ids for m in members) else "copies"] += 1
        return extend(conn, gid, members, story_of, new_ids, *rest)

    monkeypatch.setattr(merge, "_extend_group", counting)
    out = tmp_path / "out"
    # A corpus stage call per batch of one or two articles: stored groups grow, copies come.
    result = CliRunner().invoke(app, ["run", "--out", str(out), "--batch-size", batch_size, "--processes", "1",
                                      "--no-report"])
    assert result.exit_code == 0 and "stories not updated" not in result.output, result.output
    assert calls["grown"] and (calls["copies"] or batch_size != "1"), calls   # the incremental paths ran
    store = Store(out / "sitrep.db")
    with store.engine.connect() as conn:
        incremental = snapshot(conn)
        story_of = {r.article_id: r.story_id for r in conn.execute(select(story_articles))}
        for gid in incremental[1]:
            members = merge._event_rows(conn, merge.events.c.merged_id == gid)
            merge._write_group(conn, gid, members, story_of)
        full = snapshot(conn)
        conn.rollback()
    assert incremental[0] == full[0]
    assert incremental[1] == full[1]
    assert sum(g["n_sources"] > g["n_events"] for g in full[1].values())   # copies counted
    assert all(json.loads(g["fatalities_sources"]) is not None for g in full[1].values())
