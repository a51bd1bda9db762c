"""watch.py: which touched paths matter, what kind of change each is, and how bursts of
watchdog events (including editors' atomic saves) become one ChangeSet."""

from __future__ import annotations

import os
import queue
import threading

import pytest

from sitegen.model import ChangeKind
from sitegen.watch import ChangeSet, Debouncer, SiteWatcher, classify


@pytest.mark.parametrize("rel, kind", [
    ("content/stories/ai-act.md", ChangeKind.CONTENT),
    ("content/stories/2026/deep/ai-act.md", ChangeKind.CONTENT),
    ("content/about.md", ChangeKind.CONTENT),
    ("content/stories", ChangeKind.CONTENT),  # a folder created, moved or deleted
    ("content", ChangeKind.CONTENT),
    ("layouts/story.html", ChangeKind.LAYOUT),
    ("layouts/partials/card.html", ChangeKind.LAYOUT),
    ("static/css/site.css", ChangeKind.STATIC),
    ("static/img/logo.svg", ChangeKind.STATIC),
    ("pyproject.toml", ChangeKind.CONFIG),
])
def test_classify_sorts_site_files_by_kind(rel, kind):
    assert classify(rel) is kind


@pytest.mark.parametrize("rel", [
    "content/stories/.ai-act.md.swp",  # vim swap
    "content/stories/.ai-act.md.swx",
    "content/stories/ai-act.md.swp",
    "content/stories/ai-act.md~",  # backup
    "content/stories/.#ai-act.md",  # emacs lock
    "content/stories/#ai-act.md#",  # emacs auto-save
    "content/stories/4913",  # vim's can-I-write probe
    "content/.DS_Store",
    "content/stories/.hidden/story.md",
    "layouts/.story.html.swp",
    "public/index.html",  # the output folder
    "public",
    ".git/index",
    "README.md",
    "content/pyproject.toml~",
    "src/pyproject.toml",
    "",
])
def test_classify_ignores_temp_files_output_and_everything_unwatched(rel):
    assert classify(rel) is None


def test_changeset_of_drops_ignored_paths_and_groups_by_kind():
    changes = ChangeSet.of(["content/stories/b.md", "content/stories/a.md", "content/stories/a.md~",
                            "layouts/story.html", "public/index.html"])
    assert changes.kinds == {ChangeKind.CONTENT, ChangeKind.LAYOUT}
    assert changes.paths(ChangeKind.CONTENT) == ["content/stories/a.md", "content/stories/b.md"]
    assert changes.paths(ChangeKind.CONFIG) == []


def test_debouncer_turns_a_burst_into_one_changeset():
    delivered: queue.Queue = queue.Queue()
    debouncer = Debouncer(delivered.put, quiet=0.2, longest=5)
    try:
        for i in range(50):
            debouncer.add(f"content/stories/s{i}.md", ChangeKind.CONTENT)
        debouncer.add("layouts/story.html", ChangeKind.LAYOUT)
        batch = delivered.get(timeout=10)
        assert len(batch.paths(ChangeKind.CONTENT)) == 50
        assert batch.kinds == {ChangeKind.CONTENT, ChangeKind.LAYOUT}
        debouncer.add("static/css/site.css", ChangeKind.STATIC)
        second = delivered.get(timeout=10)
        assert second.changes == {("static/css/site.css", ChangeKind.STATIC)}
    finally:
        debouncer.close()


def test_changes_made_while_a_rebuild_runs_come_in_the_next_changeset():
    release = threading.Event()
    delivered: queue.Queue = queue.Queue()

    def slow_rebuild(changes):
        delivered.put(changes)
        release.wait(10)

    debouncer = Debouncer(slow_rebuild, quiet=0.01)
    try:
        debouncer.add("content/stories/a.md", ChangeKind.CONTENT)
        first = delivered.get(timeout=10)
        debouncer.add("content/stories/b.md", ChangeKind.CONTENT)
        debouncer.add("content/stories/c.md", ChangeKind.CONTENT)
        release.set()
        second = delivered.get(timeout=10)
        assert first.paths(ChangeKind.CONTENT) == ["content/stories/a.md"]
        assert second.paths(ChangeKind.CONTENT) == ["content/stories/b.md", "content/stories/c.md"]
    finally:
        release.set()
        debouncer.close()


@pytest.fixture
def watched(make_site):
    """A real SiteWatcher on a small site; yields (root, next_changeset)."""
    root = make_site({"content/stories/a.md": "a\n", "layouts/story.html": "x\n", "static/site.css": "x\n",
                      "pyproject.toml": "[tool.sitegen]\n"})
    delivered: queue.Queue = queue.Queue()
    watcher = SiteWatcher(root, delivered.put, quiet=0.15)
    watcher.start()

    def next_changes(timeout: float = 10) -> ChangeSet:
        return delivered.get(timeout=timeout)

    yield root, next_changes
    watcher.stop()


def _until(next_changes, wanted: set[str]) -> set[str]:
    """Collect changed paths until every wanted one arrived (events may split in batches)."""
    seen: set[str] = set()
    while not wanted <= seen:
        seen |= {path for path, _ in next_changes().changes}
    return seen


def test_watcher_reports_edits_new_and_deleted_files_by_kind(watched):
    root, next_changes = watched
    (root / "content/stories/a.md").write_text("edited\n")
    (root / "content/stories/new.md").write_text("new\n")
    (root / "layouts/story.html").write_text("y\n")
    (root / "static/site.css").write_text("y\n")
    (root / "pyproject.toml").write_text("[tool.sitegen]\ntitle = 'x'\n")
    seen = _until(next_changes, {"content/stories/a.md", "content/stories/new.md", "layouts/story.html",
                                 "static/site.css", "pyproject.toml"})
    assert all(classify(p) is not None for p in seen)
    (root / "content/stories/new.md").unlink()
    assert "content/stories/new.md" in _until(next_changes, {"content/stories/new.md"})


def test_watcher_follows_an_atomic_save_and_ignores_swap_files(watched):
    root, next_changes = watched
    stories = root / "content/stories"
    (stories / ".a.md.swp").write_text("swap\n")
    (stories / "4913").write_text("")
    (stories / "a.md~").write_text("backup\n")
    temp = stories / ".a.md.tmp123"
    temp.write_text("saved atomically\n")
    os.replace(temp, stories / "a.md")
    seen = _until(next_changes, {"content/stories/a.md"})
    assert seen == {"content/stories/a.md"}


def test_watcher_reports_a_renamed_story_by_both_names(watched):
    root, next_changes = watched
    os.rename(root / "content/stories/a.md", root / "content/stories/b.md")
    assert {"content/stories/a.md", "content/stories/b.md"} <= _until(next_changes, {"content/stories/a.md", "content/stories/b.md"})


def test_watcher_never_reports_the_output_folder(watched):
    root, next_changes = watched
    (root / "public").mkdir()
    (root / "public/index.html").write_text("built\n")
    (root / "content/stories/a.md").write_text("edited\n")
    seen = _until(next_changes, {"content/stories/a.md"})
    assert not any(path.startswith("public") for path in seen)
