"""The dashboard in headless Chromium (Debian's, through Playwright) against a real uvicorn server
on the sample corpus: markers on the map, filters, the sources of an event, search, and an
article whose title is a script tag. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from sitrep.cli import app as cli

from test_web_api import SCRIPT_TITLE, hostile_jsonl

VIEWPORT = {"width": 1440, "height": 900}
# The pages' Content-Security-Policy forbids eval, which Playwright's wait_for_function needs; and
# with it off, an unescaped <script> would run: the escaping itself is what is tested.
CONTEXT = {"viewport": VIEWPORT, "bypass_csp": True}


@contextmanager
def serving(db):
    """`sitrep serve`'s app under uvicorn, in a thread, on a free port of 127.0.0.1."""
    import uvicorn

    from sitrep.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def base(demo_out):
    with serving(demo_out / "sitrep.db") as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(**CONTEXT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def loaded(page, after: int = 0) -> int:
    """Wait until the dashboard has finished its (after+1)th load of events; returns the count."""
    page.wait_for_function(f"Number(document.body.dataset.loads || 0) > {after} && document.body.dataset.state === 'ready'")
    return int(page.evaluate("Number(document.body.dataset.loads)"))


def markers(page) -> list[dict]:
    return page.eval_on_selector_all("#map [data-event-id]", "els => els.map(e => ({id: e.dataset.eventId, "
                                                            "type: e.dataset.eventType}))")


def rows(page) -> list[dict]:
    return page.eval_on_selector_all("#event-rows tr", "els => els.map(e => ({id: e.dataset.eventId, "
                                                       "type: e.dataset.eventType}))")


def test_map_shows_markers_beside_the_list(page, base, screenshots):
    page.goto(base + "/")
    loaded(page)
    found, listed = markers(page), rows(page)
    assert len(found) >= 10 and len(listed) >= len(found)
    assert {m["id"] for m in found} <= {r["id"] for r in listed}
    assert int(page.text_content("#count")) == len(listed)
    assert page.locator("#timeline svg .bar").count() >= 3
    assert page.locator(".leaflet-overlay-pane path").count() > 100, "the country outlines are drawn"
    page.screenshot(path=str(screenshots / "dashboard.png"))
    assert not page.errors


def test_a_filter_narrows_the_list_and_the_map(page, base, screenshots):
    page.goto(base + "/")
    n = loaded(page)
    before_rows, before_markers = rows(page), markers(page)
    page.select_option("select[name=event_type]", "Battles")
    loaded(page, n)
    after_rows, after_markers = rows(page), markers(page)
    assert 0 < len(after_rows) < len(before_rows)
    assert 0 < len(after_markers) < len(before_markers)
    assert all(r["type"] == "Battles" for r in after_rows)
    assert all(m["type"] == "Battles" for m in after_markers)
    assert "event_type=Battles" in page.url   # the address holds the filters
    page.screenshot(path=str(screenshots / "dashboard-battles.png"))
    # the address reproduces the view
    page.goto(page.url)
    loaded(page)
    assert [r["id"] for r in rows(page)] == [r["id"] for r in after_rows]
    assert page.input_value("select[name=event_type]") == "Battles"
    # a text filter narrows further
    n = loaded(page)
    page.fill("#filters input[name=q]", "Boulikessi")
    loaded(page, n)
    assert 0 < len(rows(page)) < len(after_rows)


def test_clicking_an_event_opens_its_sources(page, base, screenshots):
    page.goto(base + "/?sort=-fatalities")
    loaded(page)
    first = rows(page)[0]["id"]
    page.click(f'#event-rows tr[data-event-id="{first}"]')
    page.wait_for_selector("#detail-sources .sentence")
    event = json.loads(page.evaluate(f"fetch('/api/events/{first}').then(r => r.text())"))
    quotes = page.locator("#detail-sources .sentence").all_text_contents()
    assert quotes == [s["sentence"] for s in event["sources"]]
    assert page.is_visible("#detail-sources .hl-trigger")
    assert page.get_attribute("#detail-link", "href") == f"/events/{first}"
    assert page.locator(f'#map [data-event-id="{first}"].is-selected').count() == 1
    page.screenshot(path=str(screenshots / "dashboard-event.png"))
    # a marker opens its event too
    page.click("#detail-close")
    other = markers(page)[-1]["id"]
    page.locator(f'#map [data-event-id="{other}"]').dispatch_event("click")
    page.wait_for_function(f"document.getElementById('detail-link').getAttribute('href') === '/events/{other}'")
    page.wait_for_selector("#detail-sources .sentence")
    # and the event's own page shows every source with its highlighted sentence
    page.goto(base + f"/events/{first}")
    page.wait_for_selector("#mini-map [data-event-id]")
    assert page.locator("#sources .source").count() == len(event["sources"])
    assert page.locator("#sources .hl-place").count() >= 1
    page.screenshot(path=str(screenshots / "event.png"), full_page=True)
    assert not page.errors


def test_search_finds_an_article(page, base, screenshots):
    page.goto(base + "/")
    page.fill(".topsearch input[name=q]", "Boulikessi")
    page.press(".topsearch input[name=q]", "Enter")
    page.wait_for_selector("#results .result")
    titles = page.locator("#results .result-title").all_text_contents()
    assert any("Boulikessi" in t for t in titles)
    assert page.locator("#results mark").count() >= 2
    page.screenshot(path=str(screenshots / "search.png"), full_page=True)
    page.locator("#results .result-title").first.click()
    page.wait_for_selector("#article-body")
    assert page.locator("#article-body mark.hl-sentence").count() >= 1
    assert page.locator("#article-body .hl-place").count() >= 1
    assert page.locator("#article-body .hl-actor").count() >= 1
    page.screenshot(path=str(screenshots / "article.png"), full_page=True)
    assert not page.errors


def test_a_script_title_renders_as_text(browser, tmp_path, screenshots):
    result = CliRunner().invoke(cli, ["run", hostile_jsonl(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    dialogs = []
    context = browser.new_context(**CONTEXT)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serving(tmp_path / "out" / "sitrep.db") as url:
        page.goto(url + "/search?q=zxqhostile")
        assert page.text_content("#results .result-title").strip() == SCRIPT_TITLE
        page.click("#results .result-title")
        page.wait_for_selector("#article-title")
        assert page.text_content("#article-title") == SCRIPT_TITLE
        assert page.title().startswith(SCRIPT_TITLE)
        assert page.locator("a[href^='javascript']").count() == 0
        page.screenshot(path=str(screenshots / "article-hostile.png"), full_page=True)
        page.goto(url + "/?include_background=true")
        loaded(page)
        assert rows(page), "the hostile article's event is listed"
        page.locator("#event-rows tr").first.click()
        page.wait_for_selector("#detail-sources .source")
        assert SCRIPT_TITLE in page.text_content("#detail-sources")
        assert page.locator("#detail-sources a[href^='javascript']").count() == 0
        page.wait_for_timeout(300)
    context.close()
    assert dialogs == []
