"""The situation report (`sitrep report`, and `sitrep run` writing it): its content, filters and
safety with untrusted article text. The browser tests are in test_browser_report.py."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app

runner = CliRunner()

HTML_SECTIONS = ["Key developments", "Map of events", "Timeline", "Actors and who fought whom",
                 "Contradictions between sources", "Background the articles recall", "All events",
                 "Method and caveats", "Sources"]


def squash(text: str) -> str:
    return " ".join(text.split())


def page_text(page: str) -> str:
    """The HTML's text with entities decoded and whitespace squashed (tags kept: good enough to find quotes)."""
    return squash(html.unescape(page))


def md_text(markdown: str) -> str:
    return squash(re.sub(r"\\(.)", r"\1", markdown))


def map_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    assert found, "the map's data is not embedded"
    return json.loads(found.group(1))


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", page)]


def report(args: list[str]) -> None:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo_report(demo_out) -> tuple[str, str]:
    return ((demo_out / "report.html").read_text(encoding="utf-8"),
            (demo_out / "report.md").read_text(encoding="utf-8"))


def test_run_writes_a_self_contained_report_with_every_section(demo_out, demo_report):
    page, _ = demo_report
    assert [re.sub(r"^\d+", "", h) for h in headings(page)] == HTML_SECTIONS
    # self-contained: no script, style or image is loaded from anywhere, and the page may not try
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page, re.I)
    assert not re.search(r"<link[^>]*stylesheet", page, re.I)
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "img-src data:;" in csp
    assert "Leaflet 1.9.4, a JS library for interactive maps" in page         # Leaflet inlined
    assert '"type":"Topology"' in page.replace(" ", "")                       # the world outlines inlined
    assert page.count('<svg class="chart') == 2                               # timeline and network


def test_every_placed_new_event_is_on_the_map_with_its_sources(demo_out, demo_report):
    page, _ = demo_report
    data = map_data(page)
    geojson = json.loads((demo_out / "events.geojson").read_text())
    placed = {f["id"] for f in geojson["features"]}
    assert placed and {e["id"] for e in data["events"]} == placed
    assert all(e["context"] is None for e in data["events"])
    assert data["tiles"] is None                                              # offline unless asked
    text = page_text(page)
    new = [e for e in jsonl(demo_out / "events.jsonl") if e["context"] is None]
    for event in new:
        assert f'id="event-{event["id"]}"' in page
        for source in event["sources"]:
            assert squash(source["sentence"]) in text, source["sentence"]
            assert source["outlet"] in text
    # the source list gives outlet, date, article title, link (http(s) only) and the quoted sentence
    assert 'href="https://saharagatenews.example/mali/2025/06/04/boulikessi-toll-more-than-60-soldiers"' in page
    assert "More than 60 soldiers killed in Boulikessi assault" in text


def test_contradictions_quote_each_side_with_its_outlet(demo_out, demo_report):
    page, markdown = demo_report
    text, md = page_text(page), md_text(markdown)
    stories = jsonl(demo_out / "stories.jsonl")
    sides = [side for s in stories for c in s["contradictions"] for side in (c["a"], c["b"])]
    assert sides
    section = text[text.index("Contradictions between sources</h2>"):text.index("Background the articles recall</h2>")]
    for side in sides:
        assert squash(side["text"]) in section, side["text"]
        assert side["outlet"] in section
        assert squash(side["text"]) in md
    assert "30 against 60 killed" in section


def test_key_developments_link_their_summaries_to_sources(demo_report):
    page, _ = demo_report
    key = page[page.index('id="key-developments"'):page.index('id="map"')]
    stories = re.findall(r'<article class="story"', key)
    assert 1 <= len(stories) <= 8
    # the best-ranked story is the Boulikessi attack: most deaths, two outlets
    assert "Boulikessi" in key[:key.index("</h3>")]
    refs = re.findall(r'href="#src-(\d+)"', key)
    assert refs and all(f'id="src-{n}"' in page for n in refs)


def test_background_is_listed_apart_and_not_counted(demo_out, demo_report):
    page, _ = demo_report
    flagged = [e for e in jsonl(demo_out / "events.jsonl") if e["context"] is not None]
    background = page[page.index('id="background"'):page.index('id="events"')]
    for e in flagged:
        assert f'id="event-{e["id"]}"' in background
    data = map_data(page)
    assert not {e["id"] for e in flagged} & {e["id"] for e in data["events"]}
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([\d,]+)</dd>", page))
    new = [e for e in jsonl(demo_out / "events.jsonl") if e["context"] is None]
    assert figures["Events"] == str(len(new))
    assert figures["Reported deaths"] == f"{sum(e['fatalities'] or 0 for e in new):,}"


def test_markdown_twin_has_the_same_sections_and_sources(demo_out, demo_report):
    _, markdown = demo_report
    sections = re.findall(r"^## \d+\. (.+)$", markdown, re.M)
    assert sections == HTML_SECTIONS
    md = md_text(markdown)
    new = [e for e in jsonl(demo_out / "events.jsonl") if e["context"] is None]
    for event in new:
        for source in event["sources"]:
            assert squash(source["sentence"]) in md
    footnotes = set(re.findall(r"^\[\^(\d+)\]:", markdown, re.M))
    cited = set(re.findall(r"\[\^(\d+)\](?!:)", markdown))
    assert cited and cited <= footnotes
    assert "](https://saharagatenews.example/" in markdown
    assert not re.search(r"(?<!\\)<", markdown)                                   # no raw HTML at all


def test_a_country_without_events_gives_an_empty_but_valid_report(demo_out, tmp_path):
    report(["--db", str(demo_out / "sitrep.db"), "--country", "BF", "-o", str(tmp_path)])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert [re.sub(r"^\d+", "", h) for h in headings(page)] == HTML_SECTIONS
    assert 'id="empty-notice"' in page and "No events match" in page
    assert map_data(page)["events"] == []
    assert "Situation report: Burkina Faso" in page
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "No events match" in markdown and "## 9. Sources" in markdown


def test_a_date_window_keeps_only_the_events_inside_it(demo_out, tmp_path):
    report(["--db", str(demo_out / "sitrep.db"), "--since", "2025-06-01", "--until", "2025-06-30",
            "--country", "ml", "-o", str(tmp_path)])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    data = map_data(page)
    expected = [e for e in jsonl(demo_out / "events.jsonl") if e["context"] is None and e["iso"] == "ML"
                and "2025-06-01" <= (e["event_date"] or "") <= "2025-06-30"]
    outside = [e for e in jsonl(demo_out / "events.jsonl") if e["context"] is None
               and not "2025-06-01" <= (e["event_date"] or "") <= "2025-06-30"]
    assert expected and {e["id"] for e in data["events"]} == {e["id"] for e in expected if e["latitude"] is not None}
    for e in outside:
        assert f'id="event-{e["id"]}"' not in page
    assert "per day" in page                                                   # a month: one bar per day
    assert "1 Jun 2025 – 30 Jun 2025" in page_text(page)


def test_report_rejects_bad_options(demo_out, tmp_path):
    db = str(demo_out / "sitrep.db")
    for args, message in [(["--country", "XX"], "not an ISO 3166 code"), (["--since", "2025-02-30"], "not a date"),
                          (["--since", "2025-06-02", "--until", "2025-06-01"], "is after"),
                          (["--tiles", "javascript:alert(1)"], "not a tile URL"),
                          (["--db", str(tmp_path / "none.db")], "no such database")]:
        result = runner.invoke(app, ["report", "--db", db, "-o", str(tmp_path), *args])
        assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "report.html").exists()


def test_tiles_only_when_asked(demo_out, tmp_path):
    report(["--db", str(demo_out / "sitrep.db"), "-o", str(tmp_path),
            "--tiles", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
            "--tiles-attribution", "© OpenStreetMap contributors"])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert map_data(page)["tiles"] == "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "img-src data: https://*.tile.openstreetmap.org;" in html.unescape(page)


def test_missing_front_end_assets(demo_out, tmp_path, monkeypatch):
    from sitrep import assets

    def missing():
        raise assets.AssetsMissing("front-end assets not found: run `make`")

    monkeypatch.setattr(assets, "node_modules", missing)
    assets.vendor_text.cache_clear()
    try:
        result = runner.invoke(app, ["report", "--db", str(demo_out / "sitrep.db"), "-o", str(tmp_path)])
    finally:
        assets.vendor_text.cache_clear()
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "front-end assets not found" in errors[0], result.stderr
    assert (tmp_path / "report.md").is_file() and not (tmp_path / "report.html").exists()


HOSTILE = {
    "title": "<script>alert(1)</script>",
    "outlet": "<img src=x onerror=alert(2)>",
    "url": "javascript:alert(3)",
    "published": "2025-03-10",
    "text": ("Gunmen attacked the town of Boulikessi in central Mali on Sunday, killing 12 soldiers, "
             "the army said. </script><script>alert(4)</script> Residents said the attackers fled on motorbikes "
             "towards the border with Burkina Faso after the attack on the army camp."),
}


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "in.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    out = folder / "out"
    result = runner.invoke(app, ["run", str(folder / "in.jsonl"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "report-html" in result.stdout
    return out


def test_untrusted_article_text_is_escaped_everywhere(hostile_out):
    page = (hostile_out / "report.html").read_text(encoding="utf-8")
    data = map_data(page)
    assert data["events"], "the hostile article should still give its event"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page                      # shown as text
    for raw in ("<script>alert(1)", "<script>alert(4)", "<img src=x"):
        assert raw.lower() not in page.lower()
    assert 'href="javascript:' not in page.lower()
    # inside the embedded JSON, "<" is \u003c: the script element cannot be closed early
    block = re.search(r'id="map-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block
    # scripts in the page: only sitrep's own and the vendored ones, no injected one
    assert len(re.findall(r"<script", page, re.I)) == 6
    markdown = (hostile_out / "report.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<", markdown)                                   # every "<" escaped: no HTML
    assert "\\<script\\>alert(1)\\</script\\>" in markdown
    assert "](javascript:" not in markdown


def test_no_report_option_and_report_into_the_databases_folder(tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps({**HOSTILE, "title": "Attack on Boulikessi"}) + "\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tmp_path / "in.jsonl"), "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists() and not (out / "report.md").exists()
    report(["--db", str(out / "sitrep.db")])
    assert (out / "report.html").is_file() and (out / "report.md").is_file()


def test_run_without_front_end_assets_warns_and_writes_the_markdown(tmp_path, monkeypatch):
    from sitrep import assets

    def missing():
        raise assets.AssetsMissing("front-end assets not found: run `make`")

    (tmp_path / "in.jsonl").write_text(json.dumps({**HOSTILE, "title": "Attack on Boulikessi"}) + "\n")
    monkeypatch.setattr(assets, "node_modules", missing)
    assets.vendor_text.cache_clear()
    try:
        result = runner.invoke(app, ["run", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out")])
    finally:
        assets.vendor_text.cache_clear()
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "report.html not written" in result.stderr
    assert (tmp_path / "out" / "report.md").is_file() and not (tmp_path / "out" / "report.html").exists()
