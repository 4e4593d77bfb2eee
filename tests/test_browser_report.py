"""The report in headless Chromium, opened from disk with the network cut: it draws its map
(country outlines and one marker per placed event), its charts and every section, with no
script error. Screenshots go to test-output/screenshots/ for people to look at."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from sitrep.cli import app

SECTIONS = ["key-developments", "map", "timeline", "actors", "contradictions", "background", "events", "method",
            "sources"]


def open_offline(browser, path, width: int = 1280):
    """A page on `path` (file://) in a context that may not reach any network."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    requests: list[str] = []

    def refuse(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    context.set_offline(True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector(".leaflet-overlay-pane svg", state="attached", timeout=10_000)
    return context, page, errors, requests


def placed_events(path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', text, re.S).group(1)
    return json.loads(block)["events"]


def test_report_opens_from_disk_offline_and_draws_its_map(browser, demo_out, screenshots):
    path = demo_out / "report.html"
    expected = placed_events(path)
    assert len(expected) > 20
    context, page, errors, requests = open_offline(browser, path)
    try:
        markers = page.locator(".leaflet-overlay-pane [data-event-id]")
        assert markers.count() == len(expected)
        assert {markers.nth(i).get_attribute("data-event-id") for i in range(markers.count())} == \
            {e["id"] for e in expected}
        outlines = page.locator(".leaflet-overlay-pane path:not([data-event-id])")
        assert outlines.count() > 100                                   # Natural Earth countries
        assert page.locator(".country-label", has_text="Mali").count() == 1
        assert page.locator(".map-legend").is_visible()
        for section in SECTIONS:
            assert page.locator(f"#{section} h2").is_visible(), section
        assert page.locator("svg.chart.timeline rect").count() > 5
        assert page.locator("svg.chart.network circle").count() >= 4
        # a marker in view leads to its row in the table of events
        marker_id = page.evaluate("""() => {
            const box = document.getElementById('event-map').getBoundingClientRect();
            const inside = [...document.querySelectorAll('[data-event-id]')].find(el => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
            });
            return inside && inside.getAttribute('data-event-id');
        }""")
        assert marker_id
        page.locator(f'.leaflet-overlay-pane [data-event-id="{marker_id}"]').dispatch_event("click")
        assert "selected" in (page.locator(f'tr[id="event-{marker_id}"]').get_attribute("class") or "")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(screenshots / "report.png"), full_page=True)
        page.locator("#map").screenshot(path=str(screenshots / "report-map.png"))
        page.emulate_media(media="print")
        page.screenshot(path=str(screenshots / "report-print.png"), full_page=True)
        assert errors == [] and requests == []
    finally:
        context.close()


def test_an_empty_report_opens_cleanly(browser, demo_out, tmp_path, screenshots):
    result = CliRunner().invoke(app, ["report", "--db", str(demo_out / "sitrep.db"), "--country", "BF",
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    context, page, errors, requests = open_offline(browser, tmp_path / "report.html", width=900)
    try:
        assert page.locator("[data-event-id]").count() == 0
        assert page.locator(".leaflet-overlay-pane path").count() > 100
        assert page.locator("#empty-notice").is_visible()
        page.screenshot(path=str(screenshots / "report-empty.png"), full_page=True)
        assert errors == [] and requests == []
    finally:
        context.close()
