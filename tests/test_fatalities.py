"""Fatalities: ACLED's conservative count of the deaths a sentence reports."""

from __future__ import annotations

import pytest
import yaml

from sitrep.document import Fatalities
from sitrep.fatalities import count_fatalities, fatality_words, merge_counts, parse_number, parse_words
from sitrep.nlp import build_nlp
from sitrep.settings import data_path, load_settings


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(load_settings())


def first_sentence(nlp, text: str):
    return next(nlp(text).sents)


@pytest.mark.parametrize("sentence, best, low, high, rule, words", [
    # numbers written as digits or words, tied to the death word by the parse
    ("At least 30 soldiers were killed when gunmen stormed an army post near Djibo on Monday.",
     30, 30, 30, "count:at-least@passive-subject", "At least 30 soldiers were killed"),
    ("Suspected jihadists raided a mosque in Tillabéri, killing 44 worshippers at evening prayers.",
     44, 44, 44, "count:number@object", "killing 44 worshippers"),
    ("More than 60 people died in the assault on the camp at Boulkessi.",
     60, 60, 60, "count:more-than@died", "More than 60 people died"),
    ("Over 30 gendarmes were killed, including 12 officers.",               # a breakdown is not added
     30, 30, 30, "count:more-than@passive-subject", "Over 30 gendarmes were killed"),
    ("Up to 40 herders may have died in the raid near Ansongo.",
     40, 40, 40, "count:up-to@died", "Up to 40 herders may have died"),
    ("Gunmen massacred twenty-five villagers in the commune of Solenzo.",
     25, 25, 25, "count:number@object", "massacred twenty-five villagers"),
    ("Two hundred people were killed in the raids on the villages, officials said.",
     200, 200, 200, "count:number@passive-subject", "Two hundred people were killed"),
    ("A dozen soldiers died in the ambush on the road to Tessit.",
     12, 12, 12, "count:dozen@died", "A dozen soldiers died"),
    # death nouns, tolls, "left dead", "lost their lives"
    ("The death toll from the attack on the convoy rose to 70, a local official said.",
     70, 70, 70, "count:number@toll", "rose to 70"),
    ("The explosion left 21 civilians dead and dozens wounded in the market at Kaya.",
     21, 21, 21, "count:number@left-dead", "left 21 civilians dead"),
    ("Residents counted 30 dead after the raid on Seytenga.",
     30, 30, 30, "count:number@death-noun", "30 dead"),
    ("Twelve passengers lost their lives when the bus hit a landmine near Bandiagara.",
     12, 12, 12, "count:number@lost-lives", "Twelve passengers lost their lives"),
    ("The bodies of 12 herders were found near a well outside Ménaka.",
     12, 12, 12, "count:number@of-death-noun", "bodies of 12 herders"),
    ("The attack claimed the lives of 30 civilians, according to the UN.",   # not a claim
     30, 30, 30, "count:number@lives-of", "claimed the lives of 30 civilians"),
    ("Fighters beat 3 men to death in the market at Arbinda.",
     3, 3, 3, "count:number@to-death", "beat 3 men to death"),
    ("The army lost 17 soldiers in the fighting around Léré.",
     17, 17, 17, "count:number@lost", "lost 17 soldiers"),
    # killed and wounded together: only the dead count
    ("At least 30 killed and 20 wounded in twin attacks in northern Burkina Faso.",
     30, 30, 30, "count:at-least@headline", "At least 30 killed"),
    ("The militants killed 5 and wounded 12 in the raid on Dori.",
     5, 5, 5, "count:number@object", "killed 5"),
    # ranges: best = low = the lower figure
    ("Between 30 and 50 people were killed in the ambush, according to residents.",
     30, 30, 50, "count:range@passive-subject", "Between 30 and 50 people were killed"),
    ("Two or three civilians were killed by a stray shell in Gao.",
     2, 2, 3, "count:range@passive-subject", "Two or three civilians were killed"),
    # separate groups add up
    ("The attackers rode in on motorcycles, killing 10 soldiers and 5 civilians.",
     15, 15, 15, "count:sum(number@object + number@object)", "killing 10 soldiers and 5 civilians"),
    ("Ten soldiers were killed and three civilians died in a separate attack in Arbinda.",
     13, 13, 13, "count:sum(number@passive-subject + number@died)", "Ten soldiers were killed and three civilians died"),
    ("Gunmen killed 6 gendarmes and a civilian at a checkpoint near Sebba.",
     7, 7, 7, "count:sum(number@object + singular@object)", "killed 6 gendarmes and a civilian"),
    ("Some 50 gunmen killed 3 villagers near Ayorou.",                        # the attackers are not added
     3, 3, 3, "count:number@object", "killed 3 villagers"),
    # a breakdown of a figure is not added to it
    ("The strike killed 12 people, eight children and four women, residents said.",
     12, 12, 12, "count:number@object+breakdown", "killed 12 people"),
    ("Three civilians, two women and a child, died when the shell hit their home.",
     3, 3, 3, "count:number@died+breakdown", None),
    ("The blast killed two people, 1 soldier and 1 trader.",
     2, 2, 2, "count:number@object", "killed two people"),
    # the same deaths told twice in one sentence: the lower figure
    ("Local sources put the toll at 45, while the army said 12 soldiers died.",
     12, 12, 45, "count:conservative(2 reports; number@toll | number@died)", None),
    ("Thirty soldiers were killed on Monday; the army said 30 soldiers died in the ambush.",
     30, 30, 30, "count:conservative", None),
    # vague words with ACLED's values
    ("Dozens of civilians were killed in the air strike on the market.",
     12, 12, 12, "vague:acled:dozens=12@passive-subject", "Dozens of civilians were killed"),
    ("Hundreds of people have been killed in the region since January.",
     100, 100, 100, "vague:acled:hundreds=100@passive-subject", "Hundreds of people have been killed"),
    ("Tens of villagers were slaughtered by the militia.",
     10, 10, 10, "vague:acled:tens=10@passive-subject", "Tens of villagers were slaughtered"),
    ("Several soldiers were killed and others wounded in the blast.",
     10, 10, 10, "vague:acled:vague-plural=10@passive-subject", "Several soldiers were killed"),
    ("A number of civilians were killed when the drone struck the fair.",
     10, 10, 10, "vague:acled:vague-plural=10@passive-subject", "A number of civilians were killed"),
    ("Scores of villagers were massacred by militants near Bankass.",
     20, 20, 20, "vague:sitrep:scores=20 (one score)@passive-subject", "Scores of villagers were massacred"),
    # claims are returned, marked
    ("The army claimed to have killed thousands of militants since 2015.",
     1000, 1000, 1000, "vague:acled:thousands=1000@object:claim", "killed thousands"),
    # no number: one named victim, or a bare plural (ACLED's plural value)
    ("The 40-year-old mayor of Djibo was killed on Saturday.",               # the age is no count
     1, 1, 1, "count:singular@passive-subject", "The 40-year-old mayor of Djibo was killed"),
    ("The gunmen shot dead the village chief and his son.",
     2, 2, 2, "count:sum(singular@left-dead + singular@left-dead)", "shot dead the village chief and his son"),
    ("Soldiers were killed when their convoy struck an explosive device.",
     10, 10, 10, "plural:acled:vague-plural=10@passive-subject", "Soldiers were killed"),
    # nobody died
    ("No one was killed in the attack on the town hall, the governor said.",
     0, 0, 0, "none:no-passive-subject", "No one was killed"),
    ("There were no casualties among the troops.",
     0, 0, 0, "none:no-casualty", "no casualties"),
])
def test_count_fatalities(nlp, sentence, best, low, high, rule, words):
    f = count_fatalities(first_sentence(nlp, sentence))
    assert f is not None, sentence
    assert (f.best, f.low, f.high) == (best, low, high), f
    assert f.rule.startswith(rule), f.rule
    if words is not None:
        assert f.text == words
    assert sentence[f.start:f.end] == f.text


@pytest.mark.parametrize("sentence", [
    "Some 50 gunmen on motorbikes attacked the town of Seytenga at dawn.",   # attackers
    "Kidnappers abducted 20 women gathering firewood near Arbinda.",         # kidnapped
    "The 12-year insurgency has forced 2 million people from their homes.",  # years, displaced
    "Gunmen killed 200 head of cattle and burned granaries in the village.",  # not people
    "The 2015 accord signed in Algiers between the government and the armed groups of the north "
    "has been all but dead since the fighting resumed.",                   # a year, and no person
    "The soldiers were not killed but taken hostage, the ministry said.",    # negated
    "Around 3 a.m., some 40 fighters crossed the river near Ayorou.",        # time, attackers
    "The attack on the convoy killed 5% of the unit's vehicles.",            # percent
    "Police arrested 14 suspects in Niamey on Tuesday.",
])
def test_no_deaths_reported(nlp, sentence):
    assert count_fatalities(first_sentence(nlp, sentence)) is None


@pytest.mark.parametrize("sentence, words", [
    ("Eight soldiers were wounded in the clash, the army said.", "Eight soldiers were wounded"),
    ("Thirteen other people were injured.", "Thirteen other people were injured"),
])
def test_wounded_only_gives_zero(nlp, sentence, words):
    f = count_fatalities(first_sentence(nlp, sentence))
    assert (f.best, f.low, f.high) == (0, 0, 0)
    assert f.rule.startswith("wounded-only:") and f.text == words


def test_offsets_are_in_the_docs_text(nlp):
    doc = nlp("Markets stayed shut in Gao on Sunday. "
              "Gunmen killed nine traders on the road to Bourem, residents said.")
    second = list(doc.sents)[1]
    f = count_fatalities(second)
    assert f.best == 9
    assert doc.text[f.start:f.end] == f.text == "killed nine traders"
    assert second.start_char <= f.start < f.end <= second.end_char


def test_a_headline_glued_to_its_paragraph_is_not_added(nlp):
    # spaCy may read a title and the first paragraph as one sentence: the two figures are two
    # reports of the same deaths, so the lower one counts, not the sum
    # (here "three days" would otherwise be read as the subject of "were killed")
    doc = nlp("Jihadists kill 30 soldiers in raid on army camp in central Mali\n\n"
              "The government blames JNIM and declares three days of national mourning\n\n"
              "Thirty soldiers were killed on Sunday when fighters overran the camp at Diafarabé.")
    counts = [c for c in map(count_fatalities, doc.sents) if c is not None]
    assert counts and all(c.best == 30 for c in counts), counts


@pytest.mark.parametrize("words, value", [
    (["30"], 30), (["1,200"], 1200), (["twenty", "-", "five"], 25), (["two", "hundred"], 200),
    (["one", "hundred", "and", "twenty"], 120), (["a", "dozen"], 12), (["two", "dozen"], 24),
    (["1.5", "million"], 1500000), (["Thirty"], 30), (["soldiers"], None), ([], None),
])
def test_parse_number(words, value):
    assert parse_number(words) == value


def F(best, low=None, high=None, rule="count:number@object", start=0):
    low = best if low is None else low
    high = best if high is None else high
    return Fatalities(best, low, high, f"{best} killed", start, start + 9, rule)


@pytest.mark.parametrize("counts, best, low, high", [
    ([F(30), F(30, start=50)], 30, 30, 30),                          # one toll told twice: no sum
    ([F(30), F(45, rule="count:number@toll", start=50)], 30, 30, 45),
    ([F(12, rule="vague:acled:dozens=12@object"), F(37, start=40)], 37, 12, 37),  # a number beats a vague word
    ([F(10, rule="plural:acled:vague-plural=10@object"), F(3, start=40)], 3, 3, 3),
    ([F(0, rule="wounded-only:number@wounded"), F(8, start=40)], 8, 8, 8),
    ([F(0, rule="none:no-casualty"), F(5, start=40)], 5, 5, 5),
    ([F(30, 30, 50, rule="count:range@passive-subject"), F(42, start=60)], 30, 30, 50),
    ([F(0, rule="wounded-only:number@wounded")], 0, 0, 0),
])
def test_merge_counts(counts, best, low, high):
    merged = merge_counts(counts)
    assert (merged.best, merged.low, merged.high) == (best, low, high), merged


def test_merge_counts_keeps_the_chosen_report(nlp):
    sents = list(nlp("At least 25 soldiers were killed in the attack on the camp. "
                     "Security sources later put the toll at 40. "
                     "Dozens of soldiers were killed, the rebels said.").sents)
    merged = merge_counts([count_fatalities(s) for s in sents])
    assert (merged.best, merged.low, merged.high) == (25, 12, 40)
    assert merged.text == "At least 25 soldiers were killed" and "merge(3" in merged.rule
    with pytest.raises(ValueError):
        merge_counts([])


def test_fatality_words_are_validated():
    path = data_path("events", "fatality_words.yaml")
    assert "kill" in fatality_words().death_verbs
    assert fatality_words().vague_words["dozens"][0] == 12
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    broken = dict(data, death_verbs=["kill", ""])
    with pytest.raises(ValueError, match="empty entry"):
        parse_words(broken, path)
    broken = dict(data, vague_quantities=[{"words": ["dozens"], "value": 12, "rule": " "}])
    with pytest.raises(ValueError):
        parse_words(broken, path)
    broken = dict(data)
    del broken["wound_verbs"]
    with pytest.raises(ValueError, match="wound_verbs"):
        parse_words(broken, path)


@pytest.mark.parametrize("text, best", [
    ("A village chief assassinated by armed men near Ménaka.", 1),
    ("Councilman in Ansongo assassinated by presumed jihadists on motorbikes.", 1),
])
def test_headline_participles_name_one_dead(nlp, text, best):
    found = count_fatalities(list(nlp(text).sents)[0])
    assert found is not None and found.best == best, (text, found)


@pytest.mark.parametrize("sentence, best", [
    # "head" counts cattle only as a measure; alone it is a person
    ("Gunmen assassinated the head of a transport company in Boni on Tuesday.", 1),
    ("Raiders stole 200 head of cattle and killed two herders near Menaka.", 2),
    # the number stays with the victims when a group's name stands between them
    ("On May 2, three presumed Ansarul Islam militants were killed while in the process of planting "
     "a mine in the area of Djibo.", 3),
    # a count and a bare participle, as incident summaries write them
    ("On June 30, unknown gunmen attacked a bus near Tessit, at least one killed and one wounded.", 1),
    # the lemmatizer reads "corpses" as "corps"; lemma_fixes puts it right
    ("On March 19, the corpses of 32 people were found near Tin Hama.", 32),
])
def test_summary_style_tolls(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, found


@pytest.mark.parametrize("sentence, best", [
    # a count, then the result a few words on, as incident summaries write them
    ("A patrol vehicle hit a mine on the road north of Gao, 3 dead and 5 wounded.", 3),
    ("The outpost was overrun at dawn: 11 soldiers and 4 attackers dead, several wounded.", 15),
    ("5 traders, 2 drivers and 1 policeman dead after the raid on the market.", 8),
    ("The convoy was ambushed near Tessit, 7-9 killed, 2 wounded and 4 vehicles burned.", 7),
    ("Gunmen raided the camp at night, at least six herders were reported to have been killed.", 6),
    ("A checkpoint near Ansongo came under fire, 2 reported killed.", 2),
    ("Two Malian soldiers killed and 4 wounded as per local sources after the blast near Boni.", 2),
    ("One attacker dead.", 1),
    # one victim named without a number
    ("On May 9, gunmen killed an elderly Tuareg on the road to Anefis.", 1),
    ("Gunmen opened fire in the market and killed a retired National Guard.", 1),
    ("A notable of the Peul community was killed near Dioura.", 1),
    ("Unknown gunmen shot dead the deputy mayor of the commune outside his house.", 1),
    ("Unknown gunmen shot dead police officer Moussa Traore near the stadium.", 1),
    ("Treasurer of the local cooperative assassinated at his home in Tonka.", 1),
    ("Aid worker found dead after being abducted by armed men near Kidal.", 1),
    ("On June 2, soldiers killed and buried a herder in the bush near Sofara.", 1),
    ("A shepherd killed and a trader abducted by gunmen on motorbikes near Diafarabe.", 1),
    # a list whose middle item the parser takes for an apposition of the first
    ("A militia officer, a village chief and four others were killed when their car hit a mine.", 6),
    ("The mayor, a retired teacher, was killed at his home.", 1),              # an apposition
    # "as many as" qualifies the number; "many" is not a vague figure of its own
    ("As many as 12 herders were killed in the raid near Tenenkou.", 12),
])
def test_summary_counts_and_single_victims(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, (sentence, found)


@pytest.mark.parametrize("sentence", [
    "Fighters fired from multiple directions, then withdrew toward the border.",
    "The 2019 truce has been as good as dead since the spring offensive.",
    "Gunmen opened fire and torched the granary near the well.",
])
def test_summary_rules_do_not_invent_deaths(nlp, sentence):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is None or found.best == 0, found


@pytest.mark.parametrize("sentence, best", [
    # people counted earlier in the sentence, then pointed back to
    ("On March 3, militiamen abducted five herders near the well, they were executed the same night.", 5),
    ("Gunmen stopped a minibus carrying six traders near Boni, the passengers were robbed and executed.", 6),
    ("Soldiers detained nine men at the market, the bodies of those detained were found days later.", 9),
    # a passive subject shared by coordinated verbs
    ("Three young men suspected of theft were abducted and executed by the militia.", 3),
    # the death verb whose object the parse gave to a later verb
    ("The unit arrested and executed at least seven villagers near Dialloube, the victims were buried there.", 7),
    # "killing a man": the object read by position when the parse loses it
    ("Raiders attacked a camp east of Menaka at dawn, killing a man and burning tents.", 1),
])
def test_victims_found_across_the_sentence(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, (sentence, found)


@pytest.mark.parametrize("sentence", [
    # an attempt is no death (ACLED codes a failed assassination with 0)
    "On May 2, gunmen attempted to assassinate a customs officer in Gao, he escaped with injuries.",
    "Two men tried to kill the imam of the village but fled when residents intervened.",
    # things, not people
    "The army discovered and neutralized an IED on the road to Douentza.",
    "A bush fire started by the blast killed three oxen near the village.",
    # counted people who were only taken
    "Militiamen abducted four men near Sofara, they were released the next day.",
])
def test_no_death_in_attempts_things_and_releases(nlp, sentence):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is None or found.best == 0, found


@pytest.mark.parametrize("sentence, best", [
    # a companion named with "his"/"her" is one more victim
    ("Gunmen killed a councillor of the commune, his brother and wounded three others.", 2),
    ("Raiders ambushed a car near Talataye, killing a notable of the Daoussahak community and his driver.", 2),
    ("A teacher and his nephew killed by gunmen on the road to Bandiagara.", 2),
    # deaths without any figure: ACLED's plural value, not one victim called "number"
    ("Militants raided the post, killing an unknown number of soldiers.", 10),
])
def test_companions_and_unknown_numbers(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, (sentence, found)


@pytest.mark.parametrize("sentence, best", [
    # the object the parse gave the death verb is a thing, or a count of wounded
    ("On June 9, militiamen ambushed hunters near Macina, killing at least five hunters and burning motorbikes.", 5),
    ("The post at Dioura came under attack, one gendarme killed two wounded.", 1),
    # a vague word with its result right after it
    ("Militants ambushed a convoy of hunters near Niono, a number of hunters killed and arms seized.", 10),
])
def test_objects_that_are_not_victims(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, (sentence, found)


@pytest.mark.parametrize("sentence, best", [
    # the wounded who die later add to those killed at once
    ("On July 8, gunmen shot dead three traders in Gao and wounded two others, the two wounded later "
     "succumbed to their wounds.", 5),
    ("On August 31, militiamen executed three herders near Kidal and wounded another who succumbed the "
     "following day.", 4),
    # ... but a death already counted is not counted twice
    ("On March 2, one assailant was killed in clashes with guards in Bandiagara, a guard was wounded, and the "
     "guard who was wounded later succumbed to his injuries.", 2),
])
def test_the_wounded_who_die_are_dead(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, (sentence, found)


@pytest.mark.parametrize("sentence", [
    "On May 13, residents of Kita ransacked the gendarmerie in protest against the killing of a young girl.",
    "Youths burned tyres in Gao, furious about the death of a national guard.",
])
def test_a_death_protested_is_not_the_protests_toll(nlp, sentence):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is None or found.best == 0, (sentence, found)


@pytest.mark.parametrize("sentence, best", [
    # two figures, each with its own word, are no range: the wounded are not the dead
    ("The first toll given by the governor was seven dead and four wounded.", 7),
    # "left 6 dead": the dead are counted on "dead", the subject is the cause, not a victim
    ("The blast at the checkpoint left 6 dead and 12 wounded.", 6),
    # groups conjoined under a toll share its death word, whatever the parse hangs them on
    ("The army's toll is 2 gendarmes and 5 attackers killed.", 7),
    # a breakdown opened by "among them" is part of the figure before it
    ("Seven people were killed, among them three gendarmes, when gunmen attacked a post near Kayes.", 7),
])
def test_tolls_that_list_their_dead(nlp, sentence, best):
    found = count_fatalities(first_sentence(nlp, sentence))
    assert found is not None and found.best == best, (sentence, found)
