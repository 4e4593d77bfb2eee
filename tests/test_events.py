"""Event extraction on real text: the seed articles, the sample corpus, and context cues."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from pathlib import Path

import pytest
import yaml

from sitrep.document import RawArticle
from sitrep.ingest import read_articles
from sitrep.pipeline import process
from sitrep.records import event_rows


def km(lat1, lon1, lat2, lon2) -> float:
    h = sin(radians(lat2 - lat1) / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * asin(sqrt(h))


def rows(article) -> list[dict]:
    out = []
    for n, event in enumerate(article.events, start=1):
        row, sources = event_rows(article, event, f"{article.id}-{n}")
        row["sentences"] = [s["sentence"] for s in sources]
        out.append(row)
    return out


@pytest.fixture(scope="module")
def seed_events(seeds_dir, settings):
    articles = process([r for r in read_articles([seeds_dir], settings)], settings)
    return articles, [r for a in articles for r in rows(a)]


def test_seed_withdrawal_boulikessi_and_africa_corps(seed_events):
    _, events = seed_events
    new = [e for e in events if e["context"] is None]
    assert any(e["event_type"] == "Strategic developments" and e["actor1"] == "Wagner Group"
               and (e["event_date"] or "").startswith("2025-06") for e in new)
    boulikessi = [e for e in new if e["latitude"] is not None and km(e["latitude"], e["longitude"], 14.80, -1.32) <= 25]
    assert boulikessi and boulikessi[0]["fatalities"] == 30 and boulikessi[0]["event_type"] == "Battles"
    assert any(e["actor1"] == "Africa Corps" and e["event_type"] == "Strategic developments" for e in new)


@pytest.mark.parametrize("background", ["2015", "2021 coup", "French forces", "United Nations"])
def test_seed_background_is_flagged(seed_events, background):
    _, events = seed_events
    for e in events:
        if any(background in s for s in e["sentences"]) and not any("Boulikessi" in s for s in e["sentences"]):
            assert e["context"] is not None, (background, e["notes"])


def test_seed_claims_are_attributed_to_wagner(seed_events):
    articles, _ = seed_events
    speakers = {c.speaker_actor for a in articles for c in a.claims}
    assert "Wagner Group" in speakers
    control = [c for a in articles for c in a.claims if "control" in c.text and c.speaker_actor == "Wagner Group"]
    assert control, "Wagner's claim that the state controls its territory"


# --- the sample corpus, against its manifest ------------------------------------------------


@pytest.fixture(scope="module")
def sample_events(samples_dir, settings):
    corpus = samples_dir / "corpus"
    articles = process([r for r in read_articles([corpus], settings)], settings)
    by_key = {}
    for a in articles:
        key = Path(a.raw.path).relative_to(corpus).as_posix() + (f":{a.raw.line}" if a.raw.line else "")
        by_key[key] = [r for r in rows(a) if r["context"] is None]
    manifest = yaml.safe_load((samples_dir / "manifest.yaml").read_text(encoding="utf-8"))
    return by_key, manifest


def find(events, **expected):
    """The first event with every expected field (lat/lon as (lat, lon, km))."""
    for e in events:
        near = expected.get("near")
        if near and (e["latitude"] is None or km(e["latitude"], e["longitude"], near[0], near[1]) > near[2]):
            continue
        if all(e.get(k) == v for k, v in expected.items() if k != "near"):
            return e
    return None


@pytest.mark.parametrize("file, expected", [
    ("txt/boulikessi_attack_niger_bend.txt",
     dict(event_type="Battles", sub_event_type="Armed clash", actor2="Military Forces of Mali", fatalities=30,
          event_date="2025-06-01", near=(14.80, -1.32, 25))),
    ("html/boulikessi_toll_sahara_gate.html",
     dict(event_type="Battles", actor2="Military Forces of Mali", fatalities=60, event_date="2025-06-01",
          near=(14.80, -1.32, 25))),
    ("txt/kidal_retaken_savanna_wire.txt",
     dict(event_type="Battles", sub_event_type="Government regains territory", actor1="Military Forces of Mali",
          location="Kidal", event_date="2023-11-14")),
    ("jsonl/sahel_feed.jsonl:1",
     dict(event_type="Explosions/Remote violence", sub_event_type="Air/drone strike", actor1="Military Forces of Mali",
          actor2="Civilians (Mali)", location="Tinzaouaten", fatalities=21)),
    ("jsonl/sahel_feed.jsonl:2",
     dict(event_type="Violence against civilians", sub_event_type="Abduction/forced disappearance",
          actor1="Unidentified Armed Group (Niger)", location="Agadez", event_date="2025-01-11")),
    ("html/fambita_mosque_sahara_gate.html",
     dict(event_type="Violence against civilians", sub_event_type="Attack", actor2="Civilians (Niger)", fatalities=44,
          event_date="2025-03-21")),
    ("txt/ied_bandiagara_dune_line.txt",
     dict(event_type="Explosions/Remote violence", sub_event_type="Remote explosive/landmine/IED", fatalities=7,
          event_date="2021-12-08")),
    ("txt/bamako_parties_protest_acacia_post.txt",
     dict(event_type="Protests", sub_event_type="Peaceful protest", actor1="Protesters (Mali)", location="Bamako",
          event_date="2025-05-03")),
    ("json/niamey_french_base_protest_dune_line.json",
     dict(event_type="Protests", actor1="Protesters (Niger)", location="Niamey")),
    ("html/aes_confederation_laterite.html",
     dict(event_type="Strategic developments", sub_event_type="Agreement", location="Niamey", event_date="2024-07-06")),
    ("txt/wagner_exit_dune_line.txt",
     dict(event_type="Strategic developments", sub_event_type="Change to group/activity", actor1="Wagner Group",
          event_date="2025-06-06")),
])
def test_sample_events_field_by_field(sample_events, file, expected):
    by_key, _ = sample_events
    assert find(by_key[file], **expected), (expected, [(e["event_type"], e["sub_event_type"], e["actor1"], e["actor2"],
                                                        e["location"], e["event_date"], e["fatalities"])
                                                       for e in by_key[file]])


def test_articles_without_new_events(sample_events):
    by_key, manifest = sample_events
    for entry in manifest:
        if entry["kind"] in ("non_conflict", "french"):
            key = entry["file"] + (f":{entry['line']}" if entry.get("line") else "")
            assert by_key[key] == [], key


def test_event_types_match_the_manifest_mostly(sample_events):
    """Share of hand-coded events whose type (and sub-type) some new event of the article has."""
    by_key, manifest = sample_events
    gold = [(e["file"] + (f":{e['line']}" if e.get("line") else ""), g)
            for e in manifest if e["kind"] != "french" for g in e.get("events") or []]
    types = sum(any(x["event_type"] == g["event_type"] for x in by_key[k]) for k, g in gold) / len(gold)
    subs = sum(any(x["sub_event_type"] == g["sub_event_type"] for x in by_key[k]) for k, g in gold) / len(gold)
    assert types >= 0.85 and subs >= 0.6, (types, subs)


# --- context cues, on sentences written for the test ---------------------------------------


def one_article(text: str, settings, published="2025-06-10"):
    [article] = process([RawArticle(path="t.json", format="json", title="Report", text=text, published=published)],
                        settings)
    return rows(article)


@pytest.mark.parametrize("text, context", [
    ("The Malian army denied that its drone strike on Sunday killed 12 civilians near Ménaka.", "negated"),
    ("In 2012, Tuareg rebels seized Kidal and drove the army out of the north.", "historical"),
    ("Officials fear that jihadists could attack the camp at Boni in the coming days.", "hypothetical"),
    ("Gunmen attacked the weekly market in Ansongo on Sunday, killing nine traders, residents said.", None),
    ("Wagner will withdraw its fighters from Mali by the end of the month, the group said on Monday.", None),
])
def test_context_flags(settings, text, context):
    events = one_article(text, settings)
    assert events, text
    assert events[0]["context"] == context, (text, events[0])


@pytest.mark.parametrize("text, actor2", [
    ("Dozens of soldiers died in Sunday's assault on the army post at Diafarabé, local officials said.",
     "Military Forces of Mali"),
    ("Attacks on two villages near Ouatagouna in Mali killed some 50 people on Monday, residents said.",
     "Civilians (Mali)"),
])
def test_one_side_does_not_attack_itself(settings, text, actor2):
    """The harmed side is the target; an unnamed attacker is ACLED's unidentified armed group."""
    events = [e for e in one_article(text, settings) if e["context"] is None]
    assert events, text
    assert events[0]["actor2"] == actor2, events[0]
    assert events[0]["actor1"] == "Unidentified Armed Group (Mali)", events[0]


# --- ACLED coding conventions, on sentences written for the test ------------------------------


def primary(text, settings, published="2018-06-12", country="ML"):
    [article] = process([RawArticle(path="t.json", format="json", title="Report", text=text, published=published)],
                        settings.updated(focus_countries=(country,)))
    events = [r for r in rows(article) if r["context"] is None]
    assert events, text
    return max(events, key=lambda e: e["confidence"])


@pytest.mark.parametrize("text, expected", [
    # a named group and its head noun are one actor; a past tense the tagger calls VBN is not passive
    ("On June 10, presumed JNIM militants attacked and burned the town hall in Diafarabe.",
     dict(actor1="JNIM: Group for Support of Islam and Muslims")),
    # an unidentified attacker is credited to the group another sentence names as its author
    ("On June 10, a bus struck a landmine near Douentza, killing four passengers. "
     "The mine was most likely planted by Katiba Macina fighters.",
     dict(event_type="Explosions/Remote violence", actor1="JNIM: Group for Support of Islam and Muslims",
          assoc_actor_1="Katiba Macina", actor2="Civilians (Mali)")),
    # AQIM's Sahel units are JNIM since 2017 (AQIM associated)
    ("On June 10, AQIM militants ambushed a Malian army patrol near Niono, killing two soldiers.",
     dict(actor1="JNIM: Group for Support of Islam and Muslims", assoc_actor_1="AQIM: Al Qaeda in the Islamic Maghreb",
          actor2="Military Forces of Mali", event_type="Battles")),
    # a gendarmerie is a unit of the police forces
    ("On June 10, gunmen attacked the gendarmerie post in Tenenkou, wounding one gendarme.",
     dict(event_type="Battles", actor1="Unidentified Armed Group (Mali)", actor2="Police Forces of Mali Gendarmerie")),
    # a village that fought back: a battle with the community's militia
    ("On June 10, Dogon militiamen attacked the Fulani village of Kouroukele, but the villagers repelled the attack.",
     dict(event_type="Battles", sub_event_type="Armed clash", actor1="Dogon Ethnic Militia (Mali)",
          actor2="Fulani Ethnic Militia (Mali)")),
    # abducted and killed: the gravest act decides
    ("On June 10, gunmen abducted and killed three traders near Boni.",
     dict(event_type="Violence against civilians", sub_event_type="Attack", actor2="Civilians (Mali)")),
    # fighters abducted by another armed side: a battle
    ("On June 10, unknown gunmen abducted two GATIA combatants near Ansongo.",
     dict(event_type="Battles", actor2="GATIA: Imghad Tuareg and Allies Self-Defense Group")),
    # an incident told in the simple past needs no place, date or toll
    ("Islamist militants abducted the chief of a village.",
     dict(event_type="Violence against civilians", sub_event_type="Abduction/forced disappearance",
          actor1="Islamist Militia (Mali)", actor2="Civilians (Mali)")),
    # people robbed are civilians harmed; a burned school names no target
    ("On June 10, gunmen seized the vehicle of a trader near Gao.",
     dict(sub_event_type="Looting/property destruction", actor2="Civilians (Mali)")),
    # what an armed group burns or loots harms civilians (a school, a voting office); raided and
    # looted with no one harmed is looting
    ("On June 10, gunmen burned the school in Dioungani.",
     dict(sub_event_type="Looting/property destruction", actor2="Civilians (Mali)")),
    ("On June 10, gunmen raided a nomad camp near Inekar and seized the livestock.",
     dict(sub_event_type="Looting/property destruction", actor2="Civilians (Mali)")),
    # a nomad camp is no military target
    ("On June 10, gunmen attacked a Tuareg camp near Talataye, killing two people.",
     dict(event_type="Violence against civilians", actor2="Civilians (Mali)")),
    # an attempted attack happened; herders harmed are civilians
    ("On June 10, Dozo militiamen attempted to kill two Fulani herdsmen near Macina, wounding one.",
     dict(event_type="Violence against civilians", actor1="Dozo Communal Militia (Mali)", actor2="Civilians (Mali)")),
    # a post cannot attack: a headline without "by" still names the target
    ("Army post attacked in Boulkessi on June 10, two soldiers killed.",
     dict(event_type="Battles", actor1="Unidentified Armed Group (Mali)", actor2="Military Forces of Mali")),
    # civilians harmed by a mine are never the attacker
    ("On June 10, one child was killed by an explosive device in Konna.",
     dict(actor1="Unidentified Armed Group (Mali)", actor2="Civilians (Mali)")),
    # an actor that only owns what was hit is the target, the attacker unnamed
    ("On June 10, a MINUSMA vehicle struck by an IED near Aguelhok.",
     dict(actor1="Unidentified Armed Group (Mali)",
          actor2="MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali")),
    # a protest with burning tyres is a riot
    ("On June 10, youths in Sikasso burned tyres and set up barricades to protest against power cuts.",
     dict(event_type="Riots", sub_event_type="Violent demonstration", actor1="Rioters (Mali)")),
    # what a protest is about is not an event of its own
    ("On June 10, several hundred people marched in Kayes in protest against the killings of herders.",
     dict(event_type="Protests", actor1="Protesters (Mali)")),
    # a group named with its parent in brackets is one side, not its own target
    ("On June 10, presumed Katiba Macina (JNIM) militants abducted a teacher near Tenenkou.",
     dict(actor1="JNIM: Group for Support of Islam and Muslims", actor2="Civilians (Mali)")),
    # a side named only as the victim's tie is not the target
    ("On June 10, gunmen abducted a herder they accused of being an informer for the Malian army near Nampala.",
     dict(event_type="Violence against civilians", actor2="Civilians (Mali)")),
    # a member of an armed side killed off duty is a civilian victim; on duty, a battle
    ("On June 10, gunmen shot dead a retired gendarme at his home in Niono.",
     dict(event_type="Violence against civilians", actor2="Civilians (Mali)")),
    ("On June 10, gunmen shot dead a gendarme at a checkpoint in Niono.",
     dict(event_type="Battles", actor2="Police Forces of Mali Gendarmerie")),
    # "clashes between X and Y": the side the state fights first, else the text's order
    ("On June 10, clashes broke out between the Malian army and unidentified gunmen near Tenenkou.",
     dict(event_type="Battles", actor1="Unidentified Armed Group (Mali)", actor2="Military Forces of Mali")),
    ("On June 10, at least four people were killed in clashes between Bambara and Fulani near Niono.",
     dict(event_type="Battles", actor1="Bambara Ethnic Militia (Mali)", actor2="Fulani Ethnic Militia (Mali)")),
    # civilians are named by nationality; an international body's staff are international
    ("On June 10, Dozo militiamen killed three Nigerien herders near Douentza.",
     dict(event_type="Violence against civilians", actor2="Civilians (Niger)")),
    # a blast only heard hit nobody the text knows of; a mine a truck struck hit civilians
    ("On June 10, two loud explosions were heard near Kidal.",
     dict(event_type="Explosions/Remote violence", actor2=None)),
    ("On June 10, a truck struck a mine near Kidal, no casualties.",
     dict(event_type="Explosions/Remote violence", actor2="Civilians (Mali)")),
    # a "by" agent makes a headline passive, whatever tense the tagger gives its verb
    ("Gendarmerie post in Macina attacked at dawn by presumed Katiba Macina militants, no casualties.",
     dict(event_type="Battles", actor1="JNIM: Group for Support of Islam and Muslims",
          actor2="Police Forces of Mali Gendarmerie")),
    # what a strike targets is its target
    ("On June 10, French forces carried out an airstrike targeting ISGS technicals near Menaka.",
     dict(event_type="Explosions/Remote violence", actor1="Military Forces of France",
          actor2="Islamic State (Greater Sahara)")),
    # voters are civilians (data/actors/generic_actors.yaml)
    ("On June 10, gunmen threatened voters near Bankass ahead of the election.",
     dict(actor2="Civilians (Mali)")),
    # ... also when told as the noun a participle describes ("herders killed near ...")
    ("On June 10, Tuareg-run radio stations reported 40 Nigerien Fulani herders killed near Menaka.",
     dict(event_type="Violence against civilians", actor2="Civilians (Niger)")),
    ("On June 10, gunmen wounded two UNHCR staff members near Gao.",
     dict(event_type="Violence against civilians", actor2="Civilians (International)")),
    ("On June 10, gunmen robbed traders on a truck bound for Niger near Gao.",
     dict(actor2="Civilians (Mali)")),
    # a militia named after its village or its people (ACLED's naming)
    ("On June 10, a Tienkour armed group clashed with Islamist militants near Ansongo, two were killed.",
     dict(event_type="Battles", actor1="Tienkour Communal Militia (Mali)")),
    ("On June 10, Dawsahak militiamen attacked a Fulani camp near Menaka, killing four herders.",
     dict(event_type="Violence against civilians", actor1="Dawsahak Ethnic Militia (Mali)", actor2="Civilians (Mali)")),
    # the two wings of the MAA are two actors; the Platform goes by ACLED's name
    ("On June 10, MAA-Platform fighters clashed with CMA combatants near Ber, killing three.",
     dict(actor1="MAA: Arab Movement of the Azawad (Platform)")),
    ("On June 10, one fighter was killed in clashes between the CMA and the Platform near Anefis.",
     dict(event_type="Battles", actor2="Platform of June 14th 2014 movements")),
    # a foreign place the victims came from or went to does not move the event abroad
    ("On June 10, gunmen robbed a truck leaving Gao for Ayorou, Niger, and stripped the passengers of their belongings.",
     dict(actor1="Unidentified Armed Group (Mali)", actor2="Civilians (Mali)")),
    # threats against voters and a group founded are strategic developments; fighters left "out of
    # combat" is a battle
    ("On June 10, gunmen threatened voters in the village of Kera, and no voting took place.",
     dict(event_type="Strategic developments", sub_event_type="Other", actor1="Unidentified Armed Group (Mali)")),
    ("On June 10, two Katiba Macina commanders pledged allegiance to ISGS near Menaka.",
     dict(event_type="Strategic developments", sub_event_type="Change to group/activity")),
    ("On June 10, French forces left 12 jihadists out of combat in the Serma forest near Boni.",
     dict(event_type="Battles", actor1="Military Forces of France")),
    # security forces facing a crowd are its police; customs are police forces
    ("On June 10, security forces fired tear gas to disperse protesters who had burned tyres in Kayes.",
     dict(actor2="Police Forces of Mali")),
    ("On June 10, militants attacked the customs post in Diema, killing one officer.",
     dict(event_type="Battles", actor2="Police Forces of Mali")),
    # a sentence that only tells more of the same operation, naming no one, is the same event
    ("On June 10, French forces carried out a combined air-ground operation against ISGS militants near "
     "Menaka. The operation began with an airstrike followed by a ground assault, killing seven militants.",
     dict(event_type="Battles", actor1="Military Forces of France", actor2="Islamic State (Greater Sahara)")),
    # a weapon found, seized or destroyed is no attack with it; a clash told with it still decides
    ("On June 10, soldiers found and neutralised an IED on the road between Sevare and Bandiagara.",
     dict(event_type="Strategic developments", sub_event_type="Disrupted weapons use")),
    ("On June 10, French troops searched a camp near Aguelhok and seized assault rifles and ammunition.",
     dict(event_type="Strategic developments", sub_event_type="Disrupted weapons use")),
    ("On June 10, the army clashed with ISGS militants near Menaka, one militant was killed and "
     "mortars and IED materials destroyed.",
     dict(event_type="Battles", sub_event_type="Armed clash")),
    # a complex ambush is a battle, even when it opens with a bomb
    ("On June 10, JNIM militants carried out a complex ambush against an army convoy near Boni, "
     "initiated by a roadside bomb.",
     dict(event_type="Battles", sub_event_type="Armed clash")),
    # strikes by aircraft are air strikes; a roadside explosive is a mine
    ("On June 10, French aircraft carried out strikes targeting ISGS militants near Tessit.",
     dict(event_type="Explosions/Remote violence", sub_event_type="Air/drone strike")),
    ("On June 10, an army truck hit a roadside explosive between Macina and Diafarabe, wounding four soldiers.",
     dict(event_type="Explosions/Remote violence", sub_event_type="Remote explosive/landmine/IED")),
    # protesters who clash with security forces riot
    ("On June 10, opposition supporters protested in Bamako, and clashes erupted with security forces "
     "who fired tear gas.",
     dict(event_type="Riots", sub_event_type="Violent demonstration", actor1="Rioters (Mali)")),
    # who ransacks during a protest riots, whatever the words for them; who marches protests
    ("On June 10, dozens of young men ransacked bars in Timbuktu during a protest against alcohol.",
     dict(event_type="Riots", sub_event_type="Violent demonstration", actor1="Rioters (Mali)")),
    ("On June 10, dozens of young men marched in Timbuktu in a protest against alcohol.",
     dict(event_type="Protests", sub_event_type="Peaceful protest")),
    # a vehicle that hits a mine is the mine's target; a protest has no target
    ("On June 10, a MINUSMA vehicle struck an IED near Tessalit, causing no injuries.",
     dict(actor1="Unidentified Armed Group (Mali)",
          actor2="MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali")),
    ("On June 10, residents of Kita protested against the poor state of the road to Bamako.",
     dict(event_type="Protests", actor1="Protesters (Mali)", actor2=None)),
    # what a bomb destroyed, what it was set off against, and what was subjected to fire are its target
    ("On June 10, JNIM militants detonated an IED that destroyed a Malian army vehicle near Sokolo.",
     dict(actor1="JNIM: Group for Support of Islam and Muslims", actor2="Military Forces of Mali")),
    ("On June 10, the joint Barkhane and MINUSMA base in Tessalit was subjected to mortar fire.",
     dict(actor1="Unidentified Armed Group (Mali)",
          actor2="MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali")),
    ("On June 10, a Malian army convoy was subjected to a complex ambush by Katiba Macina militants near Kadial.",
     dict(actor1="JNIM: Group for Support of Islam and Muslims", actor2="Military Forces of Mali")),
    # people beaten or tortured make an attack, not looting or an arrest
    ("On June 10, gunmen burned the town hall in Lere and assaulted several residents.",
     dict(event_type="Violence against civilians", sub_event_type="Attack")),
    ("On June 10, soldiers arrested a trader in Nampala who was then subjected to torture.",
     dict(event_type="Violence against civilians", sub_event_type="Attack")),
    # a guard hired to protect a site is an armed side: shot at his post, it is a clash
    ("On June 10, two gunmen shot dead a security guard at a gold mine near Kadiolo.",
     dict(event_type="Battles", actor2="Private Security Forces (Mali)")),
    # victims told as people, broken down into soldiers: the soldiers were the target
    ("On June 10, six people were killed, including four soldiers, in an attack by gunmen in Dioura.",
     dict(event_type="Battles", actor2="Military Forces of Mali", fatalities=6)),
    ("On June 10, gunmen killed six people, including two children, in Dioura.",
     dict(event_type="Violence against civilians", actor2="Civilians (Mali)")),
    # a protest broken up: the crowd protests, the force intervenes
    ("On June 10, police dispersed a march of traders against new taxes in Bamako.",
     dict(event_type="Protests", sub_event_type="Protest with intervention", actor1="Protesters (Mali)",
          actor2="Police Forces of Mali")),
    # soldiers who protest are the protesters
    ("On June 10, soldiers marched in Gao to protest the delay in paying their wages.",
     dict(event_type="Protests", sub_event_type="Peaceful protest", actor1="Protesters (Mali)", actor2=None)),
    # a group split in wings is the wing whose coalition the sentence names
    ("On June 10, MAA and GATIA fighters (both Platform) clashed near Bourem.",
     dict(actor1="MAA: Arab Movement of the Azawad (Platform)")),
    ("On June 10, gunmen attacked a post of MAA fighters of the CMA near Ber.",
     dict(actor2="MAA: Arab Movement of the Azawad (CMA)")),
    # a takeover the text says was peaceful is a transfer of territory, not a battle
    ("On June 10, the CMA took control of Anefis without any fighting.",
     dict(event_type="Strategic developments", sub_event_type="Non-violent transfer of territory")),
    ("On June 10, armed groups took control of Lere to keep the new authorities out. No clashes were reported.",
     dict(event_type="Strategic developments", sub_event_type="Non-violent transfer of territory")),
    # strikes or shells beside a ground clash make a battle
    ("On June 10, soldiers backed by French attack helicopters and fighter jets clashed with militants near "
     "Nampala.", dict(event_type="Battles", sub_event_type="Armed clash")),
    ("On June 10, French forces carried out an operation near Tessit involving airstrikes and ground forces, "
     "killing ten militants.", dict(event_type="Battles", sub_event_type="Armed clash")),
    # the text names a violent protest: the clash with the police that follows is part of it
    ("On May 29, miners armed with machetes staged a violent protest at a gold mine near Kita, which led to "
     "clashes with security forces who shot dead three miners.",
     dict(event_type="Riots", sub_event_type="Violent demonstration", fatalities=3)),
    # a member off duty is a civilian victim, whether the text says "attacked" or "killed"
    ("On June 10, at a market near Bourem, gunmen opened fire and killed a retired soldier.",
     dict(event_type="Violence against civilians", actor2="Civilians (Mali)")),
])
def test_acled_conventions(settings, text, expected):
    event = primary(text, settings)
    got = {k: event[k] for k in expected}
    assert got == expected, (text, got)


def test_aqim_outside_the_sahel_stays_aqim(settings):
    event = primary("On June 10, AQIM militants ambushed an army patrol near Tebessa in Algeria, killing two soldiers.",
                    settings, country="DZ")
    assert event["actor1"] == "AQIM: Al Qaeda in the Islamic Maghreb", event


def test_regime_period_is_ignored_wherever_it_stands():
    from sitrep.actors import comparable

    assert comparable("Police Forces of Mali (2013-2020) Gendarmerie") == comparable("Police Forces of Mali Gendarmerie")
    assert comparable("Military Forces of Mali (2021-)") == comparable("Military Forces of Mali")


def test_a_village_unknown_to_gazetteer_and_model_anchors_an_event(settings):
    """ "in Dinangourou": a village no one indexed (the model even takes it for a person) still
    makes the attack a concrete incident, not a trend."""
    event = primary("An army convoy was subjected to an attack in Dinangourou.", settings)
    assert event["event_type"] == "Battles", event


def test_the_attack_told_again_is_no_new_event(settings):
    """ "The army acknowledged the attack in a short statement": "the attack" with nothing of its
    own (a statement is no place, date or target) points back to the attack told before."""
    text = ("Militants storm army camp near Douentza\n\n"
            "At least 12 soldiers were killed on Sunday when militants attacked an army camp near Douentza, "
            "officials said. The army acknowledged the attack in a short statement but gave no figure by Tuesday. "
            "A second attack on a convoy near Boni was reported on Monday.")
    [article] = process([RawArticle(path="t.txt", format="txt", text=text, published="2025-06-03")], settings)
    told = [e for e in article.events if e.context is None]
    assert not any("acknowledged" in s.sentence for e in told for s in e.sources), told
    assert any("convoy" in s.sentence for e in told for s in e.sources)   # "an attack on a convoy" is new


@pytest.mark.parametrize("text, fatalities", [
    # the toll in the next sentence, with no event of its own, is the attack's
    ("Gunmen raided a herders' camp near Inekar on June 10. Three dead.", 3),
    ("On June 10, militants stormed a police post in Tonka. One attacker dead, two policemen wounded.", 1),
    ("On June 10, an army convoy was ambushed near Nampala. Six soldiers died in the ambush.", 6),
    # ... not a death the next sentence gives as the attack's cause
    ("On June 10, gunmen attacked a hamlet near Bourem, wounding three herders. The raid is said to avenge "
     "the killing of two traders.", 0),
])
def test_a_toll_in_the_next_sentence(settings, text, fatalities):
    assert primary(text, settings)["fatalities"] == fatalities, text


def test_an_attack_told_in_the_past_is_an_incident_without_place_or_date(settings):
    """ "An attack ... was repelled" is one incident; "attacks have intensified" is a trend."""
    event = primary("An attack against MINUSMA forces was repelled. No further details were given.", settings)
    assert event["event_type"] == "Battles" and event["actor2"].startswith("MINUSMA"), event
    [article] = process([RawArticle(path="t.json", format="json", title="Report",
                                    text="Attacks against MINUSMA forces have intensified.", published="2018-06-12")],
                        settings.updated(focus_countries=("ML",)))
    assert not [e for e in article.events if e.context is None]


@pytest.mark.parametrize("text, actor1, actor2", [
    # unnamed attackers the text attributes to a group are that group
    ("On May 3, unknown gunmen believed to be GATIA militiamen abducted a trader near Menaka.",
     "GATIA: Imghad Tuareg and Allies Self-Defense Group", "Civilians (Mali)"),
    ("On May 3, armed men, presumably Katiba Macina militants, raided a village near Djenne.",
     "JNIM: Group for Support of Islam and Muslims", "Civilians (Mali)"),
    # no attribution: the attackers stay unidentified
    ("On May 3, unknown gunmen abducted a trader near Menaka.", "Unidentified Armed Group (Mali)", "Civilians (Mali)"),
])
def test_attackers_attributed_to_a_group(settings, text, actor1, actor2):
    event = primary(text, settings)
    assert (event["actor1"], event["actor2"]) == (actor1, actor2), event


@pytest.mark.parametrize("text, actor1, actor2", [
    # "Bla" is a town: an acronym alias ("BLA") matches only as written
    ("On May 3, gunmen robbed the passengers of two trucks on the road between Segou and Bla.",
     "Unidentified Armed Group (Mali)", "Civilians (Mali)"),
    # from four letters on, the title case the British press writes ("Gatia") is the acronym too
    ("On May 3, Gatia fighters clashed with MSA militants near Menaka.",
     "GATIA: Imghad Tuareg and Allies Self-Defense Group", "MSA: Movement for Azawad Salvation"),
])
def test_acronyms_match_as_written(settings, text, actor1, actor2):
    event = primary(text, settings)
    assert (event["actor1"], event["actor2"]) == (actor1, actor2), event


@pytest.mark.parametrize("text, actor1", [
    # the attack is the subject: the owners of what it struck are hit, not the attackers
    ("On 9 May, a rocket/mortar attack targeted the joint MINUSMA and Barkhane camp near Tessalit, causing no damage.",
     "Unidentified Armed Group (Mali)"),
    ("On 9 May, a JNIM rocket attack targeted the MINUSMA camp near Tessalit, causing no damage.",
     "JNIM: Group for Support of Islam and Muslims"),
])
def test_an_attack_that_targets_a_base_hits_its_owners(settings, text, actor1):
    event = primary(text, settings)
    assert event["actor1"] == actor1 and event["actor2"].startswith(("MINUSMA", "Military Forces of France")), event


@pytest.mark.parametrize("text, event_type, actor2", [
    # an armed side among those harmed is the target, not the people the nearest verb names
    ("On 4 May, three soldiers were killed and four people wounded in an attack by gunmen on a checkpoint near Sevare.",
     "Battles", "Military Forces of Mali"),
    ("On 4 May, Dogon militiamen killed three Fulani herders and wounded two people near Bankass.",
     "Violence against civilians", "Civilians (Mali)"),
])
def test_the_armed_side_harmed_is_the_target(settings, text, event_type, actor2):
    event = primary(text, settings)
    assert (event["event_type"], event["actor2"]) == (event_type, actor2), event


def test_an_attack_by_someone_on_a_post_targets_the_posts_force(settings):
    """ "an attack by gunmen on an army post": the parser hangs "on ..." on the attackers."""
    event = primary("Two people were killed and five wounded in an attack by unidentified assailants on a Malian army post "
                    "near Tessit.", settings)
    assert (event["event_type"], event["actor1"], event["actor2"]) == (
        "Battles", "Unidentified Armed Group (Mali)", "Military Forces of Mali"), event


@pytest.mark.parametrize("text, told", [
    # one thing or person, told in the past: one incident, with no place or date
    ("Earlier a lorry blew up on an IED.", True),
    ("One of the buses sent to fetch the wounded was hit by a mine on its way back.", True),
    # the same words as a pattern or a trend: no incident
    ("Lorries are often hit by mines on this road.", False),
    ("Attacks with IEDs have intensified.", False),
])
def test_one_thing_struck_in_the_past_is_an_incident(settings, text, told):
    [article] = process([RawArticle(path="t.json", format="json", title="Report", text=text, published="2018-06-12")],
                        settings.updated(focus_countries=("ML",)))
    found = [e for e in article.events if e.context is None]
    assert bool(found) == told, (text, found)
    if told:
        assert found[0].sub_event_type == "Remote explosive/landmine/IED"


@pytest.mark.parametrize("text, location", [
    # a name the model did not tag, after a place word, that the gazetteer knows in the focus country
    ("On June 10, gunmen ambushed a trader between Diafarabe & Dia.", "Diafarabé"),
    ("On June 10, three herders were killed by hunters in the Ke-Macina area.", "Ké-Macina"),
    # "Cercle of X": Mali's districts are named after their seat
    ("On June 10, gunmen burned a telecom mast in the Cercle of Goundam.", "Goundam"),
])
def test_places_the_model_did_not_tag(settings, text, location):
    assert primary(text, settings)["location"] == location, text
