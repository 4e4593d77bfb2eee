"""The dashboard's JSON API and pages (FastAPI TestClient), on the sample corpus run as a user would,
and on a database holding an article written to attack the pages."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sitrep.cli import app as cli
from sitrep.export import FORMATS

runner = CliRunner()
SCRIPT_TITLE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def db(demo_out):
    return demo_out / "sitrep.db"


@pytest.fixture(scope="module")
def client(db):
    from sitrep.web import create_app

    return TestClient(create_app(db))


@pytest.fixture(scope="module")
def every_event(client) -> list[dict]:
    """Every merged event, flagged ones too, through the API."""
    page = client.get("/api/events", params={"limit": 1000, "include_background": "true"}).json()
    assert page["total"] == len(page["events"]) > 20
    return page["events"]


def hostile_jsonl(folder) -> str:
    """An article whose title, outlet and URL are attacks, with a body sitrep codes an event from."""
    record = {"title": SCRIPT_TITLE, "outlet": '<img src=x onerror="alert(2)">', "url": "javascript:alert(3)",
              "published": "2025-05-12", "author": "</script><script>alert(4)</script>",
              "text": "Gunmen killed 12 civilians in an attack on the village of Boni in central Mali on Monday, "
                      "local officials said.\n\nThe attackers, believed to be jihadists, burned shops and stole "
                      "cattle before fleeing on motorbikes toward Douentza, residents told reporters. "
                      "Villagers described the zxqhostile raid as the worst in years."}
    path = folder / "hostile.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from sitrep.web import create_app

    folder = tmp_path_factory.mktemp("hostile")
    result = runner.invoke(cli, ["run", hostile_jsonl(folder), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return TestClient(create_app(folder / "out" / "sitrep.db"))


# --- /api/events ---------------------------------------------------------------------------

def test_acceptance_mali_battles(client, every_event):
    page = client.get("/api/events?country=ML&event_type=Battles").json()
    expected = {e["id"] for e in every_event if e["iso"] == "ML" and e["event_type"] == "Battles"
                and e["context"] is None}
    assert expected, "the sample corpus has battles in Mali"
    assert {e["id"] for e in page["events"]} == expected and page["total"] == len(expected)
    assert all(e["iso"] == "ML" and e["event_type"] == "Battles" for e in page["events"])


def test_records_are_the_export_records(client, db):
    """The API's events are `sitrep export --format jsonl`'s, field for field."""
    exported = {}
    for line in runner.invoke(cli, ["export", "--db", str(db), "--format", "jsonl"]).stdout.splitlines():
        record = json.loads(line)
        exported[record["id"]] = record
    page = client.get("/api/events", params={"limit": 1000, "include_background": "true"}).json()
    assert len(page["events"]) == len(exported)
    for e in page["events"]:
        assert {k: e[k] for k in exported[e["id"]]} == exported[e["id"]]


@pytest.mark.parametrize("params, keep", [
    ({"country": "NE"}, lambda e: e["iso"] == "NE"),
    ({"country": "niger"}, lambda e: e["country"] == "Niger"),
    ({"country": ["ML", "NE"]}, lambda e: e["iso"] in ("ML", "NE")),
    ({"admin1": "mopti"}, lambda e: (e["admin1"] or "").lower() == "mopti"),
    ({"event_type": "Violence against civilians"}, lambda e: e["event_type"] == "Violence against civilians"),
    ({"event_type": ["Battles", "Protests"]}, lambda e: e["event_type"] in ("Battles", "Protests")),
    ({"sub_event_type": "armed clash"}, lambda e: e["sub_event_type"] == "Armed clash"),
    ({"actor": "jnim"}, lambda e: any("jnim" in (e[k] or "").lower()
                                      for k in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"))),
    ({"min_fatalities": 10}, lambda e: (e["fatalities"] or 0) >= 10),
    ({"since": "2025-06-01"}, lambda e: (e["event_date"] or "") >= "2025-06-01"),
    ({"since": "2024-01-01", "until": "2024-12-31"}, lambda e: "2024-01-01" <= (e["event_date"] or "") <= "2024-12-31"),
    ({"q": "boulikessi"}, lambda e: "boulikessi" in json.dumps([e["notes"], e["location"],
                                                                 [s["sentence"] for s in e["sources"]]]).lower()),
])
def test_each_filter_narrows_to_exactly_its_events(client, every_event, params, keep):
    page = client.get("/api/events", params={**params, "limit": 1000}).json()
    expected = {e["id"] for e in every_event if e["context"] is None and keep(e)}
    assert expected and len(expected) < sum(e["context"] is None for e in every_event)
    assert {e["id"] for e in page["events"]} == expected
    assert page["total"] == len(expected)


def test_background_events_only_on_request(client, every_event):
    default = client.get("/api/events", params={"limit": 1000}).json()
    assert all(e["context"] is None for e in default["events"])
    flagged = [e for e in every_event if e["context"]]
    assert flagged and default["total"] == len(every_event) - len(flagged)


def test_paging_and_sorting(client, every_event):
    new = [e for e in every_event if e["context"] is None]
    pages = [client.get("/api/events", params={"limit": 10, "offset": o, "sort": "event_date"}).json()
             for o in range(0, len(new), 10)]
    ids = [e["id"] for p in pages for e in p["events"]]
    assert len(ids) == len(set(ids)) == len(new)
    dates = [e["event_date"] for p in pages for e in p["events"]]
    assert dates == sorted(dates)
    latest = client.get("/api/events", params={"limit": 5}).json()["events"]
    assert [e["event_date"] for e in latest] == sorted((e["event_date"] for e in new), reverse=True)[:5]
    deadliest = client.get("/api/events", params={"sort": "-fatalities", "limit": 3}).json()["events"]
    assert [e["fatalities"] for e in deadliest] == sorted((e["fatalities"] or 0 for e in new), reverse=True)[:3]
    assert client.get("/api/events", params={"offset": 5000}).json()["events"] == []


def test_one_event_with_sources_sentences_and_mentions(client, every_event):
    busiest = max(every_event, key=lambda e: (e["n_sources"], e["id"]))
    e = client.get(f"/api/events/{busiest['id']}").json()
    assert e["id"] == busiest["id"] and len(e["sources"]) >= 2
    for s in e["sources"]:
        assert s["sentence"] and s["outlet"] and s["title"]
        for h in s["highlights"]:
            assert s["sentence"][h["start"]:h["end"]] == h["text"]
    assert {m["kind"] for m in e["mentions"]} >= {"trigger", "place"}
    article = client.get(f"/api/articles/{e['mentions'][0]['article_id']}").json()
    m = e["mentions"][0]
    assert article["text"][m["start"]:m["end"]] == m["text"]
    assert e["story"]["id"] == e["story_id"]
    member = e["provenance"]["events"][-1]
    assert client.get(f"/api/events/{member}").json()["id"] == e["id"]   # a member's id leads to its event


def test_unknown_ids_are_404_json(client):
    for path in ("/api/events/nope", "/api/stories/nope", "/api/articles/nope", "/api/events/%3Cscript%3E"):
        r = client.get(path)
        assert r.status_code == 404 and "message" in r.json(), path


@pytest.mark.parametrize("query, name", [
    ("limit=-1", "limit"), ("limit=100000", "limit"), ("offset=-5", "offset"), ("since=notadate", "since"),
    ("until=2025-13-45", "until"), ("sort=evil", "sort"), ("sort=event_date;DROP%20TABLE%20events", "sort"),
    ("country=%3Cscript%3E", "country"), ("country=M1", "country"), ("event_type=Massacres", "event_type"),
    ("min_fatalities=-1", "min_fatalities"), ("min_fatalities=ten", "min_fatalities"),
    ("include_background=maybe", "include_background"), ("q=" + "x" * 600, "q"),
    ("since=2025-06-10&until=2025-06-01", "since"),
])
def test_bad_parameters_are_422_with_a_message(client, query, name):
    r = client.get("/api/events?" + query)
    assert r.status_code == 422, query
    assert name in r.json()["message"]


def test_bad_parameters_elsewhere(client):
    assert client.get("/api/stories?limit=0").status_code == 422
    assert client.get("/api/search?q=" + "y" * 501).status_code == 422
    r = client.get("/api/export/excel")
    assert r.status_code == 422 and "acled-csv" in r.json()["message"]
    r = client.get("/?since=yesterday")   # a page: a 422 page, not JSON
    assert r.status_code == 422 and "text/html" in r.headers["content-type"] and "since" in r.text


@pytest.mark.parametrize("value", ["'", '"', "%", "_", "\\", "%' OR 1=1 --", "AND OR NOT", "*", "NEAR(a b)",
                                   "\x00", "ü" * 300, "🙂"])
def test_nasty_text_never_500(client, value):
    for path, name in (("/api/events", "q"), ("/api/events", "actor"), ("/api/events", "admin1"),
                       ("/api/search", "q"), ("/api/stories", "q"), ("/api/actors", "q"), ("/api/claims", "speaker"),
                       ("/search", "q"), ("/", "q"), ("/stories", "q")):
        r = client.get(path, params={name: value})
        assert r.status_code in (200, 422), (path, name, value, r.status_code)
    assert client.get("/api/events", params={"q": "%"}).json()["total"] == 0   # % is a character, not a wildcard


def test_empty_form_fields_mean_no_filter(client):
    everything = client.get("/api/events").json()["total"]
    assert client.get("/api/events?since=&until=&country=&event_type=&q=").json()["total"] == everything


def test_timeline_counts_every_matching_event(client, every_event):
    days = client.get("/api/timeline?country=ML").json()["days"]
    expected = [e for e in every_event if e["iso"] == "ML" and e["context"] is None and e["event_date"]]
    assert sum(d["n"] for d in days) == len(expected)


# --- stories, actors, claims, articles --------------------------------------------------------

def test_stories(client, db):
    page = client.get("/api/stories?limit=100").json()
    exported = [json.loads(line) for line in
                runner.invoke(cli, ["export", "--db", str(db), "--format", "stories-jsonl"]).stdout.splitlines()]
    assert page["total"] == len(exported) == len(page["stories"])
    assert {"id", "title", "summary", "n_articles", "n_outlets", "outlets", "n_events", "n_contradictions"} <= set(
        page["stories"][0])
    disputed = next(s for s in exported if s["contradictions"])
    story = client.get(f"/api/stories/{disputed['id']}").json()
    assert [a["id"] for a in story["articles"]] and {a["id"] for a in story["articles"]} == set(disputed["articles"])
    assert len(story["contradictions"]) == len(disputed["contradictions"])
    assert {e["id"] for e in story["events"]} >= set(disputed["events"])


def test_actors(client):
    page = client.get("/api/actors").json()
    names = [a["name"] for a in page["actors"]]
    assert "JNIM: Group for Support of Islam and Muslims" in names
    assert all({"name", "inter", "country", "events", "mentions"} <= set(a) for a in page["actors"])
    assert client.get("/api/actors?q=wagner").json()["actors"][0]["name"] == "Wagner Group"


def test_claims(client, db):
    page = client.get("/api/claims?limit=1000").json()
    exported = runner.invoke(cli, ["export", "--db", str(db), "--format", "claims-jsonl"]).stdout.splitlines()
    assert page["total"] == len(exported) == len(page["claims"])
    c = page["claims"][0]
    assert {"speaker", "verb", "text", "article_id", "outlet", "sentence"} <= set(c) and c["text"] in c["sentence"]
    some = client.get("/api/claims", params={"speaker": c["speaker"]}).json()["claims"]
    assert c["id"] in {x["id"] for x in some}


def test_article(client, every_event):
    e = next(e for e in every_event if e["context"] is None and e["location"])
    source = e["sources"][0]
    a = client.get(f"/api/articles/{source['article_id']}").json()
    assert a["title"] and a["text"] and a["outlet"] == source["outlet"]
    assert any(s["start"] == source["start"] and s["event_id"] == e["id"] for s in a["event_sentences"])
    assert e["id"] in {x["id"] for x in a["events"]}
    for key in ("places", "actors"):
        assert a[key] and all(a["text"][x["start"]:x["end"]] == x["text"] for x in a[key])
    assert "raw_html" not in a


# --- exports --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_endpoint_equals_sitrep_export(client, db, fmt, tmp_path):
    written = tmp_path / FORMATS[fmt][1]
    cli_out = runner.invoke(cli, ["export", "--db", str(db), "--format", fmt, "-o", str(written)])
    assert cli_out.exit_code == 0, cli_out.output
    r = client.get(f"/api/export/{fmt}")
    assert r.status_code == 200
    assert r.content == written.read_bytes()   # byte for byte (CSV rows end in CRLF in both)
    assert FORMATS[fmt][1] in r.headers["content-disposition"]
    kind = r.headers["content-type"]
    assert ("csv" in kind) if fmt.endswith("csv") else ("json" in kind)
    if fmt == "acled-csv":
        assert list(csv.DictReader(io.StringIO(r.text)))


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/events", "/api/events/{event_id}", "/api/stories", "/api/stories/{story_id}", "/api/actors",
                 "/api/claims", "/api/articles/{article_id}", "/api/search", "/api/export/{fmt}", "/api/timeline"):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert {"since", "until", "country", "admin1", "event_type", "actor", "min_fatalities", "q", "limit", "offset",
            "sort"} <= params
    assert "/api/events" in client.get("/api-docs").text


# --- pages and assets --------------------------------------------------------------------------

def test_pages_render(client, every_event):
    e = max(every_event, key=lambda e: e["n_sources"])
    for path in ("/", "/stories", f"/stories/{e['story_id']}", f"/events/{e['id']}",
                 f"/articles/{e['sources'][0]['article_id']}", "/search?q=Boulikessi", "/api-docs"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "text/html" in r.headers["content-type"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
    page = client.get(f"/events/{e['id']}").text
    assert e["sources"][0]["outlet"] in page and 'class="hl hl-trigger"' in page
    assert client.get("/events/nope").status_code == 404


def test_assets_only_by_name(client):
    assert client.get("/assets/leaflet.js").status_code == 200
    assert client.get("/assets/map.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/assets/dashboard.css").status_code == 200
    for name in ("../app.py", "..%2Fapp.py", "%2e%2e%2f%2e%2e%2fpyproject.toml", "app.py", "index.html"):
        assert client.get(f"/assets/{name}").status_code == 404, name


def plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def test_search_finds_an_article_by_a_word_of_its_body(client):
    found = client.get("/api/search", params={"q": "Boulikessi"}).json()
    assert found["total"] >= 2
    assert all("<mark>" in r["snippet"] or "<mark>" in r["title_html"] for r in found["results"])
    body_only = client.get("/api/search", params={"q": "communique"}).json()["results"]
    assert body_only and any("communique" not in r["title"].lower() for r in body_only)
    for r in body_only:   # accents are folded: communiqué matches too
        assert "communique" in plain(client.get(f"/api/articles/{r['id']}").json()["text"])
        assert "<mark>communique</mark>" in plain(r["snippet"])
    page = client.get("/search", params={"q": "communique"}).text
    assert body_only[0]["title"].replace("'", "&#39;") in page and "<mark>" in page
    assert client.get("/api/search", params={"q": "zzqqnotaword"}).json()["total"] == 0


# --- hostile input ----------------------------------------------------------------------------

def test_script_title_is_text_everywhere(hostile):
    articles = hostile.get("/api/search", params={"q": "zxqhostile"}).json()["results"]
    assert len(articles) == 1 and articles[0]["title"] == SCRIPT_TITLE
    article_id = articles[0]["id"]
    event_ids = [e["id"] for e in hostile.get(f"/api/articles/{article_id}").json()["events"]]
    pages = [f"/articles/{article_id}", "/search?q=zxqhostile", "/search?q=script", "/stories",
             *(f"/events/{i}" for i in event_ids)]
    assert event_ids, "the hostile article's body codes an event"
    for path in pages:
        html = hostile.get(path).text
        assert "<script>alert(1)" not in html, path
        assert "<img src=x" not in html and "<script>alert(4)" not in html, path
        assert 'href="javascript:' not in html.lower(), path
    article = hostile.get(f"/articles/{article_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    search = hostile.get("/search?q=zxqhostile").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in search
    # the title reaches the scripts only as JSON data, with < escaped
    api = hostile.get(f"/api/articles/{article_id}").json()
    assert api["title"] == SCRIPT_TITLE and api["url"] == "javascript:alert(3)"
