"""Geoparsing stage: the toponyms of an article, resolved to places with an ACLED geo-precision.

Recognition (`recognise`, `toponym_spans`) reads `article.doc`: its GPE, LOC and FAC entities
(a one-word one that is the surname of a person the text names, "Saakashvili", is none); the
toponyms that entities of other labels hold, when the gazetteer knows them: the whole entity
when the text gives it as a place ("Gainesville" taken for a person in "of Gainesville", "the
town of Pulawy" for an organisation), the country or division that leads an institution's name
("the [Texas] Department of Transportation"), the town that leads a local institution's
("[Oakland] Police Department"), the division or city after "of" ("University of [Kentucky]");
and a dateline's place ("COLUMBUS, Ohio (AP) —"). Demonyms (NORP) are not toponyms, nor
position words standing alone ("Western"). It writes `article.places`, one `PlaceMention` per
toponym, resolved or not (`place=None`).

A name's candidates come from the gazetteer (`gazetteer.py`), by exact or alternate name, an
abbreviation written with its period ("Ind.", "W.Va."), or a demonym ("Russians": Russia). A
name the gazetteer lacks may still be a division's without its generic word ("Readington
Township"), or a natural feature named after a town ("the Kanawha River": by Kanawha, precision
2). Candidates are ranked by, in order of weight:

1. hints in the sentence: "X (District, Region)", "X, in the Y region", "in Y's X region",
   "X, Ky." (a candidate inside Y wins); "X region" / "the region of X" (a division wins); "the
   village of X" (a settlement wins);
2. country context: a candidate in a country the article names wins over a bigger namesake
   elsewhere; then the focus countries of the settings, then the outlet's country;
3. the other toponyms of the article, read together (`_support`): a candidate inside a division
   another name may mean, holding a place another name may mean, or near one, gains what that
   reading is worth to the other name; two rounds, so that "Springfield" and "Sangamon County"
   settle together on Illinois (Springfield alone is Missouri's, the biggest);
4. population, whether the name is the place's own or an alternate one, and whether a more
   populous country or first-level division bears the name ("Oregon" is the state, not the
   town in Ohio).

A town and the division of the same name that holds it (Gao, the Gao region) resolve to the
town unless the text says "region". A small namesake far from everything the article names is
set aside ("Moura" in an article about Mali is not the Portuguese town): unresolved. The
geo-precision is ACLED's: 1 the town itself; 2 "near X", "outside X", "30 km from X", "between
X and Y", "the X-Y road", "the X area", or a district; 3 a region or a country. A toponym the
gazetteer lacks falls back to its stated district (precision 2) or region (3): "the village of
K, in the Mopti region" is coded to the Mopti region.

`place_for_sentence` gives the event extractor the place of one sentence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .document import Article, Place, PlaceMention
from .gazetteer import (ADDITION, ADMIN1, ADMIN2, ADMIN_WORDS, ALTERNATE, CONTINENT, COUNTRY, MACRO,
                        POPULATED, REGION, Candidate, Gazetteer, abbreviation_key, distance_km, name_key,
                        open_gazetteer, strip_admin_word)

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
MAX_RELATION = W_ADMIN_CONTEXT + W_PROXIMITY
COHERENCE_ROUNDS = 2      # passes that read each toponym with the others' readings
W_CONTAINER = 6.0         # ... inside the district/region the sentence gives for it
W_WEAK_CONTAINER = 2.0    # ... inside a division or country named after it with a bare comma or
                          # "in" ("X, Y", "X in Y"): maybe only the next item of a list
W_SEAT = -3.0             # a division that holds a town of its own name (Gao region vs Gao)
W_MAJOR_NAMESAKE = -3.0   # a town or district named like a more populous country or first-level
                          # division that does not hold it ("Oregon", Ohio vs Oregon), or named
                          # so only by an alternate name ("New York" for New York City)
# A curated region has no population: it weighs as a city of 100,000 would ("the Pacific" is the
# ocean, not Pacific, Missouri).
W_FEATURE = {CONTINENT: 1.0, COUNTRY: 1.0, REGION: 5.0}
FAR_NAMESAKE_POPULATION = 100_000  # a town this big is not a namesake to set aside
MIN_POPULATION = 500      # a settlement of unknown population (cities500: 0; an addition): 500
COUNTRY_CONFIDENCE = 0.7  # a first-pass division this sure implies its country

_DIRECTIONS = (r"(?:(?:far|extreme|central|north|south|east|west|northern|southern|eastern|western|"
               r"north-?east|north-?west|south-?east|south-?west|north-?eastern|north-?western|"
               r"south-?eastern|south-?western|northeastern|northwestern|southeastern|southwestern)\s+)")
_ADMIN_WORD = r"(?:" + "|".join(ADMIN_WORDS + ("regions", "provinces")) + r")"
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
AREA_AFTER = re.compile(r"^\s+(?:area|vicinity|environs|surroundings)\b", re.I)  # "the Gao area"
ADMIN_AFTER = re.compile(r"^\s+" + _ADMIN_WORD + r"\b", re.I)
ADMIN_BEFORE = re.compile(r"(?:^|\b(?:the|a|its|their|of|in|and)\s+)" + _ADMIN_WORD +
                          r"\s+(?:of|de|du)\s+(?:the\s+)?$", re.I)
SETTLEMENT_BEFORE = re.compile(r"\b(?:town|village|city|hamlet|locality|settlement)\s+of\s+$", re.I)
# A name inside the parentheses that follow another: "Kolongo (Macina, Segou)" names Kolongo's
# district and region.
IN_CONTAINER_PARENS = re.compile(r"[A-ZÀ-Þ][\w'’.-]*\s*\(\s*(?:[^(),]{1,40},\s*)*$")
CONTAINER_PARENS = re.compile(r"^\s*\(\s*([^()]{1,100})\)")
# "Cercle of Bankass", "the commune of Boni", "région de Mopti": a division's generic word before
# its name (it makes the container a strong one).
_ADMIN_OF = r"((?i:(?:the\s+)?" + _ADMIN_WORD + r"\s+(?:of|de|du|d['’])\s*))?"
CONTAINER_IN = re.compile(r"^\s*(,)?\s*(?:in|of|within)\s+(?:the\s+)?" + _DIRECTIONS + r"*"
                          + _ADMIN_OF + r"(" + _CAP + r")(\s+" + _ADMIN_WORD + r"\b)?")
CONTAINER_COMMA = re.compile(r"^\s*,\s*(?:the\s+)?" + _ADMIN_OF + r"(" + _CAP + r")(\s+"
                             + _ADMIN_WORD + r"\b)?")
CONTAINER_POSSESSIVE = re.compile(r"(" + _CAP + r")['’]s\s+" + _DIRECTIONS + r"*(?:(?:"
                                  + _SETTLEMENT_WORD + r"|district|region|province)\s+of\s+)?$")
FACILITY_WORDS = re.compile(r"\s+(?:international\s+)?(?:airport|airfield|airbase|air\s+base|"
                            r"military\s+camp|army\s+camp|camp|base|barracks|garrison|bridge|"
                            r"market|mosque|church|prison|checkpoint|dam|mine|hospital|"
                            r"university|stadium|port|border\s+post)$", re.I)
LEADING = re.compile(r"^(?:the\s+)?" + _DIRECTIONS + r"+", re.I)
# A natural feature named after a place: "the Kanawha River", "Lake Erie", "the Swat Valley".
_FEATURE = (r"(?:river|creek|brook|lake|valley|mountains?|hills?|bay|forest|falls|springs|"
            r"canyon|gorge|plateau|plain|plains|basin|delta|lagoon|marsh|swamp)")
FEATURE_AFTER = re.compile(r"^(?:the\s+)?(.+?)\s+" + _FEATURE + r"$", re.I)
FEATURE_BEFORE = re.compile(r"^(?:the\s+)?(?:lake|river|mount|mt\.?)\s+(?:of\s+)?(.+)$", re.I)
HYPHENS = re.compile(r"\s*[-–—/]\s*")


@dataclass
class GeoContext:
    """What helps resolve one toponym: the article's countries and places, the sentence."""

    focus_countries: tuple[str, ...] = ()      # from the settings (ISO 3166-1 alpha-2)
    countries: tuple[str, ...] = ()            # countries the article names
    places: tuple[Place, ...] = ()             # the article's other resolved places
    others: tuple["Ranking", ...] = ()         # the first-pass rankings of its other toponyms
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
    ranking: "Ranking" = ()          # the best candidates and their scores, best first


# A toponym's candidates as one pass ranked them: (score, candidate), best first.
Ranking = tuple[tuple[float, Candidate], ...]
RANKING_SIZE = 10


# How far around a name its hints are read: every hint pattern is anchored at the name, and
# searching the whole sentence for each one cost more than resolving the name.
HINT_REACH = 160


def read_hints(sentence: str, start: int | None, end: int | None) -> Hints:
    hints = Hints()
    if start is None or end is None or not sentence:
        return hints
    before, after = sentence[max(0, start - HINT_REACH):start], sentence[end:end + HINT_REACH]
    if start > HINT_REACH:
        before = " " + before   # not the sentence's start ("^" in ADMIN_BEFORE)
    if NEAR_BEFORE.search(before):
        hints.near = "near"
    elif BETWEEN_FIRST.search(before) or BETWEEN_SECOND.search(before):
        hints.near = "between"
    elif ROAD_FIRST.match(after) or (ROAD_SECOND_BEFORE.search(before) and ROAD_AFTER.match(after)):
        hints.near = "road"
    elif AREA_AFTER.match(after):
        hints.near = "area"
    admin_after = ADMIN_AFTER.match(after)
    if admin_after:
        hints.admin = True
    elif ADMIN_BEFORE.search(before):
        hints.admin = hints.admin_before = True
    if SETTLEMENT_BEFORE.search(before):
        hints.settlement = True
    if IN_CONTAINER_PARENS.search(before) and re.match(r"\s*[,)]", after):
        # A district or region named as another place's container: a division if one bears
        # the name, and no more precise than a district.
        hints.admin = True
        hints.near = hints.near or "container"
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
            hints.containers.append((m.group(3), bool(m.group(1) or m.group(2) or m.group(4))))
        else:
            m = CONTAINER_COMMA.match(rest)
            if m:
                hints.containers.append((m.group(2), bool(m.group(1) or m.group(3))))
    m = CONTAINER_POSSESSIVE.search(before)
    if m:
        hints.containers.append((m.group(1), True))
    return hints


def _name_variants(name: str) -> list[tuple[str, str | None, bool]]:
    """(key, near-hint, admin) to try in turn: the name, then without an admin or facility word
    or a leading direction, then the first part of 'X-Y' (a road, precision 2), then the place
    a natural feature is named after ("Kanawha River": Kanawha, precision 2)."""
    variants = []
    abbreviation = abbreviation_key(name)
    if abbreviation:
        variants.append((abbreviation, None, False))
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
    # "Gao-Ansongo": a road from Gao; not "In-Guersammane" ("In" is no town).
    if len(parts) == 2 and all(p[:1].isupper() for p in parts) and len(name_key(parts[0])) > 2:
        variants.append((name_key(parts[0]), "road", False))
    feature = FEATURE_AFTER.match(name) or FEATURE_BEFORE.match(name)
    if feature and feature.group(1)[:1].isupper():
        variants.append((name_key(feature.group(1)), "feature", False))
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
           containers: list[tuple[list[Candidate], bool]]) -> tuple[float, list[str]]:
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
    if c.feature in SETTLEMENTS + (ADMIN2,) and not hints.settlement and not c.capital and any(
            o.feature in (COUNTRY, ADMIN1) and o.match != ALTERNATE and o.is_point
            and o.population > c.population and (c.match == ALTERNATE or not o.contains(c))
            for o in cands):
        score += W_MAJOR_NAMESAKE
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
    if ctx.others:
        support, kinds = _support(c, ctx.others)
        if support > 0.3:
            score += support
            reasons.extend(k for k in ("admin-context", "holds-context", "proximity")
                           if k in kinds and k not in reasons)
    if any(strong and any(_contains(y, c) for y in ys) for ys, strong in containers):
        score += W_CONTAINER
        reasons.append("container")
    elif any(not strong and any(y.feature in (COUNTRY, ADMIN1, ADMIN2) and y.contains(c) for y in ys)
             for ys, strong in containers):
        # "Cleveland, Columbus, Dayton": a town after a bare comma is the list's next item.
        score += W_WEAK_CONTAINER
        reasons.append("weak-container")
    return score, reasons


def _relation(c: Candidate, o: Candidate) -> tuple[float, str | None]:
    """How much a candidate `o` of another toponym of the article backs the candidate `c`: `o`
    is a division that holds `c`, or `c` a division or country that holds `o`, or the two
    are towns or districts close to each other."""
    if c.country != o.country or c.country is None or c.id == o.id:
        return 0.0, None
    if o.feature in (ADMIN1, ADMIN2) and c.feature not in (COUNTRY, CONTINENT) and o.contains(c):
        relation, kind = W_ADMIN_CONTEXT, "admin-context"
    elif c.feature in (COUNTRY, ADMIN1, ADMIN2) and c.contains(o):
        relation, kind = W_ADMIN_CONTEXT, "holds-context"
    else:
        relation, kind = 0.0, None
    near = SETTLEMENTS + (ADMIN2,)
    if c.feature in near and o.feature in near and c.is_point and o.is_point \
            and abs(c.latitude - o.latitude) < 4:
        d = distance_km(c.latitude, c.longitude, o.latitude, o.longitude)
        bonus = W_PROXIMITY * math.exp(-d / PROXIMITY_KM) if d > 0.5 else 0.0
        if bonus > 0.3:
            relation += bonus
            kind = kind or "proximity"
    return relation, kind


def _support(c: Candidate, others: tuple[Ranking, ...]) -> tuple[float, set[str]]:
    """What the article's other toponyms say for `c`: for each, how much better its best
    reading becomes when read together with `c` (a reading that backs `c` but is less likely on
    its own backs it less). "Springfield" and "Sangamon County" in one article: Springfield,
    Illinois is in a Sangamon County, and that Sangamon County holds a Springfield."""
    total, kinds = 0.0, set()
    for ranking in others:
        best = ranking[0][0]
        gain, kind = 0.0, None
        for score, o in ranking:
            if score + MAX_RELATION <= best + gain:
                break
            relation, k = _relation(c, o)
            if relation and score + relation - best > gain:
                gain, kind = score + relation - best, k
        if kind:
            total += gain
            kinds.add(kind)
    return total, kinds


def _confidence(margin: float) -> float:
    return round(min(0.99, 1 / (1 + math.exp(-margin))), 3)


def _container_candidates(name: str, gz: Gazetteer) -> list[Candidate]:
    key = name_key(name)
    cands = [c for c in gz.candidates(name) if c.is_point]
    stripped = strip_admin_word(key)
    if not cands and stripped != key:
        cands = [c for c in gz.candidates_by_key(stripped) if c.is_point]
    return cands


# A demonym's ending, and what its place's name ends with instead: "Georgian" -> "Georgia",
# "Ohioans" -> "Ohio", "Texan" -> "Texas", "Dagestani" -> "Dagestan", "Abkhaz" -> "Abkhazia".
_DEMONYM_ENDINGS = (
    ("ians", ("ia", "io", "a", "", "e", "y")), ("ian", ("ia", "io", "a", "", "e", "y")),
    ("ans", ("a", "", "e", "o", "as")), ("an", ("a", "", "e", "o", "as")),
    ("ese", ("", "a", "on", "e")), ("is", ("",)), ("i", ("",)), ("", ("ia",)),
)
_DEMONYM_FEATURES = (COUNTRY, ADMIN1, CONTINENT)


def demonym_place(name: str, gz: Gazetteer) -> Candidate | None:
    """The country, division or continent a demonym names ("Russians", "Ohioan", "South
    Ossetian"): the gazetteer's list of demonyms, else a place of that stem."""
    if not name[:1].isupper():
        return None
    found = gz.demonym(name)
    if found is not None:
        return found
    key = name_key(name)
    if not key or not key.replace(" ", "").isalpha():
        return None
    for ending, replacements in _DEMONYM_ENDINGS:
        if not key.endswith(ending) or len(key) - len(ending) < 3:
            continue
        stem = key[:len(key) - len(ending)]
        for replacement in replacements:
            places = [c for c in gz.candidates_by_key(stem + replacement)
                      if c.feature in _DEMONYM_FEATURES and c.match != ALTERNATE and c.is_point]
            if places:
                return max(places, key=lambda c: (c.feature == COUNTRY, c.population))
    return None


def resolve_one(name: str, context: GeoContext) -> Resolution:
    """Resolve a toponym, saying how and how sure (see `resolve`)."""
    gz = context.gazetteer or open_gazetteer()
    demonym = gz.demonym(name) if name[:1].isupper() else None
    if demonym is not None and demonym.is_point:
        # "Russian", "Palestinians": the country (no town called "Canadian" in Texas).
        return Resolution(demonym.to_place(), "demonym", 0.9, demonym, ((10.0, demonym),))
    hints = read_hints(context.sentence, context.start, context.end)
    cands: list[Candidate] = []
    near = hints.near
    admin = hints.admin
    key = ""
    abbreviation = "." in name and len(name_key(name).replace(" ", "")) <= 4   # "Kan.", "W.Va."
    for key, variant_near, variant_admin in _name_variants(name):
        cands = [c for c in gz.candidates_by_key(key) if not (abbreviation and c.match == ALTERNATE)]
        if variant_near == "feature":
            # A river or lake the gazetteer lacks lies by the town or district it is named
            # after; a country or region of its name is too far off to stand for it.
            cands = [c for c in cands if c.feature in SETTLEMENTS + (ADMIN2,) and c.match != ALTERNATE]
        if cands:
            near = near or variant_near
            admin = admin or variant_admin
            break
    hints = replace(hints, near=near, admin=admin)
    containers = [(_container_candidates(y, gz), strong) for y, strong in hints.containers]

    if not cands:
        derived = demonym_place(name, gz)
        if derived is not None:
            return Resolution(derived.to_place(), "demonym:stem", 0.7, derived)
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
    if (context.countries or context.focus_countries) and best.feature in SETTLEMENTS and not (
            {"country-context", "focus-country", "outlet-country", "proximity", "container",
             "weak-container", "admin-context"} & set(reasons)) \
            and (best.population < FAR_NAMESAKE_POPULATION or best.match == ALTERNATE):
        # A small town (or a town known by that name only as an alternate one) in none of the
        # article's countries and near none of its places: more likely a place the gazetteer
        # lacks than this namesake ("Moura" in Mali, not Portugal).
        fallback = _fallback(hints, containers, context)
        if fallback.place is not None:
            return fallback
        return Resolution(None, f"unresolved:far-namesake:{best.name},{best.country}", 0.0, best)
    if near:
        precision = max(precision, 2)
        rule += f"|{near}"
    ranking = tuple((sc, c) for (sc, _), c in scored[:RANKING_SIZE] if sc > best_score - MAX_RELATION)
    return Resolution(best.to_place(precision), rule, _confidence(margin), best, ranking)


def _seat(division: Candidate, namesakes: list[Candidate]) -> Candidate | None:
    """The town a division is named after and that lies in it (its seat, as a rule: the Macina
    cercle and Macina, the Mopti region and Mopti), the most populous; None if none is known."""
    towns = [c for c in namesakes if c.feature in SETTLEMENTS and c.is_point
             and (division.contains(c) or (c.country == division.country and division.is_point
                                           and c.admin1_code is None
                                           and distance_km(division.latitude, division.longitude,
                                                           c.latitude, c.longitude) <= 100))]
    return max(towns, key=lambda c: (c.match != ALTERNATE, c.population)) if towns else None


def _fallback(hints: Hints, containers: list[tuple[list[Candidate], bool]],
              context: GeoContext) -> Resolution:
    """An unknown toponym in a stated district or region: coded there, like ACLED."""
    for ys, strong in containers:
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
        seat = _seat(y, ys) if y.feature in (ADMIN1, ADMIN2) else None
        if seat is not None:
            # ACLED codes a place it cannot find to the seat of its district (precision 2) or
            # of its region (3): "Kolongo (Macina, Segou)" is coded at Macina, the town.
            return Resolution(seat.to_place(precision), f"fallback:container:{y.feature}:seat",
                              0.6, seat)
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

    def run(countries_for, others_for) -> list[Resolution]:
        out = []
        for i, (start, end, s_start, s_end, name) in enumerate(items):
            out.append(resolve_one(name, replace(context, countries=countries_for(i),
                                                 others=others_for(i),
                                                 sentence=text[s_start:s_end],
                                                 start=start - s_start, end=end - s_start)))
        return out

    first = run(lambda i: context.countries, lambda i: ())
    # Context for the second pass, each mention's from the OTHER names only (a name must not
    # confirm itself): the countries named, or implied by a division of theirs ("Texas", "the
    # Mopti region"), and how the first pass ranked the other names' candidates (per name, its
    # surest mention's ranking).
    keys = [name_key(it[4]) for it in items]
    implied = [(keys[i], r.place.country) for i, r in enumerate(first)
               if r.place is not None and r.place.country and (
                   r.place.feature == COUNTRY
                   or (r.place.feature == ADMIN1 and r.confidence >= COUNTRY_CONFIDENCE))]

    def countries_for(i: int) -> tuple[str, ...]:
        named = list(context.countries)
        for k, c in implied:
            if k != keys[i] and c not in named:
                named.append(c)
        return tuple(named)

    # Each round reads every name again with the others as the round before ranked them: a
    # reading the others back gains, and the others' readings shift with it.
    resolutions = first
    for _ in range(COHERENCE_ROUNDS):
        rankings: dict[str, Resolution] = {}
        for k, r in zip(keys, resolutions):
            if r.ranking and (k not in rankings or r.confidence > rankings[k].confidence):
                rankings[k] = r
        resolutions = run(countries_for, lambda i: tuple(r.ranking for k, r in rankings.items()
                                                         if k != keys[i]))
    second = resolutions

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


# --- recognition: which spans of a parsed text are toponyms --------------------------------

# Entities of these labels may be, or hold, a toponym: "the Ohio Department of Education",
# "University of Kentucky", "Gainesville" taken for a person, "Harare" for an organisation.
HOLDING_LABELS = ("ORG", "PERSON", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP", "LAW")
# Words that make a name an institution's, after a country's or a division's name: "the [Texas]
# Department of Transportation", "the [U.S.] Centers for Disease Control".
INSTITUTION_WORDS = frozenset("""
    academy administration agency airport army assembly association attorney authority board
    bureau center centers centre chamber circuit coalition college commission commissioners
    committee conference congress council county court courts department dept development
    district division emergency fair fairgrounds fed federation fire forces foundation
    government governor guard health highway historical hospital house housing institute
    jail legislature library ministry museum national navy office parks parliament patrol
    police prison public regional republican school schools senate sheriff society state
    supreme transportation tribunal university census survey service judge magistrate
    institutes""".split())
# Words after a town's name that make the name a local institution's: "[Oakland] Police
# Department", "the [Dublin] City Council", "[Lakeview] High School".
LOCAL_WORDS = frozenset("""
    airport area board borough chamber city community council county courthouse downtown
    elementary fair fairgrounds fire high historical housing jail library main mayor middle
    municipal park parks planning police public recreation redevelopment regional school
    schools selectmen sheriff town township village water zoning""".split())
# Words before a toponym that say it is one: "in Gainesville", "a man from Gainesville".
PLACE_BEFORE = frozenset("in at from near of to into outside around across toward towards "
                         "throughout between via".split())
# Words after a name that say it is a place's: "a Gainesville man", "Rochester residents".
PLACE_AFTER = frozenset("""
    man woman men women boy girl boys girls teen teenager teens couple family families resident
    residents native natives official officials police officer officers driver drivers mayor
    homeowner homeowners voters students""".split())
# "Cooke, Grayson and Love counties": each is a county.
COUNTY_LIST = re.compile(
    r"((?:[A-Z][\w'’.]*(?: [A-Z][\w'’.]*)?,\s+)*[A-Z][\w'’.]*(?: [A-Z][\w'’.]*)?,?\s+(?:and|or)\s+"
    r"[A-Z][\w'’.]*(?: [A-Z][\w'’.]*)?)\s+(counties|parishes)\b")
# A legislator's party and place: "Rep. Charles Rangel, D-N.Y.", "(R-Ocilla)".
PARTY_PLACE = re.compile(r"(?:(?<=\()|(?<=,\s))[DRI]-([A-Z][\w'’.]*(?: [A-Z][\w'’.]*)?)(?=[,;)]|\.?\s)")
# "the village of Kolongo", "the town of Boni": a settlement's name, known or not.
_NAME = r"[A-ZÀ-Þ][\w'’]*(?:[ -][A-ZÀ-Þ][\w'’]*){0,2}"
SETTLEMENT_NAMED = re.compile(r"\b(?:town|village|hamlet|locality|settlement|commune|[Cc]ercle|circle)\s+of\s+("
                              + _NAME + r")\b")
# "Kolongo (Macina, Segou)": a name, then its district and region in parentheses.
NAME_WITH_CONTAINERS = re.compile(r"(?<![\w'’-])(" + _NAME + r")\s+\(\s*(" + _NAME + r"(?:\s*,\s*"
                                  + _NAME + r"){0,2})\s*\)")
# "a London-based group": London.
BASED = re.compile(r"\b(?!The\b)([A-Z][\w'’.]*(?: [A-Z][\w'’.]*)?)-based\b")
# "the town of X", "residents of X": what "of" after these says.
PLACE_NOUNS = frozenset("""
    town towns city cities village villages hamlet county counties region province state
    district capital island islands port area suburb suburbs outskirts parish municipality
    commune resident residents native natives people citizens mayor streets centre center
    north south east west""".split())
DATELINE = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n)|(?<=\d{4}\s))"
    r"([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,3})"          # "MOUNT GILEAD", "ST. PARIS"
    r"(?=(?:,\s+[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?"         # ", Ohio", ", W.Va."
    r"\s*(?:\((?:AP|Reuters|AFP|UPI|CNN)\))?\s*(?:—|–|--|-|:|”))")
DIVISIONS = (COUNTRY, ADMIN1, ADMIN2)
# An annotator's note on how a report was coded, as ACLED's notes carry them: "(coded as Boni at
# geoprecision 2)", "(respectively coded as X and Y)", ", coded at approximate location in the
# vicinity of X". It says where a coder put the event, not what the report says: a place it
# names is no toponym of the text.
CODING_NOTE = re.compile(r"\([^()]*\b(?:coded|geo-?\s?precision)\b[^()]*\)"
                         r"|[,;]\s*coded\s+(?:as|at|to|in)\b[^.;()]*"
                         r"|(?:^|(?<=[.!?]\s))Coded\s+(?:as|at|to|in)\b[^.!?]*", re.I)
# Words that name a part of something, not a place, when they stand alone ("Western" is a
# province of Kenya, but "Western" in "Western Union" or "the Western Conference" is none).
POSITION_WORDS = frozenset("""
    north south east west northern southern eastern western central middle upper lower
    northeast northwest southeast southwest northeastern northwestern southeastern
    southwestern great greater inner outer new old""".split())


def _place_named(text: str, gz: Gazetteer) -> Candidate | None:
    """The most populous place the gazetteer knows by this very name (not an alternate one)."""
    places = [c for c in gz.candidates(text) if c.is_point and c.match != ALTERNATE]
    return max(places, key=lambda c: c.population) if places else None


def _no_toponym_alone(text: str) -> bool:
    return name_key(text) in POSITION_WORDS


def _titled(text: str) -> bool:
    words = [w for w in re.split(r"[\s-]+", text) if w]
    return bool(words) and all(w[:1].isupper() or w in ("of", "de", "du", "la", "le", "el", "al")
                               for w in words)


def _embedded_toponyms(ent, text: str, gz: Gazetteer, named: set[str],
                       surnames: set[str]) -> list[tuple[int, int, str]]:
    """The toponyms an entity of another label holds: the whole of it, when the text gives it as
    a place ("Harare" taken for an organisation, "of Gainesville" for a person) and it is no
    surname of the text's people; the country or division that leads an institution's name
    ("the [Texas] Department of Transportation"), or the town that leads a local institution's
    ("[Oakland] Police Department"); the division or city that ends it after "of" ("the
    University of [Kentucky]"). A demonym is no toponym ("the American Red Cross")."""
    tokens = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
    if not tokens:
        return []
    doc = ent.doc
    start = tokens[0].idx
    whole = text[start:ent.end_char]
    key = name_key(whole)
    # The whole entity.
    if (_titled(whole) and key not in surnames and not gz.demonym(whole)
            and not _no_toponym_alone(whole)):
        place = _place_named(whole, gz)
        if place is not None:
            before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
            if before == "of":
                # "Barton Jones of Waco", "Henry, 19, of Alexandria", "the town of Pulawy";
                # not "dozens of Wagner mercenaries".
                prior = doc[ent.start - 2] if ent.start > 1 else None
                if prior is None or not (prior.ent_type_ == "PERSON" or prior.text == ","
                                         or prior.like_num or prior.lower_ in PLACE_NOUNS):
                    before = ""
            after = text[ent.end_char:ent.end_char + 3]
            next_word = doc[ent.end].lower_ if ent.end < len(doc) else ""
            if (place.feature in (COUNTRY, ADMIN1) or key in named or before in PLACE_BEFORE
                    or next_word in PLACE_AFTER or re.match(r",\s*[A-Z]", after)):
                return [(start, ent.end_char, f"whole:{ent.label_}")]
    found = []
    # A place leading an institution's name.
    words = [t.text.lower().strip(".") for t in tokens]
    for n in range(min(4, len(tokens) - 1), 0, -1):
        head = text[start:tokens[n - 1].idx + len(tokens[n - 1])]
        if (not _titled(head) or gz.demonym(head) or name_key(head) in surnames
                or _no_toponym_alone(head)):
            continue
        place = _place_named(head, gz)
        if place is None:
            continue
        if (place.feature in DIVISIONS and any(w in INSTITUTION_WORDS for w in words[n:])) or (
                words[n] in LOCAL_WORDS or name_key(head) in named):
            found.append((start, start + len(head), f"lead:{ent.label_}"))
        break
    # A division or city after the last "of".
    ofs = [i for i, t in enumerate(tokens) if t.lower_ == "of"]
    if ofs and 0 < ofs[-1] < len(tokens) - 1 and len(tokens) - ofs[-1] - 1 <= 4:
        first = tokens[ofs[-1] + 1]
        if first.lower_ == "the" and ofs[-1] + 2 < len(tokens):
            first = tokens[ofs[-1] + 2]
        tail = text[first.idx:ent.end_char]
        place = _place_named(tail, gz) if _titled(tail) and not _no_toponym_alone(tail) else None
        if place is not None and (place.feature in (ADMIN1, ADMIN2) or place.population >= 50_000
                                  or name_key(tail) in named):
            found.append((first.idx, ent.end_char, f"of:{ent.label_}"))
    return found


def _untagged_in_focus(doc, gz: Gazetteer, focus: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """ "between Diafarabe & Dia", "an ambush near Ke-Macina": a proper name after a place word
    ("in", "near", "between" and their conjuncts) that the model did not take for a place but
    the gazetteer knows, by that very name, as a place in a focus country."""
    found = []
    for t in doc:
        if t.pos_ != "PROPN" or t.ent_type_ in ("GPE", "LOC", "FAC", "DATE", "TIME", "NORP"):
            continue
        head = t
        while head.dep_ in ("conj", "compound") and head.head.i != head.i:
            head = head.head
        if head.dep_ != "pobj" or head.head.lower_ not in PLACE_BEFORE - {"of", "from", "to"}:
            continue
        if t.dep_ == "compound" and not (t.head.pos_ == "NOUN" and t.head.lower_ in PLACE_NOUNS | {"zone", "vicinity"}):
            continue   # a part of a longer name; "the Ke-Macina area" is the place's
        span = doc[t.left_edge.i:t.i + 1]
        if not all(x.pos_ == "PROPN" or x.text == "-" for x in span):
            continue
        name = span.text
        if _titled(name) and not gz.demonym(name) and not _no_toponym_alone(name) and any(
                c.is_point and c.match != ALTERNATE and c.country in focus for c in gz.candidates(name)):
            found.append((span.start_char, span.end_char, "untagged"))
    return found


def recognise(doc, gazetteer: Gazetteer | None = None, focus: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """The toponyms of a parsed text: (start, end, how), in text order. `how`: "entity" (a GPE,
    LOC or FAC entity, unless it is one word that is the surname of a person the text names);
    "whole:LABEL", "lead:LABEL" or "of:LABEL" (held by an entity of another label, see
    `_embedded_toponyms`); "dateline" ("COLUMBUS, Ohio (AP) —"); "county-list" ("Cooke,
    Grayson and Love counties"); "party" ("Rep. Charles Rangel, D-N.Y."); "based" ("a
    London-based group"). All but the entities must be names the gazetteer knows."""
    gz = gazetteer or open_gazetteer()
    text = doc.text                   # (spaCy joins its tokens again at each call)
    # The surnames of the text's people ("Bill Nelson"): "Nelson" alone is no town then, nor
    # "Saakashvili" a place when the model says so.
    surnames = {name_key(e[-1].text) for e in doc.ents if e.label_ == "PERSON" and len(e) > 1}
    spans = [(e.start_char, e.end_char, "entity") for e in doc.ents if e.label_ in TOPONYM_LABELS
             and not (len(e) == 1 and name_key(e.text) in surnames)]
    named = {name_key(text[s:e]) for s, e, _ in spans}
    for ent in doc.ents:
        if ent.label_ in HOLDING_LABELS:
            spans.extend(_embedded_toponyms(ent, text, gz, named, surnames))
    for m in DATELINE.finditer(text):
        name = m.group(1).rstrip(".-")
        if len(name.replace(" ", "")) >= 3 and _place_named(name, gz) is not None:
            spans.append((m.start(1), m.start(1) + len(name), "dateline"))
    for m in COUNTY_LIST.finditer(text):
        word = "County" if m.group(2) == "counties" else "Parish"
        for item in re.finditer(r"[A-Z][\w'’.]*(?: [A-Z][\w'’.]*)?", m.group(1)):
            if _place_named(f"{item.group(0)} {word}", gz) is not None:
                spans.append((m.start(1) + item.start(), m.start(1) + item.end(), "county-list"))
    # "the village of Kolongo", "Kolongo (Macina, Segou)": a place the text gives as one, known
    # to the gazetteer or not (unknown, it falls back to its stated district or region).
    for m in SETTLEMENT_NAMED.finditer(text):
        if not _no_toponym_alone(m.group(1)) and not gz.demonym(m.group(1)):
            spans.append((m.start(1), m.end(1), "settlement"))
    for m in NAME_WITH_CONTAINERS.finditer(text):
        parts = [p.strip() for p in m.group(2).split(",")]
        # (not an acronym: "the United Nations (UN)", "Food and Drug Administration (FDA)")
        known = [p for p in parts if not p.isupper() and any(
            c.feature in DIVISIONS + SETTLEMENTS and c.is_point and c.match != ALTERNATE
            for c in gz.candidates(p))]
        if known and not _no_toponym_alone(m.group(1)) and not gz.demonym(m.group(1)):
            spans.append((m.start(1), m.end(1), "contained"))
            offset = m.start(2)
            for part in m.group(2).split(","):
                name = part.strip()
                if name in known:
                    at = offset + part.index(name)
                    spans.append((at, at + len(name), "container"))
                offset += len(part) + 1
    if focus:
        spans.extend(_untagged_in_focus(doc, gz, focus))
    for pattern, how in ((PARTY_PLACE, "party"), (BASED, "based")):
        for m in pattern.finditer(text):
            name = m.group(1)
            if not _no_toponym_alone(name) and (_place_named(name, gz) is not None
                                                or gz.candidates(name)):
                spans.append((m.start(1), m.end(1), how))
    # The entities first; then, in text order, what overlaps none kept already (nor a coding
    # note).
    spans.sort(key=lambda sp: (sp[2] != "entity", sp[0], -sp[1]))
    kept: list[tuple[int, int, str]] = [(m.start(), m.end(), "note") for m in CODING_NOTE.finditer(text)]
    notes = len(kept)
    for sp in spans:
        if not any(sp[0] < e and s < sp[1] for s, e, _ in kept):
            kept.append(sp)
    return sorted(kept[notes:])


def toponym_spans(doc, gazetteer: Gazetteer | None = None, focus: tuple[str, ...] = ()
                  ) -> list[tuple[int, int, int, int]]:
    """The toponyms of a parsed text, as this stage takes them (`recognise`): (start, end,
    sentence_start, sentence_end), in text order."""
    out = []
    for s, e, _ in recognise(doc, gazetteer, focus):
        sent = doc.char_span(s, e, alignment_mode="expand")
        sent = sent.sent if sent is not None else None
        out.append((s, e, sent.start_char if sent is not None else None,
                    sent.end_char if sent is not None else None))
    return out


def geoparse(articles: list[Article], settings: Any) -> list[Article]:
    """Batch stage: recognise and resolve the toponyms of each new, parsed article."""
    gz = open_gazetteer()
    for article in articles:
        if article.status != "new" or article.doc is None:
            continue
        spans = toponym_spans(article.doc, gz, tuple(settings.focus_countries or ()))
        context = GeoContext.from_settings(settings, outlet_country=outlet_country(article),
                                           gazetteer=gz)
        mentions = resolve_toponyms(article.text, spans, context)
        for m in mentions:
            m.raw_start, m.raw_end = article.offsets.span_to_raw(m.start, m.end)
        article.places = mentions
    return articles


# --- the place of a sentence, for the event extractor ---------------------------------------

_FEATURE_RANK = {POPULATED: 0, ADDITION: 0, ADMIN2: 1, ADMIN1: 2, COUNTRY: 3, REGION: 4, CONTINENT: 4}


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
