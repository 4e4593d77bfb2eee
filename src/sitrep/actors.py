"""Actors: the dictionary (data/actors/), its patterns for spaCy, and normalisation.

Named actors match by alias; every country's state forces come from one rule
(state_forces.yaml x countries.csv); generic phrases ("gunmen", "villagers", "soldiers")
become "Unidentified Armed Group (X)", "Civilians (X)", "Military Forces of X" once the
event's country is known. A named group not in the dictionary is kept as written.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .settings import data_path

ACTOR_LABEL = "ACTOR"      # a named actor; the span's id is the canonical name
GENERIC_LABEL = "GENERIC"  # a generic phrase; the span's id is the role


@dataclass(frozen=True)
class Actor:
    name: str
    inter: int | None
    country: str | None = None
    parent: str | None = None
    wikidata: str | None = None
    active: tuple[int, int] | None = None   # years a mission was active
    coded_as_parent: bool = False            # ACLED codes it as its parent (itself associated)
    former_names: tuple[tuple[str, int], ...] = ()   # (name, year): the name before that year
    # (actor, countries, since): ACLED codes it as that actor in those countries from that year on
    coded_as: tuple[str, tuple[str, ...], int | None] | None = None
    wing_of: str | None = None               # a wing of this actor, told by ...
    wing_cues: tuple[str, ...] = ()          # ... these words in the sentence ("CMA", "Platform")


@dataclass
class Country:
    iso2: str
    name: str
    acled_name: str
    in_name: str            # as written in "Military Forces of {in_name}"
    demonyms: list[str]


@dataclass
class ActorDictionary:
    actors: dict[str, Actor] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)          # alias (lower) -> actor name
    acronyms: dict[str, str] = field(default_factory=dict)         # alias (lower) -> as written, all capitals
    generic_roles: dict[str, dict] = field(default_factory=dict)   # role -> {actor, inter, phrases}
    generic_phrases: dict[str, str] = field(default_factory=dict)  # phrase (lower) -> role
    countries: dict[str, Country] = field(default_factory=dict)    # iso2 -> Country
    demonyms: dict[str, str] = field(default_factory=dict)         # demonym (lower) -> iso2
    country_names: dict[str, str] = field(default_factory=dict)    # name (lower) -> iso2
    _wings: dict[str, list[Actor]] | None = None                    # parent -> its wings (wings())

    # --- building --------------------------------------------------------------------
    def add(self, actor: Actor, aliases: list[str]) -> None:
        self._wings = None
        known = self.actors.get(actor.name)
        self.actors[actor.name] = known or actor
        for alias in [actor.name, *aliases]:
            key = _key(alias)
            if key and key not in self.aliases:
                self.aliases[key] = actor.name
                if ACRONYM.fullmatch(alias):
                    self.acronyms[key] = alias

    # --- lookups ---------------------------------------------------------------------
    def by_alias(self, text: str) -> Actor | None:
        key = _key(text)
        name = self.aliases.get(key)
        if name and key in self.acronyms and text.strip() not in acronym_forms(self.acronyms[key]):
            return None
        return self.actors.get(name) if name else None

    def wings(self, name: str) -> list[Actor]:
        """The wings an actor is split in (actors.yaml `wing_of`), indexed at first use."""
        if self._wings is None:
            self._wings = {}
            for actor in self.actors.values():
                if actor.wing_of:
                    self._wings.setdefault(actor.wing_of, []).append(actor)
        return self._wings.get(name, [])

    def generic(self, role: str, iso2: str | None) -> Actor | None:
        """The actor a generic phrase stands for in a country ("gunmen" in ML -> UAG (Mali))."""
        who = None
        if "@" in role:  # "Ouatagouna@communal_militia": a militia named after its village or people
            who, role = role.split("@", 1)
            role = f"named_{role}"
        spec = self.generic_roles.get(role)
        country = self.countries.get(iso2 or "")
        if spec is None or country is None:
            return None
        if who is not None:
            name = spec["actor"].format(who=who, acled_name=country.acled_name, country=country.in_name)
            return self.actors.get(name) or Actor(name=name, inter=spec["inter"], country=country.iso2)
        if "by_country" in spec:  # peacekeepers: the mission deployed in that country, if any
            name = (spec["by_country"] or {}).get(country.iso2)
            return self.actors.get(name) if name else None
        name = spec["actor"].format(acled_name=country.acled_name, country=country.in_name, name=country.name)
        return self.actors.get(name) or Actor(name=name, inter=spec["inter"], country=country.iso2)

    def coded(self, name: str, year: int | None) -> tuple[str, str | None]:
        """ACLED's name for an actor in a given year, and the associated actor it implies:
        "Katiba Macina" -> ("JNIM: ...", "Katiba Macina"); ISSP in 2018 -> "Islamic State (Greater Sahara)"."""
        actor = self.actors.get(name)
        if actor is None:
            return name, None
        associated = None
        if actor.coded_as_parent and actor.parent in self.actors:
            associated, actor = actor.name, self.actors[actor.parent]
        coded = actor.name
        for former, until in sorted(actor.former_names, key=lambda f: f[1]):
            if year is not None and year < until:
                coded = former
                break
        return coded, associated

    def in_country(self, name: str, iso2: str | None, year: int | None) -> tuple[str, str | None]:
        """The actor ACLED codes a group as where and when it acted, and the group itself as the
        associated actor if it differs: AQIM in Mali in 2018 -> ("JNIM: ...", "AQIM: ...")."""
        actor = self.actors.get(name)
        if actor is None or actor.coded_as is None:
            return name, None
        target, countries, since = actor.coded_as
        if target in self.actors and (not countries or iso2 in countries) and \
                (since is None or year is None or year >= since):
            return target, name
        return name, None

    def named_militia(self, word: str) -> str | None:
        """The role of a militia named after a people or a place ("Dawsahak militia",
        "Ouatagouna militia"): ACLED's "<People> Ethnic Militia (X)" or "<Place> Communal Militia (X)"."""
        spec = self.generic_roles.get("named_ethnic_militia") or {}
        if _key(word) in (spec.get("peoples") or ()):
            return f"{word}@ethnic_militia"
        return f"{word}@communal_militia"

    def militia_of(self, text: str) -> str | None:
        """The militia role of a community's name ("Fulani" -> fulani_militia), if any."""
        key = _key(text)
        for role, spec in self.generic_roles.items():
            if key in (spec.get("ethnic_names") or ()):
                return role
        return None

    def militia_of_agent(self, text: str) -> str | None:
        """The militia a community or its herders stand for when they attack ("Fulani",
        "herdsmen" -> fulani_militia)."""
        key = _key(text)
        for role, spec in self.generic_roles.items():
            if key in (spec.get("ethnic_names") or ()) or key in (spec.get("agent_names") or ()):
                return role
        return None

    def country_of_name(self, text: str) -> str | None:
        """ISO code for a country name or demonym ("Mali", "Malian", "Burkinabè")."""
        key = _key(text)
        return self.country_names.get(key) or self.demonyms.get(key)



# An alias in capitals is an acronym, and its letters may spell a word or a place in lower or
# title case ("BLA" and the town of Bla, "KIA", "NAS"): it is matched as written, and in title
# case only from four letters on, as the British press writes "Nato", "Isis" or "Gatia".
ACRONYM = re.compile(r"[A-Z]{2,6}")


def acronym_forms(acronym: str) -> tuple[str, ...]:
    return (acronym, acronym.title()) if len(acronym) >= 4 else (acronym,)


def _key(text: str) -> str:
    """Alias key: lower case, curly apostrophes straightened, spaces folded."""
    return " ".join(text.replace("’", "'").lower().split())


def _read_yaml(path: Path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_dictionary(extra: tuple[Path, ...] = ()) -> ActorDictionary:
    return _load(tuple(extra))


@lru_cache(maxsize=4)
def _load(extra: tuple[Path, ...]) -> ActorDictionary:
    folder = data_path("actors")
    d = ActorDictionary()
    state = _read_yaml(folder / "state_forces.yaml")
    in_name = state.get("country_in_name", {})
    with open(folder / state.get("countries_file", "countries.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            demonyms = [x.strip() for x in row["demonyms"].split("|") if x.strip()]
            c = Country(row["iso2"], row["name"], row["acled_name"] or row["name"],
                        in_name.get(row["iso2"], row["acled_name"] or row["name"]), demonyms)
            d.countries[c.iso2] = c
            for n in {c.name, c.acled_name}:
                d.country_names[_key(n)] = c.iso2
            for dem in demonyms:
                d.demonyms.setdefault(_key(dem), c.iso2)

    # Named actors first (a user's file before the packaged one, so theirs wins an alias).
    for path in [*extra, folder / "actors.yaml"]:
        for number, entry in enumerate(_read_yaml(path) or [], start=1):
            if not isinstance(entry, dict) or not entry.get("name"):
                raise ValueError(f"{path}: entry {number} has no name")
            active = entry.get("active")
            coded_as = entry.get("coded_as")
            if coded_as is not None:
                coded_as = (coded_as["actor"], tuple(coded_as.get("countries") or ()), coded_as.get("since"))
            d.add(Actor(name=entry["name"], inter=entry.get("inter"), country=entry.get("country"),
                        parent=entry.get("parent"), wikidata=entry.get("wikidata"),
                        active=tuple(active) if active else None,
                        coded_as_parent=bool(entry.get("coded_as_parent")),
                        former_names=tuple((n, int(y)) for n, y in (entry.get("former_names") or {}).items()),
                        coded_as=coded_as, wing_of=entry.get("wing_of"),
                        wing_cues=tuple(entry.get("wing_cues") or ())),
                  [] if entry.get("generic") else list(entry.get("aliases") or []))

    # Every country's state forces, by rule.
    skip = set(state.get("skip_countries") or [])
    exclude = {iso: {_key(a) for a in aliases} for iso, aliases in (state.get("exclude_aliases") or {}).items()}
    for c in d.countries.values():
        if c.iso2 in skip:
            continue
        fill = {"country": c.in_name, "name": c.name, "acled_name": c.acled_name}
        for template in state["templates"]:
            name = template["name"].format(**fill)
            aliases = []
            for pattern in template["aliases"]:
                for dem in (c.demonyms if "{demonym}" in pattern else [None]):
                    alias = pattern.format(demonym=dem, **fill) if dem else pattern.format(**fill)
                    if _key(alias) not in exclude.get(c.iso2, set()):
                        aliases.append(alias)
            d.add(Actor(name=name, inter=template["inter"], country=c.iso2), aliases)

    for role, spec in (_read_yaml(data_path("actors", "generic_actors.yaml")) or {}).items():
        d.generic_roles[role] = spec
        for phrase in spec["phrases"]:
            d.generic_phrases.setdefault(_key(phrase), role)
    return d


REGIME_PERIOD = re.compile(r"\s*\(\d{4}-(\d{4})?\)")


def comparable(name: str | None) -> str:
    """Names compared without case, punctuation or a regime period like "(2013-)", at the end or
    before a unit ("Police Forces of Mali (2013-2020) Gendarmerie")."""
    if not name:
        return ""
    return re.sub(r"[^\w]+", " ", REGIME_PERIOD.sub("", name).casefold()).strip()


class ActorMatcher:
    """Finds dictionary actors and generic phrases in a parsed doc, longest match first.

    PhraseMatchers over lower-case text, and over the text as written for acronyms (ACRONYM);
    their patterns are tokenised only (spaCy's SpanRuler would run the whole pipeline over ten
    thousand aliases, ten seconds at start-up)."""

    def __init__(self, nlp, dictionary: ActorDictionary):
        from spacy.matcher import PhraseMatcher

        self.dictionary = dictionary
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.acronym_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.targets: dict[int, tuple[str, str]] = {}
        for label, table in ((ACTOR_LABEL, dictionary.aliases), (GENERIC_LABEL, dictionary.generic_phrases)):
            by_target: dict[str, list[str]] = {}
            acronyms: dict[str, list[str]] = {}
            for key, target in table.items():
                if label == ACTOR_LABEL and key in dictionary.acronyms:
                    acronyms.setdefault(target, []).extend(acronym_forms(dictionary.acronyms[key]))
                else:
                    by_target.setdefault(target, []).extend({key, key.replace("'", "’")})
            for matcher, forms_of in ((self.matcher, by_target), (self.acronym_matcher, acronyms)):
                for target, forms in forms_of.items():
                    match_id = nlp.vocab.strings.add(f"{label}:{target}")
                    self.targets[match_id] = (label, target)
                    matcher.add(str(match_id), list(nlp.tokenizer.pipe(forms)))

    def __call__(self, doc) -> list:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        spans = []
        for match_id, start, end in self.matcher(doc) + self.acronym_matcher(doc):
            label, target = self.targets[int(doc.vocab.strings[match_id])]
            spans.append(Span(doc, start, end, label=label, span_id=target))
        # Longest first; at equal length a named actor beats a generic phrase.
        spans.sort(key=lambda s: (-(s.end - s.start), s.label_ != ACTOR_LABEL, s.start))
        return sorted(filter_spans(spans), key=lambda s: s.start)
