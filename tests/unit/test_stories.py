"""stories.py: front matter -> Story, every problem at the line of its key."""

from datetime import datetime, timezone

import pytest

from sitegen.model import SourceFile
from sitegen.fields import parse_datetime
from sitegen.stories import parse_page, parse_story

FULL = """---
title: "Export Controls Meet Their Workarounds"
dek: "Why it matters."
date: 2026-04-20
updated: 2026-04-22T09:30:00Z
tags: [Export Controls, Nvidia, export controls]
authors: [Policy Desk]
draft: false
slug: export-controls-workarounds
aliases: [/2026/04/old-url, /chips/x/]
storyline: us-china-chip-war
story_so_far: "The *story* so far."
faq:
  - q: "Question?"
    a: "An **answer**."
continue_reading: [other-story]
methodology:
  source_count: 15
  generated: autonomous
  human_review: false
  note: "How it was made."
sources:
  - id: thread
    title: "Forum thread"
    url: https://example.org/thread
    publisher: Example Forum
    date: 2026-04-18
hero: big.png
---
## Section

Body[^thread].

[^thread]: Forum.
"""


def source(text: str, rel: str = "content/stories/some-file.md") -> SourceFile:
    return SourceFile(rel, text, "digest")


def problems_of(text: str) -> list[str]:
    story, problems = parse_story(source(text))
    return [f"{p.location.line}:{p.severity}:{p.message}" for p in problems]


def test_every_key_of_the_content_model():
    story, problems = parse_story(source(FULL))
    assert problems == []
    assert story.slug == "export-controls-workarounds"
    assert story.date == datetime(2026, 4, 20, tzinfo=timezone.utc)
    assert story.updated == datetime(2026, 4, 22, 9, 30, tzinfo=timezone.utc)
    assert [(t.name, t.slug) for t in story.tags] == [("Export Controls", "export-controls"), ("Nvidia", "nvidia")]
    assert story.authors == ("Policy Desk",)
    assert story.aliases == ("/2026/04/old-url/", "/chips/x/")
    assert story.storyline == "us-china-chip-war"
    assert "<em>story</em>" in story.story_so_far_html
    assert story.faq[0].question == "Question?" and "<strong>answer</strong>" in story.faq[0].answer_html
    assert story.continue_reading == ("other-story",)
    assert story.methodology.source_count == 15 and story.methodology.generated == "autonomous"
    assert story.methodology.human_review is False
    assert story.sources[0].url == "https://example.org/thread"
    assert story.params == {"hero": "big.png"}
    assert story.line_of("continue_reading.0") == 16
    assert story.headings[0].id == "section"


def test_slug_defaults_to_the_file_name():
    story, _ = parse_story(source('---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [a]\n---\n', "content/stories/sub/My File.md"))
    assert story.slug == "my-file"


@pytest.mark.parametrize("value", ["2026-04-20", "'2026-04-20'", "2026-04-20T10:00:00+02:00", "2026-04-20 10:00:00"])
def test_dates_in_every_accepted_form(value):
    story, problems = parse_story(source(f"---\ntitle: T\ndek: D\ndate: {value}\ntags: [a]\n---\n"))
    assert problems == [] and story.date.tzinfo is not None


def test_parse_datetime_rejects_impossible_dates():
    assert parse_datetime("2026-02-30") is None
    assert parse_datetime("soon") is None


def test_wrong_types_are_each_reported_at_their_line():
    text = """---
title: [a, b]
dek: D
date: 2026-02-30
tags: 5
draft: "no"
faq:
  - a: "x"
methodology:
  source_count: -3
  generated: robot
sources:
  - title: "No id"
---
"""
    assert problems_of(text) == [
        "2:error:'title' must be a text, not a list",
        "4:error:'date' is not a valid date: '2026-02-30'",
        "5:error:'tags' must be a list of texts, not a number",
        "6:error:'draft' must be true or false, not a text",
        "8:error:faq item 1 has no 'q' (question)",
        "10:error:'methodology.source_count' must be a whole number of 0 or more, not -3",
        "11:error:'methodology.generated' must be one of autonomous, assisted, human, not 'robot'",
        "13:error:source 1 has no 'id'",
    ]


def test_missing_keys_and_typo_hint():
    assert problems_of("---\ntitle: T\ndeck: D\ndate: 2026-01-01\ntags: [a]\n---\n") == [
        "3:error:unknown key 'deck'; did you mean 'dek'?",
        "1:error:missing required key 'dek'",
    ]


def test_typo_of_an_optional_key_is_a_warning_and_kept():
    story, problems = parse_story(source("---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [a]\nauthor: X\n---\n"))
    assert story is not None and story.params == {"author": "X"}
    assert [(p.location.line, p.severity) for p in problems] == [(6, "warning")]
    assert "did you mean 'authors'" in problems[0].message


def test_reserved_keys_are_refused():
    assert problems_of("---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [a]\nurl: /x/\n---\n") == [
        "6:error:'url' is computed by sitegen and cannot be set in front matter; rename the key"]


@pytest.mark.parametrize("slug", ["a/b", "..", "a\\\\b", "C:", "Upper"])
def test_bad_slugs(slug):
    found = problems_of(f'---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [a]\nslug: "{slug}"\n---\n')
    assert found and found[0].startswith("6:error:slug")


@pytest.mark.parametrize("alias", ["/../etc/", "relative/", "//evil.example/", "/a\\\\b/", "/C:/x/", "/a\\0b/", "/"])
def test_bad_aliases(alias):
    found = problems_of(f'---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [a]\naliases: ["{alias}"]\n---\n')
    # A NUL (YAML escape "\0") is caught by the control-character check before the alias rules.
    assert found and found[0].startswith(("6:error:alias", "6:error:'aliases[1]' contains the control character U+0000"))


def test_no_tags_is_a_warning():
    story, problems = parse_story(source("---\ntitle: T\ndek: D\ndate: 2026-01-01\n---\n"))
    assert story is not None and [p.severity for p in problems] == ["warning"]


def test_pages_need_only_a_title():
    page, problems = parse_page(source("---\ntitle: About\n---\nHello\n", "content/about.md"))
    assert problems == [] and page.url == "/about/" and "Hello" in page.html


def test_key_lines_name_every_nested_key_in_document_order():
    from sitegen.frontmatter import parse_yaml
    from sitegen.stories import _key_lines

    _, positions = parse_yaml("title: T\nfaq:\n  - q: Q?\n    a: A\n  - q: R?\nmethodology:\n  note: N\ntags: []\nx: {}\n",
                              "content/stories/a.md", 2)
    lines = _key_lines(positions)
    assert list(lines.items()) == [("title", 2), ("faq", 3), ("faq.0", 4), ("faq.0.q", 4), ("faq.0.a", 5), ("faq.1", 6),
                                   ("faq.1.q", 6), ("methodology", 7), ("methodology.note", 8), ("tags", 9), ("x", 10)]
