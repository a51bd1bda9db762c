"""Shared fixtures: make_site writes a small site from inline files; run_cli runs the CLI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def story_text(title: str = "A story", *, dek: str = "Why it matters.", date: str = "2026-03-01",
               tags: str = "[AI Act]", extra: str = "", body: str = "## Section\n\nText.\n") -> str:
    return f'---\ntitle: "{title}"\ndek: "{dek}"\ndate: {date}\ntags: {tags}\n{extra}---\n{body}'


@pytest.fixture
def make_site(tmp_path):
    """make_site({"content/stories/a.md": "...", ...}) -> the site root."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / f"site{next(counter)}"
        root.mkdir()
        return write_files(root, files)

    return make


@pytest.fixture
def run_cli():
    """Run `python -m sitegen ARGS` in a subprocess, as a user would."""

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], cwd=cwd,
                              capture_output=True, text=True, timeout=300)

    return run
