"""Filtered, sorted, paged queries over the stored events, for the dashboard and its API.

The unit is the real event of `export.event_records`: the events of several articles merged
into one (merge.py), shown through its representative report. Filters and sorting run in SQL
over one row per merged event (the representative's fields, the merged fatalities and
context), so a page costs the same on 100 events as on 100,000; the records of the page are
then assembled by `event_records(store, ids=...)`, the same code as the exports.

Every value from the user is a bound parameter; LIKE patterns are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.sql import Select

from .export import event_records
from .store import Store, actor_mentions, actors, event_mentions, event_sources, events, merged_events

EVENT_TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
               "Strategic developments"]
SORT_KEYS = ["event_date", "fatalities", "country", "event_type", "location", "id"]
SORTS = [*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS)]
MAX_LIMIT = 1000


@dataclass
class EventFilter:
    since: date | None = None                 # event_date >= since
    until: date | None = None                 # event_date <= until
    countries: list[str] = field(default_factory=list)   # ISO2 codes or country names (any of)
    admin1: str | None = None                 # case-insensitive, exact
    event_types: list[str] = field(default_factory=list)  # any of
    sub_event_type: str | None = None
    actor: str | None = None                  # substring of actor1, actor2 or an associated actor
    min_fatalities: int | None = None
    q: str | None = None                      # substring of notes, place, actors or a source sentence
    include_background: bool = False          # flagged events too (historical, negated, hypothetical, future)
    story_id: str | None = None


def _grouped():
    """Columns of one row per merged event, and the FROM clause and condition that give them."""
    e, m = events, merged_events
    first = events.alias("first_member")
    rep = events.alias("rep_exists")
    is_merged = m.c.id.is_not(None)
    # the representative row; when a merged group's representative is missing (never, in a
    # consistent database), its first member by (event_date, id), as event_records does
    representative = or_(
        m.c.id.is_(None),
        e.c.id == m.c.representative_id,
        and_(~exists(select(literal(1)).where(rep.c.id == m.c.representative_id)),
             e.c.id == select(first.c.id).where(first.c.merged_id == m.c.id)
             .order_by(first.c.event_date, first.c.id).limit(1).scalar_subquery()))
    columns = {
        "id": case((is_merged, m.c.id), else_=e.c.id),
        "event_date": e.c.event_date,
        "fatalities": case((is_merged, m.c.fatalities), else_=e.c.fatalities),
        "context": case((is_merged, m.c.context), else_=e.c.context),
        "country": e.c.country, "location": e.c.location, "event_type": e.c.event_type,
    }
    source = e.outerjoin(m, m.c.id == e.c.merged_id)
    return columns, source, representative


def _country_condition(value: str):
    value = value.strip()
    if len(value) == 2:
        return events.c.iso == value.upper()
    return func.lower(events.c.country) == value.lower()


def _conditions(f: EventFilter, columns: dict) -> list:
    e = events
    out = []
    if not f.include_background:
        out.append(columns["context"].is_(None))
    if f.since:
        out.append(e.c.event_date >= f.since.isoformat())
    if f.until:
        out.append(e.c.event_date <= f.until.isoformat())
    if f.countries:
        out.append(or_(*(_country_condition(c) for c in f.countries)))
    if f.admin1:
        out.append(func.lower(e.c.admin1) == f.admin1.strip().lower())
    if f.event_types:
        out.append(e.c.event_type.in_(f.event_types))
    if f.sub_event_type:
        out.append(func.lower(e.c.sub_event_type) == f.sub_event_type.strip().lower())
    if f.actor and f.actor.strip():
        who = f.actor.strip()
        out.append(or_(*(c.icontains(who, autoescape=True)
                         for c in (e.c.actor1, e.c.actor2, e.c.assoc_actor_1, e.c.assoc_actor_2))))
    if f.min_fatalities is not None:
        out.append(func.coalesce(columns["fatalities"], 0) >= f.min_fatalities)
    if f.story_id:
        out.append(or_(merged_events.c.story_id == f.story_id,
                       and_(merged_events.c.id.is_(None), exists(
                           select(literal(1)).where(_story_member(e.c.article_id, f.story_id))))))
    if f.q and f.q.strip():
        text = f.q.strip()
        member = events.alias("member")
        in_fields = [c.icontains(text, autoescape=True)
                     for c in (e.c.notes, e.c.location, e.c.admin1, e.c.admin2, e.c.country, e.c.actor1,
                               e.c.actor2, e.c.assoc_actor_1, e.c.assoc_actor_2, e.c.sub_event_type)]
        in_mentions = exists(select(literal(1)).where(event_mentions.c.event_id == columns["id"],
                                                      event_mentions.c.sentence.icontains(text, autoescape=True)))
        in_sources = exists(select(literal(1)).select_from(event_sources.join(member,
                                                                              member.c.id == event_sources.c.event_id))
                            .where(or_(member.c.id == e.c.id, member.c.merged_id == columns["id"]),
                                   event_sources.c.sentence.icontains(text, autoescape=True)))
        out.append(or_(*in_fields, in_mentions, in_sources))
    return out


def _story_member(article_id_column, story_id: str):
    from .store import story_articles

    return and_(story_articles.c.article_id == article_id_column, story_articles.c.story_id == story_id)


def _filtered(f: EventFilter, *wanted: str) -> Select:
    columns, source, representative = _grouped()
    return select(*(columns[k].label(k) for k in wanted)).select_from(source).where(
        representative, *_conditions(f, columns))


def count_events(store: Store, f: EventFilter) -> int:
    inner = _filtered(f, "id").subquery()
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(inner))


def event_ids(store: Store, f: EventFilter, sort: str = "-event_date", limit: int = 100, offset: int = 0) -> list[str]:
    """The ids of one page of merged events matching `f`, in `sort` order (ties by id)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValueError(f"limit must be 1..{MAX_LIMIT} and offset >= 0")
    key = sort.lstrip("-")
    inner = _filtered(f, *dict.fromkeys(["id", key])).subquery()
    column = inner.c[key]
    order = column.desc().nulls_last() if sort.startswith("-") else column.asc().nulls_last()
    statement = select(inner.c.id).order_by(order, inner.c.id).limit(limit).offset(offset)
    with store.engine.connect() as conn:
        return list(conn.scalars(statement))


def records(store: Store, ids: Iterable[str]) -> list[dict]:
    """Full event records (export.event_records' shape) for these ids, in this order."""
    ids = list(ids)
    found = {r["id"]: r for r in event_records(store, ids=ids)}
    return [found[i] for i in ids if i in found]


def query_events(store: Store, f: EventFilter, sort: str = "-event_date", limit: int = 100,
                 offset: int = 0) -> dict:
    """One page: {"total", "limit", "offset", "sort", "events": [records]}."""
    from .report.data import map_focus

    ids = event_ids(store, f, sort, limit, offset)
    found = records(store, ids)
    return {"total": count_events(store, f), "limit": limit, "offset": offset, "sort": sort,
            "events": found, "focus": map_focus(found)}


def get_event(store: Store, event_id: str) -> dict | None:
    """One merged event by its id; an id of one of its member reports leads to it too."""
    found = records(store, [event_id])
    if found:
        return found[0]
    with store.engine.connect() as conn:
        merged_id = conn.scalar(select(events.c.merged_id).where(events.c.id == event_id))
    if merged_id and merged_id != event_id:
        found = records(store, [merged_id])
    return found[0] if found else None


def timeline(store: Store, f: EventFilter) -> list[dict]:
    """Merged events per day and event type, over every event matching `f` (not one page)."""
    inner = _filtered(f, "event_date", "event_type", "context").subquery()
    statement = (select(inner.c.event_date, inner.c.event_type, func.count().label("n"))
                 .where(inner.c.event_date.is_not(None))
                 .group_by(inner.c.event_date, inner.c.event_type).order_by(inner.c.event_date))
    return store.select(statement)


def facets(store: Store, include_background: bool = True) -> dict:
    """What the filters can choose from: countries, first-level divisions, event types, date range."""
    f = EventFilter(include_background=include_background)
    columns, source, representative = _grouped()
    where = [representative, *_conditions(f, columns)]

    def grouped(*cols):
        return store.select(select(*cols, func.count().label("n")).select_from(source).where(*where)
                            .group_by(*cols).order_by(func.count().desc(), *cols))

    countries = [{"iso": r["iso"], "country": r["country"], "n": r["n"]}
                 for r in grouped(events.c.iso, events.c.country) if r["iso"] or r["country"]]
    admin1 = [{"iso": r["iso"], "admin1": r["admin1"], "n": r["n"]}
              for r in grouped(events.c.iso, events.c.admin1) if r["admin1"]]
    types = [{"event_type": r["event_type"], "n": r["n"]} for r in grouped(events.c.event_type)]
    span = store.select(select(func.min(events.c.event_date).label("first"), func.max(events.c.event_date)
                               .label("last")).select_from(source).where(*where))[0]
    return {"countries": countries, "admin1": admin1, "event_types": types, "first_date": span["first"],
            "last_date": span["last"]}


def actor_list(store: Store, q: str | None = None, limit: int = 100, offset: int = 0) -> dict:
    """Actors known to the database, with how many new (merged) events name them as actor 1 or 2
    and how many times articles mention them."""
    columns, source, representative = _grouped()
    new = [representative, columns["context"].is_(None)]
    counts: dict[str, int] = {}
    for col in (events.c.actor1, events.c.actor2):
        for r in store.select(select(col.label("name"), func.count().label("n")).select_from(source)
                              .where(*new, col.is_not(None)).group_by(col)):
            counts[r["name"]] = counts.get(r["name"], 0) + r["n"]
    mentioned = {r["actor"]: r["n"] for r in store.select(
        select(actor_mentions.c.actor, func.count().label("n")).where(actor_mentions.c.actor.is_not(None))
        .group_by(actor_mentions.c.actor))}
    statement = select(actors)
    if q and q.strip():
        statement = statement.where(actors.c.name.icontains(q.strip(), autoescape=True))
    rows = [{**r, "events": counts.get(r["name"], 0), "mentions": mentioned.get(r["name"], 0)}
            for r in store.select(statement)]
    rows.sort(key=lambda r: (-r["events"], -r["mentions"], r["name"]))
    return {"total": len(rows), "limit": limit, "offset": offset, "actors": rows[offset:offset + limit]}


# --- one thing at a time: an event's highlights, an article, a story, claims ---------------------

def _merged_of(store: Store, event_ids: list[str]) -> dict[str, str]:
    """events.id -> the id of the merged event it is a report of (its own id when not merged)."""
    if not event_ids:
        return {}
    rows = store.select(select(events.c.id, events.c.merged_id, merged_events.c.id.label("mid"))
                        .outerjoin(merged_events, merged_events.c.id == events.c.merged_id)
                        .where(events.c.id.in_(event_ids)))
    return {r["id"]: r["mid"] or r["id"] for r in rows}


def sentence_highlights(store: Store, record: dict) -> list[list[dict]]:
    """For each source of an event record: what to highlight in its sentence, as spans relative
    to the sentence ({start, end, kind: trigger|place|actor, text, label})."""
    from .store import places

    article_ids = sorted({s["article_id"] for s in record["sources"]})
    found_places: dict[str, list[dict]] = {}
    found_actors: dict[str, list[dict]] = {}
    triggers: dict[tuple, tuple[int, int]] = {}
    if article_ids:
        for p in store.select(select(places.c.article_id, places.c.start, places.c.end, places.c.text, places.c.name,
                                     places.c.country, places.c.admin1).where(places.c.article_id.in_(article_ids))):
            found_places.setdefault(p["article_id"], []).append(p)
        for a in store.select(select(actor_mentions.c.article_id, actor_mentions.c.start, actor_mentions.c.end,
                                     actor_mentions.c.text, actor_mentions.c.actor, actor_mentions.c.role)
                              .where(actor_mentions.c.article_id.in_(article_ids))):
            found_actors.setdefault(a["article_id"], []).append(a)
        for t in store.select(select(event_sources.c.article_id, event_sources.c.start, event_sources.c.end,
                                     event_sources.c.trigger_start, event_sources.c.trigger_end)
                              .where(event_sources.c.article_id.in_(article_ids),
                                     event_sources.c.event_id.in_(record["provenance"]["events"]))):
            if t["trigger_start"] is not None:
                triggers[(t["article_id"], t["start"], t["end"])] = (t["trigger_start"], t["trigger_end"])
    out = []
    for s in record["sources"]:
        lo, hi = s["start"], s["end"]
        spans = []
        trigger = triggers.get((s["article_id"], lo, hi))
        if trigger and lo <= trigger[0] < trigger[1] <= hi:
            spans.append({"start": trigger[0] - lo, "end": trigger[1] - lo, "kind": "trigger",
                          "text": s["sentence"][trigger[0] - lo:trigger[1] - lo], "label": "event trigger"})
        elif s.get("trigger"):
            import re

            hit = re.search(r"\b" + re.escape(s["trigger"]) + r"\b", s["sentence"], flags=re.IGNORECASE)
            if hit:
                spans.append({"start": hit.start(), "end": hit.end(), "kind": "trigger", "text": hit.group(0),
                              "label": "event trigger"})
        for p in found_places.get(s["article_id"], []):
            if lo <= p["start"] < p["end"] <= hi:
                where = ", ".join(x for x in (p["name"], p["admin1"], p["country"]) if x)
                spans.append({"start": p["start"] - lo, "end": p["end"] - lo, "kind": "place", "text": p["text"],
                              "label": f"place: {where}" if where else "place (not resolved)"})
        for a in found_actors.get(s["article_id"], []):
            if lo <= a["start"] < a["end"] <= hi:
                label = a["actor"] or "generic actor"
                spans.append({"start": a["start"] - lo, "end": a["end"] - lo, "kind": "actor", "text": a["text"],
                              "label": f"actor: {label}" + (f" ({a['role']})" if a["role"] else "")})
        out.append(sorted(spans, key=lambda x: (x["start"], -x["end"])))
    return out


def event_detail(store: Store, event_id: str) -> dict | None:
    """An event record with, per source, the article's title and the highlights of its sentence,
    its story, and the contradictions recorded about it."""
    import json

    from .store import articles, contradictions, stories

    record = get_event(store, event_id)
    if record is None:
        return None
    ids = sorted({s["article_id"] for s in record["sources"]})
    titles = {r["id"]: r["title"] for r in store.select(select(articles.c.id, articles.c.title)
                                                        .where(articles.c.id.in_(ids)))} if ids else {}
    highlights = sentence_highlights(store, record)
    mentions = []
    for s, spans in zip(record["sources"], highlights):
        s["title"] = titles.get(s["article_id"])
        s["highlights"] = spans
        mentions += [{"article_id": s["article_id"], "start": s["start"] + h["start"], "end": s["start"] + h["end"],
                      "kind": h["kind"], "text": h["text"], "label": h["label"]} for h in spans]
    record["mentions"] = mentions
    story = None
    if record["story_id"]:
        rows = store.select(select(stories.c.id, stories.c.title, stories.c.n_articles, stories.c.n_outlets)
                            .where(stories.c.id == record["story_id"]))
        story = rows[0] if rows else None
    record["story"] = story
    record["contradictions"] = [
        {"kind": r["kind"], "subject": r["subject"], "a": json.loads(r["a"]), "b": json.loads(r["b"])}
        for r in store.select(select(contradictions).where(contradictions.c.event_id == record["id"])
                              .order_by(contradictions.c.id))]
    return record


ARTICLE_FIELDS = ["id", "title", "subtitle", "outlet", "author", "published", "url", "language", "status", "error",
                  "path", "line", "format", "stored_at", "text"]


def article_detail(store: Store, article_id: str) -> dict | None:
    """An article with its cleaned text and everything found in it, offsets into that text:
    event sentences (with the merged event each reports), places, actors, claims; its story and
    near-duplicate links."""
    from .store import articles, claims, duplicates, places, story_articles

    rows = store.select(select(*(articles.c[k] for k in ARTICLE_FIELDS)).where(articles.c.id == article_id))
    if not rows:
        return None
    article = rows[0]
    own = store.select(select(events).where(events.c.article_id == article_id).order_by(events.c.id))
    merged_of = _merged_of(store, [e["id"] for e in own])
    sentences = {}
    for s in store.select(select(event_sources).where(event_sources.c.article_id == article_id)
                          .order_by(event_sources.c.start)):
        gid = merged_of.get(s["event_id"], s["event_id"])
        sentences.setdefault((s["start"], s["end"], gid), {
            "start": s["start"], "end": s["end"], "event_id": gid, "trigger": s["trigger"],
            "trigger_start": s["trigger_start"], "trigger_end": s["trigger_end"], "via": "extracted"})
    for s in store.select(select(event_mentions).where(event_mentions.c.article_id == article_id)
                          .order_by(event_mentions.c.start)):
        sentences.setdefault((s["start"], s["end"], s["event_id"]), {
            "start": s["start"], "end": s["end"], "event_id": s["event_id"], "trigger": s["trigger"],
            "trigger_start": None, "trigger_end": None, "via": s["via"]})
    reported = sorted({s["event_id"] for s in sentences.values()})
    found = {r["id"]: r for r in event_records(store, ids=reported)}
    article["events"] = [{k: found[i][k] for k in ("id", "event_date", "event_type", "sub_event_type", "actor1",
                                                    "actor2", "location", "admin1", "country", "iso", "latitude",
                                                    "longitude", "fatalities", "context", "n_sources", "n_outlets")}
                         for i in reported if i in found]
    article["events"].sort(key=lambda e: min(s["start"] for s in sentences.values() if s["event_id"] == e["id"]))
    article["event_sentences"] = sorted(sentences.values(), key=lambda s: (s["start"], s["end"]))
    article["extracted_events"] = [{"id": e["id"], "merged_id": merged_of.get(e["id"], e["id"]),
                                    "event_type": e["event_type"], "context": e["context"]} for e in own]
    article["places"] = store.select(select(places.c.start, places.c.end, places.c.text, places.c.name,
                                            places.c.latitude, places.c.longitude, places.c.country, places.c.admin1,
                                            places.c.admin2, places.c.geo_precision, places.c.rule)
                                     .where(places.c.article_id == article_id).order_by(places.c.start))
    article["actors"] = store.select(select(actor_mentions.c.start, actor_mentions.c.end, actor_mentions.c.text,
                                            actor_mentions.c.actor, actor_mentions.c.role, actor_mentions.c.country)
                                     .where(actor_mentions.c.article_id == article_id)
                                     .order_by(actor_mentions.c.start))
    article["claims"] = store.select(select(claims.c.id, claims.c.speaker, claims.c.speaker_actor, claims.c.verb,
                                            claims.c.text, claims.c.start, claims.c.end)
                                     .where(claims.c.article_id == article_id).order_by(claims.c.start))
    story = store.select(select(story_articles.c.story_id).where(story_articles.c.article_id == article_id))
    article["story_id"] = story[0]["story_id"] if story else None
    original = store.select(select(duplicates.c.duplicate_of, duplicates.c.similarity)
                            .where(duplicates.c.article_id == article_id))
    article["duplicate_of"] = original[0] if original else None
    article["duplicates"] = store.select(select(duplicates.c.article_id, duplicates.c.similarity, articles.c.outlet,
                                                articles.c.title)
                                         .join(articles, articles.c.id == duplicates.c.article_id)
                                         .where(duplicates.c.duplicate_of == article_id))
    return article


def story_list(store: Store, q: str | None = None, limit: int = 50, offset: int = 0) -> dict:
    """Stories, latest first, with their counts of articles, outlets, new events and contradictions."""
    import json

    from .store import contradictions, stories

    n_events = (select(merged_events.c.story_id, func.count().label("n")).where(merged_events.c.context.is_(None))
                .group_by(merged_events.c.story_id).subquery())
    n_contra = (select(contradictions.c.story_id, func.count().label("n"))
                .group_by(contradictions.c.story_id).subquery())
    where = []
    if q and q.strip():
        where.append(or_(stories.c.title.icontains(q.strip(), autoescape=True),
                         stories.c.summary.icontains(q.strip(), autoescape=True)))
    statement = (select(stories.c.id, stories.c.title, stories.c.summary, stories.c.first_published,
                        stories.c.last_published, stories.c.n_articles, stories.c.n_outlets, stories.c.outlets,
                        func.coalesce(n_events.c.n, 0).label("n_events"),
                        func.coalesce(n_contra.c.n, 0).label("n_contradictions"))
                 .outerjoin(n_events, n_events.c.story_id == stories.c.id)
                 .outerjoin(n_contra, n_contra.c.story_id == stories.c.id).where(*where)
                 .order_by(stories.c.last_published.desc().nulls_last(), stories.c.id).limit(limit).offset(offset))
    with store.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(stories).where(*where))
    rows = store.select(statement)
    for r in rows:
        r["outlets"] = json.loads(r["outlets"] or "[]")
    return {"total": total, "limit": limit, "offset": offset, "stories": rows}


def story_detail(store: Store, story_id: str) -> dict | None:
    """A story: summary (with its sources), articles (copies marked), events, contradictions."""
    import json

    from .store import articles, contradictions, duplicates, stories, story_articles

    rows = store.select(select(stories.c.id, stories.c.title, stories.c.summary, stories.c.summary_sources,
                               stories.c.first_published, stories.c.last_published, stories.c.n_articles,
                               stories.c.n_outlets, stories.c.outlets, stories.c.updated_at)
                        .where(stories.c.id == story_id))
    if not rows:
        return None
    story = rows[0]
    story["outlets"] = json.loads(story["outlets"] or "[]")
    story["summary_sources"] = json.loads(story["summary_sources"] or "[]")
    story["articles"] = store.select(
        select(articles.c.id, articles.c.title, articles.c.outlet, articles.c.published, articles.c.url,
               articles.c.status, story_articles.c.score, duplicates.c.duplicate_of)
        .join(story_articles, story_articles.c.article_id == articles.c.id)
        .outerjoin(duplicates, duplicates.c.article_id == articles.c.id)
        .where(story_articles.c.story_id == story_id)
        .order_by(articles.c.published.nulls_last(), articles.c.id))
    ids = [r["id"] for r in store.select(select(merged_events.c.id).where(merged_events.c.story_id == story_id))]
    members = [r["id"] for r in store.select(
        select(events.c.id).join(story_articles, story_articles.c.article_id == events.c.article_id)
        .outerjoin(merged_events, merged_events.c.id == events.c.merged_id)
        .where(story_articles.c.story_id == story_id, merged_events.c.id.is_(None)))]
    story["events"] = sorted(records(store, [*ids, *members]), key=lambda r: (r["event_date"] or "", r["id"]))
    story["contradictions"] = [
        {"kind": r["kind"], "subject": r["subject"], "event_id": r["event_id"], "a": json.loads(r["a"]),
         "b": json.loads(r["b"])}
        for r in store.select(select(contradictions).where(contradictions.c.story_id == story_id)
                              .order_by(contradictions.c.id))]
    return story


def claim_list(store: Store, speaker: str | None = None, article_id: str | None = None, q: str | None = None,
               limit: int = 100, offset: int = 0) -> dict:
    """Claims (who said what), newest articles first, with the sentence each was read from."""
    from .store import articles, claims

    where = []
    if speaker and speaker.strip():
        who = speaker.strip()
        where.append(or_(claims.c.speaker.icontains(who, autoescape=True),
                         claims.c.speaker_actor.icontains(who, autoescape=True)))
    if article_id:
        where.append(claims.c.article_id == article_id)
    if q and q.strip():
        where.append(claims.c.text.icontains(q.strip(), autoescape=True))
    with store.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(claims).where(*where))
    page = (select(claims, articles.c.outlet, articles.c.published, articles.c.title)
            .join(articles, articles.c.id == claims.c.article_id).where(*where)
            .order_by(articles.c.published.desc().nulls_last(), claims.c.id).limit(limit).offset(offset))
    rows = store.select(page)
    spans = {}
    if rows:
        text_of = {r["id"]: r["text"] for r in store.select(select(articles.c.id, articles.c.text).where(
            articles.c.id.in_({r["article_id"] for r in rows})))}
        spans = {r["id"]: text_of[r["article_id"]][r["sentence_start"]:r["sentence_end"]].strip() for r in rows}
    out = [{"id": r["id"], "speaker": r["speaker"], "speaker_actor": r["speaker_actor"], "verb": r["verb"],
            "text": r["text"], "article_id": r["article_id"], "title": r["title"], "outlet": r["outlet"],
            "published": r["published"], "sentence": spans.get(r["id"]), "start": r["start"], "end": r["end"],
            "confidence": r["confidence"]} for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "claims": out}
