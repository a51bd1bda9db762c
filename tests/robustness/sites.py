"""Helpers shared by the robustness tests: write sites, run the CLI, fingerprint output."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files exactly as given (no dedent: the bytes are the point of these tests)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def story(fields: dict | None = None, body: str = "## Section\n\nText.\n", **overrides) -> str:
    """A story file: YAML front matter dumped by PyYAML (so any text is quoted correctly)."""
    data = {"title": "A story", "dek": "Why it matters.", "date": "2026-03-01", "tags": ["AI Act"]}
    data.update(fields or {})
    data.update(overrides)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n{body}"


def raw_story(front: str, body: str = "Body.\n") -> str:
    """A story file with front matter written by hand, for malformed YAML."""
    return f"---\n{front}---\n{body}"


def run_build(root: Path, dest: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m sitegen build -s ROOT -d DEST`, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "sitegen", "build", "-s", str(root), "-d", str(dest), *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=root)


def manifest(folder: Path) -> dict[str, str]:
    """Every file and link under folder -> sha256 of its bytes (or its link target)."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    """The `path:line: message` lines of a failed build (not the summary line)."""
    return [line for line in result.stderr.splitlines() if line.startswith("content/")]
