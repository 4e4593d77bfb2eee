"""The report as one self-contained HTML file and its Markdown twin.

HTML: Jinja2 with autoescape on; the scripts (Leaflet, topojson-client, static/map.js), the
styles and the map's data (the world-atlas TopoJSON and the events, through
`assets.script_json`) are inlined, and a Content-Security-Policy forbids the page any network
request (but for the tile server given with `tiles`). Markdown: the same sections, tables for
charts; every value from the data is escaped for Markdown (`md` below) unless a filter built it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import assets
from .charts import MONTHS, bin_label, network_svg, short_name, timeline_svg
from .data import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
WORLD = "countries-50m.json"   # Natural Earth 1:50m: the Sahel's borders drawn well; 110m if size matters


# --- filters shared by both templates -------------------------------------------------------

def fmt_date(value: str | None, missing: str = "undated") -> str:
    if not value:
        return missing
    try:
        d = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def when(event: dict) -> str:
    """An event's date as precise as it is known: '2012', 'Aug 2020', '1 Jun 2025'."""
    start, end = event.get("date_start"), event.get("date_end")
    try:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
    except (TypeError, ValueError):
        return fmt_date(event.get("event_date"))
    if s == e:
        return fmt_date(start)
    if s.year == e.year and (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
        return str(s.year)
    if (s.year, s.month) == (e.year, e.month) and s.day == 1 and (e + timedelta(days=1)).day == 1:
        return f"{MONTHS[s.month - 1]} {s.year}"
    if s.year == e.year:
        return f"{s.day} {MONTHS[s.month - 1]} – {fmt_date(end)}"
    return f"{fmt_date(start)} – {fmt_date(end)}"


def fmt_range(start: str | None, end: str | None) -> str:
    if not start and not end:
        return "all dates"
    if start and end and start[:10] == end[:10]:
        return fmt_date(start)
    if not end:
        return f"from {fmt_date(start)}"
    if not start:
        return f"until {fmt_date(end)}"
    return f"{fmt_date(start)} – {fmt_date(end)}"


def fmt_int(value) -> str:
    return f"{int(value or 0):,}"


def deaths(event: dict) -> str:
    n, low, high = event.get("fatalities"), event.get("fatalities_low"), event.get("fatalities_high")
    if not n and not high:
        return "0"
    if low is not None and high is not None and low != high:
        return f"{n} ({low}–{high})"
    return str(n)


def place(event: dict) -> str:
    parts = [event.get("location")]
    if event.get("admin1") and event.get("admin1") != event.get("location"):
        parts.append(event["admin1"])
    if event.get("country") and event.get("country") not in parts:
        parts.append(event["country"])
    return ", ".join(p for p in parts if p) or "place unknown"


def actors_text(event: dict, short: bool = False) -> str:
    a1, a2 = event.get("actor1"), event.get("actor2")
    if short:
        a1, a2 = a1 and short_name(a1, 60), a2 and short_name(a2, 60)
    if a1 and a2:
        return f"{a1} against {a2}" if a1 != a2 else a1
    return a1 or a2 or "actor unknown"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{fmt_int(n)} {word if n == 1 else (many or word + 's')}"


def method_items(r: Report) -> list[tuple[str, str]]:
    """The 'Method and caveats' section, one (lead, text) per point, for both templates."""
    db = r.database
    failed = f", {db['error']} failed" if db.get("error") else ""
    scope = f"events dated {fmt_range(r.since, r.until)}"
    if r.country_filter:
        scope += " in " + ", ".join(db["country_names"].values())
    return [
        ("Everything here is automatic.",
         f"sitrep read {plural(db['articles'], 'article')}, cleaned them and processed those in English "
         f"({db['skipped']} in other languages were skipped{failed}). Events, actors, places, dates, tolls, stories "
         "and contradictions were extracted by rules and a statistical parser; no person has checked this report. "
         "Read the quoted sentences before relying on a figure."),
        ("Events", "follow ACLED's event types. Reports of one incident from several articles and outlets are merged "
         "into one event that lists all its sources; near-copies of an article count as further sources."),
        ("Deaths", "are ACLED's most conservative figure: the lowest number any source gives for the incident "
         "(ranges show the lowest and the highest). Vague words (\u201cdozens\u201d) count only when no source gives "
         "a number. Totals add these figures."),
        ("Confidence", "(0.4 to 1) says how much of an event's coding its sentence states itself: an actor, a "
         "target, a place, a date other than the publication date, a toll. It is not the probability that the event "
         "happened."),
        ("Places", "come from a gazetteer (GeoNames). Precision 1 is the town itself, 2 a place near it or its "
         "district, 3 a region or a country: such events are drawn at the centre of the region or the country."),
        ("Flagged events", "(background the articles recall, events said not to have happened, hypothetical or "
         "announced ones) are listed under Background and left out of every count, the map, the timeline and the "
         "actors."),
        ("Key developments", "are stories (articles grouped across outlets and days) ranked by log2(1 + reported "
         "deaths) + 2 per outlet beyond the first + up to 1 for being recent in the period. Their summaries are "
         "sentences taken from the articles as written."),
        ("Contradictions", "are found by cues: opposite statements on a subject, tolls 20% and 2 or more apart, "
         "denials. Those shown were detected; others may have been missed."),
        ("This report covers", f"{scope}. Background events are chosen by the publication date of the articles "
         "that recall them. The header's counts are for this report: the articles cited are those quoted under "
         "Sources."),
    ]


def _common_filters(env: Environment) -> None:
    env.filters.update(date=fmt_date, when=when, int=fmt_int, deaths=deaths, place=place, actors=actors_text,
                       short=short_name)
    env.globals.update(date_range=fmt_range, plural=plural, bin_label=bin_label, method_items=method_items)


# --- HTML -----------------------------------------------------------------------------------

def _html_env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    _common_filters(env)
    return env


def _inline_script(text: str) -> Markup:
    """Vendor or own JavaScript inside <script>: a "</script" in it would end the element."""
    return Markup(re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE))


def _inline_style(text: str) -> Markup:
    return Markup(re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE))


def _csp(tiles: str | None) -> str:
    img = "data:"
    if tiles:
        parts = urlsplit(tiles)
        host = parts.netloc
        if "{" in host:  # {s}.tile.example.org: any subdomain
            host = "*." + host.split(".", 1)[1] if "." in host else host
        img += f" {parts.scheme}://{host}"
    return (f"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src {img}; "
            "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def valid_tiles(url: str) -> bool:
    """A tile URL template: http(s), with {z}, {x} and {y}."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and all(k in url for k in ("{z}", "{x}", "{y}"))


def render_html(report: Report, tiles: str | None = None, tiles_attribution: str | None = None,
                world: str = WORLD) -> str:
    """The self-contained page. Raises assets.AssetsMissing when Leaflet & co. are not installed."""
    palette = assets.palette()
    world_json = assets.vendor_text(world).replace("</", "<\\/")
    if tiles and not valid_tiles(tiles):
        raise ValueError(f"not a tile URL template (http(s) with {{z}}, {{x}}, {{y}}): {tiles}")
    focus = report.map_focus()
    map_data = {"events": report.map_events(), "palette": palette, "tiles": tiles,
                "focus": focus["bounds"] if focus else None,
                "tilesAttribution": tiles_attribution or (f"Tiles: {urlsplit(tiles).netloc}" if tiles else None)}
    env = _html_env()
    return env.get_template("report.html.j2").render(
        r=report, csp=_csp(tiles), palette=palette, focus=focus,
        leaflet_css=_inline_style(assets.vendor_text("leaflet.css")),
        map_css=_inline_style(assets.static_text("map.css")),
        report_css=_inline_style(assets.static_text("report.css")),
        leaflet_js=_inline_script(assets.vendor_text("leaflet.js")),
        topojson_js=_inline_script(assets.vendor_text("topojson-client.js")),
        map_js=_inline_script(assets.static_text("map.js")),
        world_json=Markup(world_json), map_json=Markup(assets.script_json(map_data)),
        timeline_svg=Markup(timeline_svg(report.timeline, palette)),
        network_svg=Markup(network_svg(report.actors, report.pairs, palette)),
        type_colours=palette.get("event_types", {}), unknown_colour=palette.get("unknown", "#666"),
    )


# --- Markdown -------------------------------------------------------------------------------

class MdSafe(str):
    """Markdown built by a filter from escaped parts: printed as it is."""


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def md(value) -> MdSafe:
    """Text as Markdown that shows it literally, on one line: no HTML, links, emphasis or table breaks."""
    if value is None:
        return MdSafe("")
    if isinstance(value, MdSafe):
        return value
    text = " ".join(str(value).split())
    return MdSafe(_MD_SPECIAL.sub(r"\\\1", text))


def md_link(text, url: str | None) -> MdSafe:
    """[text](url) when the URL is a web address, else the escaped text."""
    if not url:
        return md(text)
    return MdSafe(f"[{md(text)}]({quote(url, safe=':/?#@!$&*+,;=%~-._')})")


def md_quote(text) -> MdSafe:
    return MdSafe("“" + md(text) + "”")


def md_refs(refs) -> MdSafe:
    return MdSafe("".join(f"[^{int(n)}]" for n in refs or () if n))


def _finalize(value):
    if isinstance(value, MdSafe):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return md(value)


def _md_env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, finalize=_finalize, keep_trailing_newline=True)
    _common_filters(env)
    env.filters.update(md=md, link=md_link, q=md_quote, refs=md_refs, raw=MdSafe)
    return env


def _places(report: Report) -> list[dict]:
    """Events by place, for the Markdown's stand-in for the map."""
    places: dict[tuple, dict] = {}
    for e in report.events:
        key = (e["location"] or "place unknown", e["country"] or "")
        p = places.setdefault(key, {"location": key[0], "country": key[1], "events": 0, "fatalities": 0, "types": []})
        p["events"] += 1
        p["fatalities"] += e["fatalities"] or 0
        if e["event_type"] not in p["types"]:
            p["types"].append(e["event_type"])
    return sorted(places.values(), key=lambda p: (-p["events"], -p["fatalities"], p["location"]))


def render_markdown(report: Report) -> str:
    text = _md_env().get_template("report.md.j2").render(r=report, places=_places(report))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- files ----------------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a file


def write_report(report: Report, folder: Path, html: bool = True, tiles: str | None = None,
                 tiles_attribution: str | None = None) -> dict[str, Path]:
    """report.md, and report.html unless `html` is false, into `folder`. The Markdown is written
    first, so that missing front-end assets (assets.AssetsMissing, raised) still leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    _write(folder / "report.md", render_markdown(report))
    written["report-md"] = folder / "report.md"
    if html:
        _write(folder / "report.html", render_html(report, tiles, tiles_attribution))
        written["report-html"] = folder / "report.html"
    return written
