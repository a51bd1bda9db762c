"""frontmatter.py: fences, YAML, file lines of keys."""

from pathlib import Path

import pytest

from sitegen.errors import FrontMatterError
from sitegen.frontmatter import split_front_matter
from sitegen.model import SourceFile


def source(text: str, rel: str = "content/stories/a.md") -> SourceFile:
    return SourceFile(Path(rel), rel, text, "digest")


def test_keys_carry_their_file_lines():
    front = split_front_matter(source("---\ntitle: T\n\ntags:\n  - a\n  - b\nfaq:\n  - q: Q?\n    a: A\n---\nBody\n"))
    assert front.data["title"] == "T"
    assert front.positions.of("title").line == 2
    assert front.positions.of("tags").line == 4
    assert front.positions.of("tags").of(1).line == 6
    assert front.positions.of("faq").of(0).of("a").line == 9
    assert front.body == "Body\n"
    assert front.body_line == 11


def test_dates_stay_text_so_bad_dates_are_ours_to_report():
    front = split_front_matter(source("---\ndate: 2026-02-30\n---\n"))
    assert front.data["date"] == "2026-02-30"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("", 1, "empty"),
        ("title: T\n", 1, "no front matter"),
        ("---\ntitle: T\n", 1, "never closed"),
        ('---\ntitle: "open\ndek: x\n---\n', 2, "never closed"),
        ("---\ntitle: T\n  bad: indent\n---\n", 3, "invalid YAML"),
        ("---\ntitle: T\n\tdek: x\n---\n", 3, "tabs"),
        ("---\n- a\n- b\n---\n", 2, "keys and values"),
        ("---\ntitle: A\ntitle: B\n---\n", 3, "given twice"),
    ],
)
def test_broken_front_matter_points_at_the_line(text, line, words):
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(source(text))
    assert caught.value.location.line == line
    assert words in (caught.value.message + caught.value.hint)


def test_empty_front_matter_is_an_empty_mapping():
    front = split_front_matter(source("---\n---\nBody"))
    assert front.data == {}


def test_an_alias_without_an_anchor_is_invalid_yaml_so_stars_alone_need_no_alias_count(monkeypatch):
    import sitegen.frontmatter as frontmatter

    counted = []
    real = frontmatter._expanded_size
    monkeypatch.setattr(frontmatter, "_expanded_size", lambda *args: counted.append(1) or real(*args))
    front = split_front_matter(source('---\nfaq:\n  - q: "Why?"\n    a: "Because of **this** and *that*."\n---\n'))
    assert front.data["faq"][0]["a"] == "Because of **this** and *that*." and not counted
    with pytest.raises(FrontMatterError) as error:
        split_front_matter(source("---\ntitle: T\nloop: *a\n---\n"))
    assert error.value.location.line == 3 and "alias" in error.value.message
    with pytest.raises(FrontMatterError) as error:
        split_front_matter(source('---\ntitle: "Q & A"\nloop: &a [*a]\n---\n'))
    assert counted and "contains it" in error.value.message
