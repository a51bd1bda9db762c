"""Live reload in a real Chromium against `sitegen serve` running as a user runs it: edits
on disk show in the open page by themselves, build errors appear in the page with
path:line, the page recovers once the file is fixed, and a deleted story leaves home."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from preview_process import ServeProcess, free_port

from conftest import story_text

pytestmark = pytest.mark.browser

ALPHA = "content/stories/alpha.md"
LONG_BODY = "".join(f"## Part {i}\n\n" + "A paragraph of text that fills the page. " * 30 + "\n\n" for i in range(12))


@pytest.fixture
def site(make_site):
    return make_site({
        ALPHA: story_text("Alpha", date="2026-01-03", tags="[AI Act]", body=LONG_BODY),
        "content/stories/beta.md": story_text("Beta", date="2026-01-02", tags="[AI Act]"),
        "content/stories/gamma.md": story_text("Gamma", date="2026-01-01", tags="[Copyright]"),
        "pyproject.toml": '[tool.sitegen]\ntitle = "Preview"\n',
    })


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def rewrite(site, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_title_change_shows_without_a_manual_reload(site, page):
    with ServeProcess(site) as served:
        page.goto(served.url + "stories/alpha/")
        expect(page).to_have_title(re.compile(r"^Alpha\b"))
        rewrite(site, ALPHA, 'title: "Alpha"', 'title: "Alpha, retitled"')
        expect(page).to_have_title(re.compile(r"^Alpha, retitled\b"), timeout=5000)
        expect(page.get_by_role("heading", level=1)).to_have_text("Alpha, retitled")


def test_broken_front_matter_shows_path_and_line_in_the_page_and_the_page_recovers(site, page):
    with ServeProcess(site) as served:
        page.goto(served.url + "stories/alpha/")
        rewrite(site, ALPHA, 'title: "Alpha"', 'title: "Alpha')  # an unclosed quote
        overlay = page.locator("#sitegen-problems")
        expect(overlay).to_be_visible(timeout=5000)
        expect(overlay).to_contain_text(re.compile(r"content/stories/alpha\.md:\d+(:\d+)?: "))
        expect(page).to_have_title(re.compile(r"^Alpha\b"))  # the last good build stays
        rewrite(site, ALPHA, 'title: "Alpha', 'title: "Alpha, fixed"')
        expect(page).to_have_title(re.compile(r"^Alpha, fixed\b"), timeout=5000)
        expect(overlay).to_have_count(0)


def test_an_error_in_another_file_shows_and_clears_without_reloading(site, page):
    with ServeProcess(site) as served:
        page.goto(served.url + "stories/gamma/")
        page.evaluate("window.sitegenMarker = 'still the same page'")
        rewrite(site, "content/stories/beta.md", "tags: [AI Act]", "tags: {not: a list}")
        overlay = page.locator("#sitegen-problems")
        expect(overlay).to_contain_text(re.compile(r"content/stories/beta\.md:5: "), timeout=5000)
        rewrite(site, "content/stories/beta.md", "tags: {not: a list}", "tags: [AI Act]")
        expect(overlay).to_have_count(0, timeout=5000)
        assert page.evaluate("window.sitegenMarker") == "still the same page"


def test_a_deleted_story_drops_off_the_home_page(site, page):
    with ServeProcess(site) as served:
        page.goto(served.url)
        cards = page.locator("main a[href='/stories/beta/']")
        expect(cards.first).to_be_visible()
        (site / "content/stories/beta.md").unlink()
        expect(cards).to_have_count(0, timeout=5000)
        expect(page.locator("main a[href='/stories/alpha/']").first).to_be_visible()


def test_a_new_story_appears_on_the_home_page(site, page):
    with ServeProcess(site) as served:
        page.goto(served.url)
        (site / "content/stories/delta.md").write_text(story_text("Delta arrives", date="2026-01-04", tags="[AI Act]"))
        expect(page.locator("main a[href='/stories/delta/']").first).to_be_visible(timeout=5000)


def test_the_scroll_position_survives_a_reload(site, page):
    with ServeProcess(site) as served:
        page.set_viewport_size({"width": 1000, "height": 600})
        page.goto(served.url + "stories/alpha/")
        page.evaluate("window.scrollTo(0, 1500)")
        page.wait_for_function("window.scrollY >= 1400")
        rewrite(site, ALPHA, 'title: "Alpha"', 'title: "Alpha, scrolled"')
        expect(page).to_have_title(re.compile(r"^Alpha, scrolled\b"), timeout=5000)
        page.wait_for_function("window.scrollY >= 1400", timeout=5000)


def test_an_open_page_reconnects_after_the_server_restarts(site, page):
    port = free_port()
    with ServeProcess(site, port=port) as served:
        page.goto(served.url + "stories/alpha/")
    rewrite(site, ALPHA, 'title: "Alpha"', 'title: "Alpha, while stopped"')
    time.sleep(0.5)  # the page's event stream is down and retrying
    with ServeProcess(site, port=port):
        expect(page).to_have_title(re.compile(r"^Alpha, while stopped\b"), timeout=8000)


def test_the_page_works_under_a_strict_content_security_policy(site, page):
    # The live-reload script is external, so a CSP without 'unsafe-inline' still runs it.
    (site / "layouts").mkdir()
    (site / "layouts/partials").mkdir()
    (site / "layouts/partials/head-meta.html").write_text(
        '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\'; style-src \'self\'">\n')
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    with ServeProcess(site) as served:
        page.goto(served.url + "stories/alpha/")
        rewrite(site, ALPHA, 'title: "Alpha"', 'title: "Alpha, under CSP"')
        expect(page).to_have_title(re.compile(r"^Alpha, under CSP\b"), timeout=5000)
    assert violations == []
