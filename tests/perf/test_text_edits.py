"""A build after edits of story text alone plans and renders only the pages that show
those stories (cached_build._pages_showing_edits) and writes what a fresh serial build
without a cache writes; any other change plans every page."""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen import load as load_module
from sitegen.build import build
from sitegen.cache import CACHE_DIR
from sitegen.model import BuildOptions, BuildResult

from .sites import generated_site, private_copy, tree

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
OPTIONS = BuildOptions(jobs=2, now=NOW)
STORIES = 120


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_site(tmp_path_factory, STORIES, seed=11)


@pytest.fixture
def site(corpus, tmp_path) -> Path:
    return private_copy(corpus, tmp_path)


def story_path(root: Path, number: int) -> Path:
    return root / f"content/stories/story-{number:06d}.md"


def append(root: Path, number: int, text: str = "\nA sentence added in an edit.\n") -> None:
    path = story_path(root, number)
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace_line(root: Path, number: int, key: str, line: str) -> None:
    path = story_path(root, number)
    path.write_text(re.sub(rf"^{key}: .*$", line, path.read_text(encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")


def add_tag(root: Path, number: int, tag: str) -> None:
    path = story_path(root, number)
    path.write_text(re.sub(r"^tags: \[(.*)\]$", rf'tags: [\1, "{tag}"]', path.read_text(encoding="utf-8"), count=1, flags=re.M),
                    encoding="utf-8")


def rebuild(root: Path, tmp_path: Path) -> BuildResult:
    """A build with the cache, checked against a fresh serial build without one."""
    result = build(root, root / "public", OPTIONS, disk_cache=True)
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    build(root, fresh, BuildOptions(jobs=1, now=NOW))
    assert tree(root / "public") == tree(fresh)
    return result


def planned(result: BuildResult) -> set[str]:
    return {plan.dest for plan in result.plans}


def test_a_text_edit_plans_only_the_pages_showing_the_story(site, tmp_path):
    everything = planned(rebuild(site, tmp_path))
    for number in (3, 40, 3):
        append(site, number)
        result = rebuild(site, tmp_path)
        pages = planned(result)
        assert f"stories/story-{number:06d}/index.html" in pages
        assert 1 < len(pages) < len(everything) / 4
        assert set(result.rendered) <= pages


def test_title_and_dek_edits_reach_every_card_listing_and_feed(site, tmp_path):
    replace_line(site, 50, "date", "date: 2026-11-27T09:00:00Z")  # the newest story: on the home page, first in feeds
    rebuild(site, tmp_path)
    replace_line(site, 50, "title", 'title: "A title rewritten after publication"')
    replace_line(site, 50, "dek", 'dek: "A new dek, shown on cards and in feeds."')
    pages = planned(rebuild(site, tmp_path))
    assert {"index.html", "feed.xml", "stories/story-000050/index.html"} <= pages
    assert any(page.startswith("tags/") and page.endswith("/index.html") for page in pages)
    assert any(page.endswith(".xml") and page.startswith("tags/") for page in pages)
    assert "A title rewritten after publication" in (site / "public/index.html").read_text(encoding="utf-8")


def test_two_edits_at_once_and_an_edit_undone(site, tmp_path):
    rebuild(site, tmp_path)
    original = story_path(site, 8).read_bytes()
    append(site, 8)
    append(site, 9)
    pages = planned(rebuild(site, tmp_path))
    assert {"stories/story-000008/index.html", "stories/story-000009/index.html"} <= pages
    story_path(site, 8).write_bytes(original)
    assert "stories/story-000008/index.html" in planned(rebuild(site, tmp_path))


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: add_tag(root, 5, "A Tag Nobody Used"), id="tags"),
    pytest.param(lambda root: replace_line(root, 5, "date", "date: 2026-11-27"), id="date"),
    pytest.param(lambda root: append(root, 5, "\nSee [another story](story:story-000006).\n"), id="links"),
    pytest.param(lambda root: (root / "content/stories/new.md").write_text(
        '---\ntitle: "New"\ndek: "Added."\ndate: 2026-05-01\ntags: ["AI Act"]\n---\n\nBody.\n', encoding="utf-8"), id="story added"),
    pytest.param(lambda root: story_path(root, STORIES - 1).unlink(), id="story removed"),  # nothing links to it
    pytest.param(lambda root: (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text(encoding="utf-8").replace("page_size = 12", "page_size = 7"), encoding="utf-8"),
        id="config"),
])
def test_any_other_change_plans_every_page(site, tmp_path, change):
    rebuild(site, tmp_path)
    change(site)
    result = rebuild(site, tmp_path)
    assert len(result.plans) > 2 * STORIES


def test_an_edit_of_a_story_with_a_warning_plans_every_page(site, tmp_path):
    (site / "content/stories/later.md").write_text(
        '---\ntitle: "Later"\ndek: "Scheduled."\ndate: 2027-03-01\ntags: ["AI Act"]\n---\n\nBody.\n', encoding="utf-8")
    first = rebuild(site, tmp_path)
    assert any(p.location.path == "content/stories/later.md" and not p.is_error for p in first.problems)
    (site / "content/stories/later.md").write_text(
        '---\ntitle: "Later"\ndek: "Scheduled."\ndate: 2027-03-01\ntags: ["AI Act"]\n---\n\nA longer body.\n', encoding="utf-8")
    result = rebuild(site, tmp_path)
    assert len(result.plans) > 2 * STORIES
    assert result.problems == first.problems


def test_an_edit_of_a_draft_renders_nothing(site, tmp_path):
    draft = site / "content/stories/draft.md"
    draft.write_text('---\ntitle: "Draft"\ndek: "Not yet."\ndate: 2026-05-01\ntags: ["AI Act"]\ndraft: true\n---\n\nBody.\n',
                     encoding="utf-8")
    rebuild(site, tmp_path)
    draft.write_text(draft.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    result = rebuild(site, tmp_path)
    assert (result.plans, result.rendered, result.written) == ([], [], 0)


def test_two_stories_with_the_same_bytes(site, tmp_path):
    """Pages name stories by digest: a twin's pages are planned too, and its entries survive."""
    twin = site / "content/stories/twin.md"
    shutil.copyfile(story_path(site, 12), twin)
    text = twin.read_text(encoding="utf-8")
    if "slug:" in text:
        twin.write_text(re.sub(r"^slug: .*$", "slug: twin", text, count=1, flags=re.M), encoding="utf-8")
    rebuild(site, tmp_path)
    append(site, 12)
    rebuild(site, tmp_path)
    twin.write_text(twin.read_text(encoding="utf-8") + "\nThe twin changes too.\n", encoding="utf-8")
    assert "stories/twin/index.html" in planned(rebuild(site, tmp_path))


def test_an_output_page_edited_by_hand_is_rewritten_on_a_text_edit(site, tmp_path):
    rebuild(site, tmp_path)
    (site / "public/tags/index.html").write_bytes(b"<p>hand edit</p>")
    append(site, 20)
    result = rebuild(site, tmp_path)  # the kept page does not match what was written: everything is rendered
    assert "tags/index.html" in result.rendered


def test_a_text_edit_after_a_build_into_another_folder(site, tmp_path):
    """The record is per output folder: a build elsewhere does not make this one's stale."""
    rebuild(site, tmp_path)
    append(site, 30)
    build(site, tmp_path / "elsewhere", OPTIONS, disk_cache=True)
    append(site, 31)
    pages = planned(rebuild(site, tmp_path))
    assert {"stories/story-000030/index.html", "stories/story-000031/index.html"} <= pages


def settle(root: Path) -> None:
    when = time.time_ns() - 60_000_000_000
    for path in (root / "content").rglob("*.md"):
        os.utime(path, ns=(when, when))


def test_unchanged_files_are_not_read_and_a_lost_parse_cache_reads_them(site, tmp_path, monkeypatch):
    settle(site)
    rebuild(site, tmp_path)
    reads = []
    real = load_module._read_source
    monkeypatch.setattr(load_module, "_read_source", lambda *args, **kw: reads.append(args[1]) or real(*args, **kw))
    append(site, 7)
    build(site, site / "public", OPTIONS, disk_cache=True)
    assert reads == ["content/stories/story-000007.md"]
    for shard in (site / CACHE_DIR).glob("parsed-*.bin"):
        shard.unlink()
    append(site, 8)
    reads.clear()
    build(site, site / "public", OPTIONS, disk_cache=True)
    assert len(reads) > STORIES  # every file, read again to be parsed
    build(site, tmp_path / "fresh", BuildOptions(jobs=1, now=NOW))
    assert tree(site / "public") == tree(tmp_path / "fresh")
