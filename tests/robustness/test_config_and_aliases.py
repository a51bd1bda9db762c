"""A broken pyproject.toml and aliases that collide with sitegen's own files: exit 1, a
clear message, the previous output untouched, never a traceback."""

from __future__ import annotations

import shutil

import pytest

from .sites import assert_no_traceback, manifest, run_build, story, write_tree

CONFIGS = {
    "not TOML": ("[tool.sitegen\ntitle = 1\n", "pyproject.toml: cannot be read as TOML"),
    "not UTF-8": (b'[tool.sitegen]\ntitle = "caf\xe9"\n', "pyproject.toml: cannot be read as TOML"),
    "tool is a number": ("tool = 5\n", "pyproject.toml: [tool.sitegen] must be a table"),
    "sitegen is a number": ("[tool]\nsitegen = 5\n", "pyproject.toml: [tool.sitegen] must be a table"),
    "wrong types": ('[tool.sitegen]\ntitle = 5\n', "pyproject.toml: [tool.sitegen] 'title' must be"),
    "page size 0": ("[tool.sitegen]\npage_size = 0\n", "pyproject.toml: [tool.sitegen] 'page_size' must be at least 1"),
    "javascript base_url": ('[tool.sitegen]\nbase_url = "javascript:alert(1)"\n', "'base_url' must start with http:// or https://"),
}


@pytest.mark.parametrize("case", list(CONFIGS))
def test_a_broken_config_is_reported_without_a_traceback(case, tmp_path):
    root = write_tree(tmp_path / "site", {"content/stories/a.md": story({"title": "A"})})
    assert run_build(root, root / "public").returncode == 0
    before = manifest(root / "public")
    config, expected = CONFIGS[case]
    write_tree(root, {"pyproject.toml": config})
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr
    assert manifest(root / "public") == before


ALIASES = ["/index.html", "/feed.xml", "/sitemap.xml", "/robots.txt", "/_redirects", "/static/css/site.css", "/page/2/",
           "/tags/", "/tags/ai-act/", "/tags/ai-act/feed.xml", "/stories/b/", "/stories/a/index.html", "/about/"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("aliases") / "site", {
        "content/stories/a.md": story({"title": "A"}),
        "content/stories/b.md": story({"title": "B"}),
        "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
    })
    assert run_build(root, root / "public").returncode == 0
    return root


@pytest.mark.parametrize("alias", ALIASES)
def test_an_alias_onto_a_file_sitegen_writes_fails_cleanly(alias, built, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(built, root)
    before = manifest(root / "public")
    write_tree(root, {"content/stories/a.md": story({"title": "A", "aliases": [alias]})})
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 1, result.stderr
    assert alias.strip("/") in result.stderr
    assert manifest(root / "public") == before
