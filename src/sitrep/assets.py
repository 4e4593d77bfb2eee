"""Front-end assets (Leaflet, TopoJSON client, Natural Earth country outlines) and sitrep's own
static files, for the report and the dashboard.

The third-party files come from npm at set-up time (`package.json`, installed by `make`), never
from a CDN at run time and never copied into the repository. They are found in, in order:
`$SITREP_ASSETS`, the `node_modules` folder of the source tree sitrep runs from, `./node_modules`.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit
from functools import cache
from pathlib import Path

import yaml

from .settings import data_path

STATIC = Path(__file__).resolve().parent / "static"

# name -> path inside node_modules
VENDOR = {
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "topojson-client.js": "topojson-client/dist/topojson-client.min.js",
    "countries-110m.json": "world-atlas/countries-110m.json",
    "countries-50m.json": "world-atlas/countries-50m.json",
}


class AssetsMissing(RuntimeError):
    pass


def node_modules() -> Path:
    candidates = [os.environ.get("SITREP_ASSETS"), Path(__file__).resolve().parents[2] / "node_modules",
                  Path.cwd() / "node_modules"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "leaflet").is_dir():
            return Path(candidate)
    raise AssetsMissing("front-end assets not found: run `make` in sitrep's folder (it runs `npm ci`), "
                        "or set SITREP_ASSETS to a node_modules folder holding leaflet, topojson-client "
                        "and world-atlas")


def vendor_path(name: str) -> Path:
    """Path of a third-party asset by its short name (see VENDOR)."""
    return node_modules() / VENDOR[name]


@cache
def vendor_text(name: str) -> str:
    return vendor_path(name).read_text(encoding="utf-8")


def static_text(name: str) -> str:
    """One of sitrep's own static files (map.js, sitrep.css ...)."""
    return (STATIC / name).read_text(encoding="utf-8")


@cache
def palette() -> dict:
    """Colours of the ACLED event types and of background events (data/report/palette.yaml)."""
    with open(data_path("report", "palette.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def script_json(value) -> str:
    """JSON safe to put inside a <script> element: article text may hold "</script>" or "<!--"."""
    import json

    return (json.dumps(value, ensure_ascii=False, default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) address, else None: only such URLs become links in
    a page (no javascript:, data: ...); the others are shown as text."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url
