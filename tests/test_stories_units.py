"""Issue #5: the rules under stories, merging and contradictions, one by one."""

from __future__ import annotations

import pytest

from sitrep.contradictions import cues, stance
from sitrep.dedup import Alignment, DuplicateIndex, signature
from sitrep.merge import actors_score, place_score, reconcile
from sitrep.stories import StoryIndex, StoryOptions, article_features, stem


@pytest.fixture(scope="module")
def control():
    [subject] = [s for s in cues().subjects if s.name == "territorial control"]
    return subject


@pytest.mark.parametrize("text, side", [
    ("the government now has full control over the whole country", 1),
    ("most of the north is still under the control of rebel and jihadist groups", -1),
    ("the northern regions are far from secure", -1),
    ("the army has not regained control of the north", -1),
    ("the weather in the north was pleasant", 0),                     # subject word, no cue
    ("a full review of the budget", 0),                               # no subject word
])
def test_a_statement_takes_a_side(control, text, side):
    assert stance(text, control)[0] == side


def test_a_denial_verb_turns_the_side_over(control):
    assert stance("the north had slipped out of the army's hands", control)[0] == -1
    assert stance("the north had slipped out of the army's hands", control, negated_by_verb=True)[0] == 1


def test_tolls_follow_the_conservative_rule():
    count = lambda n: {"kind": "count", "fatalities": n, "low": n, "high": n}  # noqa: E731
    assert reconcile([count(30), count(60)]) == (30, 30, 60)
    assert reconcile([count(30), {"kind": "vague", "fatalities": 12, "low": 12, "high": 12}]) == (30, 30, 30)
    assert reconcile([{"kind": "vague", "fatalities": 12, "low": 12, "high": 12}]) == (12, 12, 12)
    assert reconcile([]) == (0, 0, 0)


def event(actor1, actor2=None, inter1=None, inter2=None, **place):
    return {"actor1": actor1, "actor2": actor2, "inter1": inter1, "inter2": inter2, **place}


def test_an_unidentified_armed_group_is_compatible_with_a_named_one():
    named = event("JNIM: Group for Support of Islam and Muslims", "Military Forces of Mali", 2, 1)
    assert actors_score(event("Unidentified Armed Group (Mali)", "Military Forces of Mali", 3, 1), named) == 1.5
    assert actors_score(event("Military Forces of Mali", "JNIM: Group for Support of Islam and Muslims", 1, 2),
                        named) == 2.0                                   # roles swapped
    assert actors_score(event("Civilians (Mali)", "Military Forces of Mali", 7, 1), named) is None
    assert actors_score(event("Wagner Group"), event("Africa Corps", "Wagner Group")) is None


def test_places_within_distance_or_the_same_region_at_coarse_precision():
    a = {"latitude": 14.80, "longitude": -1.32, "iso": "ML", "location": "Boulikessi", "country": "Mali",
         "admin1": "Mopti", "geo_precision": 1}
    near = {**a, "latitude": 14.9, "longitude": -1.1, "location": "Mondoro"}
    far = {**a, "latitude": 16.77, "longitude": -3.0, "location": "Timbuktu", "admin1": "Tombouctou"}
    region = {**far, "location": "Mopti", "admin1": "Mopti", "geo_precision": 3}
    assert place_score(a, a, 50) == 1.0 and place_score(a, near, 50) == 0.7
    assert place_score(a, far, 50) is None and place_score(a, region, 50) == 0.3
    assert place_score(a, {**a, "iso": "BF"}, 50) is None


def test_a_copy_is_found_and_offsets_move_to_it():
    original = " ".join(f"Soldiers of unit {n} were attacked near the town of Mopti on day {n}, officials said."
                        for n in range(12))
    copy = "(Wire) — " + original.replace("town", "city", 1) + "\nDistributed by Wire."
    index = DuplicateIndex(0.8)
    index.add("a", signature(original))
    hit = index.best(signature(copy))
    assert hit and hit[0] == "a" and hit[1] >= 0.8
    assert index.best(signature("A completely different text about a football match in Bamako.")) is None
    start = original.index("Mopti")
    s, e = Alignment(original, copy).span(start, start + 5)
    assert copy[s:e] == "Mopti"


def test_stems_join_word_forms():
    assert stem("withdrawal") == stem("withdrawing") == stem("withdraws") == "withdraw"
    assert stem("killed") == stem("kills") == "kill"


def test_an_article_joins_the_story_it_shares_its_lead_with():
    options = StoryOptions.load()
    index = StoryIndex(options)
    def make(i, title, text, day="2025-06-01", actors=(), places=()):  # noqa: E306
        return article_features(str(i), title, f"{title}\n\n{text}", day, None, actors, places)
    first = index.assign(make(1, "Jihadists storm Boulikessi army camp", "Fighters attacked the army camp at "
                              "Boulikessi, killing soldiers.", actors=["JNIM"], places=["Boulikessi"]))
    second = index.assign(make(2, "Boulikessi camp toll rises", "The toll of the attack on the army camp at "
                               "Boulikessi rose, sources said.", "2025-06-02", ["JNIM"], ["Boulikessi"]))
    other = index.assign(make(3, "Cup of Nations: Mali lose to Ivory Coast", "The Eagles lost in extra time in "
                              "Bouaké.", "2025-06-02"))
    late = index.assign(make(4, "Boulikessi camp toll rises", "The toll of the attack on the army camp at "
                             "Boulikessi rose.", "2025-07-20", ["JNIM"], ["Boulikessi"]))
    assert first.new_story and not second.new_story and second.story_id == first.story_id
    assert other.new_story and late.new_story   # another subject; outside the 7-day window


def test_a_story_closes_a_month_after_it_began():
    options = StoryOptions.load()
    index = StoryIndex(options)
    def make(i, day):  # noqa: E306
        title = "Fighting around Boulikessi army camp"
        return article_features(str(i), title, f"{title}\n\nFighters attacked the army camp at Boulikessi again, "
                                "the army said.", day, None, ["JNIM"], ["Boulikessi"])
    # One article every five days: each is within the 7-day window of the one before.
    days = [f"2025-06-{d:02d}" for d in (1, 6, 11, 16, 21, 26)] + ["2025-07-01", "2025-07-06"]
    found = [index.assign(make(i, day)) for i, day in enumerate(days)]
    assert all(not a.new_story and a.story_id == found[0].story_id for a in found[1:7])   # up to 30 days
    assert found[7].new_story            # 35 days after the story began: a story of its own


def test_embeddings_when_installed():
    from sitrep.embeddings import available, embed_articles

    if available():
        pytest.skip(available())
    import numpy as np

    a, b, c = embed_articles(["Militants attacked an army camp in central Mali, killing soldiers.",
                              "Jihadists stormed a military base in Mali and killed troops.",
                              "Ivory Coast beat Mali in extra time at the Cup of Nations."])
    assert abs(float(np.linalg.norm(a)) - 1) < 1e-4
    assert float(a @ b) > float(a @ c)


def test_a_day_is_not_merged_with_a_year_unless_one_story_tells_both():
    """ "Wagner left on Sunday" is not "Wagner arrived in 2018": an event dated to a day, a week
    or a month joins a group only with a member dated as finely, or one of its own story."""
    from sitrep.merge import _group_score

    options = StoryOptions.load()
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "context": None, "actor1": "JNIM: Group for Support of Islam and Muslims",
            "actor2": "Military Forces of Mali", "inter1": 2, "inter2": 1, "location": "Boulikessi",
            "latitude": 14.80, "longitude": -1.32, "iso": "ML", "country": "Mali", "admin1": "Mopti",
            "geo_precision": 1}
    day = {**base, "id": "a-1", "article_id": "a", "event_date": "2025-06-01", "date_start": "2025-06-01",
           "date_end": "2025-06-01", "time_precision": 1}
    year = {**base, "id": "b-1", "article_id": "b", "event_date": "2025-12-31", "date_start": "2025-01-01",
            "date_end": "2025-12-31", "time_precision": 3}
    other_year = {**year, "id": "c-1", "article_id": "c"}
    other_day = {**day, "id": "d-1", "article_id": "d"}
    assert _group_score(day, [year], options, {}) is None
    assert _group_score(year, [day], options, {}) is None
    assert _group_score(day, [year], options, {"a": "s1", "b": "s1"}) is not None   # one story
    assert _group_score(other_year, [year], options, {}) is not None
    assert _group_score(day, [year, other_day], options, {}) is not None          # a member as fine


def _reach_grid():
    """Events over a small grid of sides, places, dates and types, as the merge reads them."""
    sides = [("JNIM: Group for Support of Islam and Muslims", 2, "Military Forces of Mali (2021-)", 1),
             ("Unidentified Armed Group (Mali)", 3, "Military Forces of Mali (2021-)", 1),
             ("Unidentified Armed Group (Mali)", 3, "Civilians (Mali)", 7),
             ("Islamic State (Sahel)", 2, None, None), (None, None, None, None)]
    places = [("Boulikessi", 14.80, -1.32, "Mopti", 1), ("Mondoro", 14.95, -1.10, "Mopti", 1),
              ("Gao", 16.27, -0.04, "Gao", 1), ("Mopti", 14.49, -4.20, "Mopti", 3), ("Mali", 17.0, -4.0, None, 3),
              (None, None, None, None, None)]
    dates = [("2025-06-01", "2025-06-01", 1), ("2025-06-02", "2025-06-02", 1), ("2025-06-09", "2025-06-09", 1),
             ("2025-06-01", "2025-06-30", 3), ("2025-01-01", "2025-12-31", 3)]
    types = [("Battles", "Armed clash"), ("Violence against civilians", "Attack"),
             ("Explosions/Remote violence", "Remote explosive/landmine/IED")]
    out = []
    for (a1, i1, a2, i2) in sides:
        for (location, lat, lon, admin1, precision) in places:
            for (start, end, time_precision) in dates:
                for event_type, sub_event_type in types:
                    n = len(out)
                    out.append({"id": f"e{n}", "merged_id": f"e{n}", "article_id": f"a{n}", "event_type": event_type,
                                "sub_event_type": sub_event_type, "actor1": a1, "inter1": i1, "actor2": a2,
                                "inter2": i2, "location": location, "latitude": lat, "longitude": lon,
                                "admin1": admin1, "iso": "ML" if location else None,
                                "country": "Mali" if location else None, "geo_precision": precision,
                                "event_date": end, "date_start": start, "date_end": end,
                                "time_precision": time_precision, "context": None})
    return out


def test_every_group_an_event_could_join_is_within_its_reach():
    """merge.py reads only the stored groups with a member within reach of a new event (sharing
    a side or a place): every pair that reaches min_score outside a story must be found so."""
    from types import SimpleNamespace
    from datetime import timedelta

    from sitrep.merge import _group_score, _Reach

    options = StoryOptions.load()
    grid = _reach_grid()
    reach = _Reach(options, timedelta(days=options.date_slack_days))
    reach.add_members([SimpleNamespace(**{k: m[k] for k in _Reach.COLUMNS}) for m in grid])
    reached = reach.groups(grid)
    joinable = found = 0
    for e in grid:
        for m in grid:
            if m is e:
                continue
            score = _group_score(e, [m], options, {})
            if score is not None and score >= options.min_merge_score:
                joinable += 1
                assert m["merged_id"] in reached[e["id"]], (e, m, score)
            found += m["merged_id"] in reached[e["id"]]
    assert joinable > 1000 and found < len(grid) ** 2 / 2, (joinable, found)
    # Same day and type, no side or place in common: not read.
    [e] = [x for x in grid if x["actor1"] == "Islamic State (Sahel)" and x["location"] == "Gao"
           and x["date_end"] == "2025-06-01" and x["event_type"] == "Battles"]
    [m] = [x for x in grid if x["actor1"] == "JNIM: Group for Support of Islam and Muslims"
           and x["location"] == "Boulikessi" and x["date_end"] == "2025-06-01" and x["event_type"] == "Battles"]
    assert m["merged_id"] not in reached[e["id"]]


def test_a_story_index_lets_go_of_old_stories_and_keeps_their_articles():
    options = StoryOptions.load()
    index = StoryIndex(options)
    old = article_features("a1", "Soldiers killed near Boulikessi", "Soldiers were killed near Boulikessi.",
                           "2025-01-05", "Wire", [], ["Boulikessi"], [], options.title_weight, options.lead_weight)
    new = article_features("a2", "Drone strike on a market in Kidal", "A drone struck a market in Kidal.",
                           "2025-06-05", "Wire", [], ["Kidal"], [], options.title_weight, options.lead_weight)
    first, second = index.assign(old), index.assign(new)
    assert first.story_id != second.story_id
    assert index.forget_before(new.day - 30) == 1
    assert set(index.stories) == {second.story_id}
    assert not any(first.story_id in ids for ids in index.postings.values())
    assert not any(first.story_id in ids for ids in index.by_day.values())
    assert index.story_of["a1"] == first.story_id     # merging still knows each article's story


def test_the_duplicate_index_holds_the_articles_added_last():
    text = "Gunmen attacked a convoy on the road between Gao and Ansongo on Tuesday, the army said in a statement. " * 3
    index = DuplicateIndex(capacity=2)
    index.add("first", signature(text))
    index.add("second", signature("Floods cut the road to Mopti after three days of rain. " * 5), duplicate_of="x")
    copy = signature(text + " Wire")
    assert index.best(copy) == ("first", copy.jaccard(signature(text)))   # the similarity MinHash estimates
    index.add("third", signature("The assembly passed the budget on Friday after a long debate. " * 5))
    assert len(index) == 2 and index.best(copy) is None   # its original left the index
    index.add("fourth", signature("Traders in Sikasso reopened the cattle market on Monday morning. " * 5))
    assert index.root("second") == "second" and not index.original   # a copy that left takes its link along
