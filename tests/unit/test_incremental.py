"""rebuild.py: the preview's incremental build re-renders only the pages an edit affects,
and whatever the edit, its result is byte-identical to a fresh full build."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import story_text
from sitegen.build import render_site
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.load import load_content
from sitegen.model import BuildOptions
from sitegen.rebuild import ContentMemory, PreviewBuilder
from sitegen.watch import ChangeSet

OPTIONS = BuildOptions(drafts=True, now=datetime(2026, 6, 1, tzinfo=timezone.utc))
BASE = "http://127.0.0.1:8000/"
TAGS_LAYOUT = '{% extends "base.html" %}{% block main %}<h1>All topics</h1>{% for t in tags %}<p>{{ t.name }}</p>{% endfor %}{% endblock %}\n'


@pytest.fixture
def site(make_site):
    return make_site({
        "content/stories/alpha.md": story_text("Alpha", date="2026-03-04", tags="[AI Act, Audits]"),
        "content/stories/beta.md": story_text("Beta", date="2026-03-03", tags="[AI Act]"),
        "content/stories/gamma.md": story_text("Gamma", date="2026-03-02", tags="[Copyright]"),
        "content/stories/delta.md": story_text("Delta", date="2026-03-01", tags="[Copyright]"),
        "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "layouts/tags.html": TAGS_LAYOUT,
        "layouts/partials/tag-intro.html": "<p>Intro</p>\n",
        "static/extra.css": "body { color: black }\n",
        "pyproject.toml": "[tool.sitegen]\ntitle = \"Test site\"\npage_size = 12\n",
    })


def fresh_build(root: Path) -> dict[str, bytes]:
    result = render_site(root, load_config(root, BASE), OPTIONS)
    return {o.dest: o.content for o in result.outputs}


def pages(result) -> set[str]:
    return {dest for dest in result.rendered if dest.endswith(".html")}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_first_build_renders_every_page_and_a_second_renders_none(site):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    first = builder()
    assert pages(first) == {o.dest for o in first.outputs if o.dest.endswith(".html")}
    assert pages(builder(ChangeSet.of([]))) == set()


def test_editing_a_body_re_renders_the_story_its_cards_its_tags_and_home_only(site):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    edit(site, "content/stories/beta.md", "Text.", "New text.")
    result = builder(ChangeSet.of(["content/stories/beta.md"]))
    # beta's page; alpha shows beta's card (they share AI Act); home and AI Act list it.
    assert pages(result) == {"stories/beta/index.html", "stories/alpha/index.html", "index.html", "tags/ai-act/index.html"}


def test_editing_a_layout_re_renders_only_the_pages_that_use_it(site):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    edit(site, "layouts/tags.html", "All topics", "Every topic")
    result = builder(ChangeSet.of(["layouts/tags.html"]))
    assert pages(result) == {"tags/index.html"}


def test_editing_a_partial_re_renders_every_page_that_includes_it(site):
    (site / "layouts/tag.html").write_text('{% extends "base.html" %}{% block main %}{% include "partials/tag-intro.html" %}{% endblock %}\n')
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    (site / "layouts/partials/tag-intro.html").write_text("<p>Changed intro</p>\n")
    result = builder(ChangeSet.of(["layouts/partials/tag-intro.html"]))
    assert pages(result) == {"tags/ai-act/index.html", "tags/audits/index.html", "tags/copyright/index.html"}


def test_a_layout_that_includes_by_variable_counts_every_layout(site):
    (site / "layouts/tag.html").write_text('{% extends "base.html" %}{% set part = "partials/tag-intro.html" %}'
                                           '{% block main %}{% include part %}{% endblock %}\n')
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    edit(site, "layouts/tags.html", "All topics", "Every topic")
    result = builder(ChangeSet.of(["layouts/tags.html"]))
    # tag.html's reference cannot be followed, so any layout edit re-renders tag pages too.
    assert pages(result) == {"tags/index.html", "tags/ai-act/index.html", "tags/audits/index.html", "tags/copyright/index.html"}


def test_a_config_change_forgets_every_cached_page(site):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    first = builder()
    edit(site, "pyproject.toml", "Test site", "Renamed site")
    result = builder(ChangeSet.of(["pyproject.toml"]))
    assert pages(result) == pages(first)


def _rename(root: Path) -> list[str]:
    os.rename(root / "content/stories/gamma.md", root / "content/stories/gamma-renamed.md")
    return ["content/stories/gamma.md", "content/stories/gamma-renamed.md"]


def _move_into_folder(root: Path) -> list[str]:
    (root / "content/stories/2026").mkdir()
    os.rename(root / "content/stories/delta.md", root / "content/stories/2026/delta.md")
    return ["content/stories/delta.md", "content/stories/2026"]


EDITS = {
    "body": lambda root: (edit(root, "content/stories/alpha.md", "Text.", "Changed text."), ["content/stories/alpha.md"])[1],
    "title": lambda root: (edit(root, "content/stories/beta.md", '"Beta"', '"Beta, retitled"'), ["content/stories/beta.md"])[1],
    "tags": lambda root: (edit(root, "content/stories/gamma.md", "[Copyright]", "[AI Act, Trade]"), ["content/stories/gamma.md"])[1],
    "draft": lambda root: (edit(root, "content/stories/delta.md", "tags:", "draft: true\ntags:"), ["content/stories/delta.md"])[1],
    "delete": lambda root: ((root / "content/stories/beta.md").unlink(), ["content/stories/beta.md"])[1],
    "add": lambda root: ((root / "content/stories/epsilon.md").write_text(story_text("Epsilon", date="2026-03-05", tags="[Audits]")),
                         ["content/stories/epsilon.md"])[1],
    "rename": _rename,
    "move into a folder": _move_into_folder,
    "page": lambda root: (edit(root, "content/about.md", "About us.", "About this site."), ["content/about.md"])[1],
    "layout": lambda root: (edit(root, "layouts/tags.html", "All topics", "Topics"), ["layouts/tags.html"])[1],
    "new layout": lambda root: ((root / "layouts/tag.html").write_text('{% extends "base.html" %}{% block main %}<h1>{{ tag.name }}</h1>{% endblock %}\n'),
                                ["layouts/tag.html"])[1],
    "static": lambda root: ((root / "static/extra.css").write_text("body { color: navy }\n"), ["static/extra.css"])[1],
    "config": lambda root: (edit(root, "pyproject.toml", "page_size = 12", "page_size = 2"), ["pyproject.toml"])[1],
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_incremental_rebuild_equals_a_fresh_full_build(site, name):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    before = {o.dest: o.content for o in builder().outputs}
    touched = EDITS[name](site)
    after = {o.dest: o.content for o in builder(ChangeSet.of(touched)).outputs}
    fresh = fresh_build(site)
    assert sorted(after) == sorted(fresh)
    assert [dest for dest in after if after[dest] != fresh[dest]] == []
    assert (after == before) == (name == "move into a folder")  # the slug comes from the file name


def test_a_series_of_edits_with_a_failure_between_still_equals_a_fresh_build(site):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    for name in ("body", "tags", "add"):
        builder(ChangeSet.of(EDITS[name](site)))
    edit(site, "content/stories/alpha.md", 'title: "Alpha"', 'title: "Alpha')  # broken YAML
    with pytest.raises(BuildFailed) as failed:
        builder(ChangeSet.of(["content/stories/alpha.md"]))
    assert [p.location.path for p in failed.value.problems if p.is_error] == ["content/stories/alpha.md"]
    edit(site, "content/stories/alpha.md", 'title: "Alpha', 'title: "Alpha fixed"')
    result = builder(ChangeSet.of(["content/stories/alpha.md"]))
    assert {o.dest: o.content for o in result.outputs} == fresh_build(site)


def test_content_memory_matches_a_fresh_walk_after_every_kind_of_change(site):
    (site / "content/stories/notes.txt").write_text("not Markdown\n")
    (site / "content/misplaced").mkdir()
    (site / "content/misplaced/x.md").write_text(story_text("Misplaced"))
    memory = ContentMemory(site)
    memory.load_all()

    def same() -> None:
        fresh, kept = load_content(site), memory.files()
        for group in ("stories", "pages", "storylines", "problems"):
            assert getattr(kept, group) == getattr(fresh, group), group

    same()
    (site / "content/stories/a-b.md").write_text(story_text("Sorted between"))  # "a-b" sorts after "a/..."
    (site / "content/stories/a").mkdir()
    (site / "content/stories/a/nested.md").write_text(story_text("Nested"))
    memory.update(["content/stories/a-b.md", "content/stories/a", "content/stories/a/nested.md"])
    same()
    (site / "content/stories/bad.md").write_bytes(b"---\ntitle: \xff\n---\n")
    memory.update(["content/stories/bad.md"])
    same()
    (site / "content/stories/beta.md").unlink()
    memory.update(["content/stories/beta.md", "content/stories/notes.txt"])
    same()
    import shutil
    shutil.rmtree(site / "content/stories/a")
    memory.update(["content/stories/a"])
    same()


def test_a_text_edit_takes_the_quick_path_and_a_tag_edit_the_full_one(site):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    edit(site, "content/stories/beta.md", '"Beta"', '"Beta, retitled"')
    quick = builder(ChangeSet.of(["content/stories/beta.md"]))
    assert "quick_edit" in quick.timings
    assert pages(quick) == {"stories/beta/index.html", "stories/alpha/index.html", "index.html", "tags/ai-act/index.html"}
    edit(site, "content/stories/beta.md", "[AI Act]", "[AI Act, Audits]")
    full = builder(ChangeSet.of(["content/stories/beta.md"]))
    assert "quick_edit" not in full.timings and "link" in full.timings
    assert {o.dest: o.content for o in full.outputs} == fresh_build(site)


@pytest.mark.parametrize("change", ["warning appears", "two stories become identical", "broken yaml", "new link"])
def test_the_quick_path_steps_aside_when_in_doubt_and_the_result_stays_exact(site, change):
    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    path = "content/stories/gamma.md"
    if change == "warning appears":
        edit(site, path, "tags:", "autors: [Typo Desk]\ntags:")  # "did you mean authors?"
    elif change == "two stories become identical":
        (site / path).write_text((site / "content/stories/delta.md").read_text())
    elif change == "broken yaml":
        edit(site, path, '"Gamma"', '"Gamma')
    else:
        edit(site, path, "Text.", "Text with [a link](story:alpha).")
    try:
        result = builder(ChangeSet.of([path]))
    except BuildFailed:
        assert change in ("broken yaml", "two stories become identical")
        return
    assert "quick_edit" not in result.timings
    assert {o.dest: o.content for o in result.outputs} == fresh_build(site)


def test_quick_edits_on_a_generated_corpus_equal_fresh_builds(tmp_path):
    from benchmarks.corpus import generate_corpus

    generate_corpus(tmp_path, 30, seed=7)
    options = BuildOptions(drafts=True, now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    builder = PreviewBuilder(tmp_path, options, BASE)
    builder()
    stories = sorted((tmp_path / "content/stories").glob("*.md"))
    for number, path in enumerate(stories[::10]):
        text = path.read_text()
        text = text.replace("## ", f"## Edited {number} ", 1) + f"\nA closing line, edit {number}.\n"
        path.write_text(text)
        result = builder(ChangeSet.of([path.relative_to(tmp_path).as_posix()]))
        assert "quick_edit" in result.timings
        fresh = render_site(tmp_path, load_config(tmp_path, BASE), options)
        assert {o.dest: o.content for o in result.outputs} == {o.dest: o.content for o in fresh.outputs}


def test_after_a_config_error_the_next_edit_builds_in_full_with_the_fixed_config(site):
    from sitegen.errors import ConfigError

    builder = PreviewBuilder(site, OPTIONS, BASE)
    builder()
    config = (site / "pyproject.toml").read_text()
    (site / "pyproject.toml").write_text(config + "page_size = 'many'\n")
    with pytest.raises(ConfigError):
        builder(ChangeSet.of(["pyproject.toml"]))
    (site / "pyproject.toml").write_text(config.replace("Test site", "Fixed site"))  # its event got lost
    edit(site, "content/stories/alpha.md", "Text.", "Changed text.")
    result = builder(ChangeSet.of(["content/stories/alpha.md"]))
    assert "quick_edit" not in result.timings
    assert {o.dest: o.content for o in result.outputs} == fresh_build(site)
