"""The gazetteer index and the geoparsing stage, on Sahel sentences written for these tests."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from sitrep import gazetteer
from sitrep.clean import clean
from sitrep.document import Article, RawArticle
from sitrep.gazetteer import distance_km, import_geonames, name_key, open_gazetteer, read_additions
from sitrep.geoparse import GeoContext, geoparse, place_for_sentence, read_hints, resolve
from sitrep.nlp import annotate
from sitrep.settings import data_path


@pytest.fixture
def gz():
    return open_gazetteer()   # opened once per process; a test may close and reopen it


@pytest.fixture(scope="session")
def sahel_settings(settings):
    # The focus countries a Sahel user would set (settings.py may not declare the key yet).
    class WithFocus:
        def __init__(self, base):
            self._base = base
            self.focus_countries = ("ML", "BF", "NE")

        def __getattr__(self, name):
            return getattr(self._base, name)
    return WithFocus(settings)


def parse(text: str, settings) -> Article:
    [article] = annotate([clean(RawArticle(path="t.txt", format="txt", text=text), settings)], settings)
    geoparse([article], settings)
    return article


def placed(article, text: str):
    found = [m for m in article.places if m.text == text]
    assert found, (text, [m.text for m in article.places])
    return found[0]


def near(place, lat: float, lon: float, km: float) -> bool:
    return distance_km(place.latitude, place.longitude, lat, lon) <= km


# --- the index ----------------------------------------------------------------------------


def test_name_key_folds_case_accents_punctuation_and_the():
    assert name_key("Ménaka") == name_key("MENAKA") == "menaka"
    assert name_key("Tin-Zaouatene") == "tin zaouatene"
    assert name_key("N’Djamena") == name_key("N'Djamena") == "ndjamena"
    assert name_key("the Republic of the Congo") == name_key("Republic of Congo")


def test_additions_file_is_valid_and_boulikessi_is_in_it():
    rows = read_additions(data_path("places", "additions.csv"))
    names = {r["name"] for r in rows}
    assert "Boulikessi" in names and "Sahel" in names
    for r in rows:
        assert r["note"], r["name"]


def test_index_holds_cities_divisions_countries_and_additions(gz):
    features = {c.feature for name in ("Gao", "Mali", "Mopti region", "Boulkessi")
                for c in gz.candidates(name)}
    assert {"populated place", "admin1", "country", "addition"} <= features
    [mopti_region] = [c for c in gz.candidates("Mopti") if c.feature == "admin1"]
    assert mopti_region.country == "ML"
    # Its point lies in the region (central Mali), not at some far namesake.
    assert 13.5 < mopti_region.latitude < 16.0 and -6.0 < mopti_region.longitude < -1.0


def test_second_open_reuses_the_built_index(gz):
    path = gz.path
    assert path.exists() and path.parent == gazetteer.cache_dir()
    assert f"-v{gazetteer.BUILD_VERSION}-" in path.name
    mtime, builds = path.stat().st_mtime_ns, gazetteer.builds
    gazetteer.close_all()                      # a new process would start here
    start = time.perf_counter()
    again = open_gazetteer()
    assert time.perf_counter() - start < 2.0
    assert again.path == path and gazetteer.builds == builds
    assert path.stat().st_mtime_ns == mtime
    assert again.candidates("Gao")


def test_lookups_are_fast(gz):
    names = ["Gao", "Kidal", "Boulkessi", "Niamey", "Ouagadougou", "Tillabéri region"] * 50
    start = time.perf_counter()
    for n in names:
        gz._lookup_uncached(name_key(n))
    assert (time.perf_counter() - start) / len(names) < 0.01


# --- resolving names ----------------------------------------------------------------------


def test_gao_is_mali_gao(gz):
    place = resolve("Gao", GeoContext(gazetteer=gz))
    assert place.country == "ML" and place.feature == "populated place"
    assert near(place, 16.27, -0.04, 10)


def test_boulikessi_is_where_the_camp_is(gz, sahel_settings):
    article = parse("Attack on Boulkessi camp\n"
                    "Jihadist fighters overran the army camp at Boulkessi on Sunday, killing "
                    "dozens of soldiers, security sources told reporters in Bamako.", sahel_settings)
    place = placed(article, "Boulkessi").place
    assert place.country == "ML" and place.geo_precision == 1
    assert near(place, 14.80, -1.32, 25)
    assert resolve("Boulikessi", GeoContext(gazetteer=gz)).name == "Boulikessi"


def test_kidal_in_an_article_about_mali(settings):
    article = parse("Army enters Kidal\n"
                    "Mali's army said on Tuesday that its troops had entered Kidal, the northern "
                    "town held for a decade by Tuareg-led rebels. Mali's transitional government "
                    "hailed the operation.", settings)
    place = placed(article, "Kidal").place
    assert place.country == "ML" and near(place, 18.44, 1.41, 10)


def test_country_context_picks_the_sahel_namesake(gz):
    # Léré: a Nigerian Lere is bigger; the one in Mali wins when the text is about Mali.
    alone = resolve("Léré", GeoContext(gazetteer=gz))
    in_mali = resolve("Léré", GeoContext(gazetteer=gz, countries=("ML",)))
    assert alone.country == "NG"
    assert in_mali.country == "ML" and near(in_mali, 15.72, -4.91, 25)
    # Abala: Ethiopia's is bigger; Niger's wins in an article with Niger as a focus country.
    assert resolve("Abala", GeoContext(gazetteer=gz)).country == "ET"
    assert resolve("Abala", GeoContext(gazetteer=gz, focus_countries=("NE",))).country == "NE"


def test_country_named_in_the_article_drives_ambiguous_names(settings):
    article = parse("Clashes in central Mali\n"
                    "Fighting broke out in Léré, in Mali, on Friday. Residents of Léré said "
                    "the army had left the town a week earlier.", settings)
    for m in article.places:
        if m.text == "Léré":
            assert m.place.country == "ML", m
            assert "country-context" in m.rule


def test_near_a_town_is_precision_2(settings):
    article = parse("Ambush near Ménaka\n"
                    "Gunmen ambushed a patrol near Ménaka on Monday, the army said. Later, "
                    "soldiers returned to Ménaka.", settings)
    title, first, second = [m for m in article.places if m.text == "Ménaka"]
    assert title.place.geo_precision == 2            # "Ambush near Ménaka"
    assert first.place.country == "ML" and first.place.geo_precision == 2
    assert first.rule.endswith("|near")
    assert second.place.geo_precision == 1


def test_distance_between_and_road_hints_are_precision_2(gz):
    def hint(sentence, name):
        start = sentence.index(name)
        return read_hints(sentence, start, start + len(name)).near

    assert hint("The convoy was hit 30 km north of Gao on Sunday.", "Gao") == "near"
    assert hint("Fighting raged between Tessit and Gao.", "Tessit") == "between"
    assert hint("Fighting raged between Tessit and Gao.", "Gao") == "between"
    assert hint("A bomb hit a bus on the Gao-Ansongo road.", "Gao") == "road"
    assert hint("A bomb hit a bus on the Gao-Ansongo road.", "Ansongo") == "road"
    assert hint("The convoy was attacked on the road from Gao to Ansongo.", "Ansongo") == "between"
    assert hint("Soldiers died 20 kilometres (12 miles) south of Djibo.", "Djibo") == "near"
    assert hint("They struck outside the town of Dori.", "Dori") == "near"
    assert hint("Troops patrolled the streets of Gao.", "Gao") is None
    sentence = "A bomb hit a bus on the Gao-Ansongo road."
    start = sentence.index("Gao-Ansongo")
    place = resolve("Gao-Ansongo", GeoContext(gazetteer=gz, sentence=sentence, start=start,
                                              end=start + len("Gao-Ansongo")))
    assert place.name == "Gao" and place.geo_precision == 2


def test_a_village_in_the_mopti_region_falls_back_to_the_region(settings):
    article = parse("Village attacked in central Mali\n"
                    "Armed men attacked a village in the Mopti region on Thursday, killing "
                    "seven people, local officials said.", settings)
    mopti = placed(article, "Mopti")
    assert mopti.place.feature == "admin1" and mopti.place.name == "Mopti"
    assert mopti.place.geo_precision == 3
    assert near(mopti.place, 14.6, -3.9, 150)


def test_an_unknown_village_takes_its_stated_region(gz):
    sentence = "Gunmen killed five herders in Kouloumbara, in the Mopti region, on Friday."
    start = sentence.index("Kouloumbara")
    ctx = GeoContext(gazetteer=gz, sentence=sentence, start=start, end=start + len("Kouloumbara"))
    place = resolve("Kouloumbara", ctx)
    # As ACLED codes it: the region's seat (its capital, Mopti), precision 3.
    assert place.name == "Mopti" and place.admin1 == "Mopti" and place.geo_precision == 3
    assert place.feature == "populated place" and near(place, 14.49, -4.18, 10)
    # A (district, region) pair: the district seat, precision 2.
    sentence = "The village of Kouloumbara (Bankass, Mopti) was burned."
    start = sentence.index("Kouloumbara")
    place = resolve("Kouloumbara", replace(ctx, sentence=sentence, start=start,
                                           end=start + len("Kouloumbara")))
    assert place.name == "Bankass" and place.geo_precision == 2


def test_a_village_district_region_triple_is_coded_at_the_district_seat(settings):
    article = parse("Gunmen raid a village in central Mali\n"
                    "On 4 March, gunmen on motorbikes stole cattle and wounded two herders in "
                    "Kalakoro (Macina, Segou), villagers said.", settings)
    village = placed(article, "Kalakoro")           # unknown to the gazetteer, found as a place
    assert village.place is not None and village.rule == "fallback:container:admin2:seat"
    assert village.place.geo_precision == 2 and village.place.feature == "populated place"
    assert near(village.place, 13.96, -5.36, 10)    # Macina (Ké-Macina), the cercle's seat
    # The district and region the parentheses name are places too, no more precise than that.
    assert placed(article, "Macina").place.geo_precision == 2
    assert placed(article, "Segou").place.geo_precision == 3
    # The event's place is the village's: coded at the seat, precision 2.
    where = place_for_sentence(article, 0, len(article.text))
    assert where.place.geo_precision == 2 and near(where.place, 13.96, -5.36, 10)


def test_a_district_written_with_its_generic_word_is_a_container(gz):
    sentence = "Militiamen burned the hamlets of Kouloumbara, Cercle of Bankass, on Monday."
    start = sentence.index("Kouloumbara")
    place = resolve("Kouloumbara", GeoContext(gazetteer=gz, sentence=sentence, start=start,
                                              end=start + len("Kouloumbara")))
    assert place is not None and place.name == "Bankass" and place.geo_precision == 2
    assert read_hints("Tenda, commune of Boni, was hit.", 0, 5).containers == [("Boni", True)]


def test_a_far_namesake_known_only_by_an_alternate_name_is_set_aside(gz, sahel_settings):
    # "Gande" is an alternate name of Ghent (Belgium): in a report on Mali, Gande-Dialaba is a
    # Malian village the gazetteer lacks, not a road from Ghent.
    context = GeoContext.from_settings(sahel_settings, gazetteer=gz)
    assert resolve("Gande-Dialaba", context) is None
    # A stated district still places it.
    sentence = "Soldiers entered Gande-Dialaba (Tenenkou, Mopti) at dawn."
    start = sentence.index("Gande")
    place = resolve("Gande-Dialaba", replace(context, sentence=sentence, start=start,
                                             end=start + len("Gande-Dialaba")))
    assert place is not None and place.country == "ML" and place.geo_precision == 2


def test_a_coders_note_names_no_toponym(settings, gz):
    from sitrep.geoparse import recognise
    from sitrep.nlp import build_nlp

    doc = build_nlp(settings)(
        "On 2 May, gunmen attacked a truck near Timbuktu in Mali (coded as Gao at "
        "geoprecision 2), killing the driver. Coded as Mopti in the absence of details.")
    found = [doc.text[s:e] for s, e, _ in recognise(doc, gz)]
    assert found == ["Timbuktu", "Mali"]           # the text's own mentions only


def test_regions_file_is_valid_and_its_areas_resolve(gz):
    from sitrep.gazetteer import read_regions

    rows = read_regions(data_path("places", "regions.csv"))
    assert len(rows) > 50 and {r["kind"] for r in rows} == {"region", "sea", "island", "landform"}
    darfur = resolve("Darfur", GeoContext(gazetteer=gz))
    assert darfur.feature == "region" and darfur.country == "SD" and darfur.geo_precision == 3
    assert near(darfur, 13.5, 24.5, 200)
    sentence = "Oil prices rose as tension grew in the Middle East and ships left the Black Sea."
    for name, lat, lon in (("Middle East", 28, 42), ("Black Sea", 43.5, 34)):
        start = sentence.index(name)
        place = resolve(name, GeoContext(gazetteer=gz, sentence=sentence, start=start,
                                         end=start + len(name)))
        assert place.feature == "region" and near(place, lat, lon, 300), name
    # An island the gazetteer knows only as a village's name elsewhere: the island.
    assert resolve("Sumatra", GeoContext(gazetteer=gz)).country == "ID"


def test_an_unknown_place_in_a_named_country_is_the_country_but_a_list_is_no_hint(gz):
    def place(sentence, name="Kouloumbara"):
        start = sentence.index(name)
        return resolve(name, GeoContext(gazetteer=gz, sentence=sentence, start=start,
                                        end=start + len(name)))

    mali = place("A mine exploded near Kouloumbara, Mali, on Friday.")
    assert mali.feature == "country" and mali.country == "ML" and mali.geo_precision == 3
    assert place("Mines exploded in Kouloumbara, Gao and Kidal.") is None


def test_container_hint_chooses_the_namesake_inside_it(gz):
    sentence = "Militants raided Koro, in Mali's Mopti region, overnight."
    start = sentence.index("Koro")
    place = resolve("Koro", GeoContext(gazetteer=gz, sentence=sentence, start=start, end=start + 4))
    assert place.country == "ML" and place.admin1 == "Mopti"


def test_town_wins_over_its_region_unless_the_text_says_region(gz):
    assert resolve("Tillabéri", GeoContext(gazetteer=gz)).feature == "populated place"
    assert resolve("Tillabéri region", GeoContext(gazetteer=gz)).feature == "admin1"


def test_countries_regions_and_areas(gz):
    mali = resolve("Mali", GeoContext(gazetteer=gz))
    assert mali.feature == "country" and mali.geo_precision == 3 and mali.country == "ML"
    assert resolve("Burkina", GeoContext(gazetteer=gz)).country == "BF"
    # The Sahel is a known area, not a point: it is not put on Burkina Faso's Sahel region.
    assert resolve("Sahel", GeoContext(gazetteer=gz)) is None
    assert resolve("Liptako-Gourma", GeoContext(gazetteer=gz)) is None
    sentence = "Gunmen attacked Djibo in Burkina Faso's Sahel region."
    start = sentence.index("Sahel")
    region = resolve("Sahel", GeoContext(gazetteer=gz, sentence=sentence, start=start, end=start + 5))
    assert region.country == "BF" and region.feature == "admin1" and region.geo_precision == 3


def test_demonyms_are_not_places(settings):
    article = parse("Malian troops deploy\n"
                    "Malian and Burkinabe soldiers arrived in Gao on Monday, officials said.",
                    settings)
    assert "Malian" not in {m.text for m in article.places}
    assert placed(article, "Gao").place.country == "ML"


def test_mentions_point_into_the_clean_and_the_raw_text(settings):
    raw = ("Attack near Ménaka\n\n"
           "Gunmen attacked a village near Ménaka on Monday. The army sent troops from Gao.\n\n"
           "Residents said the Sahel had never been so violent.")
    article = parse(raw, settings)
    assert article.places
    for m in article.places:
        assert article.text[m.start:m.end] == m.text
        assert m.sentence_start <= m.start < m.end <= m.sentence_end
        assert article.raw.text[m.raw_start:m.raw_end] == m.text
        assert 0 <= m.confidence <= 1 and m.rule
    assert placed(article, "Sahel").place is None


def test_place_for_sentence(settings):
    article = parse("Attack in central Mali\n"
                    "Gunmen attacked the town of Bandiagara on Monday. They burned the market. "
                    "Troops arrived from Sévaré.\n\n"
                    "The attackers fled on motorbikes.", settings)
    text = article.text
    s = text.index("Gunmen")
    own = place_for_sentence(article, s, text.index(".", s) + 1)
    assert own.text == "Bandiagara" and own.place.geo_precision == 1
    s = text.index("They burned")
    earlier = place_for_sentence(article, s, text.index(".", s) + 1)
    assert earlier.text == "Bandiagara" and earlier.place.geo_precision == 2
    assert earlier.rule.endswith("|paragraph")
    s = text.index("The attackers")
    main = place_for_sentence(article, s, len(text))
    assert main.place.name in ("Bandiagara", "Sévaré") and main.place.geo_precision == 3
    assert main.rule.endswith("|article")


# --- importing a GeoNames dump --------------------------------------------------------------


def _geonames_line(*fields) -> str:
    assert len(fields) == 19
    return "\t".join(str(f) for f in fields) + "\n"


def test_import_geonames_file(tmp_path):
    dump = tmp_path / "XX.txt"
    dump.write_text(
        _geonames_line(9000001, "Testregion", "Testregion", "", 15.0, -2.0, "A", "ADM1", "ML", "",
                       "77", "", "", "", 0, "", 300, "Africa/Bamako", "2024-01-01")
        + _geonames_line(9000002, "Kouloumbara", "Kouloumbara", "Kulumbara,Koulombara", 14.25,
                         -3.10, "P", "PPL", "ML", "", "77", "", "", "", 1200, "", 280,
                         "Africa/Bamako", "2024-01-01")
        + _geonames_line(9000003, "Mont Test", "Mont Test", "", 14.5, -3.2, "T", "MT", "ML", "",
                         "77", "", "", "", 0, "", 800, "Africa/Bamako", "2024-01-01"),
        encoding="utf-8")
    db = tmp_path / "gazetteer.sqlite"
    assert import_geonames(dump, db) == 3
    small = gazetteer.Gazetteer(db)
    [village] = small.candidates("Kulumbara")
    assert (village.name, village.country, village.admin1) == ("Kouloumbara", "ML", "Testregion")
    assert village.feature == "populated place" and village.population == 1200
    assert small.candidates("Testregion")[0].feature == "admin1"
    assert small.candidates("Mont Test")[0].feature == "T.MT"
    place = resolve("Kouloumbara", GeoContext(gazetteer=small))
    assert (place.latitude, place.longitude, place.geonames_id) == (14.25, -3.10, 9000002)
    small.close()
    # Importing again replaces the rows instead of doubling them.
    assert import_geonames(dump, db) == 3
    small = gazetteer.Gazetteer(db)
    assert len(small.candidates("Kouloumbara")) == 1
    small.close()


def test_import_refuses_a_file_in_another_format(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("name,lat,lon\nX,1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="19 tab-separated fields"):
        import_geonames(bad, tmp_path / "g.sqlite")


def test_index_build_respects_sitrep_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SITREP_CACHE", str(tmp_path))
    assert gazetteer.default_path().parent == tmp_path
    monkeypatch.delenv("SITREP_CACHE")
    assert gazetteer.cache_dir() == Path.home() / ".cache" / "sitrep"


# --- abbreviations, demonyms, divisions, reading an article's names together ----------------


def test_division_abbreviations_keep_their_period(gz):
    def where(name):
        place = resolve(name, GeoContext(gazetteer=gz))
        return place and (place.name, place.country, place.feature)

    assert where("Ind.") == ("Indiana", "US", "admin1")
    assert where("W. Va.") == where("W.Va.") == ("West Virginia", "US", "admin1")
    assert where("La.") == ("Louisiana", "US", "admin1")
    assert where("LA") != ("Louisiana", "US", "admin1")     # written without the period: not it
    assert where("NSW") == ("New South Wales", "AU", "admin1")
    assert gazetteer.abbreviation_key("Kan.") == "kan." and gazetteer.abbreviation_key("Kan") is None


def test_short_first_words_are_written_out():
    assert name_key("St. Petersburg") == name_key("Saint Petersburg")
    assert name_key("Mt. Pleasant") == name_key("Mount Pleasant")
    assert name_key("Ft. Worth") == name_key("Fort Worth")
    assert name_key("St.") == "st"


def test_the_united_states_point_is_the_centre_of_the_contiguous_states(gz):
    us = resolve("U.S.", GeoContext(gazetteer=gz))
    assert us.country == "US" and near(us, 39.83, -98.58, 50)


def test_demonyms_resolve_to_their_country_or_division(gz):
    def where(name):
        place = resolve(name, GeoContext(gazetteer=gz))
        return place and (place.name, place.feature)

    assert where("Malians") == ("Mali", "country")
    assert where("Canadian") == ("Canada", "country")       # not Canadian, Texas
    assert where("Scottish") == ("Scotland", "admin1")
    assert where("Texans") == ("Texas", "admin1")            # no list names them: from the stem
    assert gz.demonym("Burkinabe").country == "BF"


def test_a_state_beats_a_town_that_bears_its_name(gz):
    oregon = resolve("Oregon", GeoContext(gazetteer=gz))
    assert oregon.feature == "admin1" and oregon.country == "US"


def test_a_division_is_known_without_its_generic_word(gz):
    dagestan = resolve("Dagestan", GeoContext(gazetteer=gz))
    assert dagestan.country == "RU" and dagestan.feature == "admin1"


def test_a_first_level_division_point_lies_amid_its_towns(gz):
    [virginia] = [c for c in gz.candidates("Virginia") if c.feature == "admin1"]
    assert distance_km(virginia.latitude, virginia.longitude, 37.5, -78.8) < 150


def test_the_names_of_an_article_are_read_together(gz):
    # Springfield alone is the biggest Springfield (Missouri); with Sangamon County, Illinois's.
    from sitrep.geoparse import resolve_toponyms

    text = ("The Springfield City Council met on Tuesday. Sangamon County officials said the "
            "budget was short.")
    spans = [(text.index(n), text.index(n) + len(n), None, None)
             for n in ("Springfield", "Sangamon County")]
    springfield, county = resolve_toponyms(text, spans, GeoContext(gazetteer=gz))
    assert springfield.place.admin1 == county.place.admin1 == "Illinois"
    assert "admin-context" in springfield.rule
    alone = resolve("Springfield", GeoContext(gazetteer=gz))
    assert alone.admin1 != "Illinois"


def test_a_river_the_gazetteer_lacks_lies_by_its_namesake_town(gz):
    sentence = "The Swat Valley was cut off by floods on Monday."
    start = sentence.index("Swat Valley")
    place = resolve("Swat Valley", GeoContext(gazetteer=gz, sentence=sentence, start=start,
                                              end=start + len("Swat Valley")))
    assert place.country == "PK" and place.geo_precision == 2
    # A lake named after a country is not put on the country's centre.
    lake = resolve("Lake Chad", GeoContext(gazetteer=gz))
    assert lake is None or lake.feature != "country"


def test_the_x_area_is_near_x_not_a_division(gz):
    sentence = "Fighting was reported in the Gao area on Sunday."
    start = sentence.index("Gao")
    place = resolve("Gao", GeoContext(gazetteer=gz, sentence=sentence, start=start, end=start + 3))
    assert place.feature == "populated place" and place.geo_precision == 2


def test_recognition_finds_toponyms_inside_other_entities(settings, gz):
    from sitrep.geoparse import recognise
    from sitrep.nlp import build_nlp

    doc = build_nlp(settings)(
        "COLUMBUS, Ohio (AP) — The Ohio Department of Health said on Monday that officers of the "
        "Oakland Police Department met researchers from the University of Kentucky. Mikheil "
        "Saakashvili spoke later; Saakashvili said the Western Conference would meet. A man "
        "from Gainesville was hurt.")
    found = {doc.text[s:e]: how for s, e, how in recognise(doc, gz)}
    assert found.get("COLUMBUS") in ("entity", "dateline")
    assert found.get("Oakland", "").startswith("lead:")          # a local institution's town
    assert found.get("Kentucky", "").startswith("of:")           # "University of Kentucky"
    assert "Gainesville" in found                                 # taken for a person
    assert "Saakashvili" not in found                             # a person's surname
    assert "Western" not in found and "Western Conference" not in found
    starts = [s for s, _, _ in recognise(doc, gz)]
    assert starts == sorted(starts)


def test_recognition_reads_datelines(settings, gz):
    from sitrep.geoparse import recognise
    from sitrep.nlp import build_nlp

    nlp = build_nlp(settings)
    doc = nlp("Fire destroys home. BYESVILLE -- Firefighters are looking for the cause of a blaze.")
    assert [(doc.text[s:e], how) for s, e, how in recognise(doc, gz)] == [("BYESVILLE", "dateline")]
    doc = nlp("Budget passes. UPDATE: The council met on Monday.")
    assert recognise(doc, gz) == []


def test_recognition_reads_county_lists_party_places_and_place_adjectives(settings, gz):
    from sitrep.geoparse import recognise
    from sitrep.nlp import build_nlp

    nlp = build_nlp(settings)

    def found(text):
        doc = nlp(text)
        return [(doc.text[s:e], how) for s, e, how in recognise(doc, gz)]

    assert [n for n, _ in found("Storm damage was reported in Cooke, Grayson and Love counties "
                                "on Sunday.")] == ["Cooke", "Grayson", "Love"]
    assert ("N.Y.", "party") in found("The bill was filed by Rep. Charles Rangel, D-N.Y., on Monday.")
    assert [n for n, _ in found("The London-based charity said it would help.")] == ["London"]
    names = [n for n, _ in found("A Gainesville man was arrested on Friday.")]
    assert names == ["Gainesville"]
