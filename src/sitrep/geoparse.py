"""Geoparsing stage: the toponyms of an article, resolved to places with an ACLED geo-precision.

Reads `article.doc` (its GPE, LOC and FAC entities; demonyms, NORP, are not places) and writes
`article.places`, one `PlaceMention` per toponym, resolved or not (`place=None`).

A name's candidates come from the gazetteer (`gazetteer.py`), by exact or alternate name. They
are ranked by, in order of weight:

1. hints in the sentence: "X (District, Region)", "X, in the Y region", "in Y's X region" (a
   candidate inside Y wins); "X region" / "the region of X" (a division wins); "the village of
   X" (a settlement wins);
2. country context: a candidate in a country the article names wins over a bigger namesake
   elsewhere; then the focus countries of the settings, then the outlet's country;
3. the other places of the article: a candidate near them, or inside a division they name;
4. population, and whether the name is the place's own or an alternate one.

A town and the division of the same name that holds it (Gao, the Gao region) resolve to the
town unless the text says "region". A small namesake far from everything the article names is
set aside ("Moura" in an article about Mali is not the Portuguese town): unresolved. The geo-precision is ACLED's: 1 the town itself; 2 "near
X", "outside X", "30 km from X", "between X and Y", "the X-Y road", or a district; 3 a region
or a country. A toponym the gazetteer lacks falls back to its stated district (precision 2) or
region (3): "the village of K, in the Mopti region" is coded to the Mopti region.

`place_for_sentence` gives the event extractor the place of one sentence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .document import Article, Place, PlaceMention
from .gazetteer import (ADDITION, ADMIN1, ADMIN2, ADMIN_WORDS, ALTERNATE, CONTINENT, COUNTRY, MACRO,
                        POPULATED, Candidate, Gazetteer, distance_km, name_key, open_gazetteer,
                        strip_admin_word)

TOPONYM_LABELS = ("GPE", "LOC", "FAC")
SETTLEMENTS = (POPULATED, ADDITION)

# --- weights of the ranking (log10 units: 1.0 is a tenfold population) ---------------------
W_ALTERNATE = -2.0        # the name is only an alternate name of the candidate
W_SHORT_ALTERNATE = -2.0  # ... and a short one (3 letters or fewer): often a code
W_CAPITAL = 1.0           # the candidate is its country's capital
W_TEXT_COUNTRY = 3.0      # the candidate lies in a country the article names
W_FOCUS_COUNTRY = 2.0     # ... in a focus country of the settings
W_OUTLET_COUNTRY = 1.5    # ... in the outlet's country
W_ADMIN_CONTEXT = 2.0     # ... inside a division the article names, or holds its places
W_PROXIMITY = 3.0         # ... next to another place of the article (decays with distance)
PROXIMITY_KM = 150.0
W_CONTAINER = 6.0         # ... inside the district/region the sentence gives for it
W_SEAT = -3.0             # a division that holds a town of its own name (Gao region vs Gao)
W_FEATURE = {CONTINENT: 1.0, COUNTRY: 1.0}
FAR_NAMESAKE_POPULATION = 100_000  # a town this big is not a namesake to set aside
MIN_POPULATION = 500      # a settlement of unknown population (cities500: 0; an addition): 500
ANCHOR_CONFIDENCE = 0.5   # a first-pass resolution this sure serves as context for the others
COUNTRY_CONFIDENCE = 0.7  # a first-pass division this sure implies its country

_DIRECTIONS = (r"(?:(?:far|extreme|central|north|south|east|west|northern|southern|eastern|western|"
               r"north-?east|north-?west|south-?east|south-?west|north-?eastern|north-?western|"
               r"south-?eastern|south-?western|northeastern|northwestern|southeastern|southwestern)\s+)")
_ADMIN_WORD = r"(?:" + "|".join(ADMIN_WORDS + ("regions", "provinces", "area")) + r")"
_CAP = r"[A-ZÀ-Þ][\w'’.]*(?:[ -](?:[A-ZÀ-Þ][\w'’.]*|de|du|des|el|al|N['’][A-Z]\w*))*"
_SETTLEMENT_WORD = r"(?:town|village|city|hamlet|locality|settlement|commune|camp|base)"
_UNIT = r"(?:km|kms|kilomet(?:er|re)s?|miles?|mi)"
_COMPASS = (r"(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|"
            r"north-west|south-east|south-west)")

NEAR_BEFORE = re.compile(
    r"(?:\b(?:near(?:by)?|outside(?:\s+of)?|close\s+to|around|not\s+far\s+from|"
    r"in\s+the\s+vicinity\s+of|(?:on\s+)?the\s+outskirts\s+of|on\s+the\s+edge\s+of|"
    r"(?:\d[\d.,]*|a\s+few|several|some|dozens\s+of|tens\s+of)\s*-?\s*" + _UNIT +
    r"(?:\s*\([^)]*\))?\s+(?:(?:to\s+the\s+)?" + _COMPASS + r"(?:ern)?\s+)?(?:of|from)|"
    r"\b" + _COMPASS + r"\s+of|(?:road|route|highway|axis|way|track)\s+(?:from|to|linking|"
    r"connecting|between))\s+(?:the\s+)?(?:" + _SETTLEMENT_WORD + r"\s+of\s+)?)$", re.I)
BETWEEN_FIRST = re.compile(r"\bbetween\s+(?:the\s+)?(?:(?:towns?|villages?|cities|localities|"
                           r"communes)\s+(?:of\s+)?)?$", re.I)
BETWEEN_SECOND = re.compile(r"\b(?:between|from)\s+(?:the\s+)?(?:(?:towns?|villages?|cities|"
                            r"localities|communes)\s+(?:of\s+)?)?" + _CAP +
                            r"\s+(?:and|to)\s+(?:the\s+)?$")
ROAD_FIRST = re.compile(r"^\s*[-–—/]\s*" + _CAP + r"\s+(?:road|axis|highway|route|corridor|"
                        r"stretch|section|track|border)\b", re.I)
ROAD_SECOND_BEFORE = re.compile(r"[\w'’]\s*[-–—/]\s*$")
ROAD_AFTER = re.compile(r"^\s+(?:road|axis|highway|route|corridor|stretch|section|track)\b", re.I)
ADMIN_AFTER = re.compile(r"^\s+" + _ADMIN_WORD + r"\b", re.I)
ADMIN_BEFORE = re.compile(r"(?:^|\b(?:the|a|its|their|of|in|and)\s+)" + _ADMIN_WORD +
                          r"\s+(?:of|de|du)\s+(?:the\s+)?$", re.I)
SETTLEMENT_BEFORE = re.compile(r"\b(?:town|village|city|hamlet|locality|settlement)\s+of\s+$", re.I)
CONTAINER_PARENS = re.compile(r"^\s*\(\s*([^()]{1,100})\)")
CONTAINER_IN = re.compile(r"^\s*(,)?\s*(?:in|of|within)\s+(?:the\s+)?" + _DIRECTIONS + r"*"
                          r"(" + _CAP + r")(\s+" + _ADMIN_WORD + r"\b)?")
CONTAINER_COMMA = re.compile(r"^\s*,\s*(?:the\s+)?(" + _CAP + r")(\s+" + _ADMIN_WORD + r"\b)?")
CONTAINER_POSSESSIVE = re.compile(r"(" + _CAP + r")['’]s\s+" + _DIRECTIONS + r"*(?:(?:"
                                  + _SETTLEMENT_WORD + r"|district|region|province)\s+of\s+)?$")
FACILITY_WORDS = re.compile(r"\s+(?:international\s+)?(?:airport|airfield|airbase|air\s+base|"
                            r"military\s+camp|army\s+camp|camp|base|barracks|garrison|bridge|"
                            r"market|mosque|church|prison|checkpoint|dam|mine|hospital|"
                            r"university|stadium|port|border\s+post)$", re.I)
LEADING = re.compile(r"^(?:the\s+)?" + _DIRECTIONS + r"+", re.I)
HYPHENS = re.compile(r"\s*[-–—/]\s*")


@dataclass
class GeoContext:
    """What helps resolve one toponym: the article's countries and places, the sentence."""

    focus_countries: tuple[str, ...] = ()      # from the settings (ISO 3166-1 alpha-2)
    countries: tuple[str, ...] = ()            # countries the article names
    places: tuple[Place, ...] = ()             # the article's other resolved places
    outlet_country: str | None = None
    sentence: str = ""                         # the sentence the name sits in ...
    start: int | None = None                   # ... and the name's offsets in it
    end: int | None = None
    gazetteer: Gazetteer | None = None         # default: the cached index

    @classmethod
    def from_settings(cls, settings: Any, **fields_: Any) -> "GeoContext":
        focus = tuple(c.upper() for c in (getattr(settings, "focus_countries", ()) or ()))
        return cls(focus_countries=focus, **fields_)


@dataclass
class Hints:
    """What the sentence says around a toponym."""

    near: str | None = None          # "near", "between", "road": the place is only close by
    admin: bool = False              # "X region", "the region of X": a division is meant
    admin_before: bool = False       # ... said before the name ("the region of Niger": a
                                     # country of that name still wins)
    settlement: bool = False         # "the village of X": a settlement is meant
    containers: list[tuple[str, bool]] = field(default_factory=list)  # (Y, strong)


@dataclass
class Resolution:
    place: Place | None
    rule: str
    confidence: float
    candidate: Candidate | None = None


def read_hints(sentence: str, start: int | None, end: int | None) -> Hints:
    hints = Hints()
    if start is None or end is None or not sentence:
        return hints
    before, after = sentence[:start], sentence[end:]
    if NEAR_BEFORE.search(before):
        hints.near = "near"
    elif BETWEEN_FIRST.search(before) or BETWEEN_SECOND.search(before):
        hints.near = "between"
    elif ROAD_FIRST.match(after) or (ROAD_SECOND_BEFORE.search(before) and ROAD_AFTER.match(after)):
        hints.near = "road"
    admin_after = ADMIN_AFTER.match(after)
    if admin_after:
        hints.admin = True
    elif ADMIN_BEFORE.search(before):
        hints.admin = hints.admin_before = True
    if SETTLEMENT_BEFORE.search(before):
        hints.settlement = True
    rest = after[admin_after.end():] if admin_after else after
    m = CONTAINER_PARENS.match(rest)
    if m:
        for part in m.group(1).split(","):
            part = part.strip()
            if part and part[0].isupper():
                hints.containers.append((part, True))
    else:
        m = CONTAINER_IN.match(rest)
        if m:
            hints.containers.append((m.group(2), bool(m.group(1) or m.group(3))))
        else:
            m = CONTAINER_COMMA.match(rest)
            if m:
                hints.containers.append((m.group(1), bool(m.group(2))))
    m = CONTAINER_POSSESSIVE.search(before)
    if m:
        hints.containers.append((m.group(1), True))
    return hints


def _name_variants(name: str) -> list[tuple[str, str | None, bool]]:
    """(key, near-hint, admin) to try in turn: the name, then without an admin or facility word
    or a leading direction, then the first part of 'X-Y' (a road, precision 2)."""
    variants = []
    key = name_key(name)
    variants.append((key, None, False))
    stripped = strip_admin_word(key)
    if stripped != key:
        variants.append((stripped, None, True))
    facility = FACILITY_WORDS.sub("", name)
    if facility != name:
        variants.append((name_key(facility), None, False))
    lead = LEADING.sub("", name)
    if lead != name and lead:
        variants.append((name_key(lead), None, False))
        if strip_admin_word(name_key(lead)) != name_key(lead):
            variants.append((strip_admin_word(name_key(lead)), None, True))
    parts = [p for p in HYPHENS.split(name) if p]
    if len(parts) == 2 and all(p[:1].isupper() for p in parts):
        variants.append((name_key(parts[0]), "road", False))
    return variants


def _contains(container: Candidate, c: Candidate) -> bool:
    if container.contains(c):
        return True
    # A district named by its seat town: "Boulkessi (Douentza)".
    if container.feature in SETTLEMENTS and c.is_point and container.is_point:
        return c.id != container.id and distance_km(container.latitude, container.longitude,
                                                    c.latitude, c.longitude) <= 60
    return False


def _inside_place(c: Candidate, p: Place) -> bool:
    if p.country != c.country:
        return False
    if p.feature == COUNTRY:
        return c.feature != COUNTRY
    if p.feature == ADMIN1:
        return c.feature not in (COUNTRY, ADMIN1) and c.admin1 is not None and c.admin1 == p.admin1
    if p.feature == ADMIN2:
        return c.feature in SETTLEMENTS and c.admin2 is not None and c.admin2 == p.admin2
    return False


def _holds_place(c: Candidate, p: Place) -> bool:
    """Does the division or country `c` hold the resolved place `p`?"""
    if p.country != c.country or p.feature in (COUNTRY, CONTINENT):
        return False
    if c.feature == COUNTRY:
        return True
    if c.feature == ADMIN1:
        return p.feature != ADMIN1 and p.admin1 is not None and p.admin1 == c.admin1
    if c.feature == ADMIN2:
        return p.feature in SETTLEMENTS and p.admin2 is not None and p.admin2 == c.admin2
    return False


def _score(c: Candidate, key: str, cands: list[Candidate], ctx: GeoContext, hints: Hints,
           containers: list[list[Candidate]]) -> tuple[float, list[str]]:
    reasons = []
    population = max(c.population, MIN_POPULATION) if c.feature in SETTLEMENTS else c.population
    score = math.log10(population + 1) + W_FEATURE.get(c.feature, 0.0)
    if c.population:
        reasons.append("population")
    if c.match == ALTERNATE:
        score += W_ALTERNATE + (W_SHORT_ALTERNATE if len(key) <= 3 else 0.0)
    if c.capital:
        score += W_CAPITAL
        reasons.append("capital")
    if c.feature in (ADMIN1, ADMIN2) and not hints.admin:
        code = "admin1_code" if c.feature == ADMIN1 else "admin2_code"
        if any(o.feature in SETTLEMENTS and o.country == c.country
               and getattr(o, code) == getattr(c, code) for o in cands):
            score += W_SEAT
    if c.country in ctx.countries:
        score += W_TEXT_COUNTRY
        reasons.append("country-context")
    elif c.country in ctx.focus_countries:
        score += W_FOCUS_COUNTRY
        reasons.append("focus-country")
    elif ctx.outlet_country and c.country == ctx.outlet_country:
        score += W_OUTLET_COUNTRY
        reasons.append("outlet-country")
    if c.feature in SETTLEMENTS or c.feature == ADMIN2:
        if any(_inside_place(c, p) for p in ctx.places if p.feature in (ADMIN1, ADMIN2)):
            score += W_ADMIN_CONTEXT
            reasons.append("admin-context")
    elif c.feature in (ADMIN1, COUNTRY) and any(_holds_place(c, p) for p in ctx.places):
        score += W_ADMIN_CONTEXT
        reasons.append("holds-context")
    if (c.feature in SETTLEMENTS or c.feature == ADMIN2) and c.is_point:
        dists = [distance_km(c.latitude, c.longitude, p.latitude, p.longitude)
                 for p in ctx.places if p.feature in SETTLEMENTS + (ADMIN2,)]
        dists = [d for d in dists if d > 0.5]   # the same place named twice tells nothing
        if dists:
            bonus = W_PROXIMITY * math.exp(-min(dists) / PROXIMITY_KM)
            if bonus > 0.3:
                score += bonus
                reasons.append("proximity")
    if any(any(_contains(y, c) for y in ys) for ys in containers):
        score += W_CONTAINER
        reasons.append("container")
    return score, reasons


def _confidence(margin: float) -> float:
    return round(min(0.99, 1 / (1 + math.exp(-margin))), 3)


def _container_candidates(name: str, gz: Gazetteer) -> list[Candidate]:
    key = name_key(name)
    cands = [c for c in gz.candidates_by_key(key) if c.is_point]
    stripped = strip_admin_word(key)
    if not cands and stripped != key:
        cands = [c for c in gz.candidates_by_key(stripped) if c.is_point]
    return cands


def resolve_one(name: str, context: GeoContext) -> Resolution:
    """Resolve a toponym, saying how and how sure (see `resolve`)."""
    gz = context.gazetteer or open_gazetteer()
    hints = read_hints(context.sentence, context.start, context.end)
    cands: list[Candidate] = []
    near = hints.near
    admin = hints.admin
    key = ""
    abbreviation = "." in name and len(name_key(name).replace(" ", "")) <= 4   # "Kan.", "W.Va."
    for key, variant_near, variant_admin in _name_variants(name):
        cands = [c for c in gz.candidates_by_key(key) if not (abbreviation and c.match == ALTERNATE)]
        if cands:
            near = near or variant_near
            admin = admin or variant_admin
            break
    hints = replace(hints, near=near, admin=admin)
    containers = [_container_candidates(y, gz) for y, _ in hints.containers]

    if not cands:
        return _fallback(hints, containers, context)

    points = [c for c in cands if c.is_point]
    macro = [c for c in cands if c.feature == MACRO]
    if hints.admin_before and any(c.feature == COUNTRY and c.match != ALTERNATE for c in points):
        hints = replace(hints, admin=False)
    if hints.admin and any(c.feature in (ADMIN1, ADMIN2) for c in points):
        points = [c for c in points if c.feature in (ADMIN1, ADMIN2)]
    elif hints.settlement and any(c.feature in SETTLEMENTS for c in points):
        points = [c for c in points if c.feature in SETTLEMENTS]
    scored = sorted(((_score(c, key, cands, context, hints, containers), c) for c in points),
                    key=lambda t: -t[0][0])
    if macro:
        # "the Sahel": a known area, not a point, unless the text places it in a country.
        backed = [t for t in scored if "container" in t[0][1]
                  or (hints.admin and "country-context" in t[0][1])]
        if not backed:
            return Resolution(None, "gazetteer:macro-region", 0.9)
        scored = backed
    if not scored:
        return _fallback(hints, containers, context)
    (best_score, reasons), best = scored[0]
    margin = best_score - scored[1][0][0] if len(scored) > 1 else 4.0
    precision = best.default_precision
    rule_parts = ["alternate-name" if best.match == ALTERNATE else "name"] + reasons
    if hints.admin and best.feature in (ADMIN1, ADMIN2):
        rule_parts.append("admin-word")
    rule = "gazetteer:" + "+".join(rule_parts)
    if context.countries and best.feature in SETTLEMENTS and not (
            {"country-context", "focus-country", "outlet-country", "proximity", "container",
             "admin-context"} & set(reasons)) and best.population < FAR_NAMESAKE_POPULATION:
        # A small town in none of the article's countries and near none of its places: more
        # likely a place the gazetteer lacks than this namesake ("Moura" in Mali, not Portugal).
        return Resolution(None, f"unresolved:far-namesake:{best.name},{best.country}", 0.0, best)
    if near:
        precision = max(precision, 2)
        rule += f"|{near}"
    return Resolution(best.to_place(precision), rule, _confidence(margin), best)


def _fallback(hints: Hints, containers: list[list[Candidate]], context: GeoContext) -> Resolution:
    """An unknown toponym in a stated district or region: coded there, like ACLED."""
    for (name, strong), ys in zip(hints.containers, containers):
        # Strong: "(Y)", "Y region", "in Y's", or a country ("X, Mali"); not a bare ", Y" that
        # may be the next item of a list.
        if not ys or not (strong or any(c.feature == COUNTRY and c.match != ALTERNATE for c in ys)):
            continue
        # Prefer a division or a country; a town here is the district seat.
        ranked = sorted(ys, key=lambda c: (
            c.feature not in (ADMIN1, ADMIN2, COUNTRY),
            -(W_TEXT_COUNTRY * (c.country in context.countries)
              + W_FOCUS_COUNTRY * (c.country in context.focus_countries)
              + math.log10(c.population + 1))))
        y = ranked[0]
        precision = 3 if y.feature in (ADMIN1, COUNTRY) else 2
        return Resolution(y.to_place(precision), f"fallback:container:{y.feature}", 0.6, y)
    return Resolution(None, "unresolved", 0.0)


def resolve(name: str, context: GeoContext) -> Place | None:
    """The place a toponym means in its context, or None (unknown, or not a point)."""
    return resolve_one(name, context).place


# --- a whole article -------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence around [start, end) when no parse gives one (a plain regex split)."""
    s = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        s = m.end()
    m = _SENTENCE_END.search(text, end)
    return s, (m.start() if m else len(text))


def resolve_toponyms(text: str, spans: list[tuple[int, int, int | None, int | None]],
                     context: GeoContext) -> list[PlaceMention]:
    """Resolve every toponym of one text: `spans` are (start, end, sentence_start, sentence_end)
    in `text` (sentence bounds None: found by a regex). Countries the text names and places
    resolved with confidence in a first pass are the context of the second."""
    gz = context.gazetteer or open_gazetteer()
    context = replace(context, gazetteer=gz)
    items = []
    for start, end, s_start, s_end in spans:
        if s_start is None or s_end is None:
            s_start, s_end = sentence_bounds(text, start, end)
        items.append((start, end, s_start, s_end, text[start:end]))

    def run(countries_for, places_for) -> list[Resolution]:
        out = []
        for i, (start, end, s_start, s_end, name) in enumerate(items):
            out.append(resolve_one(name, replace(context, countries=countries_for(i),
                                                 places=places_for(i),
                                                 sentence=text[s_start:s_end],
                                                 start=start - s_start, end=end - s_start)))
        return out

    first = run(lambda i: context.countries, lambda i: ())
    # Context for the second pass, each mention's from the OTHER names only (a name must not
    # confirm itself): the countries named, or implied by a division of theirs ("Texas", "the
    # Mopti region"), and the places resolved.
    keys = [name_key(it[4]) for it in items]
    implied = [(keys[i], r.place.country) for i, r in enumerate(first)
               if r.place is not None and r.place.country and (
                   r.place.feature == COUNTRY
                   or (r.place.feature == ADMIN1 and r.confidence >= COUNTRY_CONFIDENCE))]
    anchors = [(keys[i], r.place) for i, r in enumerate(first)
               if r.place is not None and r.confidence >= ANCHOR_CONFIDENCE]

    def countries_for(i: int) -> tuple[str, ...]:
        named = list(context.countries)
        for k, c in implied:
            if k != keys[i] and c not in named:
                named.append(c)
        return tuple(named)

    second = run(countries_for, lambda i: tuple(p for k, p in anchors if k != keys[i]))

    mentions = []
    for (start, end, s_start, s_end, name), r in zip(items, second):
        mentions.append(PlaceMention(start=start, end=end, text=name, sentence_start=s_start,
                                     sentence_end=s_end, place=r.place, rule=r.rule,
                                     confidence=r.confidence))
    return mentions


def outlet_country(article: Article) -> str | None:
    """The outlet's country, when the input says it (a JSON field `outlet_country`)."""
    value = (article.raw.extra or {}).get("outlet_country") if article.raw else None
    return value.upper() if isinstance(value, str) and len(value) == 2 else None


def geoparse(articles: list[Article], settings: Any) -> list[Article]:
    """Batch stage: resolve the GPE/LOC/FAC entities of each new, parsed article."""
    gz = open_gazetteer()
    for article in articles:
        if article.status != "new" or article.doc is None:
            continue
        spans = [(e.start_char, e.end_char, e.sent.start_char, e.sent.end_char)
                 for e in article.doc.ents if e.label_ in TOPONYM_LABELS]
        context = GeoContext.from_settings(settings, outlet_country=outlet_country(article),
                                           gazetteer=gz)
        mentions = resolve_toponyms(article.text, spans, context)
        for m in mentions:
            m.raw_start, m.raw_end = article.offsets.span_to_raw(m.start, m.end)
        article.places = mentions
    return articles


# --- the place of a sentence, for the event extractor ---------------------------------------

_FEATURE_RANK = {POPULATED: 0, ADDITION: 0, ADMIN2: 1, ADMIN1: 2, COUNTRY: 3, CONTINENT: 4}


def _specificity(m: PlaceMention) -> tuple:
    p = m.place
    return (p.geo_precision, _FEATURE_RANK.get(p.feature, 1), -m.confidence, m.start)


def main_place(article: Article) -> PlaceMention | None:
    """The article's main place: its most named settlement, else its most named division or
    country (ties: the first named)."""
    resolved = [m for m in article.places if m.place is not None]
    if not resolved:
        return None
    counts: dict[tuple, int] = {}
    first: dict[tuple, PlaceMention] = {}
    for m in resolved:
        k = (m.place.name, m.place.latitude, m.place.longitude)
        counts[k] = counts.get(k, 0) + 1
        first.setdefault(k, m)
    return min(first.values(), key=lambda m: (
        _FEATURE_RANK.get(m.place.feature, 1), -counts[(m.place.name, m.place.latitude,
                                                         m.place.longitude)], m.start))


def _raised(m: PlaceMention, by: int, why: str, confidence_factor: float) -> PlaceMention:
    place = replace(m.place, geo_precision=min(3, m.place.geo_precision + by))
    return replace(m, place=place, rule=f"{m.rule}|{why}",
                   confidence=round(m.confidence * confidence_factor, 3))


def place_for_sentence(article: Article, sent_start: int, sent_end: int) -> PlaceMention | None:
    """The place of the sentence [sent_start, sent_end) of `article.text`: its most specific
    resolved toponym; else the nearest one earlier in the same paragraph (precision + 1); else
    the article's main place (precision + 2); None when the article has no place."""
    resolved = [m for m in article.places if m.place is not None]
    inside = [m for m in resolved if sent_start <= m.start and m.end <= sent_end]
    if inside:
        return min(inside, key=_specificity)
    paragraph_start = article.text.rfind("\n\n", 0, sent_start)
    paragraph_start = 0 if paragraph_start < 0 else paragraph_start + 2
    earlier = [m for m in resolved if paragraph_start <= m.start and m.end <= sent_start]
    if earlier:
        nearest = max(m.end for m in earlier)
        sentence_of_nearest = [m for m in earlier if m.sentence_start <= nearest <= m.sentence_end]
        return _raised(min(sentence_of_nearest or earlier, key=_specificity), 1, "paragraph", 0.8)
    main = main_place(article)
    return _raised(main, 2, "article", 0.6) if main else None
