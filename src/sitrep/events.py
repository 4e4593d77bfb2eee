"""Event extraction: sentences -> ACLED/PLOVER-coded events, each with its sources.

For each sentence: find the trigger words (data/events/triggers.yaml) and keep the one of
highest priority; take actor roles from the dependency parse (subject, "by" agent, object,
"on/against" target, "claimed responsibility"); take the place, date and death toll of that
sentence; flag context (negated, hypothetical, future, historical) from cues in
data/events/context.yaml. Sentences of one article that report the same event are merged,
keeping every sentence as a source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

import yaml

from .actors import ACTOR_LABEL, ActorDictionary, ActorMatcher, load_dictionary
from .dates import is_background, sentence_date
from .document import ActorMention, Article, DateSpan, Event, EventSource, PlaceMention, doc_text
from .fatalities import count_fatalities, merge_counts
from .geoparse import GeoContext, place_for_sentence, resolve
from .nlp import build_nlp
from .settings import Settings, data_path

CIVILIAN_INTER = 7
REPORTING = {"report", "say", "claim", "announce", "state", "confirm", "tell", "indicate", "learn"}
VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
# Who acts when the text names no one: ACLED's unidentified armed group, or the crowd itself.
DEFAULT_ACTOR1 = {"Battles": "unidentified_armed_group", "Explosions/Remote violence": "unidentified_armed_group",
                  "Violence against civilians": "unidentified_armed_group", "Protests": "protesters",
                  "Riots": "rioters"}


@dataclass(frozen=True)
class Trigger:
    id: str
    event_type: str
    sub_event_type: str
    plover_type: str | None
    plover_mode: str | None
    priority: int
    pos: tuple[str, ...] = ()
    civilian_target: tuple[str, str] | None = None
    territory: bool = False
    announcement: bool = False
    needs_object_place: bool = False
    two_sided: bool = False
    weapon: bool = False
    needs_handling: bool = False


@dataclass
class Lexicon:
    by_lemma: dict[str, list[Trigger]]
    phrase_matcher: object
    phrase_triggers: dict[str, Trigger]
    context: dict
    by_id: dict[str, Trigger]


@lru_cache(maxsize=2)
def _lexicon(nlp) -> Lexicon:
    from spacy.matcher import PhraseMatcher

    with open(data_path("events", "triggers.yaml"), encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    with open(data_path("events", "context.yaml"), encoding="utf-8") as f:
        context = yaml.safe_load(f)
    by_lemma, phrase_triggers, by_id = {}, {}, {}
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for entry in entries:
        plover = entry.get("plover") or [None, None]
        trigger = Trigger(entry["id"], entry["event_type"], entry["sub_event_type"], plover[0], plover[1],
                          int(entry["priority"]), tuple(entry.get("pos") or ()),
                          tuple(entry["civilian_target"]) if entry.get("civilian_target") else None,
                          bool(entry.get("territory")), bool(entry.get("announcement")),
                          bool(entry.get("needs_object_place")), bool(entry.get("two_sided")),
                          bool(entry.get("weapon")), bool(entry.get("needs_handling")))
        by_id[trigger.id] = trigger
        for lemma in entry.get("lemmas") or []:
            if not str(lemma).strip():
                raise ValueError(f"triggers.yaml: empty lemma in {entry['id']}")
            by_lemma.setdefault(str(lemma).lower(), []).append(trigger)
        if entry.get("phrases"):
            phrase_triggers[trigger.id] = trigger
            matcher.add(trigger.id, list(nlp.tokenizer.pipe(entry["phrases"])))
    for triggers in by_lemma.values():
        triggers.sort(key=lambda t: -t.priority)
    return Lexicon(by_lemma, matcher, phrase_triggers, context, by_id)


@lru_cache(maxsize=2)
def _actor_matcher(nlp, actor_files: tuple) -> ActorMatcher:
    return ActorMatcher(nlp, load_dictionary(actor_files))


# --- the stage ----------------------------------------------------------------------------


def extract_events(articles: list[Article], settings: Settings) -> list[Article]:
    """Batch stage: actors, then events, for every parsed article."""
    nlp = build_nlp(settings)
    matcher = _actor_matcher(nlp, tuple(settings.actor_files))
    lexicon = _lexicon(nlp)
    for article in articles:
        if article.doc is None or article.status != "new":
            continue
        article.actors = find_actors(article, matcher, settings)
        doc = article.doc
        phrase_spans = [(lexicon.phrase_triggers[doc.vocab.strings[m]], doc[a:b]) for m, a, b in lexicon.phrase_matcher(doc)]
        story = _story_dates(article, doc)
        found = [(sent, _sentence_event(article, sent, phrase_spans, lexicon, matcher.dictionary, settings, story))
                 for sent in doc.sents]
        _follow_up_tolls(found)
        article.events = _merge_within_article([e for _, e in found if e])
        _credit_claimant(article, doc, lexicon.context)
        _country_conventions(article, matcher.dictionary, settings)
    return articles


def find_actors(article: Article, matcher: ActorMatcher, settings: Settings) -> list[ActorMention]:
    """Dictionary actors, generic phrases, and named groups the dictionary lacks (kept as written)."""
    d = matcher.dictionary
    mentions = []
    for span in matcher(article.doc):
        if span.label_ == ACTOR_LABEL:
            actor = d.actors[span.id_]
            mentions.append(ActorMention(span.start_char, span.end_char, span.text, actor.name, actor.inter,
                                         actor.country, source="actor_dictionary", confidence=0.95))
        else:
            mentions.append(ActorMention(span.start_char, span.end_char, span.text, None, None, None,
                                         role=span.id_, source="generic_phrase", confidence=0.7))
    mentions = [_armed_person(m, article) for m in _absorb_generic_heads(mentions, article.text)
                if not _in_compound_name(m, article.text)]
    mentions = _named_militias(mentions, article.text, d)
    mentions = [_wing(m, article, d) for m in mentions]
    covered = [(m.start, m.end) for m in mentions]
    for ent in article.doc.ents:
        if ent.label_ == "ORG" and not any(s < ent.end_char and ent.start_char < e for s, e in covered):
            if any(w in ent.text.lower() for w in ("group", "front", "movement", "brigade", "army", "militia",
                                                      "forces", "katiba", "battalion", "coalition", "alliance")):
                mentions.append(ActorMention(ent.start_char, ent.end_char, ent.text, ent.text, None, None,
                                             source="ner:unknown_group", confidence=0.5))
    return sorted(mentions, key=lambda m: m.start)


def _wing(m: ActorMention, article: Article, d: ActorDictionary) -> ActorMention:
    """ "MAA fighters of the CMA": a group split in wings is the wing whose coalition its
    sentence names, when it names one wing's only."""
    wings = d.wings(m.name) if m.name else []
    span = article.doc.char_span(m.start, m.end, alignment_mode="expand") if wings else None
    if span is None:
        return m
    sentence = span.sent.text
    told = [a for a in wings if any(re.search(rf"\b{re.escape(cue)}\b", sentence) for cue in a.wing_cues)]
    if len(told) != 1:
        return m
    return replace(m, name=told[0].name, inter=told[0].inter, source="actor_dictionary+wing")


NAMED_MILITIA = re.compile(r"\b([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?) (militia|militias|militiamen|militia members|"
                           r"self-defen[cs]e groups?|self-defen[cs]e militia|armed group|armed youths?)\b")
NOT_A_NAME = {"the", "a", "an", "this", "that", "islamist", "jihadist", "local", "communal", "ethnic", "village",
              "armed", "pro-government", "government", "rival", "unidentified", "unknown", "suspected", "presumed",
              "alleged", "other", "another", "new", "two", "three", "several", "many", "some", "one", "his", "their",
              "its", "on", "in", "at", "for", "by", "and", "but", "while", "when", "after", "before", "state", "islamic"}


def _named_militias(mentions: list[ActorMention], text: str, d: ActorDictionary) -> list[ActorMention]:
    """ "a Ouatagouna armed group", "Dawsahak militiamen": a militia named after its people or
    village (ACLED: "<People> Ethnic Militia (X)", "<Place> Communal Militia (X)"). A name the
    dictionary or a generic role knows, a country's demonym or a common word is left alone."""
    out = list(mentions)
    for match in NAMED_MILITIA.finditer(text):
        word = match.group(1)
        words = word.split()
        if words[0].lower() in NOT_A_NAME:
            words = words[1:]
        if not words or words[0].lower() in NOT_A_NAME:
            continue
        word = " ".join(words)
        start = match.start(1) + match.group(1).index(word)
        if d.by_alias(word) or d.militia_of_agent(word) or d.country_of_name(word) or \
                any(m.source == "actor_dictionary" and m.start < match.end() and start < m.end for m in out):
            continue
        out = [m for m in out if not (m.start < match.end() and start < m.end)]
        out.append(ActorMention(start, match.end(), text[start:match.end()], None, None, None,
                                role=d.named_militia(word), source="named_militia", confidence=0.6))
    return sorted(out, key=lambda m: m.start)


def _in_compound_name(m: ActorMention, text: str) -> bool:
    """ "Bambara" in "Bambara-Maoude" (a town) is no community: a generic word hyphened to a
    capitalised word is part of a name."""
    if m.source != "generic_phrase":
        return False
    before, after = text[max(0, m.start - 2):m.start], text[m.end:m.end + 2]
    return (len(before) == 2 and before[1] == "-" and before[0].isalpha()) or \
        (len(after) == 2 and after[0] == "-" and after[1].isupper())


def _armed_person(m: ActorMention, article: Article) -> ActorMention:
    """ "an individual armed with a hatchet", "men armed with guns": an unidentified armed group."""
    if m.role != "civilians" or article.doc is None:
        return m
    span = article.doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is not None and any(c.lower_ == "armed" and c.dep_ in ("acl", "amod") for c in span.root.children):
        return replace(m, role="unidentified_armed_group")
    return m


ARMED_ROLES = {"unidentified_armed_group", "islamist_militia", "communal_militia", "state_military", "state_police",
               "state_gendarmerie", "peacekeepers"}


def _absorb_generic_heads(mentions: list[ActorMention], text: str) -> list[ActorMention]:
    """ "JNIM militants", "FAMa soldiers", "MINUSMA peacekeepers": a named actor right before a
    generic armed noun is one mention, the named actor (the noun is only its head word)."""
    mentions = sorted(mentions, key=lambda m: m.start)
    out: list[ActorMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and prev.source == "actor_dictionary" and m.source == "generic_phrase" \
                and (m.role in ARMED_ROLES or prev.inter in (1, 2, 3, 4, 8)) \
                and prev.end <= m.start and not text[prev.end:m.start].strip():
            out[-1] = replace(prev, end=m.end, text=text[prev.start:m.end])
            continue
        out.append(m)
    return out


# --- one sentence -------------------------------------------------------------------------


ANAPHORIC = {"this", "that", "these", "those", "such"}
# Generic state forces that, facing a crowd, are its police (not "soldiers" or "the army").
CROWD_CONTROL = {"security forces", "defense and security forces", "defence and security forces", "fds",
                 "forces de défense et de sécurité"}


def _triggers_in(sent, phrase_spans: list, lexicon: Lexicon, actor_spans: list[tuple[int, int]]):
    """(trigger, head token, start_char, end_char) for every trigger word outside actor names.

    A noun trigger with "this"/"that" points back to an event told before ("despite this
    withdrawal"), so it is not a new report."""
    found = []
    kinds = set(lexicon.context.get("kind_heads") or ())
    for token in sent:
        for trigger in lexicon.by_lemma.get(token.lemma_.lower(), ()):
            if (not trigger.pos or token.pos_ in trigger.pos) and \
                    (not trigger.needs_object_place or _object_is_place(token)) and \
                    not (token.dep_ == "compound" and token.head.lemma_.lower() in kinds):
                found.append((trigger, token, token.idx, token.idx + len(token.text)))
                break
    for trigger, span in phrase_spans:
        if sent.start <= span.start < sent.end:
            found.append((trigger, span.root, span.start_char, span.end_char))
    handled = lexicon.by_id.get(lexicon.context.get("weapon_handled_trigger"))
    kept = []
    for f in found:
        is_handled = (f[0].weapon or f[0].needs_handling) and _weapon_handled(f[1], lexicon.context)
        if f[0].needs_handling and not is_handled:
            continue
        kept.append((handled, *f[1:]) if is_handled and f[0].weapon and handled else f)
    found = kept
    # "French aircraft carried out strikes near Tessit": a strike or raid by aircraft is an air strike
    air = lexicon.by_id.get(lexicon.context.get("air_trigger"))
    if air and not any(f[0].event_type == air.event_type for f in found) and \
            any(t.lower_ in (lexicon.context.get("aircraft_words") or ()) and
                (t.dep_ in ("nsubj", "nsubjpass") or (t.dep_ == "pobj" and t.head.lower_ == "by")) for t in sent):
        air_lemmas = set(lexicon.context.get("air_attack_lemmas") or ())
        found = [(air, *f[1:]) if f[1].lemma_.lower() in air_lemmas and f[0].priority < air.priority else f
                 for f in found]
    # the verb that seized or destroyed the weapons ("weapons were seized") is not looting
    verbs_of_weapons = {f[1].head.i for f in found if f[0] is handled}
    found = [f for f in found if f[0] is handled or f[1].i not in verbs_of_weapons
             or f[0].event_type in VIOLENT]
    return [f for f in found if not any(s <= f[2] < e for s, e in actor_spans) and not _anaphoric(f[1], lexicon.context)
            and not _protest_topic(f[1], lexicon)]


def _vehicle_hit(token, owner: ActorMention, cues: dict) -> bool:
    """ "a MINUSMA vehicle struck an IED", "an army truck hit a mine": the mine is what the
    vehicle ran into, and `owner` is named in the vehicle's phrase."""
    verb = token.head if token.dep_ == "dobj" else token.head.head if token.dep_ == "pobj" else None
    if verb is None or verb.lemma_.lower() not in (cues.get("vehicle_hit_verbs") or ()):
        return False
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.lemma_.lower() not in (cues.get("vehicles") or ()):
        return False
    phrase = subject.doc[subject.left_edge.i:subject.i + 1]
    return phrase.start_char <= owner.start and owner.end <= phrase.end_char


def _weapon_handled(token, cues: dict) -> bool:
    """ "seized mortars", "an IED was detected and neutralised", "IED materials destroyed": the
    weapon is found, taken or destroyed, not used."""
    noun = token
    while noun.dep_ in ("compound", "amod", "nmod", "conj", "appos") and noun.head.i != noun.i and \
            noun.head.pos_ in ("NOUN", "PROPN"):
        noun = noun.head
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.pos_ == "NOUN":
        noun = noun.head.head  # "a cache of IEDs"
    verb = noun.head
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in (cues.get("weapon_handling_verbs") or ()):
        return False
    if noun.dep_ in ("dobj", "nsubjpass"):
        return True
    # "motorbikes and IED materials destroyed": a subject without an auxiliary or an object of its
    # own is a reduced passive ("an IED destroyed the truck" is not)
    return noun.dep_ == "nsubj" and not any(c.dep_ in ("dobj", "aux", "auxpass") for c in verb.children)


def _protest_topic(token, lexicon: Lexicon) -> bool:
    """ "marched in protest against the massacres": what a protest is about is not an event."""
    if token.pos_ != "NOUN":
        return False
    for t in token.ancestors:
        if t.dep_ == "prep" and t.lower_ in ("against", "over", "about") and \
                any(tr.event_type == "Protests" for tr in lexicon.by_lemma.get(t.head.lemma_.lower(), ())):
            return True
    return False


PLACE_WORDS = {"town", "city", "village", "base", "camp", "position", "post", "locality", "area", "garrison",
               "stronghold", "outpost", "district", "region", "capital", "airport", "checkpoint"}


def _object_is_place(token) -> bool:
    """ "seized Kidal", "captured the camp" (not "seized weapons", "captured a soldier")."""
    for child in token.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            if child.ent_type_ in ("GPE", "LOC", "FAC") or child.lemma_ in PLACE_WORDS:
                return True
    return False


def _anaphoric(token, cues: dict) -> bool:
    """ "this withdrawal", "the withdrawal" (with nothing of its own): an event told before."""
    if token.pos_ != "NOUN":
        return False
    dets = {c.lower_ for c in token.children if c.dep_ == "det"}
    if dets & ANAPHORIC:
        return True
    own = [c for c in token.children if c.dep_ in ("poss", "compound", "amod", "nummod")
           or (c.dep_ == "prep" and c.lower_ in ("of", "by", "against"))
           or (c.dep_ == "prep" and c.lower_ in ("on", "in", "near") and any(_where_or_when(p, cues) for p in c.children))]
    return "the" in dets and not own


def _where_or_when(token, cues: dict) -> bool:
    """ "the attack in Boulikessi", "the attack on the camp", "the attack on Sunday" name the
    event; "the attack in a short statement" does not."""
    return token.dep_ == "pobj" and (token.ent_type_ in ("GPE", "LOC", "FAC", "DATE", "TIME", "ORG", "NORP")
                                     or token.lemma_ in PLACE_WORDS
                                     or token.lemma_ in cues.get("attack_objects", ()))


def _credit_claimant(article: Article, doc, cues: dict | None = None) -> None:
    """ "JNIM claimed the attack", "the IED was most likely planted by Katiba Macina militants":
    an attack by unidentified gunmen in the same article is coded to the group that claimed it or
    is named as its author (ACLED codes a claimed or attributed attack to that group)."""
    cues = cues or {}
    attribution = set(cues.get("attribution_verbs") or ())
    claimant = None
    for token in doc:
        if token.pos_ not in ("VERB", "AUX") or claimant is not None:
            continue
        if token.lemma_ == "claim":
            objects = [c for c in token.children if c.dep_ in ("dobj", "prep", "nsubjpass", "agent")] + [token]
            bare = not any(c.dep_ in ("dobj", "ccomp", "xcomp", "nsubjpass") for c in token.children)
            if bare or any(t.lemma_ in ("attack", "responsibility", "ambush", "assault", "raid", "bombing",
                                        "killing", "abduction", "kidnapping", "operation")
                           for o in objects for t in o.subtree):
                # "JNIM claimed the attack" or "Claimed by JNIM on 26/12"
                found = _mention_at(_author(token), article.actors) if _author(token) is not None else None
                if found is not None and found.name and found.inter in (2, 3, 4):
                    claimant = found
        elif token.lemma_ in attribution:
            author = _author(token, active=token.lemma_ in cues.get("active_attribution_verbs", ()))
            found = _mention_at(author, article.actors) if author is not None else None
            if found is not None and found.name and found.inter in (2, 3, 4):
                claimant = found
    if claimant is None:
        return
    for event in article.events:
        if event.context is None and event.event_type in VIOLENT | {"Strategic developments"} \
                and _unidentified(event.actor1):
            event.actor1 = claimant


def _country_conventions(article: Article, d: ActorDictionary, settings: Settings) -> None:
    """ACLED's names for groups that fight under another's banner in some countries: AQIM in
    Mali since 2017 is JNIM, with AQIM associated (data/actors: `coded_as`)."""
    for event in article.events:
        place = event.place.place if event.place else None
        iso = place.country if place else (settings.focus_countries[0] if settings.focus_countries else None)
        year = event.date.start.year if event.date else None
        for slot in ("actor1", "actor2"):
            mention = getattr(event, slot)
            if mention is None or not mention.name:
                continue
            name, associated = d.in_country(mention.name, iso, year)
            if associated:
                actor = d.actors[name]
                setattr(event, slot, replace(mention, name=name, inter=actor.inter, country=actor.country))
                assoc = event.assoc_actor_1 if slot == "actor1" else event.assoc_actor_2
                if associated not in assoc:
                    assoc.append(associated)


def _author(verb, active: bool = True):
    """Who did it: "by X" (passive), or the subject of an active verb; "it was X who planted
    it" through the relative pronoun."""
    by = next((c for c in verb.children if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by")), None)
    if by is not None:
        return next((c for c in by.children if c.dep_ == "pobj"), None)
    if not active:
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is not None and subject.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
        return verb.head
    return subject


def _story_dates(article: Article, doc) -> list[tuple[int, DateSpan]]:
    """Explicit dates of the article's sentences, with where they stand: a sentence with no date
    of its own takes the nearest earlier one ("On 10 June, ... . A vehicle was burned.")."""
    published = article.published.date() if isinstance(article.published, datetime) else article.published
    found = []
    for sent in doc.sents:
        when = sentence_date(sent, published)
        if when is not None and not is_background(when, published, 45):
            found.append((sent.start_char, when))
    return found


def _date_from_story(story: list[tuple[int, DateSpan]], at: int) -> DateSpan | None:
    before = [w for start, w in story if start < at]
    if before:
        return replace(before[-1], rule=f"story:{before[-1].rule}")
    return replace(story[0][1], rule=f"story:{story[0][1].rule}") if story else None


def _sentence_event(article: Article, sent, phrase_spans: list, lexicon: Lexicon, d: ActorDictionary,
                    settings: Settings, story: list | None = None) -> Event | None:
    in_sentence = [m for m in article.actors if sent.start_char <= m.start < sent.end_char]
    found = _triggers_in(sent, phrase_spans, lexicon, [(m.start, m.end) for m in in_sentence if m.name])
    if not found:
        return None
    chosen = max(found, key=lambda f: (f[0].priority, -f[2]))
    trigger, token, t_start, t_end = _settled_trigger(found, chosen, sent, in_sentence, lexicon)
    violent = trigger.event_type in VIOLENT
    actor1, actor2 = _roles(token, sent, in_sentence, guess_target=violent)
    for m in (actor1, actor2):
        # "unknown gunmen, presumably Katiba Macina militants", "gunmen believed to be GATIA
        # militiamen": the group the text attributes them to (ACLED codes the attribution)
        named = _attributed(m, sent, in_sentence, lexicon.context) if _unidentified(m) else None
        if named is not None:
            if m is actor1:
                actor1, actor2 = named, (None if actor2 is named else actor2)
            elif named is actor1:
                actor2 = None   # the attackers named twice, not a target
    place = place_for_sentence(article, sent.start_char, sent.end_char)
    country = _event_country(article, place, settings, d, sent)
    if place is None and country:
        place = _country_place(country, sent)  # ACLED never leaves the place blank: the country, precision 3
    if trigger.event_type == "Explosions/Remote violence" and actor1 is not None and \
            _vehicle_hit(token, actor1, lexicon.context):
        # "a MINUSMA vehicle struck an IED": the vehicle's owner is hit, the one who laid it unnamed
        actor1, actor2 = None, actor1
    if trigger.two_sided:
        # "fighting between Fulani and Bambara": the communities fighting are their militias
        actor1, actor2 = (_as_militia(m, d) for m in (actor1, actor2))
    riot = _riot(sent, trigger, actor1, actor2, in_sentence, lexicon.context)
    if riot is not None:
        # "youths burned tyres and clashed with the police": the crowd riots (ACLED: Rioters)
        riot_sub, crowd_mention, other = riot
        actor1 = replace(crowd_mention, name=None, inter=None, role="rioters")
        actor2 = other
    if riot is not None or trigger.event_type in ("Protests", "Riots"):
        # "security forces dispersed the protesters": crowds are policed (ACLED: Police Forces)
        actor1, actor2 = (replace(m, role="state_police") if m is not None and m.role == "state_military"
                          and m.text.lower() in CROWD_CONTROL else m for m in (actor1, actor2))
    if trigger.event_type == "Protests" and actor1 is not None and _state_force(actor1) and \
            (actor2 is None or not _state_force(actor2)):
        # "police dispersed the march": the crowd protests, the police intervene; soldiers who
        # protest their pay are the protesters
        actor1, actor2 = (actor2, actor1) if trigger.sub_event_type != "Peaceful protest" else (None, actor2)
    crowd = DEFAULT_ACTOR1.get(trigger.event_type) if trigger.event_type in ("Protests", "Riots") else None
    if crowd and actor1 is not None and actor1.role == "civilians":
        actor1 = replace(actor1, role=crowd)  # "youths marched": in a protest, the crowd are protesters
    if violent and actor1 is not None and actor1.role == "civilians" and not actor1.name:
        # "Fulani attacked the village", "herdsmen raided ...": a community that attacks is its militia
        role = d.militia_of_agent(actor1.text)
        actor1 = replace(actor1, role=role) if role else actor1
    if violent and actor2 is not None and actor2.role == "civilians" and not actor2.name:
        # "four people were killed, including two soldiers": the soldiers were the target
        actor2 = _armed_in_breakdown(sent, actor2, in_sentence, actor1, lexicon.context) or actor2
    actor1, actor2 = _resolve_generic(actor1, d, country), _resolve_generic(actor2, d, country)
    if actor1 is not None and actor2 is not None and actor1.name != actor2.name and _same_side(actor1, actor2, d):
        actor2 = None  # "Katiba Serma (JNIM) militants": one side named twice, not a target
    if violent and actor2 is not None and actor2.inter in (1, 2, 3, 4, 8) and country and \
            trigger.id in (lexicon.context.get("targeted_triggers") or ()) and not trigger.two_sided and \
            _lone_member(actor2, sent, lexicon.context) and not _resisted(sent, lexicon.context) and \
            any(p in sent.text.lower() for p in lexicon.context.get("off_duty_phrases") or ()):
        # ACLED: a member of an armed side harmed off duty (retired, at home, unarmed), not in
        # combat, is a civilian victim
        actor2 = _resolve_generic(ActorMention(actor2.start, actor2.end, actor2.text, None, None, None,
                                               role="civilians", source="lone_member", confidence=0.6), d, country)
    if violent and actor1 is not None and actor1.inter == CIVILIAN_INTER and \
            (actor2 is None or actor2.inter == CIVILIAN_INTER):
        # "one child was killed by an explosive device": civilians are harmed, never the attacker
        actor1, actor2 = None, actor2 or actor1
    fatalities = count_fatalities(sent)
    published = article.published.date() if isinstance(article.published, datetime) else article.published
    when = sentence_date(sent, published)
    if when is not None and _in_other_clause(when.text, sent, token):
        when = None  # "the group, which has operated there since 2021, began pulling out"
    when = when or _date_from_story(story or [], sent.start_char) or _publication_day(published)

    event_type, sub_event_type = trigger.event_type, trigger.sub_event_type
    property_only = trigger.civilian_target and not trigger.two_sided and \
        _property_only(token, actor2, fatalities, lexicon.context)
    if property_only:
        # "militants attacked and burned the mayor's office": property, not people
        event_type, sub_event_type = "Strategic developments", "Looting/property destruction"
    if trigger.civilian_target and not trigger.two_sided and not property_only and actor2 is None and country:
        # ACLED: a battle needs two armed sides. An attack on a post, camp or patrol is on the
        # state's forces; an attack with no armed target is on civilians.
        role = "state_military" if _military_target(sent, actor1) else "civilians"
        actor2 = _resolve_generic(ActorMention(t_start, t_end, "", None, None, None, role=role,
                                               source="default_target", confidence=0.5), d, country)
    if trigger.civilian_target and actor2 is not None and actor2.inter == CIVILIAN_INTER:
        event_type, sub_event_type = trigger.civilian_target
    if event_type == "Violence against civilians" and actor2 is None and country:
        # ACLED: the target of violence against civilians is always civilians
        actor2 = _resolve_generic(ActorMention(t_start, t_end, "", None, None, None, role="civilians",
                                               source="default_target", confidence=0.5), d, country)
    if event_type == "Violence against civilians" and actor2 is not None and actor2.inter in (1, 2, 3, 4, 8):
        # ACLED: violence against civilians needs civilian victims; fighters abducted or killed
        # by another side make a battle
        event_type, sub_event_type = "Battles", "Armed clash"
    elif event_type == "Violence against civilians" and sub_event_type == "Attack" and \
            _resisted(sent, lexicon.context):
        # "attacked the Fulani village of X, the attack was repelled": the villagers fought, a battle
        event_type, sub_event_type = "Battles", "Armed clash"
        if actor2 is not None and actor2.inter == CIVILIAN_INTER and country:
            role = _community_in(sent, d, actor1) or "communal_militia"
            actor2 = _resolve_generic(replace(actor2, name=None, inter=None, role=role), d, country) or actor2
    if actor2 is None and country and (actor1 is None or actor1.inter != CIVILIAN_INTER) and (
            (sub_event_type == "Looting/property destruction" and riot is None and
             (_people_robbed(sent, in_sentence, lexicon.context) or
              (actor1 is not None and actor1.inter in (2, 3, 4, 8) and _public_property(sent, lexicon.context))))
            or (event_type == "Explosions/Remote violence" and not _armed_target_in(sent, in_sentence, actor1)
                and not _only_heard(token))):
        # ACLED: people robbed of their vehicle or belongings, the public's property an armed group
        # loots or burns (a school, a voting office, a health centre), and a mine or shell that hits
        # no armed side, harm civilians ("a transport vehicle struck an IED"); shops looted name none
        actor2 = _resolve_generic(ActorMention(t_start, t_end, "", None, None, None, role="civilians",
                                               source="default_target", confidence=0.5), d, country)
    if event_type == "Violence against civilians" and sub_event_type == "Attack" and trigger.id == "attack" and \
            (fatalities is None or fatalities.best == 0) and _only_looted(sent, token, lexicon):
        # "raided a nomad camp and seized the livestock": nobody harmed, things taken (ACLED: looting)
        event_type, sub_event_type = "Strategic developments", "Looting/property destruction"
    if riot is not None:
        event_type, sub_event_type = "Riots", riot_sub
        if sub_event_type == "Violent demonstration" and actor2 is not None and actor2.source == "default_target":
            actor2 = None
    if actor2 is not None and actor2.inter == CIVILIAN_INTER and actor2.role not in ("protesters", "rioters") \
            and country and event_type != "Protests":
        # ACLED names civilians by nationality: "Civilians (Niger)" for Nigerien herders harmed
        # in Mali, "Civilians (International)" for the staff of the ICRC or an NGO
        nationality = _victim_nationality(sent, token, actor2, d, country, lexicon.context)
        if nationality == "International":
            actor2 = replace(actor2, name="Civilians (International)", country=None)
        elif nationality:
            actor2 = _resolve_generic(replace(actor2, name=None, inter=None, role="civilians"), d, nationality) or actor2
    if event_type == "Protests" and actor2 is not None and actor2.inter == CIVILIAN_INTER:
        actor2 = None  # "residents protested against insecurity": nobody is the protest's target
    if trigger.territory and actor1 is not None and actor1.inter not in (1, None):
        sub_event_type = "Non-state actor overtakes territory"
    if violent and actor1 and actor2 and actor1.name and actor1.name == actor2.name:
        # "60 soldiers killed in assault on army camp": one side cannot attack itself; the one
        # harmed is the target and the attacker is unnamed (a claim may name it later).
        actor1 = None
    default_role = DEFAULT_ACTOR1.get(event_type) or DEFAULT_ACTOR1.get(trigger.event_type)
    if actor1 is None and default_role and country:
        # "30 soldiers were killed in an attack": the attacker is unnamed; "hundreds rallied": protesters.
        actor1 = _resolve_generic(ActorMention(t_start, t_end, "", None, None, None, role=default_role,
                                               source="default_actor", confidence=0.5), d, country)

    plural_noun = token.pos_ == "NOUN" and token.tag_ == "NNS"
    if (violent or plural_noun) and not _has_anchor(sent, place, when, fatalities, town_counts=violent or not plural_noun) \
            and not (violent and _told_incident(token, actor1, actor2)):
        return None  # "jihadist attacks have intensified": a trend, not an incident
    if actor1 is None:
        return None  # ACLED codes no event without its first actor
    context = _context(token, sent, trigger, lexicon.context, when, published, actor1, settings)
    s_start, s_end = _stripped(article.text, sent.start_char, sent.end_char)
    raw_start, raw_end = article.offsets.span_to_raw(s_start, s_end)
    source = EventSource(article.id, article.text[s_start:s_end], s_start, s_end, raw_start, raw_end,
                         article.text[t_start:t_end], t_start, t_end, trigger.id)
    confidence = 0.4 + 0.2 * (actor1 is not None) + 0.1 * (actor2 is not None) + 0.15 * (place is not None) \
        + 0.1 * (when is not None and when.rule != "publication_date") + 0.05 * (fatalities is not None)
    return Event(event_type, sub_event_type, trigger.plover_type, trigger.plover_mode, actor1, actor2, place, when,
                 fatalities, [source], context, round(min(confidence, 1.0), 2), priority=trigger.priority)


def _settled_trigger(found: list, chosen: tuple, sent, in_sentence: list[ActorMention], lexicon: Lexicon) -> tuple:
    """The trigger the sentence's other words confirm or overrule: (trigger, token, start, end)."""
    trigger, token, t_start, t_end = chosen
    clash = next((f for f in found if f[0].id == "armed_clash"), None)
    if clash is not None and trigger.event_type == "Explosions/Remote violence" and trigger.id != "suicide_bomb":
        # "the army, supported by French jets, clashed with militants": shells or strikes
        # beside a ground clash make a battle (ACLED)
        trigger, token, t_start, t_end = clash
    if trigger.event_type == "Battles" and (trigger.territory or any(f[0].territory for f in found)) and \
            _said_peaceful(sent, lexicon.context):
        # "the CMA took control of Menaka without any fighting": a transfer, not a battle
        trigger = lexicon.by_id[lexicon.context["peaceful_trigger"]]
    if trigger.sub_event_type == "Peaceful protest" and any(
            t.lemma_.lower() in (lexicon.context.get("intervention_lemmas") or ()) for t in sent):
        trigger = lexicon.by_id[lexicon.context["intervention_trigger"]]   # "dispersed by police"
    riot_word = next((f for f in found if f[0].sub_event_type == "Violent demonstration"), None)
    if riot_word is not None and trigger.event_type in VIOLENT and not any(
            m.name and m.inter in (2, 3) for m in in_sentence):
        # "a violent protest ... led to clashes with security forces", "riots broke out and the
        # prefecture was set ablaze": the text says what it was; no rebel or militia is named
        trigger, token, t_start, t_end = riot_word
    return trigger, token, t_start, t_end


def _follow_up_tolls(found: list[tuple]) -> None:
    """A toll told in the sentence after an attack, with no event of its own ("Gunmen raided a
    camp near Gao. Four dead.", "... Nine soldiers died in the ambush."), is that attack's toll
    when its own sentence gave none. Not a claim, not "the killing of" someone (often the cause
    told), and not a sentence with a date of its own (it may recall another time)."""
    for (prev, event), (sent, own) in zip(found, found[1:]):
        if event is None or own is not None or event.context is not None or event.event_type not in VIOLENT:
            continue
        if event.fatalities is not None and not event.fatalities.rule.startswith("wounded-only"):
            continue
        if prev.end != sent.start or any(e.label_ == "DATE" for e in sent.ents):
            continue
        toll = count_fatalities(sent)
        if toll is None or toll.rule.endswith(":claim") or not toll.rule.startswith(("count:", "vague:")) \
                or "of-death-noun" in toll.rule:
            continue   # "... a revenge for the killing of two traders": a death named, not this toll
        event.fatalities = replace(toll, rule=f"{toll.rule}|next-sentence")


def _in_other_clause(text: str, sent, trigger) -> bool:
    at = sent.text.find(text) if text else -1
    if at < 0:
        return False
    char = sent.start_char + at
    for token in sent:
        if token.dep_ in ("relcl", "acl", "appos"):
            sub = list(token.subtree)
            lo, hi = sub[0].idx, sub[-1].idx + len(sub[-1].text)
            if lo <= char < hi and not lo <= trigger.idx < hi:
                return True
    return False


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _told_incident(token, actor1: ActorMention | None, actor2: ActorMention | None) -> bool:
    """ "A teacher and a farmer were abducted by unknown gunmen", "Islamist militants abducted the
    village chief": a verb in the simple past with someone named on either side tells one
    incident even with no place, date or toll ("attacks have intensified" does not). So does
    "an attack" the past-tense verb acts on ("an attack against MINUSMA forces was repelled"),
    and a verb whose subject is one thing or person ("a truck was struck by an IED")."""
    if token.pos_ == "NOUN" and token.tag_ == "NN" and any(c.dep_ == "det" and c.lower_ in ("a", "an")
                                                           for c in token.children):
        token = token.head
    while token.dep_ in ("compound", "pobj", "agent", "prep") and token.pos_ != "VERB" and token.head is not token:
        token = token.head   # "struck by an IED", "exploded on a IED detonation": the verb
    if token.pos_ != "VERB" or token.tag_ not in ("VBD", "VBN"):
        return False
    auxes = {c.lower_ for c in token.children if c.dep_ in ("aux", "auxpass")}
    if token.tag_ == "VBN" and not auxes & {"was", "were"}:
        return False
    if auxes & {"has", "have", "had", "will", "would", "may", "might", "could"}:
        return False
    named = [m for m in (actor1, actor2) if m is not None and m.source not in ("default_actor", "default_target")]
    return bool(named) or any(c.dep_ in ("nsubj", "nsubjpass") and _one_thing(c) for c in token.children)


def _one_thing(token) -> bool:
    """ "a truck", "a minibus", "one of the vehicles": a single thing or person, told as one."""
    if token.tag_ == "NN" and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.children):
        return True
    return token.lower_ == "one" and any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children)


def _has_anchor(sent, place, when: DateSpan | None, fatalities, town_counts: bool = True) -> bool:
    """A violent event needs something concrete in its sentence: a town, a date or a toll
    (a plural noun, "attacks", "agreements", needs a date or a toll). A village the gazetteer
    does not know still counts as a town."""
    if town_counts and place is not None and place.place is not None and sent.start_char <= place.start < sent.end_char \
            and place.place.geo_precision <= 2:
        return True
    if town_counts and any(e.label_ in ("GPE", "LOC", "FAC") and not _is_country_or_region(e.text) for e in sent.ents):
        return True
    if town_counts and any(t.pos_ == "PROPN" and t.dep_ == "pobj" and t.head.lower_ in ("in", "near")
                           and t.ent_type_ in ("", "GPE", "LOC", "FAC", "PERSON") and not _is_country_or_region(t.text)
                           for t in sent):
        return True  # "in Tabrichat": a village the model did not know (or took for a person) is a place named
    if when is not None and when.rule != "publication_date" and not when.rule.startswith(("since:", "story:")):
        return True
    if fatalities is None or fatalities.rule.endswith(":claim") or fatalities.rule.startswith("plural"):
        return False
    # "thousands have been killed": a tally of a war, not of an incident
    return not (fatalities.rule.startswith("vague") and fatalities.best >= 100)


def _country_place(iso: str, sent) -> PlaceMention | None:
    country = load_dictionary().countries.get(iso)
    if country is None:
        return None
    place = resolve(country.name, GeoContext(focus_countries=(iso,)))
    if place is None or place.country != iso:
        return None
    return PlaceMention(sent.start_char, sent.start_char, "", sent.start_char, sent.end_char,
                        replace(place, geo_precision=3), "fallback:country", 0.3)


def _is_country_or_region(name: str) -> bool:
    d = load_dictionary()
    return d.country_of_name(name) is not None or name.lower() in ("sahel", "west africa", "africa")


def _publication_day(published: date | None) -> DateSpan | None:
    if published is None:
        return None
    return DateSpan(published - timedelta(days=6), published, 2, "", "publication_date")


def _first_token(m: ActorMention, sent):
    """The sentence's token where the mention begins (None if it begins outside)."""
    return next((t for t in sent if t.idx <= m.start < t.idx + len(t.text)), None)


def _attributed(m: ActorMention, sent, mentions: list[ActorMention], cues: dict) -> ActorMention | None:
    """The named armed group an unnamed one is said to be: in an apposition with a hedge
    ("gunmen, presumably JNIM militants") or a clause of attribution ("gunmen believed to be
    GATIA militiamen") hanging from its noun."""
    head = _first_token(m, sent)
    while head is not None and head.dep_ in ("amod", "compound") and head.head.i > head.i:
        head = head.head
    if head is None:
        return None
    lemmas, adverbs = set(cues.get("attribution_lemmas") or ()), set(cues.get("attribution_adverbs") or ())
    clauses = [c for c in head.children if (c.dep_ == "appos" and any(t.lower_ in adverbs for t in c.subtree))
               or (c.dep_ in ("acl", "relcl") and c.lemma_.lower() in lemmas)]
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_.lower() in lemmas:
        # the parser often makes "believed" the sentence's verb: "gunmen believed to be X abducted"
        clauses += [c for c in head.head.children if c.dep_ == "xcomp"]
    for c in clauses:
        span = (c.left_edge.idx, c.right_edge.idx + len(c.right_edge))
        named = [x for x in mentions if span[0] <= x.start < span[1] and x.name and x.inter in (2, 3, 4)]
        if named:
            return named[0]
    return None


def _mention_at(token, mentions: list[ActorMention]) -> ActorMention | None:
    """The actor mention that covers the token or stands in its subtree (nearest first)."""
    covering = next((m for m in mentions if m.start <= token.idx < m.end), None)
    if covering is not None and covering.role is None:
        return covering
    phrase = _phrase(token)
    inside = [m for m in mentions if any(t.idx <= m.start < t.idx + len(t.text) for t in phrase)]
    # "presumed Katiba Macina militants": the named group, not the generic head word
    return min(inside, key=lambda m: (m.role is not None, abs(m.start - token.idx))) if inside else None


CLAUSES = {"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis"}


def _phrase(token) -> list:
    """The token's phrase without the clauses hanging from it ("a claim [that accompanies ...]")."""
    out, todo = [], [token]
    while todo:
        t = todo.pop()
        out.append(t)
        todo.extend(c for c in t.children if c.dep_ not in CLAUSES)
    return out


HEARD = {"hear", "report", "record", "signal", "observe", "note"}
HARM = {"kill", "wound", "injure", "abduct", "kidnap", "massacre", "execute", "murder", "die", "behead", "target"}
MODIFIER_SUFFIXES = ("-linked", "-affiliated", "-backed", "-allied", "-aligned", "-led", "-inspired")


def _counted_headline(verb) -> bool:
    """ "one gendarme killed, two wounded", "three soldiers killed": a counted subject and no
    object but a bare number is a toll, whatever tense the tagger gives the verb."""
    if not any(c.dep_ == "nsubj" and any(n.dep_ == "nummod" for n in c.children) for c in verb.children):
        return False
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    return all(o.like_num or o.pos_ == "NUM" for o in objects)


def _victims(sent, mentions: list[ActorMention]) -> list[ActorMention]:
    """Mentions harmed in the sentence: "30 soldiers were killed", "killing 44 worshippers"."""
    victims = []
    for t in sent:
        if t.lemma_ not in HARM:
            continue
        passive = t.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in t.children) \
            or _counted_headline(t)
        for c in t.children:
            if c.dep_ == "nsubjpass" or (c.dep_ == "nsubj" and (passive or t.lemma_ == "die")) or \
                    (c.dep_ == "dobj" and not passive):
                found = _mention_at(c, mentions)
                if found:
                    victims.append(found)
    return victims


def _roles(token, sent, mentions: list[ActorMention], guess_target: bool = True) \
        -> tuple[ActorMention | None, ActorMention | None]:
    """Agent and patient of the trigger, from the dependency parse; word order as a fallback
    (for the target only in violent events: a withdrawal has no target unless the text names one).
    Those harmed are never the agent; "al-Qaeda-linked X" names X, not al-Qaeda."""
    text = doc_text(sent.doc)
    mentions = [m for m in mentions if not text[m.end:m.end + 12].lower().startswith(MODIFIER_SUFFIXES)]
    victims = _victims(sent, mentions)
    agent, patient = _roles_from_parse(token, sent, [m for m in mentions if m not in victims], mentions,
                                       guess_target)
    if agent is not None and agent in victims:
        agent, patient = None, patient or agent
    if patient is None and victims and guess_target:
        patient = victims[0]
    if patient is not None and not _armed(patient) and guess_target:
        # "two gendarmes were killed and three people wounded in an attack": an armed side among
        # those harmed is the target, not the people the nearest verb names
        # (told plainly: "were killed", not a subject the tagger may have read as passive)
        plainly = [m for t in sent if t.lemma_ in HARM for c in t.children if c.dep_ == "nsubjpass"
                   for m in (_mention_at(c, victims),) if m is not None]
        patient = next((v for v in plainly if _armed(v) and v is not agent), patient)
    if agent is not None and patient is not None and agent.name and agent.name == patient.name:
        patient = None
    return agent, patient


def _roles_from_parse(token, sent, agents: list[ActorMention], mentions: list[ActorMention], guess_target: bool):
    # A noun trigger's clause is its nearest verb: "a vehicle was struck by an IED"
    verb = token if token.pos_ in ("VERB", "AUX") else \
        next((t for t in token.ancestors if t.pos_ in ("VERB", "AUX")), token.head)
    agent = patient = None
    sides = _between(token, mentions)
    if sides is not None:
        return sides
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None) \
        if verb.lemma_ == "subject" else None
    if subject is not None:
        # "the joint Barkhane and MINUSMA base was subjected to mortar fire": what the subject
        # names is hit (the owner nearest its head word); the attacker only with "by"
        hit = [m for m in mentions if subject.left_edge.idx <= m.start <= subject.idx]
        if hit:
            by = next((m for c in verb.subtree if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by")
                       for p in c.children if p.dep_ == "pobj" for m in (_mention_at(p, agents),) if m), None)
            return by, max(hit, key=lambda m: m.start)
    named_by = token
    while named_by.dep_ in ("compound", "nmod"):    # "a rocket attack": the trigger "rocket" names the attack
        named_by = named_by.head
    if named_by.dep_ == "nsubj" and named_by.head == verb and token != verb:
        # "a rocket attack targeted the joint MINUSMA and Barkhane base": the trigger acts, and
        # what its object names is hit (the owner nearest its head word), never the attacker
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        hit = [m for m in mentions if obj is not None and obj.left_edge.idx <= m.start <= obj.right_edge.idx]
        if hit:
            patient = max((m for m in hit if m.start <= obj.idx), key=lambda m: m.start, default=hit[0])
            agents = [m for m in agents if m not in hit]
    # "JNIM's attack", "a JNIM rocket attack" (the trigger "rocket" a modifier of "attack" too)
    for child in (c for c in named_by.children if named_by != token and c != token):
        if child.dep_ in ("poss", "compound", "nmod") and not agent:
            agent = _mention_at(child, agents)
    # "drone strikes carried out by the Malian army"
    for child in token.children:
        if child.dep_ == "acl":
            for c in child.children:
                if c.dep_ == "agent":
                    agent = next((_mention_at(p, agents) for p in c.children if p.dep_ == "pobj"), None)
                if c.dep_ in ("dobj", "dative") and child.lemma_ == "target" and not patient:
                    patient = _mention_at(c, mentions)   # "an airstrike targeting AQIM technicals"
    # "JNIM's attack", "a JNIM attack", "an attack by JNIM", "an attack on the army"
    for child in token.children:
        if child.dep_ in ("poss", "compound", "nmod", "amod") and not agent:
            agent = _mention_at(child, agents)
        if child.dep_ == "prep" and child.lower_ in ("by",):
            for c in (c for c in child.children if c.dep_ == "pobj"):
                # "an attack by gunmen on an army post": the parser hangs the target on the attackers
                aimed = [p for p in c.children if p.dep_ == "prep" and p.lower_ in ("on", "against", "targeting")]
                spans = [(p.left_edge.idx, p.right_edge.idx + len(p.right_edge)) for p in aimed]
                agent = agent or _mention_at(c, [m for m in agents if not any(a <= m.start < b for a, b in spans)])
                patient = patient or next((_mention_at(x, mentions) for p in aimed for x in p.children
                                           if x.dep_ == "pobj"), None)
        if child.dep_ == "prep" and child.lower_ in ("on", "against", "targeting", "in") and not patient:
            found = next((_mention_at(c, mentions) for c in child.children if c.dep_ == "pobj"), None)
            if found and (child.lower_ != "in" or found.inter in (1, CIVILIAN_INTER)):
                patient = found
    if verb.dep_ == "relcl" and verb.head.dep_ == "dobj" and \
            any(c.dep_ == "nsubjpass" and c.tag_ in ("WP", "WDT") for c in verb.children):
        # "soldiers arrested a trader who was then tortured": the one arrested is harmed, by those
        # who arrested him
        patient = _mention_at(verb.head, mentions)
        agent = next((_mention_at(c, agents) for c in verb.head.head.children if c.dep_ == "nsubj"), None)
    for v in (verb, verb.head if verb.dep_ in ("xcomp", "conj", "advcl", "ccomp", "relcl") else None):
        if v is None:
            continue
        # "FAMa checkpoint attacked by JNIM", "Army post attacked in Boni"; not "JNIM militants
        # attacked and burned ...", a past tense the tagger calls VBN
        headline_passive = v.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in v.children) \
            and not any(c.dep_ == "dobj" for c in v.children) \
            and (any(c.dep_ == "agent" for c in v.children) or not _nonstate_subject(v, mentions))
        # "Gendarmerie post attacked in X", "FAMa patrol ambushed near Y": a post, camp or convoy
        # cannot attack, so with no object it is the target whatever tense the tagger gives
        headline_passive = headline_passive or (not any(c.dep_ in ("dobj", "agent") for c in v.children)
                                                and _inanimate_subject(v))
        # "Gendarmerie post in X attacked at dawn by militants": a "by" agent makes it passive,
        # whatever tense the tagger gives the verb
        headline_passive = headline_passive or (any(c.dep_ == "agent" for c in v.children)
                                                and not any(c.dep_ == "dobj" for c in v.children))
        for child in v.children:
            if child.dep_ == "nsubj" and headline_passive and not patient:
                patient = _mention_at(child, mentions)  # "FAMa checkpoint attacked by JNIM"
            elif child.dep_ == "nsubj" and (not agent or agent.role):
                # "Unknown gunmen, presumably JNIM militants, shot ...": the named one
                found = _mention_at(child, agents)
                agent = found if found is not None and (agent is None or not found.role) else agent
            elif child.dep_ == "agent":
                agent = agent or next((_mention_at(c, agents) for c in child.children if c.dep_ == "pobj"), None)
            elif child.dep_ in ("dobj", "nsubjpass") and not patient:
                patient = _mention_at(child, mentions)
        if agent or patient:
            break
    if not patient and agent is not None:
        # "detonated an IED that destroyed an army vehicle", "fired rockets against the MINUSMA camp"
        for clause in (c for c in token.children if c.dep_ == "relcl"):
            patient = next((_mention_at(c, mentions) for c in clause.children if c.dep_ == "dobj"), None)
            if patient is not None:
                break
        for prep in (c for c in (verb.children if not patient and verb is not token else ())
                     if c.dep_ == "prep" and c.lower_ in ("against", "targeting")):
            patient = next((_mention_at(c, mentions) for c in prep.children if c.dep_ == "pobj"), None)
            if patient is not None:
                break
        if patient is agent:
            patient = None
    # "killing 30 soldiers" hangs off the main verb as a participle clause
    if not patient:
        for child in verb.children:
            if child.dep_ in ("advcl", "xcomp", "conj") and child.lemma_ in ("kill", "wound", "abduct", "kidnap"):
                patient = next((_mention_at(c, mentions) for c in child.children if c.dep_ == "dobj"), None)
    # "Wagner said it would pull out": the speaker is the agent of the reported act
    if not agent and verb.dep_ in ("ccomp", "xcomp", "conj"):
        head = verb.head
        agent = next((_mention_at(c, agents) for c in head.children if c.dep_ == "nsubj"), None)
    # "X claimed responsibility for the attack"
    if not agent:
        for t in sent:
            if t.lemma_ == "claim" and any(c.lower_ == "responsibility" for c in t.children):
                agent = next((_mention_at(c, agents) for c in t.children if c.dep_ == "nsubj"), None)
    if agent is None and patient is None and agents:
        # the parse names no one: the first actor that acts somewhere in the sentence; in violence,
        # one that only owns what was hit ("MINUSMA vehicle struck by an IED") is the target
        acting = [m for m in agents if _acts(m, sent)]
        if acting or not guess_target:
            agent = (acting or agents)[0]
        else:
            patient = agents[0]
    if agent is None and guess_target:
        # "Katiba Macina militants burned the prefecture, people were also assaulted": the armed
        # actor the sentence names acts in all of it
        agent = next((m for m in agents if m is not patient and _armed(m)), None)
    named = [m for m in mentions if m is not agent and m is not patient]
    if patient is None and agent is not None and named and guess_target:
        others = [m for m in named if (m.name != agent.name or m.role != agent.role)
                  and not _affiliation(m, sent, token)]
        patient = others[0] if others else None
    return agent, patient


def _between(token, mentions: list[ActorMention]):
    """ "clashes between Bambara and Fulani", "clashes between the police and youths": the two
    sides, in the text's order, except that the side the state fights comes first (ACLED names the
    challenger first: unidentified gunmen before a militia, any non-state side before the army)."""
    holders = [token] + ([token.head] if token.head is not token else [])
    for holder in holders:
        for prep in holder.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("between", "among", "amongst"):
                continue
            first = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if first is None:
                continue
            second = next((c for c in first.children if c.dep_ == "conj"), None)
            a = _mention_at(first, mentions)
            b = _mention_at(second, mentions) if second is not None else None
            if a is not None and b is not None and a is not b:
                if _rank(b) < _rank(a):
                    a, b = b, a
                return a, b
    return None


def _rank(m: ActorMention) -> int:
    """Who comes first in a fight told as "between X and Y": the unidentified, then other non-state
    sides, then the state's and foreign forces."""
    if m.role in UNNAMED_ROLES:
        return 0
    state = m.inter in (1, 8) if m.name else (m.role or "").startswith("state_") or m.role == "peacekeepers"
    return 2 if state else 1


def _affiliation(m: ActorMention, sent, trigger) -> bool:
    """A side named only as someone's tie, not as the one harmed: "an informer for the Malian
    army", "accused of supplying the army", "close to GATIA" (a clause or a "for/to/with" phrase
    of a noun that does not hold the trigger)."""
    token = _first_token(m, sent)
    if token is None:
        return False
    t = token
    while t.head.i != t.i:
        if t.dep_ == "pobj" and t.head.lower_ in ("for", "to", "with") and t.head.head.pos_ in ("NOUN", "ADJ"):
            return True
        if t.dep_ in ("relcl", "acl", "advcl", "ccomp", "pcomp") and not (t.left_edge.i <= trigger.i <= t.right_edge.i):
            return True
        if t.i == trigger.i:
            return False
        t = t.head
    return False


def _acts(m: ActorMention, sent) -> bool:
    """The mention heads the subject of an active verb: "JNIM fighters ambushed ...", not
    "MINUSMA vehicle struck by an IED", "two MINUSMA peacekeepers were wounded"."""
    token = _first_token(m, sent)
    while token is not None and token.dep_ in ("compound", "amod", "nmod", "poss", "nummod", "det") \
            and token.head is not token:
        token = token.head
    if token is None or token.dep_ not in ("nsubj", "appos") or token.lemma_.lower() in MILITARY_TARGETS | PLACE_WORDS \
            - {"soldier", "troop", "militant", "fighter", "jihadist", "rebel", "unit", "brigade", "detachment", "escort"}:
        return False
    verb = token.head
    while token.dep_ == "appos" and verb.dep_ == "nsubj":
        token, verb = verb, verb.head
    passive = verb.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children)
    return not (passive or _counted_headline(verb)) or _nonstate_subject(verb, [m])


def _inanimate_subject(verb) -> bool:
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return subject is not None and subject.lemma_.lower() in (MILITARY_TARGETS | PLACE_WORDS) - \
        {"soldier", "troop", "militant", "fighter", "jihadist", "rebel", "unit", "brigade", "detachment", "escort"}


def _nonstate_subject(verb, mentions: list[ActorMention]) -> bool:
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    found = _mention_at(subject, mentions) if subject is not None else None
    return found is not None and (found.inter in (2, 3, 4) if found.name else found.role in UNNAMED_ROLES)


def _said_peaceful(sent, cues: dict) -> bool:
    """The sentence, or the one after it, says no fighting took place."""
    phrases = cues.get("no_fighting_phrases") or ()
    doc = sent.doc
    after = doc[sent.end].sent.text if sent.end < len(doc) else ""
    text = f"{sent.text} {after}".lower()
    return any(p in text for p in phrases)


def _armed_in_breakdown(sent, victims: ActorMention, mentions: list[ActorMention], actor1: ActorMention | None,
                        cues: dict) -> ActorMention | None:
    """An armed side named in the breakdown of victims told only as people, or None."""
    span = sent.doc.char_span(victims.start, victims.end, alignment_mode="expand")
    if span is None or span.root.lemma_.lower() not in (cues.get("vague_victims") or ()):
        return None
    words = set(cues.get("breakdown_words") or ())
    for lead in (t for t in sent if t.lower_ in words and t.i > span.root.i):
        for m in mentions:
            start = sent.doc.char_span(m.start, m.end, alignment_mode="expand")
            between = sent.doc[lead.i + 1:start.start] if start is not None and start.start > lead.i else None
            if _armed(m) and m is not actor1 and between is not None and len(between) <= 3 and \
                    not any(t.pos_ in ("VERB", "AUX") or t.text in ";:()" for t in between):
                return m   # "including three MSA fighters", "among them two soldiers"; not "among the
                # victims were militiamen on leave"
    return None


def _armed(m: ActorMention) -> bool:
    return m.inter in (1, 2, 3, 4, 8) if m.name else m.role in ARMED_ROLES or (m.role or "").endswith("_militia")


def _as_militia(m: ActorMention | None, d: ActorDictionary) -> ActorMention | None:
    if m is None or m.role != "civilians":
        return m
    role = d.militia_of(m.text)
    return replace(m, role=role, name=None) if role else m


def _resolve_generic(m: ActorMention | None, d: ActorDictionary, country: str | None) -> ActorMention | None:
    """A generic phrase becomes the actor of the event's country ("gunmen" -> UAG (Mali))."""
    if m is None or m.name or not m.role:
        return m
    actor = d.generic(m.role, country)
    if actor is None:
        return None
    return replace(m, name=actor.name, inter=actor.inter, country=actor.country)


def _event_country(article: Article, place: PlaceMention | None, settings: Settings,
                   d: ActorDictionary, sent=None) -> str | None:
    """The country that names the event's generic actors ("gunmen" -> UAG (Mali)).

    The place's country, unless the analyst watches other countries (--country) and the text
    never names that one: a village the gazetteer places abroad (a namesake in India or
    Honduras) does not move the event out of the country the article is about."""
    country = place.place.country if place and place.place else None
    focus = tuple(settings.focus_countries or ())
    if country and focus and country not in focus and country not in _named_countries(article, d):
        return focus[0]
    if country and focus and country not in focus and sent is not None and \
            any(p.place and p.place.country in focus and sent.start_char <= p.start < sent.end_char
                for p in article.places):
        # "a truck leaving Gao for Ayorou, Niger": a place of the watched country in the same
        # sentence; the foreign one is where people came from or were going
        return next(p.place.country for p in article.places if p.place and p.place.country in focus
                    and sent.start_char <= p.start < sent.end_char)
    return country or _article_country(article, settings)


def _named_countries(article: Article, d: ActorDictionary) -> set[str]:
    """Countries the article names, by name or demonym ("Niger", "Nigerien")."""
    named = set()
    for ent in article.doc.ents if article.doc is not None else ():
        after = article.doc[ent.end:ent.end + 1].text.lower() if ent.end < len(article.doc) else ""
        before = article.doc[max(0, ent.start - 2):ent.start].text.lower()
        if after in ("river", "basin", "delta", "border") or before.endswith(("border with", "river")):
            continue  # "the Niger river", "the border with Burkina Faso" place nothing abroad
        if ent.label_ in ("GPE", "NORP", "LOC"):
            iso = d.country_of_name(ent.text.removeprefix("the ").strip())
            if iso:
                named.add(iso)
    return named


def _article_country(article: Article, settings: Settings) -> str | None:
    """The country most of the article's places lie in, else the first focus country."""
    counts: dict[str, int] = {}
    for p in article.places:
        if p.place and p.place.country:
            counts[p.place.country] = counts.get(p.place.country, 0) + 1
    if counts:
        return max(counts, key=counts.get)
    return settings.focus_countries[0] if settings.focus_countries else None


def _property_only(token, actor2, fatalities, cues: dict) -> bool:
    """The trigger's object is property and nobody is reported harmed."""
    if actor2 is not None or (fatalities is not None and fatalities.best > 0):
        return False
    verb = token if token.pos_ in ("VERB", "AUX") else None
    objects = [c for c in (verb.children if verb is not None else ()) if c.dep_ in ("dobj", "nsubjpass")]
    objects += [c for v in ([verb] if verb is not None else []) for conj in v.children if conj.dep_ == "conj"
                for c in conj.children if c.dep_ == "dobj"]
    if not objects:
        return False
    targets = set(cues.get("property_targets") or ())
    return all(o.lemma_.lower() in targets for o in objects)


MILITARY_TARGETS = {"post", "camp", "base", "patrol", "convoy", "checkpoint", "checkpost", "check-point", "position", "barracks", "garrison",
                    "outpost", "vehicle", "unit", "detachment", "escort", "headquarters", "brigade", "gendarmerie",
                    "police station", "station", "soldier", "troop", "militant", "fighter", "jihadist", "rebel"}


def _riot(sent, trigger: Trigger, actor1, actor2, mentions: list[ActorMention], cues: dict):
    """A crowd that turns violent: (sub-event type, the crowd's mention, the other side) or None.

    A protest with burning tyres, barricades or stones is a violent demonstration; residents,
    youths or a mob who beat, lynch or clash with someone make mob violence (or a violent
    demonstration when they protest)."""
    crowd_words = set(cues.get("crowd_words") or ())
    crowds = [m for m in mentions if m.role in ("protesters", "rioters") or
              (m.role == "civilians" and not m.name and _head_lemma(m, sent) in crowd_words)]
    text = sent.text.lower()
    rioting = any(p in text for p in cues.get("riot_phrases") or ())
    protesting = trigger.event_type == "Protests" or any(t.lemma_.lower() in (cues.get("protest_words") or ())
                                                         for t in sent)
    if not crowds and protesting and trigger.event_type in VIOLENT and "clash" in text:
        # "miners staged a violent protest that led to clashes with security forces": the
        # unnamed side that faces the state's forces is the crowd
        sides = [m for m in (actor1, actor2) if m is not None]
        if any(_state_force(m) for m in sides):
            crowds = [m for m in sides if not _state_force(m) and not m.name][:1] or \
                [m for m in (_protesting_subject(sent, cues),) if m is not None]
    if not crowds and rioting and trigger.event_type == "Protests" and actor1 is not None and \
            actor1.role in ("protesters", "rioters", "civilians") and not actor1.name:
        crowds = [actor1]   # "young men ransacked bars during a protest": who protests is the crowd
    if not crowds:
        return None
    crowd = next((m for m in (actor1, actor2) if m in crowds), None) or \
        next((m for m in crowds if m.source == "protest_subject"), None)
    if trigger.event_type in ("Protests", "Riots"):
        if not rioting and trigger.event_type == "Protests":
            return None
        crowd = crowd or crowds[0]
    elif trigger.event_type in VIOLENT or trigger.sub_event_type == "Looting/property destruction":
        # the crowd must riot: burn, ransack or lynch as the first side, or clash with the police
        other = actor2 if crowd is actor1 else actor1 or actor2
        clash = crowd is not None and "clash" in text and other is not None and _state_force(other)
        if not clash and (crowd is not actor1 or not rioting):
            return None
    else:
        return None
    other = actor2 if crowd is actor1 else actor1 or actor2
    if other is not None and other in crowds:
        other = None
    return ("Violent demonstration" if protesting else "Mob violence"), crowd, other


def _protesting_subject(sent, cues: dict) -> ActorMention | None:
    """ "opposition supporters protested", "miners staged a protest": who protests, as a crowd."""
    words = set(cues.get("protest_words") or ())
    for t in sent:
        verb = t if t.pos_ == "VERB" else t.head
        if t.lemma_.lower() in words:
            subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN")), None)
            if subject is not None:
                span = sent.doc[subject.left_edge.i:subject.i + 1]
                return ActorMention(span.start_char, span.end_char, span.text, None, None, None,
                                    role="protesters", source="protest_subject", confidence=0.6)
    return None


def _state_force(m: ActorMention) -> bool:
    return m.inter == 1 or (m.inter is None and m.role in ("state_military", "state_police"))


def _head_lemma(m: ActorMention, sent) -> str:
    token = _first_token(m, sent)
    while token is not None and token.dep_ in ("compound", "amod", "nmod") and token.head is not token:
        token = token.head
    return token.lemma_.lower() if token is not None else ""


def _people_robbed(sent, mentions: list[ActorMention], cues: dict) -> bool:
    """Looting that takes from people: a civilian named in the sentence, or their vehicle or
    belongings ("seized the vehicle of a bank director", "stripped of their belongings")."""
    if any(m.role == "civilians" for m in mentions):
        return True
    words, taking = set(cues.get("personal_property") or ()), set(cues.get("taking_verbs") or ())
    return any(t.lemma_.lower() in words and (t.head.lemma_.lower() in taking or
                                              (t.head.dep_ == "prep" and t.head.head.lemma_.lower() in taking))
               for t in sent)


def _only_looted(sent, trigger, lexicon: Lexicon) -> bool:
    """The sentence tells things taken or burned and no one harmed (no wound, death, abduction or
    beating, no one fired on)."""
    looted = harmed = False
    for t in sent:
        ids = {tr.id for tr in lexicon.by_lemma.get(t.lemma_.lower(), ())}
        if t.i == trigger.i:
            ids -= {"attack"}  # "people were assaulted": the trigger itself may tell a beating
        if "looting" in ids and t.pos_ == "VERB":
            looted = True
        if ids & {"killing", "abduction", "beating", "massacre", "assassination", "sexual_violence"} or \
                t.lemma_.lower() in ("die", "dead", "fire", "shoot", "casualty", "victim"):
            harmed = True
    return looted and not harmed


def _same_side(a: ActorMention, b: ActorMention, d: ActorDictionary) -> bool:
    """Two mentions of one side: the same actor once coded ("Katiba Serma (JNIM)" and "JNIM")."""
    if not a.name or not b.name:
        return False
    return d.coded(a.name, None)[0] == d.coded(b.name, None)[0]


def _lone_member(m: ActorMention, sent, cues: dict) -> bool:
    """ "abducted a gendarme", "shot dead the MSA deputy chief of staff", "a sergeant of the
    gendarmerie": one person of an armed side, named by a singular noun or title."""
    token = _first_token(m, sent)
    if token is None:
        return False
    last = next((t for t in reversed(list(sent)) if t.idx < m.end), token)
    head = last if last.i >= token.i else token
    while head.dep_ in ("compound", "amod", "nmod", "poss") and head.head is not head and head.head.i > head.i:
        head = head.head
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ in ("NOUN", "PROPN"):
        head = head.head.head  # "a desk sergeant of the gendarmerie"
    titles = set(cues.get("member_titles") or ())
    if head.tag_ not in ("NN", "NNP") or head.lemma_.lower() not in titles:
        return False
    return not any(c.dep_ == "nummod" and c.lower_ not in ("one", "1") for c in head.children)


def _victim_nationality(sent, trigger, victim: ActorMention, d: ActorDictionary, country: str,
                        cues: dict) -> str | None:
    """The nationality of the civilians harmed, when the text gives one other than the event's
    country: an ISO code, "International" (an international body's staff or several
    nationalities), or None. Read in the victims' phrase: the civilians' mention, else what the
    trigger's verb acts on."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else \
        next((t for t in trigger.ancestors if t.pos_ in ("VERB", "AUX")), trigger)
    heads = [t for t in sent if victim.end > victim.start and victim.start <= t.idx < victim.end]
    heads = [h for h in heads if not (h.head.i != h.i and victim.start <= h.head.idx < victim.end)][:1]
    heads += [c for v in [verb, *[c for c in verb.children if c.dep_ == "conj"]] for c in v.children
              if c.dep_ in ("dobj", "nsubjpass")]
    heads += [c for c in trigger.children if c.dep_ == "prep" and c.lower_ in ("on", "against", "of")]
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        heads.append(verb.head)   # "60 Nigerien herders killed in ...": the noun the verb describes
    words = [w for h in heads for w in _phrase(h)]
    if not words:
        return None
    text = " " + " ".join(w.lower_ for w in sorted(words, key=lambda w: w.i)) + " "
    if any(f" {p} " in text for p in cues.get("international_civilians") or ()):
        return "International"
    # a demonym ("Nigerien herders", "a Colombian nun"), not a country's name ("trucks bound for Niger")
    found = {d.demonyms.get(w.lower_) for w in words if w.text[:1].isupper() and w.dep_ in ("amod", "compound", "nsubjpass",
                                                                                              "dobj", "pobj", "conj")}
    found = {iso for iso in found if iso and iso != country}
    if len(found) > 1:
        return "International"
    return found.pop() if found else None


def _only_heard(token) -> bool:
    """ "Three detonations were heard near Kidal", "two explosions south of Serma": a blast told only
    as heard or reported, or with no verb at all, hit nobody the text knows of."""
    if token.pos_ in ("VERB", "AUX"):
        return False
    verb = next((t for t in token.ancestors if t.pos_ in ("VERB", "AUX")), None)
    return verb is None or (verb.lemma_ in HEARD and token.dep_ in ("nsubj", "nsubjpass"))


def _public_property(sent, cues: dict) -> bool:
    """The sentence names property that serves the public: a school, a voting office, a clinic."""
    text = sent.text.lower()
    return any(p in text for p in cues.get("public_property") or ())


def _resisted(sent, cues: dict) -> bool:
    text = sent.text.lower()
    return any(p in text for p in cues.get("resistance_phrases") or ())


def _community_in(sent, d: ActorDictionary, actor1: ActorMention | None) -> str | None:
    """The militia of a community the sentence names outside the attacker ("the Fulani village")."""
    for t in sent:
        if actor1 is not None and actor1.start <= t.idx < actor1.end:
            continue
        role = d.militia_of(t.text)
        if role and (actor1 is None or actor1.role != role):
            return role
    return None


def _armed_target_in(sent, mentions: list[ActorMention], actor1: ActorMention | None) -> bool:
    """The sentence names an armed side besides the attacker, or a post, camp, patrol or soldiers."""
    if any(_armed(m) and (actor1 is None or m.name != actor1.name or m.role != actor1.role) for m in mentions):
        return True
    own = (actor1.start, actor1.end) if actor1 is not None and actor1.end > actor1.start else (0, 0)
    return any(t.lemma_.lower() in MILITARY_TARGETS - {"vehicle", "unit", "position", "station", "headquarters"}
               and not own[0] <= t.idx < own[1] and not _civilian_site(t) for t in sent)


def _military_target(sent, actor1: ActorMention | None = None) -> bool:
    """A post, camp, patrol or soldiers in the sentence, outside the attacker's own name ("JNIM
    militants")."""
    own = (actor1.start, actor1.end) if actor1 is not None and actor1.end > actor1.start else (0, 0)
    return any(t.lemma_.lower() in MILITARY_TARGETS - {"vehicle"} and not own[0] <= t.idx < own[1]
               and not _civilian_site(t) for t in sent)


CIVILIAN_SITE_WORDS = {"nomad", "nomadic", "refugee", "displaced", "idp", "herder", "herdsman", "pastoral", "pastoralist",
                       "cattle", "transhumance", "fishing", "fisherman", "mining", "gold", "market", "bus", "transport",
                       "passenger", "civilian", "commercial", "electoral", "campaign", "wedding", "family", "truck"}


def _civilian_site(token) -> bool:
    """ "a nomad camp", "a Dawsahak camp", "the convoy of the electoral campaign": a camp or
    convoy of civilians (a people's name or a civilian word beside it), not a military one."""
    if token.lemma_.lower() not in ("camp", "convoy", "position", "unit"):
        return False
    words = [c for c in token.children if c.dep_ in ("compound", "amod", "nmod")]
    words += [g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.subtree]
    return any(w.lemma_.lower() in CIVILIAN_SITE_WORDS or w.text.lower() in ETHNIC_CAMP_NAMES for w in words)


ETHNIC_CAMP_NAMES = {"fulani", "peul", "peulh", "tuareg", "touareg", "dawsahak", "daoussahak", "idaksahak", "imghad",
                     "bellah", "bella", "arab", "songhai", "songhay", "bozo", "dogon", "bambara", "tamasheq", "kel",
                     "moor", "haoussa", "hausa", "mossi", "ifoghas", "idnan", "chamanamas"}


def _context(token, sent, trigger: Trigger, cues: dict, when: DateSpan | None, published: date | None,
             actor1: ActorMention | None, settings: Settings) -> str | None:
    lemmas_up = [token] + list(token.ancestors)[:3]
    around = {t.lower_ for t in lemmas_up for t in list(t.children)} | {t.lemma_ for t in lemmas_up}
    if any(c.dep_ == "neg" for t in lemmas_up[:2] for c in t.children) or \
            any(t.lemma_ in cues["denial_verbs"] for t in lemmas_up[1:]):
        return "negated"
    if when is not None and when.rule != "publication_date" and \
            is_background(when, published, cues.get("background_days", settings.background_days)):
        return "historical"
    near = " ".join(t.lower_ for c in token.children if c.dep_ in ("npadvmod", "advmod", "prep", "advcl")
                    for t in c.subtree)
    if any(phrase in f" {near} " for phrase in cues["historical_phrases"]):
        return "historical"
    chain = [token] + list(token.ancestors)
    reported = any(t.lemma_ in REPORTING for t in chain[1:])
    if not reported and any(c.dep_ == "aux" and c.lower_ == "had" for t in chain for c in t.children):
        return "historical"  # "Wagner had been instrumental ... replacing French forces"
    if published is not None and (when is None or when.rule == "publication_date"):
        years = [int(t.text) for t in sent if t.like_num and len(t.text) == 4 and t.text.isdigit()
                 and 1900 < int(t.text) <= published.year]
        if years and max(years) <= published.year - 2:
            return "historical"  # "since the collapse of the 2015 accord"
    if actor1 is not None and published is not None:
        active = _active_years(actor1.name, settings)
        if active and published.year > active[1] + 1:
            return "historical"
    if any(t.lemma_ in cues["historical_marks"] for t in token.subtree if t.dep_ in ("advmod", "prep", "mark")) \
            and when is not None and when.rule != "publication_date":
        return "historical"
    aux = {c.lower_ for t in lemmas_up[:2] for c in t.children if c.dep_ in ("aux", "auxpass")}
    if aux & set(cues["hypothetical_aux"]) or around & set(cues["hypothetical_marks"]) or \
            any(t.lemma_ in cues["hypothetical_verbs"] and t.dep_ != "ROOT" or
                (t.lemma_ in cues["hypothetical_verbs"] and t is not token and token.dep_ == "xcomp")
                for t in lemmas_up[1:2]):
        return "hypothetical"
    if not trigger.announcement:
        text = sent.text.lower()
        if aux & set(cues["future_aux"]) or any(p in text for p in cues["future_phrases"]):
            return "future"
    return None


def _active_years(name: str | None, settings: Settings) -> tuple[int, int] | None:
    if not name:
        return None
    actor = load_dictionary(tuple(settings.actor_files)).actors.get(name)
    return actor.active if actor else None


# --- merging sentences of one article ------------------------------------------------------


def _same_event(a: Event, b: Event) -> bool:
    if a.context != b.context:
        return False
    if a.event_type != b.event_type and not {a.event_type, b.event_type} <= {"Battles", "Violence against civilians",
                                                                           "Explosions/Remote violence"}:
        return False
    pa = a.place.place if a.place else None
    pb = b.place.place if b.place else None
    if pa and pb and (pa.name != pb.name) and _km(pa, pb) > 50:
        return False
    if a.event_type == "Strategic developments" and (a.sub_event_type, a.plover_type) != (b.sub_event_type, b.plover_type):
        return False
    if a.actor1 and b.actor1 and a.actor1.name != b.actor1.name and not _compatible(a.actor1, b.actor1):
        return False
    names_a = {m.name for m in (a.actor1, a.actor2) if m and m.name and m.source not in DEFAULTS}
    names_b = {m.name for m in (b.actor1, b.actor2) if m and m.name and m.source not in DEFAULTS}
    if names_a and names_b and not names_a & names_b and not (a.actor1 and b.actor1 and _compatible(a.actor1, b.actor1)):
        return False
    if a.date and b.date and a.date.rule != "publication_date" and b.date.rule != "publication_date" and \
            (a.date.end < b.date.start - timedelta(days=1) or b.date.end < a.date.start - timedelta(days=1)):
        return False
    return True


UNNAMED_ROLES = {"unidentified_armed_group", "islamist_militia"}


def _unidentified(m: ActorMention | None) -> bool:
    """An armed actor the text does not name ("gunmen", "jihadists")."""
    return m is not None and m.role in UNNAMED_ROLES


DEFAULTS = ("default_actor", "default_target")


def _compatible(a: ActorMention, b: ActorMention) -> bool:
    """ "Militants" in one sentence and "JNIM" in the next can be the same attackers; an
    attacker the text does not name ("the operation was initiated by an airstrike") can be anyone."""
    if a.source in DEFAULTS or b.source in DEFAULTS:
        return True
    return (_unidentified(a) and b.inter in (2, 3, 4)) or (_unidentified(b) and a.inter in (2, 3, 4))


def _km(a, b) -> float:
    from math import asin, cos, radians, sin, sqrt

    dlat, dlon = radians(b.latitude - a.latitude), radians(b.longitude - a.longitude)
    h = sin(dlat / 2) ** 2 + cos(radians(a.latitude)) * cos(radians(b.latitude)) * sin(dlon / 2) ** 2
    return 2 * 6371 * asin(sqrt(h))


def _merge_within_article(events: list[Event]) -> list[Event]:
    merged: list[Event] = []
    for event in events:
        target = next((m for m in merged if _same_event(m, event)), None)
        if target is None:
            merged.append(event)
            continue
        lead, other = (event, target) if event.priority > target.priority else (target, event)
        combined = replace(lead, sources=target.sources + event.sources)
        combined.actor1 = lead.actor1 or other.actor1
        if (_unidentified(combined.actor1) or combined.actor1.source in DEFAULTS) and other.actor1 \
                and not _unidentified(other.actor1) and other.actor1.source not in DEFAULTS:
            combined.actor1 = other.actor1
        combined.actor2 = lead.actor2 if lead.actor2 and lead.actor2.name != (combined.actor1.name if combined.actor1 else None) \
            and not (lead.actor2.source in DEFAULTS and other.actor2 and other.actor2.source not in DEFAULTS) \
            else other.actor2
        if combined.actor2 and combined.actor1 and combined.actor2.name == combined.actor1.name:
            combined.actor2 = None
        combined.place = _finer_place(lead.place, other.place)
        combined.date = _finer_date(lead.date, other.date)
        counts = [f for f in (lead.fatalities, other.fatalities) if f is not None]
        combined.fatalities = merge_counts(counts) if counts else None
        combined.confidence = max(lead.confidence, other.confidence)
        merged[merged.index(target)] = combined
    return merged


def _finer_place(a, b):
    if a is None or a.place is None:
        return b or a
    if b is None or b.place is None:
        return a
    return a if a.place.geo_precision <= b.place.geo_precision else b


def _finer_date(a: DateSpan | None, b: DateSpan | None) -> DateSpan | None:
    if a is None or a.rule == "publication_date":
        return b or a
    if b is None or b.rule == "publication_date":
        return a
    return a if a.precision <= b.precision else b
