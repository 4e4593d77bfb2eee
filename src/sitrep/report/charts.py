"""The report's charts as inline SVG strings: the timeline and the actor network.

Plain Python, no plotting library: the charts are small, and an SVG string drops into the HTML
(which must open from disk with no network) as it is. Every piece of text that comes from the
data (actor names, event types) goes through `_esc`; numbers are formatted by us.
"""

from __future__ import annotations

import math
from datetime import date
from html import escape

from .data import INTER_LABELS

FONT = "font-family=\"Inter, 'Segoe UI', system-ui, -apple-system, sans-serif\""
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#e3e7eb"
DEATHS = "#3d4550"
# Actor types (ACLED inter codes) in the network: muted, apart from the event-type colours.
INTER_COLOURS = {1: "#2f4b7c", 2: "#a05195", 3: "#d45087", 4: "#8c6d31", 5: "#56B4E9", 6: "#0072B2",
                 7: "#7a9a3a", 8: "#665191"}
INTER_UNKNOWN = "#8a939c"


def _esc(value) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: int) -> int:
    if value <= 4:
        return max(value, 1)
    step = 10 ** int(math.log10(value))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= m * step:
            return int(math.ceil(m * step))
    return value


def _ticks(top: int, n: int = 4) -> list[int]:
    if top <= n:
        return list(range(0, top + 1))
    step = max(1, math.ceil(top / n))
    return list(range(0, top + 1, step))


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def bin_label(start: str, unit: str, long: bool = False) -> str:
    d = date.fromisoformat(start)
    if unit == "month":
        return f"{MONTHS[d.month - 1]} {d.year}" if long else f"{MONTHS[d.month - 1]} ’{d.year % 100:02d}"
    text = f"{d.day} {MONTHS[d.month - 1]}"
    if long:
        text = ("week of " if unit == "week" else "") + f"{text} {d.year}"
    return text


def timeline_svg(timeline: dict, palette: dict, width: int = 880) -> str:
    """Stacked bars of events per bin by event type, and a second row of reported deaths."""
    bins = timeline["bins"]
    if not bins:
        return ""
    types = timeline["types"]
    colours = palette.get("event_types", {})
    left, right, top = 44, 16, 50
    events_h, gap, deaths_h, axis_h = 150, 46, 70, 26
    headroom = 14   # above the deaths row's highest bar, for its figure
    height = top + events_h + gap + deaths_h + axis_h
    plot_w = width - left - right
    slot = plot_w / len(bins)
    bar_w = max(1.0, min(slot * 0.78, 42))
    e_max = _nice_max(max(b["events"] for b in bins))
    d_max = max(b["fatalities"] for b in bins)
    d_top = d_max or 1
    unit = timeline["unit"]
    per = {"day": "day", "week": "week", "month": "month"}[unit]
    out = [f'<svg class="chart timeline" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">',
           f'<title id="timeline-title">Events per {per} by type, and reported deaths per {per}</title>']
    # legend
    x = left
    for t in types:
        out.append(f'<rect x="{x}" y="8" width="10" height="10" rx="2" fill="{_esc(colours.get(t, palette.get("unknown", "#666")))}"/>'
                   f'<text x="{x + 14}" y="17" fill="{INK}">{_esc(t)}</text>')
        x += 14 + 5.9 * len(t) + 18
    out.append(f'<rect x="{x}" y="8" width="10" height="10" rx="2" fill="{DEATHS}"/>'
               f'<text x="{x + 14}" y="17" fill="{INK}">Reported deaths</text>')
    # event rows: grid and axis
    base = top + events_h
    for tick in _ticks(e_max):
        y = base - tick / e_max * events_h
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{_num(y)}" y2="{_num(y)}" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{_num(y + 3.5)}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    out.append(f'<text x="{left}" y="{top - 14}" fill="{MUTED}" font-size="10">events per {per}</text>')
    d_base = base + gap + deaths_h
    out.append(f'<text x="{left}" y="{base + gap - 12}" fill="{MUTED}" font-size="10">reported deaths per {per}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{d_base}" y2="{d_base}" stroke="#c5ccd3"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" stroke="#c5ccd3"/>')
    for i, b in enumerate(bins):
        cx = left + slot * i + slot / 2
        x0 = cx - bar_w / 2
        y = base
        label = bin_label(b["start"], unit, long=True)
        parts = ", ".join(f"{t} {b['counts'][t]}" for t in types if b["counts"].get(t))
        for t in types:
            n = b["counts"].get(t, 0)
            if not n:
                continue
            h = n / e_max * events_h
            y -= h
            out.append(f'<rect x="{_num(x0)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}" '
                       f'fill="{_esc(colours.get(t, palette.get("unknown", "#666")))}">'
                       f'<title>{_esc(label)}: {_esc(t)} {n}</title></rect>')
        if b["events"] and slot >= 14:
            out.append(f'<text x="{_num(cx)}" y="{_num(y - 3)}" text-anchor="middle" fill="{INK}" font-size="10">'
                       f'{b["events"]}</text>')
        if b["fatalities"]:
            h = max(1.5, b["fatalities"] / d_top * (deaths_h - headroom))
            out.append(f'<rect x="{_num(x0)}" y="{_num(d_base - h)}" width="{_num(bar_w)}" height="{_num(h)}" '
                       f'fill="{DEATHS}"><title>{_esc(label)}: {b["fatalities"]} reported deaths'
                       f'{" (" + _esc(parts) + ")" if parts else ""}</title></rect>')
            out.append(f'<text x="{_num(cx)}" y="{_num(d_base - h - 3)}" text-anchor="middle" fill="{INK}" '
                       f'font-size="10">{b["fatalities"]}</text>')
    # x labels: at most about 12
    step = max(1, math.ceil(len(bins) / 12))
    for i in range(0, len(bins), step):
        cx = left + slot * i + slot / 2
        out.append(f'<line x1="{_num(cx)}" x2="{_num(cx)}" y1="{d_base}" y2="{d_base + 4}" stroke="#9aa5b1"/>'
                   f'<text x="{_num(cx)}" y="{d_base + 16}" text-anchor="middle" fill="{MUTED}">'
                   f'{_esc(bin_label(bins[i]["start"], unit))}</text>')
    out.append("</svg>")
    return "".join(out)


def short_name(name: str, limit: int = 38) -> str:
    """'JNIM: Group for Support of Islam and Muslims' -> 'JNIM'; long names cut with an ellipsis."""
    head, sep, _ = name.partition(":")
    if sep and len(head) <= 14:
        return head
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def network_svg(actors: list[dict], pairs: list[dict], palette: dict, width: int = 880,
                max_nodes: int = 16) -> str:
    """Who fought whom: actors on a circle, one line per pair (actor1 against actor2) of new
    events, as wide as their number of events and coloured by their most frequent event type."""
    if not pairs:
        return ""
    degree: dict[str, int] = {}
    for p in pairs:
        for name in (p["actor1"], p["actor2"]):
            degree[name] = degree.get(name, 0) + p["events"]
    info = {a["name"]: a for a in actors}
    chosen = sorted(degree, key=lambda n: (-degree[n], n))[:max_nodes]
    # around the circle by actor type, then by weight: allies of a kind sit together
    chosen.sort(key=lambda n: (info.get(n, {}).get("inter") or 9, -degree[n], n))
    keep = set(chosen)
    shown = [p for p in pairs if p["actor1"] in keep and p["actor2"] in keep]
    n = len(chosen)
    height = 400 if n > 6 else 320
    cx, cy = width / 2, height / 2 + 4
    radius = min(height / 2 - 46, 150)
    pos = {}
    for i, name in enumerate(chosen):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        pos[name] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    colours = palette.get("event_types", {})
    out = [f'<svg class="chart network" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-labelledby="network-title" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11.5">',
           '<title id="network-title">Who fought whom: actors linked by their events</title>']
    for p in sorted(shown, key=lambda p: p["events"]):
        x1, y1, _ = pos[p["actor1"]]
        x2, y2, _ = pos[p["actor2"]]
        # a slight bend towards the centre keeps parallel lines apart
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        qx, qy = mx + (cx - mx) * 0.25, my + (cy - my) * 0.25
        w = min(9.0, 1.4 + 1.6 * (p["events"] - 1))
        colour = colours.get(p["event_type"], palette.get("unknown", "#666"))
        deaths = f", {p['fatalities']} reported deaths" if p["fatalities"] else ""
        out.append(f'<path d="M{_num(x1)},{_num(y1)} Q{_num(qx)},{_num(qy)} {_num(x2)},{_num(y2)}" fill="none" '
                   f'stroke="{_esc(colour)}" stroke-width="{_num(w)}" stroke-opacity="0.75" stroke-linecap="round">'
                   f'<title>{_esc(p["actor1"])} against {_esc(p["actor2"])}: {p["events"]} '
                   f'event{"s" if p["events"] != 1 else ""} ({_esc(", ".join(p["types"]))}){deaths}</title></path>')
    for name in chosen:
        x, y, angle = pos[name]
        a = info.get(name, {})
        r = 5 + 2.4 * math.sqrt(a.get("events", 1))
        fill = INTER_COLOURS.get(a.get("inter"), INTER_UNKNOWN)
        kind = INTER_LABELS.get(a.get("inter"), "actor")
        out.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{fill}" stroke="#fff" '
                   f'stroke-width="1.5"><title>{_esc(name)} ({_esc(kind)}): {a.get("events", 0)} events</title>'
                   f'</circle>')
        cos, sin = math.cos(angle), math.sin(angle)
        lx, ly = x + (r + 7) * cos, y + (r + 7) * sin
        anchor = "middle" if abs(cos) < 0.25 else ("start" if cos > 0 else "end")
        if abs(cos) < 0.25:
            ly += 11 if sin > 0 else -4
        else:
            ly += 4
        out.append(f'<text x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}" fill="{INK}">'
                   f'{_esc(short_name(name))}</text>')
    # legends: actor types present, line meaning
    kinds = sorted({info.get(n, {}).get("inter") for n in chosen}, key=lambda k: k or 9)
    y = 14
    for k in kinds:
        out.append(f'<circle cx="14" cy="{y}" r="5" fill="{INTER_COLOURS.get(k, INTER_UNKNOWN)}"/>'
                   f'<text x="24" y="{y + 4}" fill="{MUTED}" font-size="10.5">{_esc(INTER_LABELS.get(k, "Other"))}</text>')
        y += 17
    types = list(dict.fromkeys(p["event_type"] for p in shown))
    y = 14
    for t in types:
        out.append(f'<line x1="{width - 190}" x2="{width - 172}" y1="{y}" y2="{y}" stroke="{_esc(colours.get(t, "#666"))}" '
                   f'stroke-width="3"/><text x="{width - 166}" y="{y + 4}" fill="{MUTED}" font-size="10.5">{_esc(t)}</text>')
        y += 17
    out.append(f'<text x="{width - 190}" y="{y + 4}" fill="{MUTED}" font-size="10">line width: number of events</text>')
    out.append("</svg>")
    return "".join(out)
