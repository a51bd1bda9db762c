"""`sitegen new`: the scaffold has every front-matter key, builds as it is, and never
overwrites a story."""

import re
from datetime import datetime, timedelta, timezone

from sitegen.stories import STORY_KEYS

from conftest import story_text

TITLE = 'Export Controls: Meet "Their" Workarounds #2'
SLUG = "export-controls-meet-their-workarounds-2"


def _today_or_just_before() -> set[str]:
    now = datetime.now(timezone.utc)
    return {now.date().isoformat(), (now - timedelta(minutes=5)).date().isoformat()}


def test_new_writes_every_key_and_prints_the_path(make_site, run_cli):
    root = make_site({"content/about.md": "---\ntitle: About\n---\nHi.\n"})
    result = run_cli("new", TITLE, "--tags", "Export Controls, Nvidia", "--storyline", "US China Chips", "-s", root)
    assert result.returncode == 0, result.stderr
    path = root / "content/stories" / f"{SLUG}.md"
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0]
    for key in STORY_KEYS:  # set, or commented out with an example
        assert re.search(rf"^(# )?{key}:", front, re.MULTILINE), key
    assert 'title: "Export Controls: Meet \\"Their\\" Workarounds #2"' in front
    assert 'tags: ["Export Controls", "Nvidia"]' in front
    assert "\nstoryline: us-china-chips\n" in front
    assert re.search(r"^date: (\S+)$", front, re.MULTILINE).group(1) in _today_or_just_before()


def test_the_scaffold_builds_and_checks_as_it_is(make_site, run_cli):
    root = make_site({"content/stories/other.md": story_text("Other", tags="[Nvidia]")})
    assert run_cli("new", TITLE, "--tags", "Nvidia", "-s", root).returncode == 0
    built = run_cli("build", "-s", root)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""
    assert not (root / "public/stories" / SLUG).exists()  # a draft until the author says otherwise

    built = run_cli("build", "-s", root, "--drafts")
    assert built.returncode == 0, built.stderr
    page = (root / "public/stories" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Export Controls: Meet &quot;Their&quot; Workarounds #2</h1>" in page or 'Export Controls: Meet "Their" Workarounds #2</h1>' in page
    assert "badge--draft" in page

    checked = run_cli("check", "-s", root, "--drafts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert " error: " not in checked.stdout
    # the only finding is the reminder to write a real dek
    assert checked.stdout.splitlines() == [f"content/stories/{SLUG}.md:3: warning: dek is still the placeholder written by sitegen new"
                                           " (write one sentence that says why this story matters)"]


def test_the_scaffold_publishes_once_draft_is_removed(make_site, run_cli):
    root = make_site({"pyproject.toml": "[tool.sitegen]\n"})
    assert run_cli("new", "A Plain Title", "-s", root).returncode == 0
    path = root / "content/stories/a-plain-title.md"
    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    built = run_cli("build", "-s", root)
    assert built.returncode == 0, built.stderr
    assert (root / "public/stories/a-plain-title/index.html").is_file()
    assert built.stderr == "content/stories/a-plain-title.md:2: warning: story has no tags, so no related stories can be found for it (add tags: [Topic, Another topic])\n"


def test_new_refuses_to_overwrite(make_site, run_cli):
    root = make_site({"content/stories/a-plain-title.md": story_text("Mine")})
    before = (root / "content/stories/a-plain-title.md").read_bytes()
    result = run_cli("new", "A plain title", "-s", root)
    assert result.returncode == 1
    assert result.stderr == f"sitegen: error: {root}/content/stories/a-plain-title.md already exists; edit it, or choose another title or --slug\n"
    assert (root / "content/stories/a-plain-title.md").read_bytes() == before


def test_new_refuses_a_slug_another_story_declares(make_site, run_cli):
    root = make_site({"content/stories/2025/older.md": story_text("Older", extra="slug: a-plain-title\n")})
    result = run_cli("new", "A plain title", "-s", root)
    assert result.returncode == 1
    assert "content/stories/2025/older.md already has the slug 'a-plain-title'" in result.stderr
    assert not (root / "content/stories/a-plain-title.md").exists()
    result = run_cli("new", "A plain title", "--slug", "plain-title-again", "-s", root)
    assert result.returncode == 0, result.stderr
    assert "\nslug: plain-title-again\n" in (root / "content/stories/plain-title-again.md").read_text()
    assert run_cli("build", "-s", root, "--drafts").returncode == 0


def test_titles_and_names_that_make_no_slug_are_usage_errors(make_site, run_cli):
    root = make_site({"content/about.md": "---\ntitle: About\n---\n"})
    for args in (["???"], ["   "], ["Fine", "--tags", "ok,!!!"], ["Fine", "--storyline", "!!"], ["Fine", "--slug", "Not A Slug"]):
        result = run_cli("new", *args, "-s", root)
        assert result.returncode == 2, args
        assert result.stderr.startswith("sitegen: error: ") and "Traceback" not in result.stderr
    assert not (root / "content/stories").exists()
