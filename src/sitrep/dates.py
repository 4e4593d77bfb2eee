"""When an event happened: an event-date expression resolved against the publication date.

`resolve_date("on Monday", published)` returns a `DateSpan` (start, end, ACLED time_precision,
the expression as written, the rule that resolved it) or None. The event date ACLED codes is
`span.start`; `end` tells how long the span is. Rules, tried in this order:

* since:<rule>     "since 2012", "since May": from the inner date to publication, precision 3
                   (historical background, see `is_background`)
* night-of:*       "the night of Saturday to Sunday", "the night of 3 to 4 May": the first
                   day, precision 1
* relative:<word>  "today", "yesterday", "the day before yesterday": days before publication
* relative:overnight  "last night", "overnight": the day before publication to publication
* recent:<words>   "in recent days" (7 days, precision 2), "in recent weeks" (31 days, 3)
* ago:<unit>       "two days ago" (1), "three weeks ago" (that week, 2), "a month ago" (that
                   month, 3), "three years ago" (that year, 3); "a few days ago" (2)
* weekday[:last]   "Monday", "on Monday night", "last Friday": the latest such day on or
                   before publication (news are in the past tense); "last" excludes the
                   publication day itself
* week:*, weekend:* "earlier this week", "last week", "late last week", "the weekend":
                   Monday-Sunday spans, precision 2 (ACLED: a known week or weekend)
* month:*, year:*  "this month", "last month", "early last month", "this year", "last year":
                   precision 3
* year-part:<part> "late 2021", "early 2024", "mid-2023": Jan-Apr, May-Aug, Sep-Dec
                   (data file), precision 3
* month-part:<part> "late May", "early June 2024": days 1-10, 11-20, 21-end, precision 3
* year             "2021", "in 2021": the year, precision 3
* month[:last]     "June", "June 2025", "last June": the month, precision 3
* calendar:day-range  "3-4 May", "between 3 and 5 May 2024": precision 2 up to a week, else 3
* calendar:day     "3 May", "May 3", "3 May 2024", "Tuesday, June 3": dateparser with
                   RELATIVE_BASE = publication and PREFER_DATES_FROM = past, precision 1
* dateparser:<period>  anything else dateparser reads that names a month or a weekday

A span that starts after publication is refused (the future is not an event date); one that
ends after it is cut at publication. Relative expressions need a publication date; without one
only absolute dates resolve.

`sentence_date(sent, published)` picks the event date of a spaCy sentence from its DATE and
TIME entities (and "overnight"-like words the model misses). Durations ("for two years"), ages
("40-year-old") and numbers the model mislabels as dates resolve to nothing and drop out, and so
does a month or year that qualifies a noun ("the 2015 Algiers agreement"). Among
the rest it prefers a date not attached to a verb of speech ("the army said on Wednesday"), not
a "since" span, then the most precise, then the longest, then the first. A date hung on a verb
of speech gives way to one inside the reported clause ("the army said on Wednesday that it had
killed dozens last week" -> last week); alone, it stands (the announcement is the event).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from .document import DateSpan, doc_text
from .settings import data_path

MONTHS: dict[str, int] = {}
for _n in range(1, 13):
    MONTHS[calendar.month_name[_n].lower()] = _n
    MONTHS[calendar.month_abbr[_n].lower()] = _n
MONTHS["sept"] = 9
WEEKDAYS: dict[str, int] = {}
for _n in range(7):
    WEEKDAYS[calendar.day_name[_n].lower()] = _n
    WEEKDAYS[calendar.day_abbr[_n].lower()] = _n
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))


# --- the word lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DateWords:
    leading_words: tuple[str, ...]          # longest first
    day_parts: tuple[str, ...]              # longest first
    relative_days: dict[str, int]
    overnight_phrases: frozenset[str]
    recent_spans: dict[str, tuple[int, int]]
    year_parts: dict[str, tuple[int, int]]
    month_parts: dict[str, tuple[int, int]]
    reporting_verbs: frozenset[str]
    units: dict[str, int]
    numbers: dict[str, int]
    vague_numbers: dict[str, int]


def _strings(path: Path, name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{path}: '{name}' must be a non-empty list")
    if any(not isinstance(v, str) or not v.strip() for v in value):
        raise ValueError(f"{path}: '{name}' has an empty entry")
    return [v.strip().lower() for v in value]


def _mapping(path: Path, name: str, value: Any, check: Callable[[Any], bool]) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{path}: '{name}' must be a non-empty mapping")
    out = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or not check(item):
            raise ValueError(f"{path}: '{name}' has an empty or malformed entry: {key!r}")
        out[key.strip().lower()] = item
    return out


def _pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v) and v[0] <= v[1]


def parse_date_words(data: Any, path: Path) -> DateWords:
    """Validate the YAML content of date_words.yaml (no missing section, no empty entry)."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    is_int = lambda v: isinstance(v, int) and v >= 0  # noqa: E731
    recent = _mapping(path, "recent_spans", data.get("recent_spans"),
                      lambda v: isinstance(v, dict) and is_int(v.get("days")) and v.get("precision") in (1, 2, 3))
    return DateWords(
        leading_words=tuple(sorted(_strings(path, "leading_words", data.get("leading_words")), key=len, reverse=True)),
        day_parts=tuple(sorted(_strings(path, "day_parts", data.get("day_parts")), key=len, reverse=True)),
        relative_days=_mapping(path, "relative_days", data.get("relative_days"), is_int),
        overnight_phrases=frozenset(_strings(path, "overnight_phrases", data.get("overnight_phrases"))),
        recent_spans={k: (v["days"], v["precision"]) for k, v in recent.items()},
        year_parts={k: tuple(v) for k, v in _mapping(path, "year_parts", data.get("year_parts"), _pair).items()},
        month_parts={k: tuple(v) for k, v in _mapping(path, "month_parts", data.get("month_parts"), _pair).items()},
        reporting_verbs=frozenset(_strings(path, "reporting_verbs", data.get("reporting_verbs"))),
        units=_mapping(path, "units", data.get("units"), lambda v: isinstance(v, int) and v > 0),
        numbers=_mapping(path, "numbers", data.get("numbers"), lambda v: isinstance(v, int) and v > 0),
        vague_numbers=_mapping(path, "vague_numbers", data.get("vague_numbers"), lambda v: isinstance(v, int) and v > 0),
    )


@lru_cache(maxsize=1)
def date_words() -> DateWords:
    path = data_path("events", "date_words.yaml")
    with open(path, encoding="utf-8") as f:
        return parse_date_words(yaml.safe_load(f), path)


# --- calendar helpers -------------------------------------------------------------------------


def _as_date(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_span(year: int, month: int, first: int = 1, last: int = 31) -> tuple[date, date]:
    end_day = min(last, calendar.monthrange(year, month)[1])
    return date(year, month, first), date(year, month, end_day)


def _shift_months(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _latest_weekday(pub: date, weekday: int, strict: bool = False) -> date:
    back = (pub.weekday() - weekday) % 7
    if back == 0 and strict:
        back = 7
    return pub - timedelta(days=back)


def _number(text: str) -> tuple[int, bool] | None:
    """(value, vague) for "2", "two", "a few"."""
    w = date_words()
    if text.isdigit():
        return int(text), False
    if text in w.numbers:
        return w.numbers[text], False
    if text in w.vague_numbers:
        return w.vague_numbers[text], True
    return None


# --- normalising an expression ----------------------------------------------------------------


def _normalise(expression: str) -> str:
    w = date_words()
    text = expression.lower().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"[,.;:!?()\"]", " ", text)
    text = re.sub(r"\bmid-", "mid ", text)
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text)
    text = " ".join(text.split())
    text = re.sub(r"(?: (?:to|into|and|of|-))+$", "", text)
    changed = True
    while changed:
        changed = False
        for word in w.leading_words:
            if text.startswith(word + " ") and len(text) > len(word) + 1:
                rest = text[len(word) + 1:]
                # keep "the night of ...", "the end of 2021", "the weekend", "the day before"
                if word == "the" and (rest.startswith(("night ", "weekend", "day ", "previous", "past", "last"))
                                      or any(f"the {rest}".startswith(p) for p in
                                             [*w.year_parts, *w.month_parts, *w.relative_days, *w.recent_spans])):
                    continue
                text, changed = rest, True
                break
    return text


def _strip_day_parts(text: str) -> str:
    w = date_words()
    changed = True
    while changed:
        changed = False
        for part in w.day_parts:
            if text.endswith(" " + part):
                text, changed = text[: -len(part) - 1], True
            elif text.startswith(part + " "):
                text, changed = text[len(part) + 1:], True
    return text


# --- the rules --------------------------------------------------------------------------------

Result = tuple[date, date, int, str]   # start, end, precision, rule


def _rule_since(text: str, pub: date | None) -> Result | None:
    m = re.fullmatch(r"(?:ever )?since (.+)", text)
    if not m:
        return None
    inner = _resolve(m.group(1), pub)
    if inner is None:
        return None
    start, end, _, rule = inner
    return start, pub or end, 3, f"since:{rule}"


def _rule_night_of(text: str, pub: date | None) -> Result | None:
    m = re.fullmatch(rf"(?:the )?night (?:of|from) ({_WEEKDAY_RE}) (?:to|into|and|through|-) ({_WEEKDAY_RE})", text)
    if m and pub is not None:
        first, second = WEEKDAYS[m.group(1)], WEEKDAYS[m.group(2)]
        end = _latest_weekday(pub, second)
        start = end - timedelta(days=(second - first) % 7 or 7)
        return start, end, 1, "night-of:weekdays"
    m = re.fullmatch(rf"(?:the )?night (?:of|from) (\d{{1,2}})(?: ({_MONTH_RE}))? (?:to|into|and|-) "
                     rf"(\d{{1,2}}) ({_MONTH_RE})(?: (\d{{4}}))?", text)
    if m:
        end = _calendar_day(f"{m.group(3)} {m.group(4)} {m.group(5) or ''}".strip(), pub)
        if end is not None:
            return end - timedelta(days=1), end, 1, "night-of:dates"
    m = re.fullmatch(r"(?:the )?night (?:of|from) (.+)", text)
    if m:
        inner = _resolve(m.group(1), pub)
        if inner is not None and inner[2] == 1:
            return inner[0], inner[0] + timedelta(days=1), 1, f"night-of:{inner[3]}"
    return None


def _rule_relative_day(text: str, pub: date | None) -> Result | None:
    w = date_words()
    if pub is None:
        return None
    if text in w.overnight_phrases:
        return pub - timedelta(days=1), pub, 1, "relative:overnight"
    for candidate in (text, _strip_day_parts(text)):
        if candidate in w.relative_days:
            day = pub - timedelta(days=w.relative_days[candidate])
            return day, day, 1, f"relative:{candidate.replace(' ', '-')}"
    return None


def _rule_recent(text: str, pub: date | None) -> Result | None:
    w = date_words()
    if pub is None:
        return None
    for candidate in (text, f"the {text}", f"in {text}"):
        if candidate in w.recent_spans:
            days, precision = w.recent_spans[candidate]
            return pub - timedelta(days=days), pub, precision, f"recent:{candidate.replace(' ', '-')}"
    return None


def _rule_ago(text: str, pub: date | None) -> Result | None:
    w = date_words()
    units = "|".join(w.units)
    m = re.fullmatch(rf"(.+?) ({units})s? ago", text)
    if not m or pub is None:
        return None
    found = _number(m.group(1))
    if found is None:
        return None
    n, vague = found
    unit = m.group(2)
    if unit == "day":
        if vague:
            return pub - timedelta(days=n + 4), pub - timedelta(days=max(n - 1, 1)), 2, "ago:days-vague"
        day = pub - timedelta(days=n)
        return day, day, 1, "ago:days"
    if unit == "week":
        monday = _monday(pub - timedelta(days=7 * n))
        return monday, monday + timedelta(days=6), 2, "ago:weeks"
    if unit == "month":
        year, month = _shift_months(pub, -n)
        return (*_month_span(year, month), 3, "ago:months")
    years = n * (w.units[unit] // 365)
    return date(pub.year - years, 1, 1), date(pub.year - years, 12, 31), 3, f"ago:{unit}s"


def _rule_weekday(text: str, pub: date | None) -> Result | None:
    if pub is None:
        return None
    text = _strip_day_parts(text)
    m = re.fullmatch(rf"(?:(last|this past|past|this) )?({_WEEKDAY_RE})(?: (?:night|morning|evening))?", text)
    if not m:
        return None
    strict = m.group(1) in ("last", "this past", "past")
    day = _latest_weekday(pub, WEEKDAYS[m.group(2)], strict=strict)
    return day, day, 1, "weekday:last" if strict else "weekday"


_PERIOD_PART = r"(early|earlier|mid|late|the beginning of|the start of|the middle of|the end of|the first half of|the second half of)"


def _rule_period(text: str, pub: date | None) -> Result | None:
    """this/last week, weekend, month, year, with an optional part ("late last month")."""
    w = date_words()
    if pub is None:
        return None
    m = re.fullmatch(rf"(?:{_PERIOD_PART} )?(this past|this|last|the previous|previous|the past|past|the|over the|at the)? ?(week|weekend|month|year)", text)
    if not m:
        return None
    part, which, unit = m.group(1), (m.group(2) or "").replace("the ", "").strip(), m.group(3)
    if which in ("", "over the", "at the") and unit != "weekend":
        return None
    if which == "the" and unit != "weekend":
        if not part or part in ("early", "earlier", "mid", "late"):
            return None                       # "the month" alone names no month
        which = "this"                        # "the start of the year"
    last = which in ("last", "previous", "past", "this past")
    if unit == "weekend":
        saturday = _latest_weekday(pub, 5)
        if pub.weekday() == 6 and not last:
            saturday = pub - timedelta(days=1)
        elif last and pub.weekday() in (5, 6):
            saturday = saturday - timedelta(days=7)
        return saturday, saturday + timedelta(days=1), 2, "weekend:last" if last else "weekend"
    if unit == "week":
        monday = _monday(pub) - timedelta(days=7 if last else 0)
        start, end = monday, monday + timedelta(days=6)
        if part in ("early", "the beginning of", "the start of"):
            end = monday + timedelta(days=2)
        elif part in ("late", "the end of"):
            start = monday + timedelta(days=3)
        elif part == "mid":
            start, end = monday + timedelta(days=1), monday + timedelta(days=3)
        label = f"week:{'last' if last else 'this'}" + (f":{part.replace(' ', '-')}" if part and part != "earlier" else "")
        return start, end, 2, label
    if unit == "month":
        year, month = _shift_months(pub, -1 if last else 0)
        first, final = (1, 31)
        if part and part != "earlier":
            first, final = w.month_parts.get(part, (1, 31))
        start, end = _month_span(year, month, first, final)
        label = f"month:{'last' if last else 'this'}" + (f":{part.replace(' ', '-')}" if part and part != "earlier" else "")
        return start, end, 3, label
    year = pub.year - (1 if last else 0)
    first, final = (1, 12)
    if part and part != "earlier":
        first, final = w.year_parts.get(part, (1, 12))
    label = f"year:{'last' if last else 'this'}" + (f":{part.replace(' ', '-')}" if part and part != "earlier" else "")
    return date(year, first, 1), _month_end(year, final), 3, label


def _rule_year_part(text: str, pub: date | None) -> Result | None:
    w = date_words()
    parts = "|".join(sorted(map(re.escape, w.year_parts), key=len, reverse=True))
    m = re.fullmatch(rf"({parts}) (\d{{4}})", text)
    if not m:
        return None
    first, last = w.year_parts[m.group(1)]
    year = int(m.group(2))
    return date(year, first, 1), _month_end(year, last), 3, f"year-part:{m.group(1).replace(' ', '-')}"


def _pick_year(month: int, pub: date | None, strict: bool = False) -> int | None:
    if pub is None:
        return None
    if month < pub.month or (month == pub.month and not strict):
        return pub.year
    return pub.year - 1


def _rule_month_part(text: str, pub: date | None) -> Result | None:
    w = date_words()
    parts = "|".join(sorted(map(re.escape, w.month_parts), key=len, reverse=True))
    m = re.fullmatch(rf"({parts}) ({_MONTH_RE})(?: (\d{{4}}))?", text)
    if not m:
        return None
    month = MONTHS[m.group(2)]
    year = int(m.group(3)) if m.group(3) else _pick_year(month, pub)
    if year is None:
        return None
    first, last = w.month_parts[m.group(1)]
    start, end = _month_span(year, month, first, last)
    return start, end, 3, f"month-part:{m.group(1).replace(' ', '-')}"


def _rule_year(text: str, pub: date | None) -> Result | None:
    m = re.fullmatch(r"(?:the year )?(\d{4})", text)
    if not m or not 1900 <= int(m.group(1)) <= 2100:
        return None
    year = int(m.group(1))
    return date(year, 1, 1), date(year, 12, 31), 3, "year"


def _rule_month(text: str, pub: date | None) -> Result | None:
    m = re.fullmatch(rf"(?:(last|this|this past|past) )?({_MONTH_RE})(?: (?:of )?(\d{{4}}))?", text)
    if not m:
        return None
    month = MONTHS[m.group(2)]
    strict = m.group(1) in ("last", "this past", "past")
    year = int(m.group(3)) if m.group(3) else _pick_year(month, pub, strict)
    if year is None:
        return None
    return (*_month_span(year, month), 3, "month:last" if strict else "month")


def _rule_day_range(text: str, pub: date | None) -> Result | None:
    d, mo = r"(\d{1,2})", rf"({_MONTH_RE})"
    sep = r"(?: ?- ?| and | to | through )"
    m = re.fullmatch(rf"(?:between |from )?{d}{sep}{d} {mo}(?: (\d{{4}}))?", text)
    if m:
        a, b, month, year = m.group(1), m.group(2), m.group(3), m.group(4)
    else:
        m = re.fullmatch(rf"(?:between |from )?{mo} {d}{sep}{d}(?: (\d{{4}}))?", text)
        if not m:
            return None
        month, a, b, year = m.group(1), m.group(2), m.group(3), m.group(4)
    start = _calendar_day(f"{a} {month} {year or ''}".strip(), pub)
    if start is None:
        return None
    try:
        end = start.replace(day=int(b))
    except ValueError:
        return None
    if end < start:
        return None
    return start, end, 2 if (end - start).days <= 6 else 3, "calendar:day-range"


@lru_cache(maxsize=64)
def _date_parser(pub: date | None):
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": False}
    if pub is not None:
        settings["RELATIVE_BASE"] = datetime(pub.year, pub.month, pub.day, 12, 0)
    return DateDataParser(languages=["en"], settings=settings)


def _dateparser(text: str, pub: date | None):
    return _date_parser(pub).get_date_data(text)


def _calendar_day(text: str, pub: date | None) -> date | None:
    has_year = re.search(r"\b(19|20)\d{2}\b", text) is not None
    if not has_year and pub is None:
        return None
    data = _dateparser(text, pub)
    if data.date_obj is None or data.period != "day":
        return None
    day = data.date_obj.date()
    if not has_year and pub is not None and day > pub:
        try:
            day = day.replace(year=day.year - 1)
        except ValueError:
            return None
    return day


def _rule_calendar_day(text: str, pub: date | None) -> Result | None:
    named = re.search(rf"\b({_MONTH_RE})\b", text) and re.search(r"\b\d{1,2}\b", text)
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}", text)
    if not (named or iso):
        return None
    if named and re.search(r"\b\d{3,}\b", text) and not re.search(r"\b(19|20)\d{2}\b", text):
        return None
    day = _calendar_day(text, pub)
    if day is None:
        return None
    return day, day, 1, "calendar:day"


def _rule_dateparser(text: str, pub: date | None) -> Result | None:
    if not re.search(rf"\b({_MONTH_RE}|{_WEEKDAY_RE})\b", text):
        return None
    if pub is None and not re.search(r"\b(19|20)\d{2}\b", text):
        return None
    data = _dateparser(text, pub)
    if data.date_obj is None:
        return None
    day = data.date_obj.date()
    if data.period == "day":
        return day, day, 1, "dateparser:day"
    if data.period == "week":
        monday = _monday(day)
        return monday, monday + timedelta(days=6), 2, "dateparser:week"
    if data.period == "month":
        return (*_month_span(day.year, day.month), 3, "dateparser:month")
    if data.period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31), 3, "dateparser:year"
    return None


_RULES: tuple[Callable[[str, date | None], Result | None], ...] = (
    _rule_since, _rule_night_of, _rule_relative_day, _rule_recent, _rule_ago, _rule_weekday,
    _rule_period, _rule_year_part, _rule_month_part, _rule_year, _rule_month, _rule_day_range,
    _rule_calendar_day, _rule_dateparser,
)


def _resolve(text: str, pub: date | None) -> Result | None:
    text = _normalise(text)
    if not text:
        return None
    for rule in _RULES:
        found = rule(text, pub)
        if found is not None:
            return found
    return None


def resolve_date(expression: str, published: date | datetime | None) -> DateSpan | None:
    """The span an event-date expression names, relative to the publication date, or None."""
    pub = _as_date(published)
    found = _resolve(expression, pub)
    if found is None:
        return None
    start, end, precision, rule = found
    if pub is not None:
        if start > pub:
            return None                       # the future is not when an event happened
        end = min(end, pub)
    return DateSpan(start=start, end=end, precision=precision, text=expression.strip(), rule=rule)


# --- background -------------------------------------------------------------------------------


def is_past(span: DateSpan, published: date | datetime | None) -> bool:
    """True when the span ended before the publication day."""
    pub = _as_date(published)
    return pub is not None and span.end < pub


def years_before(span: DateSpan, published: date | datetime | None) -> float:
    """Years from the end of the span to publication (0 when it reaches publication or no
    publication date is known): a 2015 event in a June 2025 article gives about 9.5."""
    pub = _as_date(published)
    if pub is None or span.end >= pub:
        return 0.0
    return (pub - span.end).days / 365.25


def is_background(span: DateSpan, published: date | datetime | None, max_days: int = 90) -> bool:
    """True for history, not news: a "since" span, or one that ended more than `max_days`
    before publication."""
    pub = _as_date(published)
    if span.rule.startswith("since:"):
        return True
    return pub is not None and (pub - span.end).days > max_days


# --- a sentence's event date ------------------------------------------------------------------


_AGE_OR_LENGTH = re.compile(r"\d+[- ]years?[- ]old|\byears? old\b|-long\b|\d+-(?:year|month|week|day)\b|\baged\b", re.I)
_DURATION_BEFORE = {"for", "within", "lasting", "every", "each"}
_MERGE_GAP = {"", "to", "into", "and", "of", "-", "on", "at"}


@dataclass
class _Candidate:
    start: int
    end: int
    text: str
    speech: Any                    # the verb of speech the date hangs on ("said on Wednesday"), or None
    modifier: bool = False         # the date qualifies a noun: "the 2012 rebellion", "Friday prayers"
    in_clause: bool = False        # the date is in a clause that describes a noun: "men arrested
    #                                last Saturday were found executed yesterday"


def _reporting(token):
    """The verb of speech a date expression is attached to, or None."""
    w = date_words()
    t = token
    for _ in range(4):
        if t.dep_ not in ("pobj", "prep", "npadvmod", "tmod", "compound", "nmod", "appos", "amod", "nummod"):
            break
        if t.head.i == t.i:
            break
        t = t.head
    return t if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in w.reporting_verbs else None


def _in_noun_clause(token) -> bool:
    """True when the date hangs on a clause that describes a noun ("4 men arrested last Saturday
    were found dead yesterday", "the officer, who had been kidnapped in May, was killed"): it
    dates what happened to the noun before, not the event of the sentence."""
    t = token
    for _ in range(8):
        if t.head.i == t.i:
            return False
        if t.dep_ in ("acl", "relcl") and t.head.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
            return True
        t = t.head
    return False


def _reported_clause(verb) -> list[tuple[int, int]]:
    """Character ranges of what a verb of speech reports (its clausal complements)."""
    return [(c.left_edge.idx, c.right_edge.idx + len(c.right_edge))
            for c in verb.children if c.dep_ in ("ccomp", "xcomp", "parataxis")]


def _demoted(c: _Candidate, others: list[_Candidate]) -> bool:
    """A date of the report ("the army said on Wednesday that ...") gives way to a date inside
    what is reported ("... it had killed dozens last week"); alone, it is the event's date."""
    if c.speech is None:
        return False
    ranges = _reported_clause(c.speech)
    return any(o is not c and any(a <= o.start < b for a, b in ranges) for o in others)


@lru_cache(maxsize=1)
def _relative_phrase_pattern() -> re.Pattern:
    w = date_words()
    phrases = sorted({*w.overnight_phrases, *w.relative_days, *w.recent_spans}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, phrases)) + r")\b", re.I)


def _date_ents(doc) -> list:
    """The doc's DATE and TIME entities, found once per Doc (`Span.ents` walks every entity)."""
    ents = doc.user_data.get("sitrep:date_ents")
    if ents is None:
        ents = doc.user_data["sitrep:date_ents"] = [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
    return ents


def _candidates(sent) -> list[_Candidate]:
    doc = sent.doc
    text = doc_text(doc)
    ents = [e for e in _date_ents(doc) if e.start >= sent.start and e.end <= sent.end]
    out: list[_Candidate] = []
    for e in ents:
        start = e.start_char
        before = doc[e.start - 1] if e.start > sent.start else None
        if before is not None and before.lower_ in ("since",):
            start = before.idx
        if before is not None and before.lower_ in _DURATION_BEFORE:
            continue
        if _AGE_OR_LENGTH.search(text[e.start_char:min(e.end_char + 6, len(text))]):
            continue
        out.append(_Candidate(start, e.end_char, text[start:e.end_char], _reporting(e.root),
                              e.root.dep_ in ("compound", "nummod", "amod", "nmod")
                              and e.root.head.pos_ in ("NOUN", "PROPN"), _in_noun_clause(e.root)))
        # an entity run on past a comma: "June 3, Dozos attacked ..." -> "June 3"
        for k in range(e.start + 1, e.end):
            if doc[k].text == "," and k > e.start:
                out.append(_Candidate(start, doc[k - 1].idx + len(doc[k - 1]),
                                      text[start:doc[k - 1].idx + len(doc[k - 1])], _reporting(e.root),
                                      in_clause=_in_noun_clause(e.root)))
        # an entity cut at a comma: "January" + ", 12"
        if doc[e.end - 1].lower_ in MONTHS and e.end + 1 < sent.end and doc[e.end].text == "," \
                and re.fullmatch(r"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?", doc[e.end + 1].lower_):
            stop = doc[e.end + 1].idx + len(doc[e.end + 1])
            out.append(_Candidate(start, stop, text[start:stop], _reporting(e.root),
                                  in_clause=_in_noun_clause(e.root)))
        # an entity cut short: "the night of Saturday to" + "Sunday", "3 to" + "4 May"
        end = e.end
        while end < sent.end and end - e.end < 4 and (
                doc[end - 1].lower_ in ("to", "into", "and", "-", "of") or doc[end].lower_ in ("to", "into", "-")):
            end += 1
        if end > e.end:
            out.append(_Candidate(start, doc[end - 1].idx + len(doc[end - 1]),
                                  text[start:doc[end - 1].idx + len(doc[end - 1])], _reporting(e.root)))
    # adjacent entities read together: "Tuesday" + "morning", "3 a.m." + "on Sunday"
    for a, b in zip(ents, ents[1:]):
        gap = text[a.end_char:b.start_char].strip().lower()
        if gap in _MERGE_GAP:
            out.append(_Candidate(a.start_char, b.end_char, text[a.start_char:b.end_char],
                                  _reporting(a.root) or _reporting(b.root)))
    # words the model does not label: "overnight", "last night", "yesterday", "in recent days"
    pattern = _relative_phrase_pattern()
    taken = [(c.start, c.end) for c in out]
    for m in pattern.finditer(text, sent.start_char, sent.end_char):
        s, e = m.start(), m.end()
        if any(a <= s and e <= b for a, b in taken):
            continue
        token = doc.char_span(s, e, alignment_mode="expand")
        out.append(_Candidate(s, e, m.group(0), _reporting(token.root) if token is not None else None))
        taken.append((s, e))
    return out


def sentence_date(sent, published: date | datetime | None) -> DateSpan | None:
    """The most likely event date named in a spaCy sentence `Span`, or None when it names none
    (the caller then falls back to the publication date or the article's first dated sentence)."""
    resolved = []
    for c in _candidates(sent):
        span = resolve_date(c.text, published)
        # "the 2012 rebellion", "the June 2023 referendum" name a thing, not when the event was;
        # "Friday prayers" still dates the attack during them
        if span is not None and not (c.modifier and span.precision > 1):
            resolved.append((c, span))
    best = None
    for c, span in resolved:
        demoted = _demoted(c, [o for o, _ in resolved])
        key = (demoted, span.rule.startswith("since:"), c.in_clause, span.precision, -(c.end - c.start), c.start)
        if best is None or key < best[0]:
            best = (key, span)
    return best[1] if best else None
