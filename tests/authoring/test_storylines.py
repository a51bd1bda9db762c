"""Storylines: "The story so far" on each piece (summary and a dated timeline, the current
piece marked), a page per storyline, and same-storyline stories first among related cards."""

import lxml.html
import pytest

from conftest import story_text


def _piece(title: str, date: str, tags: str = "[Chips]", extra: str = "") -> str:
    return story_text(title, date=date, tags=tags, extra="storyline: chip-war\n" + extra)


@pytest.fixture
def site(make_site, run_cli):
    # File names are not in date order, and two pieces share a date (the slug breaks the tie).
    root = make_site({
        "content/stories/a-latest.md": _piece("Latest Turn", "2026-04-10", extra='story_so_far: "Controls **tightened** twice."\n'),
        "content/stories/b-first.md": _piece("First Move", "2026-01-05"),
        "content/stories/c-same-day-two.md": _piece("Same Day Two", "2026-02-01"),
        "content/stories/c-same-day-one.md": _piece("Same Day One", "2026-02-01"),
        # shares three tags with the latest piece, but is not part of the storyline
        "content/stories/z-close-match.md": story_text("Close Match", date="2026-04-11", tags="[Chips, Nvidia, Export Controls]"),
        "content/stories/y-other-line.md": story_text("Other Line", date="2026-04-12", tags="[Chips]", extra="storyline: other-line\n"),
        "content/storylines/chip-war.md": '---\ntitle: "The Chip War"\ndescription: "Export controls and the **workarounds**."\n---\nMore background.\n',
    })
    # the latest piece also carries the close match's tags, so the match would outscore the storyline
    latest = root / "content/stories/a-latest.md"
    latest.write_text(latest.read_text().replace("tags: [Chips]", "tags: [Chips, Nvidia, Export Controls]"))
    result = run_cli("build", "-s", root)
    assert result.returncode == 0, result.stderr
    return root / "public"


def _page(public, path):
    return lxml.html.fromstring((public / path / "index.html").read_text(encoding="utf-8"))


def _timeline(doc):
    return [(li.findtext("time"), " ".join(li.text_content().split()), "timeline__item--current" in li.get("class"))
            for li in doc.get_element_by_id("story-so-far").findall(".//ol/li")]


def test_the_story_so_far_shows_the_summary_and_a_dated_timeline(site):
    doc = _page(site, "stories/a-latest")
    section = doc.get_element_by_id("story-so-far")
    assert section.findtext("h2") == "The story so far"
    assert lxml.html.tostring(section.find("p"), encoding="unicode") == "<p>Controls <strong>tightened</strong> twice.</p>"
    assert _timeline(doc) == [
        ("5 January 2026", "5 January 2026 First Move", False),
        ("1 February 2026", "1 February 2026 Same Day One", False),
        ("1 February 2026", "1 February 2026 Same Day Two", False),
        ("10 April 2026", "10 April 2026 Latest Turn (this story)", True),
    ]
    current = section.find(".//li[@class='timeline__item timeline__item--current']")
    assert current.find("a") is None and current.find("span").get("aria-current") == "page"
    others = [a.get("href") for a in section.findall(".//ol/li/a")]
    assert others == ["/stories/b-first/", "/stories/c-same-day-one/", "/stories/c-same-day-two/"]
    assert [a.get("href") for a in section.findall(".//p/a")] == ["/storylines/chip-war/"]


def test_each_piece_marks_itself(site):
    marks = [flag for _, _, flag in _timeline(_page(site, "stories/c-same-day-two"))]
    assert marks == [False, False, True, False]


def test_a_piece_without_a_summary_still_shows_the_timeline(site):
    section = _page(site, "stories/b-first").get_element_by_id("story-so-far")
    assert section.find("ol") is not None and section.find("p[@class]") is not None
    assert "Controls" not in section.text_content()


def test_a_story_outside_any_storyline_has_no_timeline(site):
    doc = _page(site, "stories/z-close-match")
    assert doc.find(".//*[@id='story-so-far']") is None


def test_the_storyline_page_lists_its_timeline(site):
    doc = _page(site, "storylines/chip-war")
    assert doc.findtext(".//h1").strip() == "The Chip War"
    assert "Export controls and the workarounds." in doc.text_content() and "More background." in doc.text_content()
    titles = [a.text_content().strip() for a in doc.findall(".//ol/li//h3/a")]
    assert titles == ["First Move", "Same Day One", "Same Day Two", "Latest Turn"]
    # a storyline without a file of its own gets a page too, titled from its slug
    assert _page(site, "storylines/other-line").findtext(".//h1").strip() == "Other line"


def test_same_storyline_stories_rank_first_among_computed_cards(site):
    doc = _page(site, "stories/a-latest")
    cards = [a.get("href") for a in doc.get_element_by_id("continue-reading").findall(".//h3/a")]
    # storyline pieces first (newest first among equal scores), then the best tag match
    assert cards[:4] == ["/stories/c-same-day-one/", "/stories/c-same-day-two/", "/stories/b-first/", "/stories/z-close-match/"]
