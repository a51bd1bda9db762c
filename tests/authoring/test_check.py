"""`sitegen check`: the build's own validation plus editorial lint, one finding per line
at its exact file line, in text and JSON, writing nothing."""

import json
import re

from conftest import story_text

# One of each problem. Line numbers matter: they are asserted below.
ALPHA = """\
---
title: "Alpha"
dek: "Why it matters."
date: 2026-03-01
tags: [Export Controls, Chips]
faq:
  - q: "Is this a question"
    a: "Yes."
continue_reading: [betta]
methodology:
  source_count: 1
sources:
  - id: cited
    title: "Cited"
  - id: uncited
    title: "Never cited"
---
## Claims

A claim[^cited], a guess[^missing] and a note[^aside].

See [beta](story:bta) and [the tag](/tags/export-control/).

[^aside]: A footnote that is not a source.
"""

SITE = {
    "content/stories/alpha.md": ALPHA,
    "content/stories/beta.md": story_text("Shared Title", date="2026-03-02", tags="[Export Controls, Chips]"),
    "content/stories/gamma.md": story_text("shared  title", date="2026-03-03", tags="[Chips, Export Controll]"),
    "content/stories/orphan.md": story_text("Orphan", dek="One sentence that says why this matters.", tags="[Quantum Computing]"),
    "content/about.md": "---\ntitle: About\ndraft: maybe\n---\nAbout us.\n",
}

EXPECTED = [
    ("content/about.md", 3, "error", "'draft' must be true or false, not a text", ""),
    ("content/stories/alpha.md", 7, "warning", "FAQ question 1 does not end with '?': 'Is this a question'", "write it as a question a reader would ask"),
    ("content/stories/alpha.md", 9, "error", "continue_reading: no story has the slug 'betta'", "did you mean 'beta'?"),
    ("content/stories/alpha.md", 11, "error", "methodology.source_count is 1 but the story lists 2 sources", "set source_count: 2 or more"),
    ("content/stories/alpha.md", 15, "warning", "source 'uncited' is never cited in the body", "cite it as [^uncited] where the story relies on it, or remove it"),
    ("content/stories/alpha.md", 20, "error", "citation [^missing] names no source: no entry in sources has id 'missing'", "add a source with id: missing under sources:"),
    ("content/stories/alpha.md", 20, "warning", "footnote [^aside] is not one of the story's sources", "add it under sources: with id: aside, so readers see where it comes from"),
    ("content/stories/alpha.md", 22, "error", "link to /tags/export-control/: no published story has the tag 'export-control'", "did you mean '/tags/export-controls/'?"),
    ("content/stories/alpha.md", 22, "error", "link to story 'bta': no story has that slug", "did you mean 'story:beta'?"),
    ("content/stories/beta.md", 2, "warning", "title 'Shared Title' is also the title of content/stories/gamma.md", "readers and search engines cannot tell them apart; make each title say what is new"),
    ("content/stories/gamma.md", 2, "warning", "title 'shared  title' is also the title of content/stories/beta.md", "readers and search engines cannot tell them apart; make each title say what is new"),
    ("content/stories/gamma.md", 5, "warning", "tag 'Export Controll' is used by no other story", "the closest existing tag is 'Export Controls'"),
    ("content/stories/orphan.md", 3, "warning", "dek is still the placeholder written by sitegen new", "write one sentence that says why this story matters"),
    ("content/stories/orphan.md", 5, "warning", "story has no related story: no other story shares a tag or its storyline, and continue_reading names none", "add a tag that other stories use, or continue_reading: [other-slug]"),
    ("content/stories/orphan.md", 5, "warning", "tag 'Quantum Computing' is used by no other story", "tags connect stories; prefer one that other stories use"),
]


def test_check_reports_each_problem_at_its_line_as_text(make_site, run_cli):
    root = make_site(SITE)
    result = run_cli("check", "-s", root)
    assert result.returncode == 1
    expected = [f"{path}:{line}: {kind}: {message}" + (f" ({hint})" if hint else "") for path, line, kind, message, hint in EXPECTED]
    assert result.stdout.splitlines() == expected
    assert result.stderr == "Checked 4 stories and 0 pages: 6 errors, 9 warnings.\n"
    assert sorted(p.name for p in root.iterdir()) == ["content"]  # nothing written


def test_check_reports_the_same_findings_as_json(make_site, run_cli):
    root = make_site(SITE)
    result = run_cli("check", "-s", root, "--format", "json")
    assert result.returncode == 1
    assert result.stderr == ""
    found = json.loads(result.stdout)
    assert found == [{"path": path, "line": line, "severity": kind, "message": message, "hint": hint}
                     for path, line, kind, message, hint in EXPECTED]


def test_every_check_error_is_a_build_error(make_site, run_cli):
    root = make_site(SITE)
    built = run_cli("build", "-s", root)
    assert built.returncode == 1
    errors = [f"{path}:{line}: {message}" + (f" ({hint})" if hint else "") for path, line, kind, message, hint in EXPECTED if kind == "error"]
    assert built.stderr.splitlines() == errors + ["Build failed: 6 errors in 2 files; nothing was written."]


def test_warnings_alone_exit_zero(make_site, run_cli):
    root = make_site({
        "content/stories/a.md": story_text("A", tags="[Chips]", extra='faq:\n  - q: "Statement."\n    a: "Answer."\n'),
        "content/stories/b.md": story_text("B", tags="[Chips]"),
    })
    result = run_cli("check", "-s", root)
    assert result.returncode == 0
    assert result.stdout == "content/stories/a.md:7: warning: FAQ question 1 does not end with '?': 'Statement.' (write it as a question a reader would ask)\n"
    clean = make_site({"content/stories/a.md": story_text("A", tags="[Chips]"), "content/stories/b.md": story_text("B", tags="[Chips]")})
    result = run_cli("check", "-s", clean, "--format", "json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_a_story_that_does_not_parse_holds_back_the_lint_that_needs_every_story(make_site, run_cli):
    root = make_site({
        "content/stories/a.md": story_text("A", tags="[Chips]"),
        "content/stories/b.md": story_text("B", tags="[Chips]", date="2026-02-30"),
    })
    result = run_cli("check", "-s", root)
    assert result.returncode == 1
    # a.md would look like an orphan with a single-use tag, but b.md, unreadable, shares it
    assert result.stdout == ("content/stories/b.md:4: error: 'date' is not a valid date: '2026-02-30'"
                             " (write it as YYYY-MM-DD or an ISO date-time such as 2026-04-20T09:30:00Z)\n")


def test_layout_errors_are_reported_like_the_build_does(make_site, run_cli):
    root = make_site({
        "content/stories/a.md": story_text("A", tags="[Chips]"),
        "content/stories/b.md": story_text("B", tags="[Chips]"),
        "layouts/story.html": "{% extends 'base.html' %}{% block main %}{{ story.title }\n{% endblock %}",
    })
    result = run_cli("check", "-s", root)
    built = run_cli("build", "-s", root)
    assert result.returncode == built.returncode == 1
    assert result.stdout.startswith("layouts/story.html:1: error: ")
    assert built.stderr.startswith("layouts/story.html:1: ")


def test_drafts_and_future_stories_are_checked_with_their_flags(make_site, run_cli):
    draft = story_text("Draft", tags="[Chips]", extra="draft: true\n", body="## A\n\nSee [gone](story:gone).\n")
    root = make_site({"content/stories/a.md": story_text("A", tags="[Chips]"), "content/stories/draft.md": draft})
    assert run_cli("check", "-s", root).returncode == 0
    result = run_cli("check", "-s", root, "--drafts")
    assert result.returncode == 1
    assert result.stdout == "content/stories/draft.md:10: error: link to story 'gone': no story has that slug\n"


def test_a_broken_config_is_a_finding_too(make_site, run_cli):
    root = make_site({"pyproject.toml": "[tool.sitegen\n", "content/stories/a.md": story_text("A")})
    result = run_cli("check", "-s", root, "--format", "json")
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)
    assert (finding["path"], finding["line"], finding["severity"]) == ("pyproject.toml", 1, "error")
    assert "cannot be read as TOML" in finding["message"]


def test_every_text_line_has_the_same_shape(make_site, run_cli):
    root = make_site({
        "content/stories/a.md": "---\ntitle: [unclosed\n---\n",  # YAML errors carry a column
        "content/stories/b.md": story_text("B", tags="[Chips]"),
        "content/storylines/lonely.md": "---\ntitle: Lonely\n---\n",  # a finding about the whole file
        "content/stray/c.md": "---\ntitle: C\n---\n",
    })
    result = run_cli("check", "-s", root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(re.match(r"^[^:]+:\d+: (error|warning): \S", line) for line in lines), lines
    assert lines[1].startswith("content/storylines/lonely.md:1: warning: storyline 'lonely' has no published story")
