"""Parallel, cached and incremental builds write the same bytes as a serial build with no
cache; a corrupted, truncated or stale cache is noticed, rebuilt and never trusted."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen import cache as cache_module
from sitegen.build import build
from sitegen.cache import CACHE_DIR, DiskCache
from sitegen.model import STORY_BODY_FIELDS, BuildOptions, restore_story

from .sites import generated_site, private_copy, tree

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
SERIAL = BuildOptions(jobs=1, now=NOW)
PARALLEL = BuildOptions(jobs=2, now=NOW)
STORIES = 200


def reference(root: Path, into: Path) -> dict[str, str]:
    """A serial build without any cache, into a fresh folder."""
    shutil.rmtree(into, ignore_errors=True)
    build(root, into, SERIAL)
    return tree(into)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return generated_site(tmp_path_factory, STORIES, seed=7)


@pytest.fixture
def fresh(site, tmp_path) -> Path:
    return private_copy(site, tmp_path)


def edit_body(root: Path, number: int) -> None:
    path = root / f"content/stories/story-{number:06d}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence added in an edit.\n", encoding="utf-8")


def edit_tags(root: Path, number: int, tags: str) -> None:
    path = root / f"content/stories/story-{number:06d}.md"
    path.write_text(re.sub(r"^tags: \[.*\]$", f"tags: [{tags}]", path.read_text(encoding="utf-8"), count=1, flags=re.M),
                    encoding="utf-8")


def test_a_parallel_build_equals_a_serial_one(fresh, tmp_path):
    expected = reference(fresh, tmp_path / "serial")
    build(fresh, tmp_path / "parallel", PARALLEL)
    assert tree(tmp_path / "parallel") == expected
    assert len(expected) > 2 * STORIES


def test_cached_and_incremental_builds_equal_fresh_serial_ones(fresh, tmp_path):
    out = fresh / "public"
    steps = [
        ("cold", lambda: None),
        ("nothing changed", lambda: None),
        ("body edited", lambda: edit_body(fresh, 3)),
        ("body edited again", lambda: edit_body(fresh, 3)),
        ("tags changed", lambda: edit_tags(fresh, 5, '"AI Act", "Brand New Tag"')),
        ("story added", lambda: (fresh / "content/stories/added.md").write_text(
            '---\ntitle: "Added"\ndek: "New."\ndate: 2026-05-01\ntags: ["Brand New Tag", "Copyright"]\n---\n\nBody.\n', encoding="utf-8")),
        ("story removed", lambda: (fresh / "content/stories/story-000199.md").unlink()),  # nothing links to the newest number
        ("layout overridden", lambda: (fresh / "layouts").mkdir() or (fresh / "layouts/404.html").write_text(
            '{% extends "base.html" %}{% block main %}<p>Lost.</p>{% endblock %}', encoding="utf-8")),
        ("config changed", lambda: (fresh / "pyproject.toml").write_text(
            (fresh / "pyproject.toml").read_text(encoding="utf-8").replace("page_size = 12", "page_size = 9"), encoding="utf-8")),
        ("tags changed back", lambda: edit_tags(fresh, 5, '"AI Act"')),
    ]
    for name, change in steps:
        change()
        result = build(fresh, out, PARALLEL, disk_cache=True)
        assert tree(out) == reference(fresh, tmp_path / "serial"), name
        assert result.written + result.unchanged == len(tree(out)), name
    assert not list(fresh.glob(".public*"))


def test_a_build_with_nothing_changed_writes_nothing(fresh):
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    before = {p: os.stat(p).st_ino for p in out.rglob("*")}
    again = build(fresh, out, PARALLEL, disk_cache=True)
    assert (again.written, again.rendered, again.unchanged) == (0, [], len(tree(out)))
    assert {p: os.stat(p).st_ino for p in out.rglob("*")} == before


def test_a_body_edit_renders_few_pages_and_keeps_the_rest(fresh):
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    edit_body(fresh, 4)
    result = build(fresh, out, PARALLEL, disk_cache=True)
    assert "stories/story-000004/index.html" in result.rendered
    assert 0 < len(result.rendered) < 60
    assert 1 <= result.written <= len(result.rendered)
    assert result.cache_hits > 200


def test_an_output_file_edited_by_hand_is_not_trusted(fresh, tmp_path):
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    page = out / "stories/story-000001/index.html"
    page.write_bytes(b"<p>hand edit</p>")
    (out / "stray.txt").write_text("left by someone\n", encoding="utf-8")
    build(fresh, out, PARALLEL, disk_cache=True)
    assert tree(out) == reference(fresh, tmp_path / "serial")
    edit_body(fresh, 2)  # the spare (the old output) holds the hand edit now
    build(fresh, out, PARALLEL, disk_cache=True)
    assert tree(out) == reference(fresh, tmp_path / "serial")


def cache_files(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("*.bin"))


def story_shard(root: Path) -> tuple[Path, bytes]:
    """A parse shard that holds a story, and the fingerprint its files carry."""
    stamp = cache_module.fingerprint()
    shard = next(path for path in cache_files(root) if path.name.startswith("parsed-")
                 and any(key[0] == "story" for key in cache_module.decode(path.read_bytes(), stamp)))
    return shard, stamp


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for at in range(60, len(data), 97):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))


def wrong_version(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[8:12] = (cache_module.FORMAT + 1).to_bytes(4, "big")
    path.write_bytes(bytes(data))


def other_sitegen(path: Path) -> None:
    """A file written by another sitegen: valid in itself, but its fingerprint differs."""
    value = cache_module.decode(path.read_bytes(), cache_module.fingerprint())
    path.write_bytes(cache_module.encode(value, hashlib.sha256(b"another sitegen").digest()))


def planted(path: Path) -> None:
    """A well-formed file (right header and checksum) whose payload would run code if
    unpickled without the allow-list."""
    payload = b"cos\nsystem\n(S'touch planted-by-cache'\ntR."
    header = cache_module._HEADER.pack(cache_module.MAGIC, cache_module.FORMAT, cache_module.fingerprint(),
                                       len(payload), 0, hashlib.sha256(payload).digest())
    path.write_bytes(header + payload)


@pytest.mark.parametrize("damage", [truncate, garbage, wrong_version, other_sitegen, planted, lambda p: p.write_bytes(b"")],
                         ids=["truncated", "garbage bytes", "wrong format version", "other sitegen", "planted pickle", "empty"])
def test_a_damaged_cache_is_detected_and_rebuilt(fresh, tmp_path, damage):
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    edit_body(fresh, 6)
    files = cache_files(fresh)
    assert len(files) >= 5
    for path in files:
        damage(path)
    result = build(fresh, out, PARALLEL, disk_cache=True)
    assert tree(out) == reference(fresh, tmp_path / "serial")
    assert result.notes and all(CACHE_DIR in note for note in result.notes)
    assert not list(Path.cwd().glob("planted-by-cache")) and not list(fresh.glob("planted-by-cache"))
    # Rebuilt: the next build trusts the cache again and has nothing to note.
    edit_body(fresh, 6)
    again = build(fresh, out, PARALLEL, disk_cache=True)
    assert again.notes == []
    assert tree(out) == reference(fresh, tmp_path / "serial")


def test_a_damaged_spare_tree_is_repaired(fresh, tmp_path):
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    edit_body(fresh, 7)
    build(fresh, out, PARALLEL, disk_cache=True)  # the first output is now the spare
    [spare] = (fresh / CACHE_DIR / "spare").iterdir()
    (spare / "index.html").write_bytes(b"damaged")
    (spare / "stories/story-000008/index.html").unlink()
    (spare / "stories/extra").mkdir()
    (spare / "stories/extra/index.html").write_text("not a page", encoding="utf-8")
    edit_body(fresh, 7)
    build(fresh, out, PARALLEL, disk_cache=True)
    assert tree(out) == reference(fresh, tmp_path / "serial")


def test_the_cache_folder_says_what_it_is(fresh):
    build(fresh, fresh / "public", SERIAL, disk_cache=True)
    folder = fresh / CACHE_DIR
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert (folder / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    shutil.rmtree(folder)  # safe to delete
    build(fresh, fresh / "public", SERIAL, disk_cache=True)
    assert (folder / "CACHEDIR.TAG").exists()


def test_two_builds_of_one_site_take_turns(fresh):
    with DiskCache.open(fresh) as first:
        assert first.folder.is_dir()
        probe = os.open(first.folder / "lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(probe)


def test_a_story_body_in_the_cache_that_would_run_code_is_refused_and_rebuilt(fresh, tmp_path, run_cli):
    """A shard that is sound as a file but holds a story whose packed body would run code
    (its checksum even matches): the body is unpickled through the allow-list when first
    read, so nothing runs; the build forgets the parse cache, parses every file again and
    says so in a note."""
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    shard, stamp = story_shard(fresh)
    entries = cache_module.decode(shard.read_bytes(), stamp)
    key = next(key for key in entries if key[0] == "story")
    story, problems = entries[key]
    head = tuple(getattr(story, name) for name in story.__dataclass_fields__ if name not in STORY_BODY_FIELDS)
    body = b"cos\nsystem\n(S'touch planted-by-cache'\ntR."
    entries[key] = (restore_story(head, body, hashlib.sha256(body).digest()), problems)  # its checksum matches
    shard.write_bytes(cache_module.encode(entries, stamp))
    # Into a new folder, so that the story's page is rendered (a body is read only then).
    result = run_cli("build", "-s", str(fresh), "-d", str(tmp_path / "elsewhere"))
    assert result.returncode == 0, result.stderr
    assert "failed its checksum); rebuilt" in result.stderr and "Traceback" not in result.stderr
    assert not list(Path.cwd().glob("planted-by-cache")) and not list(fresh.glob("planted-by-cache"))
    assert tree(tmp_path / "elsewhere") == reference(fresh, tmp_path / "serial")
    again = build(fresh, tmp_path / "elsewhere", PARALLEL, disk_cache=True)  # the rewritten cache is sound
    assert again.notes == []


def test_a_story_body_altered_inside_a_cache_file_is_found_and_rebuilt(fresh, tmp_path):
    """Bodies lie outside the checksum verified when a shard loads (they are checked when
    first read): a flipped byte in one is found when its page renders, never used, and the
    build parses every file again."""
    out = fresh / "public"
    build(fresh, out, PARALLEL, disk_cache=True)
    shard, stamp = story_shard(fresh)
    blob = bytearray(shard.read_bytes())
    entries = cache_module.decode(bytes(blob), stamp)
    key, (story, _) = next((key, value) for key, value in entries.items() if key[0] == "story")
    body = story.__dict__["_packed_body"]
    at = body.obj.find(bytes(body)) + len(body) // 2  # its place in the file (a view into the file's bytes)
    blob[at] ^= 0x01
    shard.write_bytes(bytes(blob))
    assert cache_module.decode(bytes(blob), stamp).keys() == entries.keys()  # the shard itself still loads
    edit_body(fresh, 1)
    result = build(fresh, tmp_path / "elsewhere", PARALLEL, disk_cache=True)  # renders every page: reads every body
    assert any("failed its checksum); rebuilt" in note for note in result.notes)
    assert tree(tmp_path / "elsewhere") == reference(fresh, tmp_path / "serial")
    again = build(fresh, out, PARALLEL, disk_cache=True)
    assert again.notes == []
    assert tree(out) == tree(tmp_path / "elsewhere")


def test_a_first_build_notes_the_same_page_keys_whether_workers_or_this_process_make_them(fresh, tmp_path, monkeypatch):
    """A first build can keep no page, so its workers make the page keys; the next build's
    index and its record of which pages name which story must be exactly what keying every
    page here (as a build that can keep pages does) records."""
    from sitegen import cached_build

    def records(root: Path) -> tuple:
        with DiskCache.open(root) as disk:
            last = disk.get("last-build")
            (record,) = last.values()
            return disk.get("pages"), record["named"]

    other = private_copy(fresh, tmp_path / "other")
    build(fresh, fresh / "public", PARALLEL, disk_cache=True)
    monkeypatch.setattr(cached_build.KeptPages, "can_keep", property(lambda self: True))
    build(other, other / "public", PARALLEL, disk_cache=True)
    in_workers, here = records(fresh), records(other)
    assert in_workers[0] and in_workers[1]
    assert in_workers == here
