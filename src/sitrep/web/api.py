"""The JSON API (/api/...): read-only, paged, every parameter typed and bounded."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import StringConstraints
from starlette.background import BackgroundTask

from .. import query
from ..export import FORMATS

router = APIRouter(prefix="/api")

EventType = Literal["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
                    "Strategic developments"]
Sort = Literal[tuple(query.SORTS)]  # type: ignore[valid-type]
Format = Literal[tuple(FORMATS)]  # type: ignore[valid-type]
Country = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60,
                                           pattern=r"^[^\W\d_](?:[^\W\d_]|[ .,'()-])*$")]
Text = Annotated[Optional[str], Query(max_length=200)]
Id = Annotated[str, Path(max_length=64, description="An id as the API returns it.")]

CONTENT_TYPES = {".jsonl": "application/x-ndjson; charset=utf-8", ".csv": "text/csv; charset=utf-8",
                 ".geojson": "application/geo+json; charset=utf-8", ".json": "application/json"}


def event_filter(
    since: Annotated[Optional[date], Query(description="Events on or after this day (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[date], Query(description="Events on or before this day (YYYY-MM-DD).")] = None,
    country: Annotated[Optional[list[Country]], Query(
        description="ISO 3166 alpha-2 code (ML) or country name (Mali); repeat for several.")] = None,
    admin1: Annotated[Optional[str], Query(max_length=200, description="First-level division (region), exact.")] = None,
    event_type: Annotated[Optional[list[EventType]], Query(description="ACLED event type; repeat for several.")] = None,
    sub_event_type: Annotated[Optional[str], Query(max_length=200, description="ACLED sub-event type, exact.")] = None,
    actor: Annotated[Optional[str], Query(max_length=200, description="Part of the name of actor 1, actor 2 "
                                                                        "or an associated actor.")] = None,
    min_fatalities: Annotated[Optional[int], Query(ge=0, le=10**7, description="At least this many deaths.")] = None,
    q: Annotated[Optional[str], Query(max_length=500, description="Text in the notes, place, actors or a source "
                                                                   "sentence.")] = None,
    include_background: Annotated[bool, Query(description="Also flagged events (historical, negated, hypothetical, "
                                                          "future); left out by default, as ACLED does.")] = False,
    story: Annotated[Optional[str], Query(max_length=64, description="Events of this story.")] = None,
) -> query.EventFilter:
    if since and until and since > until:
        raise HTTPException(422, "since must not be after until")
    return query.EventFilter(since=since, until=until, countries=list(country or []), admin1=admin1,
                             event_types=list(event_type or []), sub_event_type=sub_event_type, actor=actor,
                             min_fatalities=min_fatalities, q=q, include_background=include_background,
                             story_id=story)


Filter = Annotated[query.EventFilter, Depends(event_filter)]
Limit = Annotated[int, Query(ge=1, le=query.MAX_LIMIT, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10**7, description="Records to skip.")]


def store_of(request: Request):
    return request.app.state.store


def found_or_404(found, message: str):
    """`found`, or a 404 with the message when the lookup found nothing."""
    if found is None:
        raise HTTPException(404, message)
    return found


@router.get("/events", tags=["events"], summary="Events matching filters, one page")
def events(request: Request, f: Filter, limit: Limit = 100, offset: Offset = 0,
           sort: Annotated[Sort, Query(description="Field to sort by; a leading '-' for descending.")] = "-event_date"):
    """Merged events (one per incident, with every source), as `sitrep export --format jsonl`
    writes them, filtered, sorted and paged: `{total, limit, offset, sort, events}`."""
    return query.query_events(store_of(request), f, sort=sort, limit=limit, offset=offset)


@router.get("/timeline", tags=["events"], summary="Events per day and type, for every event matching filters")
def timeline(request: Request, f: Filter):
    """`{"days": [{event_date, event_type, n}]}` over all matching events (not one page)."""
    return {"days": query.timeline(store_of(request), f)}


@router.get("/facets", tags=["events"], summary="Values the filters can take")
def facets(request: Request, include_background: bool = False):
    """Countries, regions (admin1) and event types present, with counts, and the date range."""
    return query.facets(store_of(request), include_background=include_background)


@router.get("/events/{event_id}", tags=["events"], summary="One event with its sources and mentions")
def event(request: Request, event_id: Id):
    """The event, each source with its article's title and the spans of its sentence to highlight
    (`highlights`, offsets in the sentence), every mention (`mentions`: trigger, place and actor
    spans, offsets in the article's text), its story and its contradictions."""
    return found_or_404(query.event_detail(store_of(request), event_id), f"no event {event_id!r}")


@router.get("/stories", tags=["stories"], summary="Stories, latest first")
def stories(request: Request, q: Text = None, limit: Limit = 50, offset: Offset = 0):
    """Stories (articles about the same news across outlets) with counts; `q` searches titles and summaries."""
    return query.story_list(store_of(request), q=q, limit=limit, offset=offset)


@router.get("/stories/{story_id}", tags=["stories"], summary="One story")
def story(request: Request, story_id: Id):
    """A story with its articles (near-duplicates marked), its events and its contradictions."""
    return found_or_404(query.story_detail(store_of(request), story_id), f"no story {story_id!r}")


@router.get("/actors", tags=["events"], summary="Actors, most active first")
def actors(request: Request, q: Text = None, limit: Limit = 100, offset: Offset = 0):
    """Actors known to the database, with their counts of new events and of mentions in articles."""
    return query.actor_list(store_of(request), q=q, limit=limit, offset=offset)


@router.get("/claims", tags=["articles"], summary="Claims: who said what")
def claims(request: Request, speaker: Text = None, article: Annotated[Optional[str], Query(max_length=64)] = None,
           q: Text = None, limit: Limit = 100, offset: Offset = 0):
    """Claims read from reporting verbs, with speaker, verb, claim text and the sentence."""
    return query.claim_list(store_of(request), speaker=speaker, article_id=article, q=q, limit=limit, offset=offset)


@router.get("/articles/{article_id}", tags=["articles"], summary="One article and what was found in it")
def article(request: Request, article_id: Id):
    """The cleaned text and metadata, event sentences (with the event each reports), places,
    actors and claims (offsets in the cleaned text), its story and near-duplicate links."""
    return found_or_404(query.article_detail(store_of(request), article_id), f"no article {article_id!r}")


@router.get("/search", tags=["articles"], summary="Full-text search over articles")
def search(request: Request, q: Annotated[str, Query(max_length=500, description="Words (all required); "
                                                      "\"a phrase\"; word* for a prefix.")] = "",
           limit: Annotated[int, Query(ge=1, le=100)] = 20, offset: Offset = 0):
    """Articles ranked by bm25 (SQLite FTS5), with a snippet whose matches are in <mark> (the
    snippet's text is HTML-escaped)."""
    return request.app.state.search.search(q, limit=limit, offset=offset)


@router.get("/export/{fmt}", tags=["export"], summary="Download an export",
            responses={200: {"description": "The file, as `sitrep export --format FMT` writes it."}})
def export(request: Request, fmt: Annotated[Format, Path(description="One of the formats of `sitrep export`.")]):
    """The whole database in one of `sitrep export`'s formats, as a file to download."""
    writer, name = FORMATS[fmt]
    handle, path = tempfile.mkstemp(prefix="sitrep-export-", suffix=os.path.splitext(name)[1])
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            writer(store_of(request), out)
    except BaseException:
        os.unlink(path)
        raise
    kind = CONTENT_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
    return FileResponse(path, media_type=kind, filename=name, background=BackgroundTask(os.unlink, path))
