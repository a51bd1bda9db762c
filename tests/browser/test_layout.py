"""Layout behaviour in a real Chromium: FAQ accordions without JavaScript, story cards,
no sideways scrolling on a phone, the story parts' order, dark mode and contrast.

A small site is written and built into a temporary folder once per module, then served by
a stdlib HTTP server on 127.0.0.1 for each test."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import lxml.html
import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PART_HEADINGS = ["The story so far", "Frequently asked", "Continue reading", "Methodology"]

# Tags of every story, so expectations about shared tags are computed, not copied.
TAGS = {
    "wide-table": ["EU AI Act", "Compute", "Transparency"],
    "labelling-code": ["EU AI Act", "Transparency", "Deepfakes"],
    "compute-thresholds": ["Compute", "United States"],
    "chip-controls": ["Export Controls", "United States"],
    "election-deepfakes": ["Deepfakes", "Elections"],
}
CURATED = {"wide-table": ["labelling-code"]}

# Long tokens that cannot wrap: the table's narrowest layout is far wider than a phone.
WIDE_TABLE = "\n".join([
    "| Obligation | Legal basis | Applies from | Who | Enforced by | Penalty | Guidance | Status |",
    "|---|---|---|---|---|---|---|---|",
    "| Transparency-for-general-purpose-models | Regulation-(EU)-2024/1689-Article-53(1)(a) | 2025-08-02 "
    "| Providers-of-general-purpose-models | European-AI-Office | Up-to-3%-of-worldwide-turnover "
    "| Code-of-practice-chapter-1 | In-force |",
    "| Systemic-risk-evaluation | Regulation-(EU)-2024/1689-Article-55(1)(a) | 2025-08-02 "
    "| Providers-of-systemic-risk-models | European-AI-Office | Up-to-3%-of-worldwide-turnover "
    "| Code-of-practice-chapter-3 | In-force |",
])


def story(slug: str, title: str, dek: str, date: str, extra: str = "", body: str = "") -> str:
    tags = ", ".join(TAGS[slug])
    body = body or "## What happened\n\nA paragraph of plain text.\n\n## Why it matters\n\nAnother paragraph.\n"
    return f'---\ntitle: "{title}"\ndek: "{dek}"\ndate: {date}\ntags: [{tags}]\n{extra}---\n{body}'


WIDE_EXTRA = """\
authors: [Data Desk]
storyline: act-rollout
story_so_far: "The AI Act applies in stages; the rules for general-purpose models came first."
faq:
  - q: "Who has to follow these rules?"
    a: "Providers of general-purpose models placed on the EU market."
  - q: "When do fines start?"
    a: "The AI Office gains its **fining powers** a year after the rules apply."
  - q: "Is there a code of practice?"
    a: "Yes. Signing it is voluntary but counts as a way to show compliance."
continue_reading: [labelling-code]
methodology:
  source_count: 2
  generated: autonomous
  human_review: false
  note: "Drafted from the regulation text and the code of practice."
sources:
  - id: act-text
    title: "Regulation (EU) 2024/1689"
    url: https://records.example.org/eu/ai-act
    publisher: Official Journal
    date: 2024-07-12
  - id: code
    title: "General-purpose AI code of practice"
    url: https://records.example.org/eu/gpai-code
    publisher: European AI Office
    date: 2025-07-10
"""

WIDE_BODY = f"""\
## The duties in one table

The table below lists each duty with its legal basis in [the regulation](https://records.example.org/eu/ai-act).

{WIDE_TABLE}

## The code of practice

A long address such as https://records.example.org/eu/ai-act/annexes/general-purpose-models/obligations-and-timelines
must wrap rather than widen the page.

```
providers --obligation=transparency --basis="Regulation (EU) 2024/1689, Article 53(1)(a)" --applies-from=2025-08-02
```

> A quotation from an official, set apart from the text.
"""

SITE = {
    "pyproject.toml": """\
        [tool.sitegen]
        title = "Layout Test Desk"
        description = "Stories that exercise every part of the default theme."
        base_url = "https://layout.example.org/"
        related_count = 3
        page_size = 4
        """,
    "content/storylines/act-rollout.md": '---\ntitle: "The AI Act Rollout"\n---\nThe law applies in stages.\n',
    "content/about.md": '---\ntitle: "About"\n---\nWho we are.\n',
    "content/stories/wide-table.md": story(
        "wide-table", "The Duties of Model Providers, in One Table",
        "Eight columns of obligations that a phone has to show without breaking the page.",
        "2026-03-01", WIDE_EXTRA, WIDE_BODY),
    "content/stories/labelling-code.md": story(
        "labelling-code", "How the EU Plans to Label AI-Generated Content",
        "A code of practice is filling in how disclosure of synthetic media will work.",
        "2026-02-20", "storyline: act-rollout\n"),
    "content/stories/compute-thresholds.md": story(
        "compute-thresholds", "Why Regulators Keep Counting FLOPs",
        "Training compute has become the default trigger for frontier AI rules.", "2026-02-10"),
    "content/stories/chip-controls.md": story(
        "chip-controls", "Export Controls Meet Their Workarounds",
        "Smuggling, cloud access and purpose-built chips keep testing the rules.", "2026-01-15"),
    "content/stories/election-deepfakes.md": story(
        "election-deepfakes", "Deepfakes and the Midterms",
        "The rules on AI-generated campaign content are a patchwork.", "2026-01-05"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The built fixture site (its output folder)."""
    root = tmp_path_factory.mktemp("layout-site")
    for rel, text in SITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    out = root.parent / "public"
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "-s", str(root), "-d", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture
def base_url(site, serve_static) -> str:
    return serve_static(site)


@pytest.fixture
def open_page(browser, base_url):
    """open_page(path, viewport=PHONE, **context_options) -> a Playwright page, closed after the test."""
    contexts = []

    def open_(path: str, viewport: dict = PHONE, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(base_url + path)
        assert response is not None and response.ok, path
        return page

    yield open_
    for context in contexts:
        context.close()


# ---------- FAQ ----------

def test_faq_has_no_script_to_depend_on(site):
    """The only <script> elements on a story page are JSON-LD data blocks."""
    tree = lxml.html.fromstring((site / "stories/wide-table/index.html").read_bytes())
    assert tree.xpath("//details[contains(@class,'faq__item')]"), "the FAQ is built from <details>"
    types = [s.get("type") for s in tree.xpath("//script")]
    assert types and all(t == "application/ld+json" for t in types), types


def test_faq_opens_and_closes_by_click_and_keyboard_without_javascript(open_page):
    page = open_page("/stories/wide-table/", java_script_enabled=False)
    items = page.locator("#faq details")
    assert items.count() == 3
    item = items.nth(1)
    summary, answer = item.locator("summary"), item.locator(".faq__answer")
    assert summary.text_content().strip() == "When do fines start?"

    def is_open() -> bool:
        return item.get_attribute("open") is not None

    assert not is_open() and not answer.is_visible()
    summary.click()
    assert is_open() and answer.is_visible()
    assert "fining powers" in answer.inner_text()
    summary.click()
    assert not is_open() and not answer.is_visible()

    summary.focus()
    for key in ("Enter", "Space"):
        page.keyboard.press(key)
        assert is_open() and answer.is_visible(), f"{key} opens the answer"
        page.keyboard.press(key)
        assert not is_open() and not answer.is_visible(), f"{key} closes the answer"


# ---------- Cards ----------

def test_home_cards_link_to_their_stories(open_page):
    page = open_page("/", viewport=DESKTOP)
    cards = page.locator(".card-list .card")
    assert cards.count() == 4  # page_size
    for i in range(cards.count()):
        link = cards.nth(i).locator(".card__title a")
        assert re.fullmatch(r"/stories/[a-z0-9-]+/", link.get_attribute("href"))
        assert cards.nth(i).locator("time[datetime]").count() == 1
        assert cards.nth(i).locator(".card__dek").text_content().strip()
    # The whole card is one target: a click on the standfirst opens the story too.
    first = cards.nth(0)
    title = first.locator(".card__title").text_content().strip()
    box = first.locator(".card__dek").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/stories/*/")
    assert page.locator("h1").text_content().strip() == title


def test_continue_reading_cards_say_why_they_are_related(open_page):
    page = open_page("/stories/wide-table/", viewport=DESKTOP)
    cards = page.locator("#continue-reading .card")
    assert cards.count() >= 2
    seen = []
    for i in range(cards.count()):
        card = cards.nth(i)
        slug = card.locator(".card__title a").get_attribute("href").strip("/").split("/")[-1]
        seen.append(slug)
        assert card.locator(".card__title").text_content().strip()
        assert card.locator(".card__dek").text_content().strip()
        assert card.locator("time[datetime]").text_content().strip()
        shared = {a.strip() for a in card.locator(".card__why a.tag").all_text_contents()}
        assert shared == set(TAGS["wide-table"]) & set(TAGS[slug]), slug
        similar = card.locator(".card__similar")
        if slug in CURATED["wide-table"]:
            assert similar.count() == 0, f"curated card {slug} is not labelled similar"
        else:
            assert similar.count() == 1 and similar.is_visible(), f"computed card {slug} says similar"
            assert similar.text_content().strip() == "Similar"
    assert seen[0] == "labelling-code", "curated picks come first"


def test_card_grid_is_one_column_on_phones_and_wider_on_desktops(open_page):
    def columns(page) -> int:
        return len(page.locator(".card-list").first.evaluate("el => getComputedStyle(el).gridTemplateColumns").split())

    assert columns(open_page("/tags/eu-ai-act/", viewport=PHONE)) == 1
    assert columns(open_page("/tags/eu-ai-act/", viewport=DESKTOP)) in (2, 3)


# ---------- Layout ----------

@pytest.mark.parametrize("path", ["/", "/stories/wide-table/", "/tags/eu-ai-act/", "/tags/"])
def test_no_horizontal_page_scroll_on_a_phone(open_page, path):
    page = open_page(path)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path} scrolls sideways: {width[0]}px content in a {width[1]}px window"


def test_wide_table_scrolls_inside_the_column(open_page):
    page = open_page("/stories/wide-table/")
    table = page.locator(".story__body table")
    sizes = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert sizes[0] > sizes[1], "the table is wider than a phone, so it must scroll on its own"
    assert table.evaluate("t => getComputedStyle(t).overflowX") in ("auto", "scroll")


def test_story_parts_follow_the_anatomy_order(open_page):
    page = open_page("/stories/wide-table/", viewport=DESKTOP)
    headings = [" ".join(h.split()) for h in page.locator("article.story h2").all_text_contents()]
    parts = [h for h in headings if h in PART_HEADINGS]
    assert parts == PART_HEADINGS
    body = page.locator(".story__body h2").all_text_contents()
    assert body and headings[:len(body)] == body, "the body's sections come before the parts"
    assert page.locator("section.story-part > h2").all_text_contents() == PART_HEADINGS


def test_skip_link_appears_on_first_tab_and_focus_is_visible(open_page):
    page = open_page("/stories/wide-table/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "the skip link shows when focused"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "keyboard focus has a visible outline"


# ---------- Colour ----------

def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Text colour and the first opaque background behind it, as two "rgb(...)" strings.
COLOURS_JS = """el => {
  let bg = el;
  while (bg && getComputedStyle(bg).backgroundColor.replace(/\\s/g, '').match(/^(transparent|rgba\\(0,0,0,0\\))$/)) {
    bg = bg.parentElement;
  }
  return [getComputedStyle(el).color, bg ? getComputedStyle(bg).backgroundColor : 'rgb(255, 255, 255)'];
}"""

CHECKED_TEXT = [".story__title", ".story__dek", ".story__meta time", ".story__body p", ".story__body a",
                ".story-part > h2", ".card__dek", ".card__meta time", ".card__similar", ".tag",
                ".methodology__disclosure", ".disclosure__flag", ".source__publisher", ".site-footer__small"]


def _rgb(value: str) -> tuple[float, ...]:
    return tuple(float(n) for n in re.findall(r"[\d.]+", value)[:3])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_meets_wcag_aa_contrast(open_page, scheme):
    page = open_page("/stories/wide-table/", viewport=DESKTOP, color_scheme=scheme)
    for selector in CHECKED_TEXT:
        element = page.locator(selector).first
        assert element.count() == 1, selector
        text, background = element.evaluate(COLOURS_JS)
        ratio = _contrast(_rgb(text), _rgb(background))
        assert ratio >= 4.5, f"{scheme}: {selector} has contrast {ratio:.2f} ({text} on {background})"


def test_dark_mode_changes_the_background(open_page):
    backgrounds = {}
    for scheme in ("light", "dark"):
        page = open_page("/", color_scheme=scheme)
        backgrounds[scheme] = _rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert backgrounds["light"] != backgrounds["dark"]
    assert _luminance(backgrounds["dark"]) < 0.05 < _luminance(backgrounds["light"])


def test_unreviewed_disclosure_stands_out(open_page):
    page = open_page("/stories/wide-table/", viewport=DESKTOP)
    panel = page.locator(".disclosure--unreviewed")
    assert panel.count() == 1
    assert "No person reviewed it" in panel.inner_text()
    page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert panel.evaluate("el => getComputedStyle(el).backgroundColor") != page_bg
    assert page.locator(".story__notice").is_visible(), "the story header warns before the text starts"


# ---------- Pages as served under the Content-Security-Policy ----------

def test_pages_carry_no_inline_style_or_script(site):
    """The hosting policy forbids inline styles and scripts; JSON-LD data blocks are allowed."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        tree = lxml.html.fromstring(path.read_bytes())
        where = path.relative_to(site).as_posix()
        assert not tree.xpath("//*[@style]"), f"{where}: inline style attribute"
        assert not tree.xpath("//style"), f"{where}: <style> element"
        assert not tree.xpath("//*[@*[starts-with(name(), 'on')]]"), f"{where}: inline event handler"
        for script in tree.xpath("//script"):
            assert script.get("type") == "application/ld+json" or script.get("src"), f"{where}: inline script"
