"""The parse cache is written while the build goes on (cache.ParsedSave): in a forked child
for a full build, in the build's own process for a rebuild's few files; whatever happens to
the child, the next build finds every file it parsed."""

from __future__ import annotations

import importlib
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen import cache as cache_module
from sitegen.build import build
from sitegen.cache import CACHE_DIR, DiskCache
from sitegen.errors import BuildFailed
from sitegen.model import BuildOptions

from .sites import generated_site, private_copy

build_module = importlib.import_module("sitegen.build")  # the package exports a function of that name
NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
SERIAL = BuildOptions(jobs=1, now=NOW)  # parsing in this process, so the test can count it
STORIES = 150


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return generated_site(tmp_path_factory, STORIES, seed=11)


@pytest.fixture
def fresh(site, tmp_path) -> Path:
    return private_copy(site, tmp_path)


def stored_rel_paths(root: Path) -> set[str]:
    with DiskCache.open(root) as disk:
        return {key[1] for key in disk.parsed()}


def story_paths(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "content/stories").glob("*.md")}


def count_parses(monkeypatch) -> list[str]:
    parsed: list[str] = []
    real = build_module._parse_one
    monkeypatch.setattr(build_module, "_parse_one", lambda raw, item: parsed.append(item[1].rel_path) or real(raw, item))
    return parsed


def test_a_full_build_saves_in_a_child_and_the_next_build_parses_only_the_edit(fresh, monkeypatch):
    forks = []
    real_init = cache_module.ParsedSave.__init__

    def spy(self, cache, used):
        real_init(self, cache, used)
        forks.append(self._child is not None)

    monkeypatch.setattr(cache_module.ParsedSave, "__init__", spy)
    build(fresh, fresh / "public", SERIAL, disk_cache=True)
    assert forks == [True]
    assert story_paths(fresh) <= stored_rel_paths(fresh)
    path = fresh / "content/stories/story-000004.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    parsed = count_parses(monkeypatch)
    build(fresh, fresh / "public", SERIAL, disk_cache=True)
    assert parsed == ["content/stories/story-000004.md"]
    assert forks == [True, False]  # one shard to rewrite: written in this process


def test_when_the_child_fails_the_build_writes_the_cache_itself(fresh, monkeypatch):
    monkeypatch.setattr(cache_module.ParsedSave, "_write_in_child", lambda self: os._exit(1))
    build(fresh, fresh / "public", SERIAL, disk_cache=True)
    assert story_paths(fresh) <= stored_rel_paths(fresh)
    parsed = count_parses(monkeypatch)
    build(fresh, fresh / "elsewhere", SERIAL, disk_cache=True)
    assert parsed == []


def test_a_build_that_fails_keeps_what_it_parsed(fresh, monkeypatch):
    broken = fresh / "content/stories/story-000009.md"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(re.sub(r"^date: .*$", "date: not-a-date", text, count=1, flags=re.M), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(fresh, fresh / "public", SERIAL, disk_cache=True)
    assert not (fresh / "public").exists()
    assert story_paths(fresh) <= stored_rel_paths(fresh)  # the broken file's problems are cached too
    broken.write_text(text, encoding="utf-8")
    parsed = count_parses(monkeypatch)
    build(fresh, fresh / "public", SERIAL, disk_cache=True)
    assert parsed == ["content/stories/story-000009.md"]
    assert (fresh / CACHE_DIR).is_dir()
