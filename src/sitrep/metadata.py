"""Metadata lifted from the head of scraped text: publication date, outlet, author.

Scrapes glue these together ("June 06, 2025Clash Report"), so a date line is matched by
pattern, the date parsed by dateparser, and what is left is taken as the outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import yaml

from .settings import data_path


@dataclass(frozen=True)
class LinePatterns:
    junk: tuple[re.Pattern, ...]
    bylines: tuple[re.Pattern, ...]
    date_line: re.Pattern
    outlet_date_line: re.Pattern


def _compile_all(patterns: list[str], flags: int) -> tuple[re.Pattern, ...]:
    compiled = []
    for p in patterns:
        if not p or not p.strip():  # an empty pattern would match every line
            raise ValueError("data/cleaning/patterns.yaml: empty pattern")
        compiled.append(re.compile(p, flags))
    return tuple(compiled)


@lru_cache(maxsize=1)
def line_patterns() -> LinePatterns:
    with open(data_path("cleaning", "patterns.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    months = "|".join(sorted(map(re.escape, data["months"]), key=len, reverse=True))
    prefixes = "|".join(map(re.escape, data["date_prefixes"]))
    weekday = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    date = (rf"{weekday}(?:(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
            rf"|\d{{1,2}}(?:st|nd|rd|th|er)?\s+(?:{months})\.?,?\s+\d{{4}}"
            r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})"
            r"(?:,?\s*(?:at\s+|à\s+)?\d{1,2}[:h]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*(?:gmt|utc|wat|cet|cest|est|edt|bst|pst)\b)?)?")
    rest = r"(?P<rest>[^.!?]{0,60})"
    date_line = re.compile(rf"(?:(?:{prefixes})\s*(?:on)?\s*:?\s*)?(?P<date>{date})\s*[|·•,–-]?\s*{rest}", re.I)
    outlet_date_line = re.compile(rf"(?P<rest>[^.!?]{{1,60}}?)\s*[|·•,–-]\s*(?:(?:{prefixes})\s*:?\s*)?(?P<date>{date})", re.I)
    return LinePatterns(
        junk=_compile_all(data["junk_lines"], re.I),
        bylines=_compile_all(data["byline_lines"], 0),
        date_line=date_line,
        outlet_date_line=outlet_date_line,
    )


def is_junk(line: str) -> bool:
    return any(p.fullmatch(line) for p in line_patterns().junk)


def byline_author(line: str) -> str | None:
    for p in line_patterns().bylines:
        m = p.fullmatch(line)
        if m:
            return m.group("author").strip()
    return None


@dataclass
class DateLine:
    published: datetime
    outlet: str | None


def date_line(line: str) -> DateLine | None:
    """A line that is a date, maybe glued to an outlet's name ("June 06, 2025Clash Report")."""
    pats = line_patterns()
    m = pats.date_line.fullmatch(line) or pats.outlet_date_line.fullmatch(line)
    if not m:
        return None
    published = parse_date(m.group("date"))
    if published is None:
        return None
    outlet = m.group("rest").strip(" |·•,–-") or None
    if outlet and (len(outlet.split()) > 6 or is_junk(outlet)):
        outlet = None
    return DateLine(published, outlet)


def parse_date(text: str | None) -> datetime | None:
    """ISO 8601 first (cheap, exact), then dateparser for the many forms people write."""
    if not text or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        pass
    import dateparser  # slow to import; only scraped dates need it

    return dateparser.parse(text, languages=["en", "fr"],
                            settings={"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False,
                                      "REQUIRE_PARTS": ["year"]})


def same_name(a: str | None, b: str | None) -> bool:
    """Outlet names compare without case, spaces or punctuation ("ClashReport" = "Clash Report")."""
    if not a or not b:
        return False
    return _letters(a) == _letters(b)


def _letters(s: str) -> str:
    return "".join(c for c in s.casefold() if c.isalnum())
