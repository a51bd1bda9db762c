"""Broken sources: exact path:line, exit status 1, no traceback, previous output untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import story_text


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


GOOD = {"content/stories/good.md": story_text("Good story"), "content/stories/other.md": story_text("Other story")}

CASES = {
    "malformed YAML": ({"content/stories/bad.md": '---\ntitle: "Unclosed\ndek: D\ndate: 2026-01-01\n---\n'},
                       ["content/stories/bad.md:2:8: invalid YAML: a quoted text opened here is never closed"]),
    "missing title": ({"content/stories/bad.md": "---\ndek: D\ndate: 2026-01-01\ntags: [a]\n---\n"},
                      ["content/stories/bad.md:1: missing required key 'title'"]),
    "wrong type": ({"content/stories/bad.md": "---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: 5\n---\n"},
                   ["content/stories/bad.md:5: 'tags' must be a list of texts, not a number"]),
    "unknown continue_reading": ({"content/stories/bad.md": story_text("Bad", extra="continue_reading:\n  - good\n  - gone-story\n")},
                                 ["content/stories/bad.md:8: continue_reading: no story has the slug 'gone-story'"]),
    "two stories, one slug": ({"content/stories/bad.md": story_text("Bad", extra="slug: good\n")},
                              ["content/stories/bad.md:6: slug 'good' is also used by content/stories/good.md",
                               "content/stories/good.md:1: slug 'good' is also used by content/stories/bad.md"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_is_reported_at_its_line_and_nothing_is_written(case, make_site, run_cli):
    broken, expected = CASES[case]
    root = make_site(GOOD)
    out = root / "public"
    assert run_cli("build", "-s", root, "-d", out).returncode == 0
    before = snapshot(out)
    for rel, text in broken.items():
        (root / rel).write_text(text, encoding="utf-8")
    result = run_cli("build", "-s", root, "-d", out)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert [line.split(" (")[0] for line in lines] == expected
    assert "nothing was written" in result.stderr
    assert snapshot(out) == before


def test_every_problem_in_every_file_at_once(make_site, run_cli):
    files = {f"content/stories/bad{i}.md": "---\ntitle: [x]\ndek: D\ndate: 2026-13-01\n---\n" for i in range(3)}
    result = run_cli("build", "-s", make_site(files))
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/") and ": warning:" not in line]
    assert len(lines) == 6 and lines == sorted(lines)
    assert "6 errors in 3 files" in result.stderr


def test_usage_errors_exit_2(run_cli, tmp_path):
    assert run_cli("build", "-s", tmp_path / "missing").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    site = tmp_path / "site"
    (site / "content" / "stories").mkdir(parents=True)
    result = run_cli("build", "-s", site, "-d", site / "content" / "out")
    assert result.returncode == 2 and "inside the site's content/ folder" in result.stderr


def test_config_error_exit_1(make_site, run_cli):
    root = make_site({**GOOD, "pyproject.toml": "[tool.sitegen]\npage_size = 'many'\n"})
    result = run_cli("build", "-s", root)
    assert result.returncode == 1 and "pyproject.toml: [tool.sitegen] 'page_size' must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_layout_error_names_the_layout(make_site, run_cli):
    root = make_site({**GOOD, "layouts/story.html": "{% extends 'base.html' %}\n{% block main %}\n{{ story.nope }}\n{% endblock %}\n"})
    result = run_cli("build", "-s", root)
    assert result.returncode == 1
    assert "layouts/story.html:3: layout uses an undefined value" in result.stderr
