"""Article text with highlights, as HTML built safely: every piece of text is escaped on its own
and the marks around it are made here, from offsets, never by marking up the raw text."""

from __future__ import annotations

from markupsafe import Markup, escape


def _attrs(attrs: dict) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in attrs.items() if value is not None)


def _pick(spans: list[dict]) -> list[dict]:
    """Non-overlapping spans: the earliest first, the longest at equal starts."""
    chosen, end = [], -1
    for s in sorted(spans, key=lambda s: (s["start"], -(s["end"] - s["start"]))):
        if s["start"] >= end and s["end"] > s["start"]:
            chosen.append(s)
            end = s["end"]
    return chosen


def _inline(text: str, lo: int, hi: int, spans: list[dict]) -> str:
    """text[lo:hi] with `spans` (absolute offsets, non-overlapping) wrapped in <span>s."""
    out, at = [], lo
    for s in spans:
        start, end = max(s["start"], lo), min(s["end"], hi)
        if end <= start or start < at:
            continue
        out.append(str(escape(text[at:start])))
        out.append(f"<span{_attrs(s['attrs'])}>{escape(text[start:end])}</span>")
        at = end
    out.append(str(escape(text[at:hi])))
    return "".join(out)


def highlight(text: str, blocks: list[dict] | None = None, spans: list[dict] | None = None) -> Markup:
    """`text` as HTML; `blocks` (event sentences) become <mark>s and `spans` (places, actors,
    triggers) <span>s inside or between them. Each is {start, end, attrs: {class, title, data-*}};
    overlapping ones are dropped (the earliest, then the longest, wins)."""
    text = text or ""
    n = len(text)
    blocks = _pick([{**b, "start": max(0, b["start"]), "end": min(n, b["end"])} for b in blocks or []])
    spans = _pick([{**s, "start": max(0, s["start"]), "end": min(n, s["end"])} for s in spans or []])
    out, at = [], 0
    for b in blocks:
        out.append(_inline(text, at, b["start"], spans))
        out.append(f"<mark{_attrs(b['attrs'])}>{_inline(text, b['start'], b['end'], spans)}</mark>")
        at = b["end"]
    out.append(_inline(text, at, n, spans))
    return Markup("".join(out))
