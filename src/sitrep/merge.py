"""One event from many reports: events of different articles that tell the same real event.

Every stored event belongs to one merged event (`events.merged_id` -> `merged_events.id`, the
id of its first event); an event nobody else reported is a group of one. A new event joins the
best-scoring group all of whose members it is compatible with:

* type: the same sub-event type (1 point), the same event type (0.7) or a pair of near types
  listed in data/stories/stories.yaml (0.4); anything else is another event;
* actors, matched straight or crossed (reports swap attacker and target): the same actor
  (1 each), "Unidentified Armed Group (X)" against a named non-state armed group (0.5), an
  unknown side (0); a side paired with itself ("Military Forces of Mali" against itself) counts
  as unknown; any other pair of names is another event;
* place: the same location (1), within `distance_km` (0.7), or, when one of them is coarse
  (geo_precision 3 or a whole country), the same country and first-level division (0.3);
  another country is another event;
* date: the same day (1) or overlapping ranges with `date_slack_days` of slack (0.5); an
  undated event can only join a group of its own story (0.2);
* the same story: 0.5.
It joins when the score reaches `min_score`. Negated, hypothetical and future events are never
merged. Precise events are placed first, so a vague report joins a precise group.

Fatalities follow ACLED's most conservative rule across the sources that give a count:
fatalities = the lowest count, fatalities_low = the lowest low, fatalities_high = the highest
high (so a later, higher toll raises it), each source's figure kept in `fatalities_sources`.
Vague figures ("dozens") and claims count only when no source gives a count.

`event_mentions` holds every (event, article, sentence, offsets) link, GDELT-style: the
sentences each member was extracted from, and the same sentences in each near-duplicate of a
member's article (via = duplicate, at the copy's own offsets).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import delete, func, insert, or_, select, update

from .document import OffsetMap
from .store import articles, duplicates, event_mentions, event_sources, events, merged_events, now

NEVER_MERGED = ("negated", "hypothetical", "future")
GENERIC = re.compile(r"^(Unidentified Armed Group|Unidentified Military Forces|Civilians|Protesters|Rioters)"
                     r" \((?P<country>.+)\)$")
ARMED_NON_STATE = (2, 3, 4)


@dataclass
class MergeReport:
    merged: int = 0          # new events that joined another article's event
    groups: int = 0          # merged events written


# --- compatibility -------------------------------------------------------------------------


def type_score(a: dict, b: dict, near: tuple[frozenset, ...]) -> float | None:
    if a["event_type"] == b["event_type"]:
        return 1.0 if a["sub_event_type"] == b["sub_event_type"] else 0.7
    if frozenset((a["event_type"], b["event_type"])) in near:
        return 0.4
    return None


def _sides(e: dict) -> tuple[tuple, tuple]:
    one, two = (e["actor1"], e["inter1"]), (e["actor2"], e["inter2"])
    if one[0] and one[0] == two[0]:
        one = (None, None)
    return one, two


def actor_score(x: tuple, y: tuple) -> float | None:
    (a, ia), (b, ib) = x, y
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ga, gb = GENERIC.match(a), GENERIC.match(b)
    for generic, named, inter in ((ga, b, ib), (gb, a, ia)):
        if generic and generic.group(1) == "Unidentified Armed Group" and not GENERIC.match(named) \
                and (inter in ARMED_NON_STATE or inter is None):
            return 0.5
    return None


def actors_score(a: dict, b: dict) -> float | None:
    """Sides matched straight or crossed; an arrangement counts when every pair of named sides is
    compatible and at least one pair is named on both sides (unless an event names no actor)."""
    a1, a2 = _sides(a)
    b1, b2 = _sides(b)
    if not (a1[0] or a2[0]) or not (b1[0] or b2[0]):
        return 0.0
    best = None
    for crossed, (x1, x2) in enumerate(((b1, b2), (b2, b1))):
        pairs = [(a1, x1), (a2, x2)]
        scores = [actor_score(p, q) for p, q in pairs]
        named = [bool(p[0] and q[0]) for p, q in pairs]
        if any(s is None for s in scores) or not any(named) or (crossed and not all(named)):
            continue   # a swap of roles counts only when both sides are named on both
        best = max(best or 0.0, sum(scores))
    return best


def _coarse(e: dict) -> bool:
    return e["geo_precision"] == 3 or (e["location"] is not None and e["location"] == e["country"])


def distance_km(a: dict, b: dict) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def place_score(a: dict, b: dict, max_km: float) -> float | None:
    if a["latitude"] is None or b["latitude"] is None:
        return 0.0 if not a["iso"] or not b["iso"] or a["iso"] == b["iso"] else None
    if a["iso"] and b["iso"] and a["iso"] != b["iso"]:
        return None
    if a["location"] == b["location"] and a["location"] is not None:
        return 1.0
    if _coarse(a) or _coarse(b):
        return 0.3 if (not a["admin1"] or not b["admin1"] or a["admin1"] == b["admin1"]) else None
    return 0.7 if distance_km(a, b) <= max_km else None


def _range(e: dict) -> tuple[date, date] | None:
    start, end = e.get("date_start") or e.get("event_date"), e.get("date_end") or e.get("event_date")
    if not start:
        return None
    return _dates(start[:10], end[:10])


@lru_cache(maxsize=1 << 16)
def _dates(start: str, end: str) -> tuple[date, date]:
    # Every pair compared reads both events' ranges: parsed once per distinct range.
    return date.fromisoformat(start), date.fromisoformat(end)


def date_score(a: dict, b: dict, slack: int, same_story: bool) -> float | None:
    ra, rb = _range(a), _range(b)
    if ra is None or rb is None:
        return 0.2 if same_story else None
    s = timedelta(days=slack)
    if ra[0] - s > rb[1] or rb[0] - s > ra[1]:
        return None
    if a["time_precision"] == 1 and b["time_precision"] == 1 and ra[0] == rb[0]:
        return 1.0
    return 0.5


def pair_score(a: dict, b: dict, options, story_of: dict[str, str]) -> float | None:
    """How surely two events are one real event (None: they are not)."""
    if a["article_id"] == b["article_id"] and not (
            a["event_type"] == b["event_type"] and a["location"] is not None and a["location"] == b["location"]
            and a["time_precision"] == 1 and b["time_precision"] == 1 and a["event_date"] == b["event_date"]):
        return None   # the events stage already kept them apart; only the same type, place and day rejoin
    if (a["context"] is None) != (b["context"] is None) and (_range(a) is None or _range(b) is None):
        return None   # an undated new event is not a background event recalled elsewhere
    same_story = story_of.get(a["article_id"]) is not None and story_of.get(a["article_id"]) == story_of.get(
        b["article_id"])
    parts = (type_score(a, b, options.near_types), actors_score(a, b), place_score(a, b, options.distance_km),
             date_score(a, b, options.date_slack_days, same_story))
    if any(p is None for p in parts):
        return None
    return sum(parts) + (0.5 if same_story else 0.0)


# --- fatalities --------------------------------------------------------------------------


def figure_kind(rule: str | None, text: str | None) -> str:
    """count | vague | none | claim | no figure, from fatalities.py's rule."""
    if not text:
        return "no figure"
    if rule is None:
        return "count" if re.search(r"\d", text) else "vague"
    if rule.endswith(":claim"):
        return "claim"
    category = rule.split(":", 1)[0]
    return {"count": "count", "vague": "vague", "plural": "vague", "none": "none"}.get(category, "no figure")


def reconcile(figures: list[dict]) -> tuple[int, int, int]:
    """(fatalities, low, high) by ACLED's most conservative rule over the sources' figures."""
    by_kind = defaultdict(list)
    for f in figures:
        by_kind[f["kind"]].append(f)
    pool = by_kind["count"] or by_kind["none"] or by_kind["vague"] or by_kind["claim"]
    if not pool:
        return 0, 0, 0
    return (min(f["fatalities"] for f in pool), min(f["low"] for f in pool), max(f["high"] for f in pool))


# --- the pass ----------------------------------------------------------------------------


# What merging reads of an event (pair_score, _precision_key, the merged event's fields).
MERGE_COLUMNS = ("id", "article_id", "event_date", "date_start", "date_end", "time_precision", "event_type",
                 "sub_event_type", "actor1", "inter1", "actor2", "inter2", "country", "iso", "admin1", "location",
                 "latitude", "longitude", "geo_precision", "fatalities", "fatalities_low", "fatalities_high",
                 "fatalities_text", "fatalities_rule", "context", "merged_id")


def _event_rows(conn, condition) -> list[dict]:
    query = (select(*(events.c[k] for k in MERGE_COLUMNS), articles.c.outlet, articles.c.published)
             .join(articles, articles.c.id == events.c.article_id).where(condition))
    return [dict(r._mapping) for r in conn.execute(query)]


def _precision_key(e: dict):
    return (e["context"] is not None, e["geo_precision"] or 9, e["time_precision"] or 9,
            sum(bool(a and GENERIC.match(a)) + (not a) for a in (e["actor1"], e["actor2"])),
            e["published"] or "9999", e["id"])


class GroupCache:
    """Stored groups' members (and their `_Summaries`) kept between calls by the caller (the
    corpus stage), so a big group is not read again each call. Valid while nobody else writes
    merged events: the caller drops it when a call fails (its transaction rolled back). Groups no
    call has used for `keep_calls` calls are let go, and the least recently used beyond
    `max_rows` event rows in all, so memory stays bounded however the stream's dates fall."""

    def __init__(self, keep_calls: int = 25, max_rows: int = 20_000):
        self.members: dict[str, list[dict]] = {}
        self.summaries: dict[str, dict] = {}
        self.used: dict[str, int] = {}
        self.calls = 0
        self.keep_calls = keep_calls
        self.max_rows = max_rows

    def clear(self) -> None:
        self.members.clear()
        self.summaries.clear()
        self.used.clear()

    def done(self, groups: dict[str, list[dict]]) -> None:
        self.calls += 1
        for gid, members in groups.items():
            self.members[gid] = members
            self.used[gid] = self.calls
        old = [gid for gid, n in self.used.items() if n < self.calls - self.keep_calls]
        kept = sorted(set(self.used) - set(old), key=self.used.__getitem__)   # least recently used first
        rows = sum(len(self.members[gid]) for gid in kept)
        for gid in kept:
            if rows <= self.max_rows:
                break
            old.append(gid)
            rows -= len(self.members[gid])
        for gid in old:
            del self.members[gid], self.used[gid]
            self.summaries.pop(gid, None)


def merge_events(conn, options, article_ids: list[str], story_of: dict[str, str],
                 cache: GroupCache | None = None) -> MergeReport:
    """Merge the events of `article_ids` into the stored merged events; write what changed."""
    report = MergeReport()
    cache = cache or GroupCache()
    new: list[dict] = []
    for chunk in _chunks(article_ids, 500):
        new += _event_rows(conn, events.c.article_id.in_(chunk) & events.c.merged_id.is_(None))
    copies: list[dict] = []
    for chunk in _chunks(article_ids, 500):
        copies += [dict(r._mapping) for r in conn.execute(select(duplicates).where(duplicates.c.article_id.in_(chunk)))]
    if not new and not copies:
        return report
    groups: dict[str, list[dict]] = defaultdict(list)
    # Stored groups that a new event could join: dated near the new events, or in their stories.
    # A dated event can only join a group with a member whose dates overlap its own (with the
    # slack): each new event's window is looked up, not one window spanning the whole batch (a
    # batch recalling a battle of 2019 would otherwise load every event since). event_date
    # (indexed) is a range's first day (a day) or its last (a week, a month: within 31 days of
    # its first; a year or a "since" span: precision 3, within LONG_RANGE_DAYS).
    # A new event joins only a group with a member dated as finely, or one of its own story
    # (_group_score): a day's event needs the groups near its day, a year's the long ranges and
    # its story's events within its year, not every event of the year.
    slack = timedelta(days=options.date_slack_days)

    def overlapping(lo: date, hi: date):
        return (events.c.date_end >= lo.isoformat()) & (events.c.date_start <= hi.isoformat())

    # Each window is looked up with its events' countries and types too, as a group of another
    # country or an unmergeable type could not take them (_Summaries.admits). Those two are
    # written as expressions so that SQLite searches by the date index, not by the type index
    # (one type is a third of the table).
    def alike(iso: str | None, types: tuple[str, ...]):
        same = events.c.event_type.concat("").in_(types)
        return same & func.coalesce(events.c.iso, "").in_([iso, ""]) if iso else same

    conditions = []
    for short in (True, False):
        dated = [(r, e["iso"], tuple(sorted(_mergeable_types(e["event_type"], options))))
                 for e in new if (r := _range(e)) is not None and _short(r) == short]
        for lo, hi in _windows([r for r, _, _ in dated], slack):
            if short:   # event_date is a range's last day, and a short range is at most 31 days
                near = events.c.event_date.between(lo.isoformat(), (hi + SHORT_RANGE).isoformat())
            else:
                near = events.c.event_date.between(lo.isoformat(), (hi + LONG_RANGE).isoformat()) \
                    & (events.c.time_precision == 3)
            keys = sorted({(iso, types) for r, iso, types in dated if r[0] - slack <= hi and r[1] + slack >= lo},
                          key=str)
            conditions.append(near & overlapping(lo, hi) & or_(*(alike(*k) for k in keys)))
    # An undated event may join any group of its story; a dated one a group of its story dated
    # near it (a big story's every event need not be read again).
    story_conditions = []
    story_ranges: dict[str, list] = defaultdict(list)
    for e in new:
        if story_of.get(e["article_id"]) is not None:
            story_ranges[story_of[e["article_id"]]].append(_range(e))
    story_articles: dict[str, list[str]] = defaultdict(list)
    for a, story in (story_of.items() if story_ranges else ()):
        if story in story_ranges:
            story_articles[story].append(a)
    for story, rs in story_ranges.items():
        near = None if None in rs else or_(*(overlapping(lo, hi) for lo, hi in _windows(rs, slack)))
        for chunk in _chunks(story_articles[story], 500):
            in_story = events.c.article_id.in_(chunk)
            story_conditions.append(in_story if near is None else in_story & near)
    reached: dict[str, set[str]] | None = None   # None: every loaded group is within reach
    if (conditions or story_conditions) and new:
        ids = set()
        # Each call's OR has a shape of its own: kept in SQLAlchemy's compiled cache, the
        # statements took about 70 MB by 4,000 articles and were never used again. A long OR is
        # cut in parts, as SQLite parses it as a deep tree.
        fresh = {"compiled_cache": None}
        for part in _chunks(story_conditions, 200):
            query = select(events.c.merged_id).where(events.c.merged_id.is_not(None) & or_(*part)).distinct()
            ids |= set(conn.scalars(query, execution_options=fresh))
        # Other groups are found through a member within reach of a new event (_Reach).
        within = _Reach(options, slack) if options.min_merge_score > UNREACHED_MAX else None
        for part in _chunks(conditions, 200):
            if within is None:
                query = select(events.c.merged_id).where(events.c.merged_id.is_not(None) & or_(*part)).distinct()
                ids |= set(conn.scalars(query, execution_options=fresh))
            else:
                query = select(*(events.c[k] for k in _Reach.COLUMNS)).where(events.c.merged_id.is_not(None)
                                                                              & or_(*part))
                within.add_members(conn.execute(query, execution_options=fresh))
        if within is not None:
            reached = within.groups(new)
            story_groups = set(ids)
            ids = ids.union(*reached.values())
        for gid in sorted(ids & cache.members.keys()):
            groups[gid] = cache.members[gid]
        for chunk in _chunks(sorted(ids - cache.members.keys()), 500):
            for e in _event_rows(conn, events.c.merged_id.in_(chunk)):
                groups[e["merged_id"]].append(e)
    by_country: dict[str | None, set[str]] = defaultdict(set)
    by_type: dict[str, set[str]] = defaultdict(set)
    for gid, members in groups.items():
        for m in members:
            by_country[m["iso"]].add(gid)
            by_type[m["event_type"]].add(gid)
    changed: set[str] = set()
    stored = set(groups)
    dates = _DateIndex(groups)
    summaries = _Summaries(groups, options, slack, cache.summaries)
    for e in sorted(new, key=_precision_key):
        best, best_score = None, None
        if e["context"] not in NEVER_MERGED:
            candidates = by_country.get(e["iso"], set()) | by_country.get(None, set()) if e["iso"] \
                else set(groups)
            window = _range(e)
            if window is not None:  # a group none of whose members is dated near e cannot take it
                candidates = dates.near(window[0] - slack, window[1] + slack) & candidates
            if reached is not None:   # ... nor one it cannot reach outside its story (_Reach)
                candidates &= reached.get(e["id"], set()) | story_groups | changed
            # ... nor a group with no member of a type e may merge with (type_score)
            candidates &= set().union(*(by_type.get(t, set()) for t in _mergeable_types(e["event_type"], options)))
            for gid in sorted(candidates):
                members = groups[gid]
                if not summaries.admits(gid, e):
                    continue   # some member is incompatible: _group_score would say None
                score = _group_score(e, members, options, story_of)
                if score is None:
                    continue
                if score >= options.min_merge_score and (best_score is None or score > best_score):
                    best, best_score = gid, score
        if best is None:
            best = e["id"]
        else:
            report.merged += 1
        e["merged_id"] = best
        groups[best].append(e)
        by_type[e["event_type"]].add(best)
        summaries.grown(best, e)
        dates.grown(best)
        by_country[e["iso"]].add(best)
        changed.add(best)
    # Groups whose articles have a new near-duplicate get its mentions.
    originals = {c["duplicate_of"] for c in copies}
    for chunk in _chunks(sorted(originals), 500):
        for gid in conn.scalars(select(events.c.merged_id).where(events.c.article_id.in_(chunk),
                                                                 events.c.merged_id.is_not(None)).distinct()):
            changed.add(gid)
            if gid not in groups:
                groups[gid] = cache.members.get(gid) or _event_rows(conn, events.c.merged_id == gid)
                stored.add(gid)
    new_ids = {e["id"] for e in new}
    copies_of = _Copies(conn)
    for gid in sorted(changed & stored):   # stored before this call: add what is new, keep the rest
        _extend_group(conn, gid, groups[gid], story_of, new_ids, copies, copies_of)
    _write_groups(conn, [(gid, groups[gid]) for gid in sorted(changed - stored)], story_of, copies_of)
    report.groups = len(changed)
    cache.done(groups)
    return report


# The highest pair score of two events that share no story, no named actor and no place (the
# same location or within distance_km): the same sub-event type (1), a coarse place in one
# region (0.3), the same day (1). A lower min_score than this turns the reach filter off.
UNREACHED_MAX = 1.0 + 0.3 + 1.0


class _Reach:
    """The stored groups that a new event could join outside its story. Such a group has a
    member of the event's kind (_group_score) with a pair score of at least min_score, above
    UNREACHED_MAX: so that member overlaps the event's dates, may merge with its type, is of its
    country, and shares a side with it (a name, or "Unidentified Armed Group (X)" against a
    named armed group) or a place (the same location, or within distance_km: one of the cells
    of a half-degree grid that the disc around the event meets). The members of the call's date
    windows are read with the few columns that test needs, not whole groups."""

    COLUMNS = ("merged_id", "date_start", "date_end", "event_type", "iso", "actor1", "inter1", "actor2", "inter2",
               "location", "latitude", "longitude")

    def __init__(self, options, slack: timedelta):
        self.options = options
        self.slack = slack
        # (short, key) -> members sorted by their last day; a key is a side's name, a location,
        # a cell, or one of the two generic keys below.
        self.members: dict[tuple, list] = defaultdict(list)
        self.ends: dict[tuple, list] = {}

    def add_members(self, rows) -> None:
        for m in rows:
            r = _dates(m.date_start, m.date_end) if m.date_start and m.date_end else None
            if r is None:
                continue   # an undated member takes only events of its story
            item = (r[1], r[0], m.merged_id, m.event_type, m.iso)
            for key in self._keys(m.actor1, m.inter1, m.actor2, m.inter2, m.location, m.latitude, m.longitude,
                                  member=True):
                self.members[(_short(r), key)].append(item)
        self.ends.clear()

    def _keys(self, actor1, inter1, actor2, inter2, location, latitude, longitude, member: bool,
              coarse: bool = False) -> set:
        keys = set()
        if actor1 and actor1 == actor2:
            actor1 = None   # a side paired with itself is unknown (_sides)
        for side, inter in ((actor1, inter1), (actor2, inter2)):
            if not side:
                continue
            keys.add(("side", side))
            generic = GENERIC.match(side)
            if generic and generic.group(1) == "Unidentified Armed Group":
                keys.add(("armed", member))          # meets the named armed groups of the other side
            elif not generic and (inter in ARMED_NON_STATE or inter is None):
                keys.add(("armed", not member))
        if location is not None:
            keys.add(("location", location))
        if latitude is not None:
            if member:
                keys.add(("cell", _cell(latitude, longitude)))
            elif not coarse:
                keys |= {("cell", c) for c in _cells_near(latitude, longitude, self.options.distance_km)}
        return keys

    def groups(self, new: list[dict]) -> dict[str, set[str]]:
        """For each new event's id, the groups within its reach."""
        import bisect

        if not self.ends:
            for key, items in self.members.items():
                items.sort(key=lambda x: x[0])
                self.ends[key] = [x[0] for x in items]
        reached: dict[str, set[str]] = {}
        for e in new:
            found = reached[e["id"]] = set()
            r = _range(e)
            if r is None or e["context"] in NEVER_MERGED:
                continue
            lo, hi = r[0] - self.slack, r[1] + self.slack
            short = _short(r)
            types = _mergeable_types(e["event_type"], self.options)
            for key in self._keys(e["actor1"], e["inter1"], e["actor2"], e["inter2"], e["location"], e["latitude"],
                                  e["longitude"], member=False, coarse=_coarse(e)):
                items = self.members.get((short, key))
                if not items:
                    continue
                last = bisect.bisect_right(self.ends[(short, key)], hi + SHORT_RANGE) if short else len(items)
                for end, start, gid, event_type, iso in items[bisect.bisect_left(self.ends[(short, key)], lo):last]:
                    if start <= hi and event_type in types and (not e["iso"] or not iso or iso == e["iso"]):
                        found.add(gid)
        return reached


def _cell(lat: float, lon: float) -> int:
    """The half-degree cell of a point: its row (from the south pole) * 1000 + its column."""
    return int((lat + 90) * 2) * 1000 + int((lon + 180) * 2)


def _cells_near(lat: float, lon: float, max_km: float) -> set[int]:
    """The half-degree cells (`_cell`) that a disc of max_km around the point meets."""
    d_lat = max_km / 111.0 + 0.01
    d_lon = min(180.0, max_km / (111.0 * max(0.01, math.cos(math.radians(min(89.9, abs(lat) + d_lat))))) + 0.01)
    rows = range(max(0, int((lat - d_lat + 90) * 2)), min(359, int((lat + d_lat + 90) * 2)) + 1)
    first, last = math.floor((lon - d_lon + 180) * 2), math.floor((lon + d_lon + 180) * 2)
    columns = {c % 720 for c in range(first, last + 1)}
    return {r * 1000 + c for r in rows for c in columns}


LONG_RANGE = timedelta(days=3 * 366)
SHORT_RANGE = timedelta(days=31)   # a day, a week or a month; longer is a year or a "since" span


def _short(r: tuple[date, date] | None) -> bool:
    return r is not None and r[1] - r[0] <= SHORT_RANGE


def _mergeable_types(event_type: str, options) -> set[str]:
    """The event types an event of this type may merge with: its own and the near ones."""
    return {event_type} | {u for pair in options.near_types if event_type in pair for u in pair}


def _windows(ranges: list[tuple[date, date]], slack: timedelta) -> list[tuple[date, date]]:
    """The ranges widened by the slack, overlapping ones joined."""
    out: list[list[date]] = []
    for lo, hi in sorted((a - slack, b + slack) for a, b in ranges):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(a, b) for a, b in out]


def _group_score(e: dict, members: list[dict], options, story_of: dict[str, str]) -> float | None:
    """The best pair score of `e` with the group's members of its kind or of its story; None as
    soon as one pair is None. An event dated to a day, a week or a month is not one told only
    as a year or a span of years ("Wagner arrived at the end of 2018" is not "Wagner left on
    Sunday"), nor the other way, unless the articles are of one story: a dated event is scored
    against the members dated as finely as itself and those of its story (it must still be
    compatible with every member)."""
    r = _range(e)
    story = story_of.get(e["article_id"])
    best = None
    for m in members:
        score = pair_score(e, m, options, story_of)
        if score is None:
            return None
        if r is not None and (s := _range(m)) is not None and _short(s) != _short(r) \
                and (story is None or story_of.get(m["article_id"]) != story):
            continue   # another kind, another story: compatible, but no evidence
        best = score if best is None else max(best, score)
    return best


class _DateIndex:
    """The loaded groups by their members' dates: which groups have a member whose range meets
    a window. Groups with an undated member, and groups grown during the pass, are always
    returned (their members are compared one by one)."""

    def __init__(self, groups: dict[str, list[dict]]):
        self.always: set[str] = set()
        short, long = [], []
        for gid, members in groups.items():
            ranges = [_range(m) for m in members]
            if any(r is None for r in ranges):
                self.always.add(gid)
                continue
            for s, t in ranges:
                (short if _short((s, t)) else long).append((s, t, gid))
        short.sort(key=lambda x: x[0])
        long.sort(key=lambda x: x[0])
        self.short, self.short_starts = short, [x[0] for x in short]
        self.long, self.long_starts = long, [x[0] for x in long]
        self.longest = max((t - s for s, t, _ in long), default=timedelta(0))

    def grown(self, gid: str) -> None:
        self.always.add(gid)

    def near(self, lo: date, hi: date) -> set[str]:
        import bisect

        found = set(self.always)
        i, j = bisect.bisect_left(self.short_starts, lo - SHORT_RANGE), bisect.bisect_right(self.short_starts, hi)
        found.update(gid for s, t, gid in self.short[i:j] if t >= lo)
        i, j = bisect.bisect_left(self.long_starts, lo - self.longest), bisect.bisect_right(self.long_starts, hi)
        found.update(gid for s, t, gid in self.long[i:j] if t >= lo)
        return found


class _Summaries:
    """What every member of a loaded group shares, to turn a new event away without comparing
    it with each member. Each test is a necessary condition of `_group_score` (it fails exactly
    when `_group_score` would say None for that reason), so the merges are the same."""

    def __init__(self, groups: dict[str, list[dict]], options, slack: timedelta, by_group: dict[str, dict]):
        self.groups = groups
        self.near = options.near_types
        self.slack = slack
        self.by_group = by_group   # kept between calls (GroupCache), made when first needed

    def grown(self, gid: str, m: dict) -> None:
        """`m` joined the group (already in its members)."""
        if gid in self.by_group:
            self._add(self.by_group[gid], m)

    def _summary(self, gid: str) -> dict:
        s = self.by_group.get(gid)
        if s is None:
            s = self.by_group[gid] = {"never": False, "types": set(), "isos": set(), "min_end": None,
                                      "max_start": None, "context": set(), "undated_context": set()}
            for m in self.groups[gid]:
                self._add(s, m)
        return s

    @staticmethod
    def _add(s: dict, m: dict) -> None:
        s["never"] = s["never"] or m["context"] in NEVER_MERGED
        s["types"].add(m["event_type"])
        if m["iso"]:
            s["isos"].add(m["iso"])
        s["context"].add(m["context"] is None)
        r = _range(m)
        if r is None:
            s["undated_context"].add(m["context"] is None)
        else:
            s["min_end"] = r[1] if s["min_end"] is None else min(s["min_end"], r[1])
            s["max_start"] = r[0] if s["max_start"] is None else max(s["max_start"], r[0])

    def admits(self, gid: str, e: dict) -> bool:
        s = self._summary(gid)
        if s["never"]:
            return False
        t = e["event_type"]
        if any(u != t and frozenset((t, u)) not in self.near for u in s["types"]):
            return False                                       # type_score
        if e["iso"] and any(iso != e["iso"] for iso in s["isos"]):
            return False                                       # place_score: another country
        r = _range(e)
        plain = e["context"] is None
        if r is None:
            if any(c != plain for c in s["context"]):
                return False                                   # pair_score: undated, context differs
        else:
            if any(c != plain for c in s["undated_context"]):
                return False
            if s["min_end"] is not None and (r[0] - self.slack > s["min_end"] or s["max_start"] - self.slack > r[1]):
                return False                                   # date_score: a member's range is too far
        return True


def _group_values(members: list[dict], story_of: dict[str, str]) -> dict:
    """merged_events' fields that follow from the members alone (not the counts)."""
    representative = min(members, key=_precision_key)
    ordered = sorted(members, key=lambda m: (m["published"] or "9999", m["id"]))
    figures = [{"event_id": m["id"], "article_id": m["article_id"], "outlet": m["outlet"], "published": m["published"],
                "fatalities": m["fatalities"] or 0, "low": m["fatalities_low"] or 0, "high": m["fatalities_high"] or 0,
                "kind": figure_kind(m.get("fatalities_rule"), m["fatalities_text"]), "text": m["fatalities_text"]}
               for m in ordered]
    fatalities, low, high = reconcile(figures)
    votes: dict[str, list] = defaultdict(list)
    for m in ordered:
        sid = story_of.get(m["article_id"])
        if sid:
            votes[sid].append(m["published"] or "9999")
    story_id = min(votes, key=lambda s: (-len(votes[s]), min(votes[s]))) if votes else None
    context = None if any(m["context"] is None for m in members) else representative["context"]
    return {"representative_id": representative["id"], "story_id": story_id, "context": context,
            "fatalities": fatalities, "fatalities_low": low, "fatalities_high": high,
            "fatalities_sources": json.dumps([f for f in figures if f["kind"] != "no figure"], ensure_ascii=False),
            "n_events": len(members)}


def _sources(conn, condition) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(select(event_sources).where(condition).order_by(event_sources.c.id))]


def _mention(gid: str, s: dict) -> dict:
    return {"event_id": gid, "source_event_id": s["event_id"], "article_id": s["article_id"], "via": "extracted",
            "sentence": s["sentence"], "start": s["start"], "end": s["end"], "raw_start": s["raw_start"],
            "raw_end": s["raw_end"], "trigger": s["trigger"], "rule": s["rule"]}


class _Copies:
    """Copies' texts, outlets and alignments with their originals, each computed once a call."""

    def __init__(self, conn):
        self.conn = conn
        self.articles: dict[str, tuple] = {}
        self.aligned: dict[tuple[str, str], tuple] = {}

    def load(self, ids) -> None:
        todo = sorted(set(ids) - set(self.articles))
        for chunk in _chunks(todo, 500):
            self.articles.update({r.id: (r.text, r.offsets, r.outlet) for r in self.conn.execute(
                select(articles.c.id, articles.c.text, articles.c.offsets, articles.c.outlet)
                .where(articles.c.id.in_(chunk)))})

    def alignment(self, c: dict) -> tuple:
        key = (c["duplicate_of"], c["article_id"])
        if key not in self.aligned:
            from .dedup import Alignment

            self.load(key)
            copy_text, copy_offsets, _ = self.articles[c["article_id"]]
            self.aligned[key] = (Alignment(self.articles[c["duplicate_of"]][0], copy_text), copy_text,
                                 OffsetMap.from_json(json.loads(copy_offsets)))
        return self.aligned[key]

    def mentions(self, gid: str, pairs: list[tuple[dict, list[dict]]]) -> list[dict]:
        """The sentences of `sources` in the copy `c`, for each (c, sources): via = duplicate, at
        the copy's own offsets."""
        self.load({i for c, _ in pairs for i in (c["duplicate_of"], c["article_id"])})
        rows = []
        for c, sources in pairs:
            if not sources:
                continue
            alignment, copy_text, offsets = self.alignment(c)
            for s in sources:
                start, end = alignment.span(s["start"], s["end"])
                if end <= start:
                    continue
                raw_start, raw_end = offsets.span_to_raw(start, end)
                rows.append({"event_id": gid, "source_event_id": s["event_id"], "article_id": c["article_id"],
                             "via": "duplicate", "sentence": copy_text[start:end], "start": start, "end": end,
                             "raw_start": raw_start, "raw_end": raw_end, "trigger": s["trigger"], "rule": s["rule"]})
        return rows


def _copy_mentions(conn, gid: str, pairs: list[tuple[dict, list[dict]]]) -> list[dict]:
    return _Copies(conn).mentions(gid, pairs)


def _copy_order(c: dict):
    return c["duplicate_of"], c["article_id"]


def _counts(conn, gid: str, members: list[dict]) -> dict:
    """n_sources and n_outlets over every article that reports the group (its stored mentions, copies
    too, and its members' articles)."""
    from .stories import n_outlets

    outlets = {m["article_id"]: m["outlet"] for m in members}
    outlets.update({r.id: r.outlet for r in conn.execute(
        select(articles.c.id, articles.c.outlet).where(
            articles.c.id.in_(select(event_mentions.c.article_id).where(event_mentions.c.event_id == gid))))})
    reporting = sorted(outlets)
    return {"n_sources": len(reporting), "n_outlets": n_outlets([{"id": a, "outlet": outlets[a]} for a in reporting])}


def _write_groups(conn, todo: list[tuple[str, list[dict]]], story_of: dict[str, str], copies_of: _Copies) -> None:
    """`_write_group` for many groups (those new in this call) with a few statements for all."""
    if not todo:
        return
    from sqlalchemy import bindparam

    from .stories import n_outlets

    conn.execute(update(events).where(events.c.id == bindparam("b_id")).values(merged_id=bindparam("b_gid")),
                 [{"b_id": m["id"], "b_gid": gid} for gid, members in todo for m in members])
    member_ids = sorted({m["id"] for _, members in todo for m in members})
    by_event: dict[str, list[dict]] = defaultdict(list)
    for chunk in _chunks(member_ids, 500):
        for r in _sources(conn, event_sources.c.event_id.in_(chunk)):
            by_event[r["event_id"]].append(r)
    member_articles = sorted({m["article_id"] for _, members in todo for m in members})
    copies_by: dict[str, list[dict]] = defaultdict(list)
    for chunk in _chunks(member_articles, 500):
        for r in conn.execute(select(duplicates).where(duplicates.c.duplicate_of.in_(chunk))):
            copies_by[r.duplicate_of].append(dict(r._mapping))
    copies_of.load({c["article_id"] for cs in copies_by.values() for c in cs})
    gids = [gid for gid, _ in todo]
    existing = set()
    for chunk in _chunks(gids, 500):
        conn.execute(delete(event_mentions).where(event_mentions.c.event_id.in_(chunk)))
        existing |= set(conn.scalars(select(merged_events.c.id).where(merged_events.c.id.in_(chunk))))
    rows, inserts, updates = [], [], []
    stamp = now()
    for gid, members in todo:
        values = _group_values(members, story_of)
        sources = sorted((s for m in {m["id"] for m in members} for s in by_event.get(m, ())), key=lambda s: s["id"])
        mine = [_mention(gid, s) for s in sources]
        articles_of = {m["article_id"] for m in members}
        copies = sorted((c for a in articles_of for c in copies_by.get(a, ())), key=_copy_order)
        mine += copies_of.mentions(gid, [(c, [s for s in sources if s["article_id"] == c["duplicate_of"]])
                                         for c in copies])
        rows += mine
        outlets = {m["article_id"]: m["outlet"] for m in members}
        outlets.update({r["article_id"]: copies_of.articles[r["article_id"]][2] for r in mine
                        if r["article_id"] not in outlets})
        reporting = sorted(outlets)
        values.update(n_sources=len(reporting), updated_at=stamp,
                      n_outlets=n_outlets([{"id": a, "outlet": outlets[a]} for a in reporting]))
        (updates if gid in existing else inserts).append({"id": gid, **values})
    if rows:
        conn.execute(insert(event_mentions), rows)
    if inserts:
        conn.execute(insert(merged_events), inserts)
    if updates:
        keys = [k for k in updates[0] if k != "id"]
        conn.execute(update(merged_events).where(merged_events.c.id == bindparam("b_id"))
                     .values({k: bindparam("b_" + k) for k in keys}),
                     [{"b_" + k: v for k, v in u.items()} for u in updates])


def _write_group(conn, gid: str, members: list[dict], story_of: dict[str, str]) -> None:
    """Write a group in full: its members' merged_id, every mention, merged_events' row."""
    member_ids = [m["id"] for m in members]
    conn.execute(update(events).where(events.c.id.in_(member_ids)).values(merged_id=gid))
    values = _group_values(members, story_of)
    # Mentions: each member's sentences, and the same sentences in copies of its article.
    sources = _sources(conn, event_sources.c.event_id.in_(member_ids))
    rows = [_mention(gid, s) for s in sources]
    member_articles = sorted({m["article_id"] for m in members})
    copies = sorted((dict(r._mapping) for r in conn.execute(select(duplicates).where(
        duplicates.c.duplicate_of.in_(member_articles)))), key=_copy_order)
    rows += _copy_mentions(conn, gid, [(c, [s for s in sources if s["article_id"] == c["duplicate_of"]]) for c in copies])
    conn.execute(delete(event_mentions).where(event_mentions.c.event_id == gid))
    if rows:
        conn.execute(insert(event_mentions), rows)
    values.update(_counts(conn, gid, members), updated_at=now())
    if conn.scalar(select(merged_events.c.id).where(merged_events.c.id == gid)):
        conn.execute(update(merged_events).where(merged_events.c.id == gid).values(**values))
    else:
        conn.execute(insert(merged_events).values(id=gid, **values))


def _extend_group(conn, gid: str, members: list[dict], story_of: dict[str, str], new_ids: set[str],
                  new_copies: list[dict], copies_of: _Copies | None = None) -> None:
    """A stored group that gained members or a copy of a member's article in this call: add only
    the new mentions (the new members' sentences in their articles and in every copy of them;
    the old members' sentences in the new copies); recompute merged_events' row (its counts
    from the stored mentions). The result is the same as `_write_group`'s."""
    if not conn.scalar(select(merged_events.c.id).where(merged_events.c.id == gid)):
        return _write_group(conn, gid, members, story_of)
    added = [m["id"] for m in members if m["id"] in new_ids]
    if added:
        conn.execute(update(events).where(events.c.id.in_(added)).values(merged_id=gid))
    member_articles = {m["article_id"] for m in members}
    sources = _sources(conn, event_sources.c.event_id.in_(added)) if added else []
    rows = [_mention(gid, s) for s in sources]
    fresh = [s for s in sources if s["article_id"] in member_articles]
    pairs = []
    fresh_articles = sorted({s["article_id"] for s in fresh})
    if fresh_articles:   # every copy of a new member's article: the new member's sentences
        for c in sorted((dict(r._mapping) for r in conn.execute(
                select(duplicates).where(duplicates.c.duplicate_of.in_(fresh_articles)))), key=_copy_order):
            pairs.append((c, [s for s in fresh if s["article_id"] == c["duplicate_of"]]))
    copies = [c for c in new_copies if c["duplicate_of"] in member_articles]
    if copies:           # a new copy of an old member's article: the old members' sentences
        old_ids = {m["id"] for m in members} - set(added)
        originals = sorted({c["duplicate_of"] for c in copies})
        old = [s for s in _sources(conn, event_sources.c.article_id.in_(originals)) if s["event_id"] in old_ids]
        done = {(r.source_event_id, r.article_id) for r in conn.execute(
            select(event_mentions.c.source_event_id, event_mentions.c.article_id).where(
                event_mentions.c.event_id == gid, event_mentions.c.via == "duplicate",
                event_mentions.c.article_id.in_(sorted({c["article_id"] for c in copies}))))}
        for c in sorted(copies, key=_copy_order):
            todo = [s for s in old if s["article_id"] == c["duplicate_of"] and (s["event_id"], c["article_id"]) not in done]
            if todo:
                pairs.append((c, todo))
    rows += (copies_of or _Copies(conn)).mentions(gid, pairs)
    if rows:
        conn.execute(insert(event_mentions), rows)
    values = _group_values(members, story_of)
    values.update(_counts(conn, gid, members), updated_at=now())
    conn.execute(update(merged_events).where(merged_events.c.id == gid).values(**values))


def _chunks(items: list, size: int):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]
