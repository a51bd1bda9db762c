"""Helpers shared by the build tests in tests/perf: generated sites, private copies of
them, and whole output trees to compare byte for byte."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from benchmarks.corpus import generate_corpus
from sitegen.cache import CACHE_DIR


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder (hidden ones too) -> sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def generated_site(tmp_path_factory, stories: int, seed: int) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "site"
    generate_corpus(root, stories, seed=seed)
    return root


def private_copy(site: Path, tmp_path: Path) -> Path:
    """A copy of a generated site, without any cache, for one test to change."""
    root = tmp_path / "site"
    shutil.copytree(site, root, ignore=shutil.ignore_patterns(CACHE_DIR))
    return root
