"""Links between a site's own pages: story:slug and tag:name resolve to URLs, and a link
to a story, tag, storyline or page that does not exist is an error at its file line."""

import re

from conftest import story_text

BODY = """## Links

See [the other story](story:other-story) and
[its tag](<tag:Export Controls#latest>), [a plain link](/stories/other-story/),
[the tag page](/tags/export-controls/), [the storyline](/storylines/chip-war/),
[about](/about/) and [an absolute one](https://news.example.org/stories/other-story/#faq).
"""


def _site(make_site, body: str, extra_files: dict | None = None):
    return make_site({
        "pyproject.toml": '[tool.sitegen]\nbase_url = "https://news.example.org/"\n',
        "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "content/stories/first.md": story_text("First", tags="[Export Controls]", extra="storyline: chip-war\n", body=body),
        "content/stories/other.md": story_text("Other", tags="[Export Controls]", extra="slug: other-story\n"),
        **(extra_files or {}),
    })


def test_cross_links_resolve_to_page_urls(make_site, run_cli):
    root = _site(make_site, BODY)
    result = run_cli("build", "-s", root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    html = (root / "public/stories/first/index.html").read_text()
    hrefs = re.findall(r"<a href=([^ >]+)>(the other story|its tag)</a>", html)
    assert hrefs == [("/stories/other-story/", "the other story"), ("/tags/export-controls/#latest", "its tag")]
    for url in ("stories/other-story", "tags/export-controls", "storylines/chip-war", "about"):
        assert (root / "public" / url / "index.html").is_file()


def test_missing_targets_are_errors_at_their_lines(make_site, run_cli):
    body = """## Broken

Intro paragraph.

See [x](story:other-stroy), and
then [y](tag:export-control).
[z](/stories/gone/) [w](/tags/nope/)
[v](/storylines/chip-wars/) [u](/abuot/) [t](https://news.example.org/stories/othr-story/)
[fine](/static/css/site.css) [old](/2020/01/old/) [home](/) [tags](/tags/) [ext](https://example.com/stories/x/)
"""
    root = _site(make_site, body)
    result = run_cli("build", "-s", root)
    assert result.returncode == 1
    path = "content/stories/first.md"
    # front matter is lines 1-7, the body starts on line 8: "Broken" is 8, "See" is 12;
    # findings on one line are sorted by message
    assert result.stderr.splitlines() == [
        f"{path}:12: link to story 'other-stroy': no story has that slug (did you mean 'story:other-story'?)",
        f"{path}:13: link to tag 'export-control': no published story has that tag (did you mean 'tag:export-controls'?)",
        f"{path}:14: link to /stories/gone/: no story has the slug 'gone'",
        f"{path}:14: link to /tags/nope/: no published story has the tag 'nope'",
        f"{path}:15: link to /abuot/: no page has the slug 'abuot' (did you mean '/about/'?)",
        f"{path}:15: link to /stories/othr-story/: no story has the slug 'othr-story' (did you mean '/stories/other-story/'?)",
        f"{path}:15: link to /storylines/chip-wars/: no published story is in the storyline 'chip-wars' (did you mean '/storylines/chip-war/'?)",
        "Build failed: 7 errors in 1 file; nothing was written.",
    ]
    assert not (root / "public").exists()


def test_tag_links_use_the_tag_slug_of_the_written_name(make_site, run_cli):
    # A destination with a space must be written in <...>; markdown-it percent-encodes both.
    body = "## A\n\nSee [one](tag:Über) and [two](<tag:Export controls>).\n"
    root = make_site({"content/stories/a.md": story_text("A", tags="[Über, Export Controls]", body=body)})
    result = run_cli("build", "-s", root)
    assert result.returncode == 0, result.stderr
    html = (root / "public/stories/a/index.html").read_text()
    assert "<a href=/tags/uber/>one</a>" in html and "<a href=/tags/export-controls/>two</a>" in html


def test_links_from_pages_are_checked_too(make_site, run_cli):
    root = _site(make_site, "## Fine\n", {"content/contact.md": "---\ntitle: Contact\n---\nWrite to us.\n\nOr read [this](story:missing).\n"})
    result = run_cli("build", "-s", root)
    assert result.returncode == 1
    assert "content/contact.md:6: link to story 'missing': no story has that slug" in result.stderr


def test_link_to_a_draft_is_a_warning_that_clears_with_drafts(make_site, run_cli):
    draft = story_text("Draft", extra="draft: true\n")
    root = _site(make_site, "## Soon\n\nSee [the draft](story:draft) and [again](/stories/draft/).\n", {"content/stories/draft.md": draft})
    result = run_cli("build", "-s", root)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "content/stories/first.md:10: warning: link to /stories/draft/: story 'draft' is a draft or dated in the future, so the link is broken until it is published",
        "content/stories/first.md:10: warning: link to story 'draft', which is a draft or dated in the future: the link is broken until it is published",
    ]
    assert run_cli("build", "-s", root, "--drafts").stderr == ""


def test_links_in_the_summary_and_faq_answers_are_checked_too(make_site, run_cli):
    extra = ('story_so_far: "Earlier: [the start](story:prologue)."\n'
             'faq:\n  - q: "Where next?"\n    a: "Read [this](story:other-story) and [that](/tags/nowhere/)."\n')
    root = _site(make_site, "## Fine\n", {"content/stories/third.md": story_text("Third", extra=extra)})
    result = run_cli("build", "-s", root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "content/stories/third.md:6: link to story 'prologue': no story has that slug",
        "content/stories/third.md:9: link to /tags/nowhere/: no published story has the tag 'nowhere'",
    ]
