"""Events as flat records: the database row, and the JSON object every export starts from."""

from __future__ import annotations

from .actors import load_dictionary
from .document import Article, Event


def country_name(iso: str | None) -> str | None:
    country = load_dictionary().countries.get(iso or "")
    return country.acled_name if country else None


def _coded(mention, year: int | None) -> tuple[str | None, str | None]:
    if mention is None or not mention.name:
        return None, None
    return load_dictionary().coded(mention.name, year)


def summary(event: Event) -> str:
    """A one-sentence note: the clearest source sentence, on one line."""
    sentence = max(event.sources, key=lambda s: len(s.sentence) if len(s.sentence) < 400 else 0).sentence
    return " ".join(sentence.split())


def _event_date(when) -> str | None:
    """ACLED's event_date: the day; for a run of days the text names ("11-12 December"), its
    first day, as ACLED codes them; for a vaguer span (a week, a month), its last day."""
    if when is None:
        return None
    first = when.precision == 1 or (when.rule or "").endswith("calendar:day-range")
    return (when.start if first else when.end).isoformat()


def event_rows(article: Article, event: Event, event_id: str) -> tuple[dict, list[dict]]:
    place = event.place.place if event.place else None
    when, deaths = event.date, event.fatalities
    year = when.start.year if when else None
    actor1, assoc1 = _coded(event.actor1, year)
    actor2, assoc2 = _coded(event.actor2, year)
    row = {
        "id": event_id, "article_id": article.id,
        "event_date": _event_date(when),
        "date_start": when.start.isoformat() if when else None, "date_end": when.end.isoformat() if when else None,
        "time_precision": min(when.precision, 3) if when else None,
        "date_text": when.text if when else None, "date_rule": when.rule if when else None,
        "event_type": event.event_type, "sub_event_type": event.sub_event_type,
        "plover_type": event.plover_type, "plover_mode": event.plover_mode,
        "actor1": actor1,
        "assoc_actor_1": "; ".join(dict.fromkeys([*([assoc1] if assoc1 else []), *event.assoc_actor_1])) or None,
        "inter1": event.actor1.inter if event.actor1 else None,
        "actor2": actor2,
        "assoc_actor_2": "; ".join(dict.fromkeys([*([assoc2] if assoc2 else []), *event.assoc_actor_2])) or None,
        "inter2": event.actor2.inter if event.actor2 else None,
        "country": country_name(place.country) if place else None, "iso": place.country if place else None,
        "admin1": place.admin1 if place else None, "admin2": place.admin2 if place else None,
        "location": place.name if place else None,
        "latitude": place.latitude if place else None, "longitude": place.longitude if place else None,
        "geo_precision": place.geo_precision if place else None,
        "geonames_id": place.geonames_id if place else None,
        "place_rule": event.place.rule if event.place else None,
        "fatalities": deaths.best if deaths else 0,
        "fatalities_low": deaths.low if deaths else 0, "fatalities_high": deaths.high if deaths else 0,
        "fatalities_text": deaths.text if deaths else None,
        "fatalities_rule": deaths.rule if deaths else None,
        "notes": summary(event), "confidence": event.confidence, "context": event.context,
    }
    sources = [{"event_id": event_id, "article_id": s.article_id, "sentence": s.sentence, "start": s.start,
                "end": s.end, "raw_start": s.raw_start, "raw_end": s.raw_end, "trigger": s.trigger,
                "trigger_start": s.trigger_start, "trigger_end": s.trigger_end, "rule": s.rule}
               for s in event.sources]
    return row, sources
