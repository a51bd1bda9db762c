"""The same input builds byte-identical files; a site with only content/ uses the theme."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, story_text
from sitegen.build import build
from test_build_errors import snapshot


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    build(REPO, first)
    build(REPO, second)
    assert snapshot(first) == snapshot(second)
    assert len(snapshot(first)) > 40


def test_stale_files_are_removed(make_site):
    root = make_site({"content/stories/a.md": story_text("A"), "content/stories/b.md": story_text("B")})
    out = root / "public"
    build(root, out)
    assert (out / "stories/b/index.html").exists()
    (root / "content/stories/b.md").unlink()
    build(root, out)
    assert not (out / "stories/b/index.html").exists()
    assert not any(p.name.startswith(".public") for p in root.iterdir())


def test_content_only_site_uses_the_theme(make_site):
    root = make_site({"content/stories/a.md": story_text("A")})
    build(root, root / "public")
    css = list((root / "public/static/css").glob("*.css"))
    assert css and css[0].stat().st_size > 1000
    assert b"A" in (root / "public/stories/a/index.html").read_bytes()


def test_site_layouts_and_static_override_the_theme(make_site):
    root = make_site({
        "content/stories/a.md": story_text("A"),
        "layouts/partials/footer.html": "<footer>Own footer</footer>",
        "static/robots-note.txt": "mine",
    })
    build(root, root / "public")
    assert b"<footer>Own footer</footer>" in (root / "public/index.html").read_bytes()
    assert (root / "public/static/robots-note.txt").read_text() == "mine"
