"""Drafts and scheduled stories: left out of every output file (pages, cards, tag pages,
storylines, feeds, sitemap, redirects, whatever the build writes) unless --drafts or
--future asks for them."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen.build import collect_site
from sitegen.config import SiteConfig
from sitegen.model import BuildOptions

from conftest import story_text

PUBLISHED = story_text("Visible Piece", date="2026-03-01", tags="[AI Act, Chips]", extra="storyline: rollout\n")
DRAFT = story_text("Hidden Draft Piece", date="2026-03-02", tags="[AI Act, Draft Only Topic]",
                   extra="draft: true\nstoryline: rollout\naliases: [/old/draft-address/]\n")
FUTURE = story_text("Tomorrow Scheduled Piece", date="2999-01-01T09:00:00Z", tags="[AI Act, Future Only Topic]",
                    extra="storyline: future-line\naliases: [/old/future-address/]\n")

DRAFT_MARKS = ("hidden-draft-piece", "Hidden Draft Piece", "draft-only-topic", "Draft Only Topic", "/old/draft-address")
FUTURE_MARKS = ("tomorrow-scheduled-piece", "Tomorrow Scheduled Piece", "future-only-topic", "Future Only Topic",
                "future-line", "/old/future-address")


@pytest.fixture
def site(make_site):
    return make_site({
        "content/stories/visible-piece.md": PUBLISHED,
        "content/stories/hidden-draft-piece.md": DRAFT,
        "content/stories/tomorrow-scheduled-piece.md": FUTURE,
        "content/stories/another.md": story_text("Another", date="2026-02-01", tags="[AI Act, Chips]"),
    })


def _mentions(root: Path, marks: tuple[str, ...]) -> dict[str, list[str]]:
    """Every output file that mentions one of marks (in any file type: HTML, XML, text)."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "public").rglob("*")):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            hits = [mark for mark in marks if mark in text or mark in str(path.relative_to(root))]
            if hits:
                found[path.relative_to(root / "public").as_posix()] = hits
    return found


def _build(run_cli, root: Path, *flags: str) -> None:
    result = run_cli("build", "-s", root, *flags)
    assert result.returncode == 0, result.stderr


def test_a_normal_build_mentions_neither_drafts_nor_future_stories(site, run_cli):
    _build(run_cli, site)
    assert (site / "public/stories/visible-piece/index.html").is_file()
    assert _mentions(site, DRAFT_MARKS + FUTURE_MARKS) == {}
    # the storyline the draft belongs to still lists the published piece
    assert "Visible Piece" in (site / "public/storylines/rollout/index.html").read_text()


def test_drafts_appear_with_drafts_only(site, run_cli):
    _build(run_cli, site, "--drafts")
    found = _mentions(site, DRAFT_MARKS)
    for page in ("stories/hidden-draft-piece/index.html", "index.html", "tags/ai-act/index.html",
                 "tags/draft-only-topic/index.html", "storylines/rollout/index.html"):
        assert page in found, sorted(found)
    assert "badge--draft" in (site / "public/stories/hidden-draft-piece/index.html").read_text()
    assert _mentions(site, FUTURE_MARKS) == {}


def test_future_stories_appear_with_future_only(site, run_cli):
    _build(run_cli, site, "--future")
    found = _mentions(site, FUTURE_MARKS)
    for page in ("stories/tomorrow-scheduled-piece/index.html", "index.html", "tags/future-only-topic/index.html",
                 "storylines/future-line/index.html"):
        assert page in found, sorted(found)
    assert _mentions(site, DRAFT_MARKS) == {}


def test_both_flags_show_both(site, run_cli):
    _build(run_cli, site, "--drafts", "--future")
    found = _mentions(site, DRAFT_MARKS + FUTURE_MARKS)
    assert "stories/hidden-draft-piece/index.html" in found and "stories/tomorrow-scheduled-piece/index.html" in found


def test_a_draft_is_never_a_card_on_another_story(site, run_cli):
    # --drafts previews drafts, but a published page never advertises one
    _build(run_cli, site, "--drafts")
    assert "Hidden Draft Piece" not in (site / "public/stories/another/index.html").read_text()


def test_the_schedule_boundary_is_the_story_date_and_time(make_site):
    root = make_site({
        "content/stories/on-time.md": story_text("On time", date="2026-05-01T09:00:00+02:00"),
        "content/stories/a-minute-late.md": story_text("Late", date="2026-05-01T07:01:00Z"),
    })
    now = datetime(2026, 5, 1, 7, 0, tzinfo=timezone.utc)  # 09:00 in +02:00
    site, _ = collect_site(root, SiteConfig(), BuildOptions(now=now))
    assert [s.slug for s in site.stories] == ["on-time"]
    site, _ = collect_site(root, SiteConfig(), BuildOptions(now=now, future=True))
    assert [s.slug for s in site.stories] == ["a-minute-late", "on-time"]
