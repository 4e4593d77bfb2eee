"""The dashboard's HTML pages: the map, an event, a story, an article, search, the API's docs."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from .. import assets, query
from ..export import FORMATS
from .api import EventType, Filter, Id, Sort, found_or_404, store_of
from .app import render
from .highlight import highlight

router = APIRouter(include_in_schema=False)

MAP_FIELDS = ["id", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "latitude",
              "longitude", "fatalities", "context"]


def _common() -> dict:
    return {"palette": assets.palette(), "formats": list(FORMATS)}


def _map_events(records: list[dict]) -> list[dict]:
    return [{k: r.get(k) for k in MAP_FIELDS} for r in records]


@router.get("/", response_class=HTMLResponse)
def index(request: Request, f: Filter, sort: Sort = "-event_date"):
    store = store_of(request)
    facets = query.facets(store, include_background=True)
    chosen = {
        "since": f.since.isoformat() if f.since else "", "until": f.until.isoformat() if f.until else "",
        "country": f.countries[0] if f.countries else "", "admin1": f.admin1 or "",
        "event_type": f.event_types[0] if f.event_types else "", "actor": f.actor or "",
        "min_fatalities": "" if f.min_fatalities is None else f.min_fatalities, "q": f.q or "",
        "include_background": f.include_background, "sort": sort, "story": f.story_id or "",
    }
    actors = [a["name"] for a in query.actor_list(store, limit=300)["actors"] if a["events"]]
    return render(request, "index.html", page="map", facets=facets, chosen=chosen, actors=actors,
                  event_types=list(EventType.__args__), **_common())


def _source_html(source: dict) -> str:
    spans = [{"start": h["start"], "end": h["end"], "attrs": {"class": f"hl hl-{h['kind']}", "title": h["label"]}}
             for h in source.get("highlights", [])]
    return highlight(source["sentence"], [], spans)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: Id):
    record = found_or_404(query.event_detail(store_of(request), event_id), f"No event with the id {event_id!r}.")
    for s in record["sources"]:
        s["html"] = _source_html(s)
    return render(request, "event.html", page="event", event=record, map_events=_map_events([record]),
                  **_common())


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, q: Annotated[str | None, Query(max_length=200)] = None,
                 page: Annotated[int, Query(ge=1, le=100000)] = 1):
    size = 50
    found = query.story_list(store_of(request), q=q, limit=size, offset=(page - 1) * size)
    return render(request, "stories.html", page="stories", found=found, q=q or "", page_no=page,
                  pages=max(1, math.ceil(found["total"] / size)), **_common())


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: Id):
    story = found_or_404(query.story_detail(store_of(request), story_id), f"No story with the id {story_id!r}.")
    return render(request, "story.html", page="story", story=story,
                  map_events=_map_events([e for e in story["events"] if e["context"] is None]), **_common())


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: Id):
    article = found_or_404(query.article_detail(store_of(request), article_id), f"No article with the id {article_id!r}.")
    kinds = {e["id"]: e for e in article["events"]}
    blocks, spans = [], []
    for s in article["event_sentences"]:
        e = kinds.get(s["event_id"])
        label = (f"{e['event_type']}: {e['sub_event_type']}" + (f" ({e['context']})" if e["context"] else "")
                 if e else "event")
        flagged = " hl-flagged" if e and e["context"] else ""
        blocks.append({"start": s["start"], "end": s["end"],
                       "attrs": {"class": "hl-sentence" + flagged, "data-event-id": s["event_id"], "title": label}})
        if s["trigger_start"] is not None:
            spans.append({"start": s["trigger_start"], "end": s["trigger_end"],
                          "attrs": {"class": "hl hl-trigger", "title": "event trigger"}})
    for p in article["places"]:
        where = ", ".join(x for x in (p["name"], p["admin1"], p["country"]) if x)
        spans.append({"start": p["start"], "end": p["end"],
                      "attrs": {"class": "hl hl-place", "title": f"place: {where}" if where else "place (not resolved)"}})
    for a in article["actors"]:
        spans.append({"start": a["start"], "end": a["end"],
                      "attrs": {"class": "hl hl-actor",
                                "title": "actor: " + (a["actor"] or "generic") + (f" ({a['role']})" if a["role"] else "")}})
    body = highlight(article["text"], blocks, spans)
    placed = [p for p in article["places"] if p["name"]]
    unique_places = list({(p["name"], p["admin1"], p["country"]): p for p in placed}.values())
    unique_actors = sorted({a["actor"] for a in article["actors"] if a["actor"]})
    return render(request, "article.html", page="article", article=article, body=body,
                  places=unique_places, actor_names=unique_actors,
                  map_events=_map_events([e for e in article["events"]]), **_common())


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=500)] = "",
                page: Annotated[int, Query(ge=1, le=10000)] = 1):
    size = 20
    found = request.app.state.search.search(q, limit=size, offset=(page - 1) * size)
    return render(request, "search.html", page="search", q=q, found=found, page_no=page,
                  pages=max(1, math.ceil(found["total"] / size)), **_common())


@router.get("/api-docs", response_class=HTMLResponse)
def api_docs(request: Request):
    """The OpenAPI schema as a page (FastAPI's /docs loads Swagger UI from a CDN: not offline)."""
    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = []
            for p in op.get("parameters", []):
                s = p.get("schema", {})
                kind = s.get("format") or s.get("type") or " | ".join(
                    x.get("format") or x["type"] for x in s.get("anyOf", []) if x.get("type") and x["type"] != "null")
                if s.get("enum"):
                    kind = "one of: " + ", ".join(map(str, s["enum"]))
                items = s.get("items") or next((x.get("items") for x in s.get("anyOf", []) if x.get("items")), None)
                if items and items.get("enum"):
                    kind = "repeatable, one of: " + ", ".join(items["enum"])
                bounds = ", ".join(f"{k} {s[k]}" for k in ("minimum", "maximum", "maxLength") if k in s)
                params.append({"name": p["name"], "in": p["in"], "type": kind, "bounds": bounds,
                               "default": s.get("default"), "description": p.get("description", "")})
            operations.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "description": op.get("description", ""), "params": params,
                               "tag": (op.get("tags") or [""])[0]})
    return render(request, "api.html", page="api", schema=schema, operations=operations, **_common())
