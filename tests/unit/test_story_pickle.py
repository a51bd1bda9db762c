"""A Story pickles in two parts; its body is unpickled only when first read."""

import dataclasses
import pickle

import pytest
from conftest import story_text

from sitegen import cache
from sitegen.errors import SourceError
from sitegen.model import STORY_BODY_FIELDS, SourceFile, restore_story
from sitegen.stories import parse_story


@pytest.fixture
def story(tmp_path):
    extra = ('faq:\n  - q: "Who?"\n    a: "Providers of *high-risk* systems."\ncontinue_reading: [other]\n'
             'sources:\n  - id: reg\n    title: "The regulation"\n    url: "https://example.org/reg"\n'
             'methodology:\n  generated: assisted\n  human_review: true\n')
    text = story_text(title="Audit rules", tags="[EU AI Act, Audits]", extra=extra,
                      body="## What changes\n\nA [link](story:other) and a note.[^1] See [^reg].\n\n[^1]: The note.\n")
    parsed, problems = parse_story(SourceFile(tmp_path / "a.md", "content/stories/a.md", text, "d" * 64))
    assert parsed is not None, problems
    return parsed


def test_a_pickled_story_equals_the_original_and_pickles_back_to_the_same_bytes(story):
    data = pickle.dumps(story, pickle.HIGHEST_PROTOCOL)
    again = pickle.loads(data)
    assert pickle.dumps(again, pickle.HIGHEST_PROTOCOL) == data  # still packed: the same bytes
    assert again == story
    assert pickle.dumps(again, pickle.HIGHEST_PROTOCOL) == data  # unpacked: packed the same way


def test_the_body_is_unpacked_on_first_read_only(story):
    again = cache.unpickle(pickle.dumps(story))  # through the cache's allow-list
    assert "_packed_body" in again.__dict__
    assert (again.slug, again.title, again.tags, again.links_out) == (story.slug, story.title, story.tags, story.links_out)
    assert "_packed_body" in again.__dict__  # head fields need no unpacking
    assert again.headings == story.headings
    assert "_packed_body" not in again.__dict__
    assert all(getattr(again, name) == getattr(story, name) for name in STORY_BODY_FIELDS)
    assert dataclasses.replace(again, title="New").html == story.html


def test_a_damaged_body_is_a_clear_error_naming_the_story(story):
    head = tuple(getattr(story, f.name) for f in dataclasses.fields(story) if f.name not in STORY_BODY_FIELDS)
    broken = restore_story(head, b"cos\nsystem\n(S'echo planted'\ntR.")
    with pytest.raises(SourceError) as caught:
        broken.html
    assert caught.value.location.path == "content/stories/a.md"
    assert "delete the .sitegen-cache/ folder" in caught.value.hint


def test_a_missing_attribute_is_still_an_attribute_error(story):
    again = pickle.loads(pickle.dumps(story))
    with pytest.raises(AttributeError):
        again.no_such_field
    assert not hasattr(again, "__deepcopy__")


@pytest.mark.parametrize("name", STORY_BODY_FIELDS)
def test_each_body_field_of_a_packed_story_is_its_own_value(story, name):
    # Read first, on a story still packed: no class-level default may answer for it.
    assert story.citations and story.footnotes  # the fixture uses both
    again = pickle.loads(pickle.dumps(story))
    assert getattr(again, name) == getattr(story, name)


def test_fields_with_defaults_still_default_when_not_given(story):
    fields = {f.name: getattr(story, f.name) for f in dataclasses.fields(story) if f.name not in ("citations", "footnotes")}
    assert (type(story)(**fields).citations, type(story)(**fields).footnotes) == ((), ())
