"""The dashboard: a FastAPI app over one sitrep database (`sitrep serve`).

    app = create_app("out/sitrep.db")      # then uvicorn.run(app, host="127.0.0.1", port=8000)

Two routers: the JSON API under /api (documented by /openapi.json and, offline, by the
/api-docs page) and the HTML pages (Jinja2, autoescaped). Front-end files are served from a
fixed list of names under /assets: the npm packages' files (assets.VENDOR) and sitrep's own.
Untrusted text (articles, their metadata) is escaped by the templates or set with textContent
by the scripts; a Content-Security-Policy forbids inline scripts besides.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__, assets
from ..search import Search
from ..store import Store, database_url

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml"}


def asset_files() -> dict[str, Path]:
    """Every file /assets/{name} may serve, by name: nothing else can be reached."""
    files: dict[str, Path] = {}
    for name in assets.VENDOR:
        try:
            files[name] = assets.vendor_path(name)
        except assets.AssetsMissing:
            pass
    for folder in (assets.STATIC, STATIC):
        for path in sorted(folder.glob("*")):
            if path.is_file() and path.suffix in TYPES:
                files[path.name] = path
    return files


def templates_env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    env.filters["script_json"] = assets.script_json
    env.filters["safe_url"] = assets.safe_url
    env.filters["day"] = lambda value: (value or "")[:10]
    return env


PATTERN_HINTS = {"country": "expected an ISO 3166 alpha-2 code (ML) or a country name (Mali), letters only"}


def _message(errors: list[dict]) -> str:
    """One readable line from pydantic's errors: `limit: Input should be greater than or equal to 1`."""
    parts = []
    for e in errors:
        where = [str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body") and not isinstance(x, int)]
        name = ".".join(where) or "request"
        message = e.get("msg", "invalid value")
        if e.get("type") == "string_pattern_mismatch" and name in PATTERN_HINTS:
            message = PATTERN_HINTS[name]
            e["msg"] = message
        parts.append(f"{name}: {message}")
    return "; ".join(parts)


class DropEmptyQuery:
    """ASGI middleware: `?since=&country=` (an HTML form's empty fields) mean no filter, not an error."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("query_string"):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if v.strip() != ""]
            if len(kept) != len(pairs):
                scope = dict(scope, query_string=urlencode(kept).encode("latin-1"))
        await self.app(scope, receive, send)


def create_app(db: str | Path) -> FastAPI:
    """The dashboard over the database `db` (a file path or SQLAlchemy URL; a file must exist)."""
    url = database_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise FileNotFoundError(f"{db}: no such database (run `sitrep run` first)")
    store = Store(url)
    app = FastAPI(
        title="sitrep dashboard API", version=__version__, docs_url=None, redoc_url=None,
        description="Events coded from news articles about armed conflict, each with its sources. "
                    "Read-only. Every list is paged (`limit`, `offset`); bad parameters get a 422 with a "
                    "`message`. The same events as `sitrep export`.",
        openapi_tags=[{"name": "events"}, {"name": "stories"}, {"name": "articles"}, {"name": "export"}])
    app.state.store = store
    app.state.search = Search(store)
    app.state.templates = templates_env()
    app.state.assets = asset_files()

    from .api import router as api_router
    from .pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    app.add_middleware(DropEmptyQuery)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path in ("/openapi.json",)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
        message = _message(errors)
        if wants_json(request):
            return JSONResponse({"message": message, "detail": errors}, status_code=422)
        return error_page(request, 422, "Bad request", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if wants_json(request):
            return JSONResponse({"message": str(exc.detail), "detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return error_page(request, exc.status_code, title, str(exc.detail))

    @app.get("/assets/{name}", include_in_schema=False)
    def asset(name: str):
        path = app.state.assets.get(name)
        if path is None:
            raise StarletteHTTPException(404, f"no asset {name!r}")
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=kind, headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)

    return app


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    env: Environment = request.app.state.templates
    html = env.get_template("error.html").render(request=request, status=status, title=title, message=message,
                                                 page="error")
    return HTMLResponse(html, status_code=status)


def render(request: Request, name: str, **context) -> HTMLResponse:
    env: Environment = request.app.state.templates
    return HTMLResponse(env.get_template(name).render(request=request, **context))
