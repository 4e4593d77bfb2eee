"""Event dates: expressions resolved against the publication date, and a sentence's event date."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sitrep.dates import (date_words, is_background, is_past, parse_date_words, resolve_date,
                          sentence_date, years_before)
from sitrep.document import DateSpan
from sitrep.nlp import build_nlp
from sitrep.settings import data_path, load_settings

WED = datetime(2025, 6, 4, 9, 30)       # a Wednesday morning
MON_JAN = date(2025, 1, 6)              # a Monday early in the year


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(load_settings())


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize("expression, published, start, end, precision, rule", [
    # weekdays: the latest such day on or before publication
    ("on Monday", WED, "2025-06-02", "2025-06-02", 1, "weekday"),
    ("Monday", WED, "2025-06-02", "2025-06-02", 1, "weekday"),
    ("Sunday night", WED, "2025-06-01", "2025-06-01", 1, "weekday"),
    ("late on Saturday", WED, "2025-05-31", "2025-05-31", 1, "weekday"),
    ("on Tuesday morning", WED, "2025-06-03", "2025-06-03", 1, "weekday"),
    ("Wednesday", WED, "2025-06-04", "2025-06-04", 1, "weekday"),          # the publication day
    ("last Wednesday", WED, "2025-05-28", "2025-05-28", 1, "weekday:last"),
    ("Friday", MON_JAN, "2025-01-03", "2025-01-03", 1, "weekday"),
    # days relative to publication
    ("yesterday", WED, "2025-06-03", "2025-06-03", 1, "relative:yesterday"),
    ("yesterday evening", WED, "2025-06-03", "2025-06-03", 1, "relative:yesterday"),
    ("the day before yesterday", WED, "2025-06-02", "2025-06-02", 1, "relative:the-day-before-yesterday"),
    ("last night", WED, "2025-06-03", "2025-06-04", 1, "relative:overnight"),
    ("overnight", WED, "2025-06-03", "2025-06-04", 1, "relative:overnight"),
    ("two days ago", WED, "2025-06-02", "2025-06-02", 1, "ago:days"),
    ("on the night of Saturday to Sunday", WED, "2025-05-31", "2025-06-01", 1, "night-of:weekdays"),
    ("the night of 31 May to 1 June", WED, "2025-05-31", "2025-06-01", 1, "night-of:dates"),
    # weeks: precision 2
    ("earlier this week", WED, "2025-06-02", "2025-06-04", 2, "week:this"),
    ("last week", WED, "2025-05-26", "2025-06-01", 2, "week:last"),
    ("late last week", WED, "2025-05-29", "2025-06-01", 2, "week:last:late"),
    ("last week", MON_JAN, "2024-12-30", "2025-01-05", 2, "week:last"),
    ("over the weekend", WED, "2025-05-31", "2025-06-01", 2, "weekend"),
    ("three weeks ago", WED, "2025-05-12", "2025-05-18", 2, "ago:weeks"),
    ("a few days ago", WED, "2025-05-28", "2025-06-02", 2, "ago:days-vague"),
    ("in recent days", WED, "2025-05-28", "2025-06-04", 2, "recent:recent-days"),
    ("3-4 May", WED, "2025-05-03", "2025-05-04", 2, "calendar:day-range"),
    # months, parts of years, years: precision 3
    ("this month", WED, "2025-06-01", "2025-06-04", 3, "month:this"),
    ("last month", WED, "2025-05-01", "2025-05-31", 3, "month:last"),
    ("last month", MON_JAN, "2024-12-01", "2024-12-31", 3, "month:last"),
    ("early last month", WED, "2025-05-01", "2025-05-10", 3, "month:last:early"),
    ("late May", WED, "2025-05-21", "2025-05-31", 3, "month-part:late"),
    ("June 2025", WED, "2025-06-01", "2025-06-04", 3, "month"),
    ("in March", WED, "2025-03-01", "2025-03-31", 3, "month"),
    ("in July", WED, "2024-07-01", "2024-07-31", 3, "month"),            # no July yet in 2025
    ("last June", WED, "2024-06-01", "2024-06-30", 3, "month:last"),
    ("late 2021", WED, "2021-09-01", "2021-12-31", 3, "year-part:late"),
    ("early 2024", WED, "2024-01-01", "2024-04-30", 3, "year-part:early"),
    ("mid-2023", WED, "2023-05-01", "2023-08-31", 3, "year-part:mid"),
    ("in 2021", WED, "2021-01-01", "2021-12-31", 3, "year"),
    ("last year", WED, "2024-01-01", "2024-12-31", 3, "year:last"),
    ("earlier this year", WED, "2025-01-01", "2025-06-04", 3, "year:this"),
    ("three years ago", WED, "2022-01-01", "2022-12-31", 3, "ago:years"),
    ("since 2012", WED, "2012-01-01", "2025-06-04", 3, "since:year"),
    ("since the start of the year", WED, "2025-01-01", "2025-06-04", 3, "since:year:this:the-start-of"),
    # calendar days: dateparser, past preferred
    ("on 3 May", WED, "2025-05-03", "2025-05-03", 1, "calendar:day"),
    ("May 3", WED, "2025-05-03", "2025-05-03", 1, "calendar:day"),
    ("3 May 2024", WED, "2024-05-03", "2024-05-03", 1, "calendar:day"),
    ("on December 28", MON_JAN, "2024-12-28", "2024-12-28", 1, "calendar:day"),
    ("Tuesday, June 3", WED, "2025-06-03", "2025-06-03", 1, "calendar:day"),
])
def test_resolve_date(expression, published, start, end, precision, rule):
    span = resolve_date(expression, published)
    assert span is not None, expression
    assert (span.start, span.end, span.precision, span.rule) == (d(start), d(end), precision, rule)
    assert span.text == expression


@pytest.mark.parametrize("expression", [
    "next week", "tomorrow", "later this month",        # the future is no event date
    "for two years", "40-year-old", "every day", "months", "decade",   # durations and ages
    "Between 30 and 50", "70", "Friday prayers", "",     # numbers the model calls dates
])
def test_unresolvable_expressions(expression):
    assert resolve_date(expression, WED) is None


def test_without_a_publication_date_only_absolute_dates_resolve():
    assert resolve_date("3 May 2024", None).start == date(2024, 5, 3)
    assert resolve_date("late 2021", None).start == date(2021, 9, 1)
    for relative in ("Monday", "yesterday", "last week", "3 May", "June"):
        assert resolve_date(relative, None) is None, relative


def test_a_date_and_a_datetime_publication_agree():
    assert resolve_date("on Monday", WED) == resolve_date("on Monday", WED.date())


@pytest.mark.parametrize("sentence, start, precision, text", [
    ("Gunmen on motorbikes attacked a checkpoint outside Gao overnight, the army said.",
     "2025-06-03", 1, "overnight"),
    ("A convoy of fuel tankers was ambushed near Boni on the night of Saturday to Sunday.",
     "2025-05-31", 1, "the night of Saturday to Sunday"),
    ("The 40-year-old village chief of Tessit was shot dead on Monday.",
     "2025-06-02", 1, "Monday"),
    ("JNIM has besieged the town for two years, and on 3 May its fighters cut the last road out.",
     "2025-05-03", 1, "3 May"),
    ("Earlier this week, a drone struck a wedding party in Tin Zaouaten.",
     "2025-06-02", 2, "Earlier this week"),
    ("The army said on Wednesday that it had killed dozens of militants near Djibo last week.",
     "2025-05-26", 2, "last week"),
    ("The junta said on Tuesday that it was leaving the regional bloc.",       # the announcement is the event
     "2025-06-03", 1, "Tuesday"),
    ("The camp, first overrun in 2019, was attacked again on Sunday.",
     "2025-06-01", 1, "Sunday"),
    ("The group has killed civilians in the area since 2012, and on Friday it burned the market.",
     "2025-05-30", 1, "Friday"),
    ("The junta seized power in late 2021 after a second coup in Bamako.",
     "2021-09-01", 3, "late 2021"),
    ("Officials in Niamey ended the 2015 peace accord yesterday.",          # "2015" qualifies the accord
     "2025-06-03", 1, "yesterday"),
])
def test_sentence_date(nlp, sentence, start, precision, text):
    sent = next(nlp(sentence).sents)
    span = sentence_date(sent, WED)
    assert span is not None, sentence
    assert (span.start, span.precision, span.text) == (d(start), precision, text)


@pytest.mark.parametrize("sentence", [
    "Soldiers have patrolled the road to Ménaka every day for months.",
    "Between 30 and 50 villagers were killed in the ambush near Arbinda.",
    "The decade-long insurgency has driven two million people from their homes.",
    "Talks between the junta and the rebels are planned for next week in Niamey.",
])
def test_sentence_without_an_event_date(nlp, sentence):
    assert sentence_date(next(nlp(sentence).sents), WED) is None


def test_sentence_date_offsets_are_in_the_doc(nlp):
    doc = nlp("Markets reopened in Gao. The convoy was ambushed near Boni on Thursday, residents said.")
    second = list(doc.sents)[1]
    span = sentence_date(second, WED)
    assert span.start == date(2025, 5, 29) and span.text == "Thursday"


def test_background_helpers():
    old = resolve_date("in 2015", WED)
    assert years_before(old, WED) == pytest.approx(9.43, abs=0.01)
    assert is_past(old, WED) and is_background(old, WED)
    recent = resolve_date("on Monday", WED)
    assert is_past(recent, WED) and not is_background(recent, WED)
    assert years_before(recent, WED) < 0.01
    today = resolve_date("this morning", WED)
    assert not is_past(today, WED) and years_before(today, WED) == 0.0
    since = resolve_date("since 2012", WED)
    assert is_background(since, WED) and years_before(since, WED) == 0.0
    assert not is_past(DateSpan(date(2025, 1, 1), date(2025, 1, 1), 1, "x", "y"), None)


def test_date_words_are_validated():
    path = data_path("events", "date_words.yaml")
    assert "say" in date_words().reporting_verbs
    import yaml
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    data["reporting_verbs"] = ["say", "  "]
    with pytest.raises(ValueError, match="empty entry"):
        parse_date_words(data, path)
    data["reporting_verbs"] = []
    with pytest.raises(ValueError, match="non-empty"):
        parse_date_words(data, path)


@pytest.mark.parametrize("sentence, start, precision, text", [
    # an approximate day is the day
    ("Around May 24, gunmen abducted three traders near Tenenkou.", "2025-05-24", 1, "May 24"),
    # a date entity the model ran on past a comma into a name
    ("On May 26, Dozos attacked a group of herders near Bankass.", "2025-05-26", 1, "May 26"),
    # a month and a day split by a comma
    ("The group claimed the attack on May, 25.", "2025-05-25", 1, "May, 25"),
    # a date inside a clause that describes the victims gives way to the main clause's
    ("Five men arrested by the militia last Saturday were found executed yesterday.",
     "2025-06-03", 1, "yesterday"),
])
def test_sentence_date_repairs(nlp, sentence, start, precision, text):
    span = sentence_date(next(nlp(sentence).sents), WED)
    assert span is not None, sentence
    assert (span.start, span.precision, span.text) == (d(start), precision, text)


@pytest.mark.parametrize("expression, start", [
    ("Around May 24", "2025-05-24"),
    ("on or about 3 May", "2025-05-03"),
    ("about two weeks ago", "2025-05-19"),
])
def test_approximate_expressions_resolve(expression, start):
    span = resolve_date(expression, WED)
    assert span is not None and span.start == d(start), (expression, span)
