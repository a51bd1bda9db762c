"""A Story pickles in two parts; its body is unpickled only when first read."""

import copy
import dataclasses
import hashlib
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
    parsed, problems = parse_story(SourceFile("content/stories/a.md", text, "d" * 64))
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


def head_of(story) -> tuple:
    return tuple(getattr(story, f.name) for f in dataclasses.fields(story) if f.name not in STORY_BODY_FIELDS)


def test_a_body_that_would_run_code_is_refused_with_a_clear_error_naming_the_story(story):
    planted = b"cos\nsystem\n(S'echo planted'\ntR."
    broken = restore_story(head_of(story), planted, hashlib.sha256(planted).digest())  # its checksum matches
    with pytest.raises(SourceError) as caught:
        broken.html
    assert caught.value.location.path == "content/stories/a.md"
    assert "delete the .sitegen-cache/ folder" in caught.value.hint


@pytest.mark.parametrize("change", ["one byte", "cut short", "checksum"])
def test_a_body_that_does_not_match_its_checksum_is_damaged_even_if_it_unpickles(story, change):
    _, (head, body, checksum) = story.__reduce_ex__(4)
    if change == "one byte":  # "html" holds "What changes"; the altered body still unpickles
        body = body.replace(b"What changes", b"What chonges")
        assert cache.unpickle(body)
    elif change == "cut short":
        body = body[:-10]
    else:
        checksum = hashlib.sha256(b"another body").digest()
    broken = restore_story(head, memoryview(body), checksum)
    assert broken.title == story.title  # the head is not affected
    with pytest.raises(SourceError, match="the build cache's copy of this story is damaged"):
        broken.headings
    assert "_packed_body" in broken.__dict__  # nothing of the damaged body was used


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_every_protocol_carries_the_body_in_band_as_bytes(story, protocol):
    # Build workers send stories back with multiprocessing's default protocol (4 before
    # Python 3.14); a PickleBuffer is only for protocol 5, and in band it is plain bytes.
    again = pickle.loads(pickle.dumps(story, protocol))
    assert type(again.__dict__["_packed_body"]) is bytes
    assert again == story


def test_with_a_buffer_callback_the_body_is_the_only_buffer_out_of_band(story):
    buffers = []
    data = pickle.dumps(story, 5, buffer_callback=buffers.append)
    [body] = buffers
    assert bytes(body.raw()) not in data and len(data) < body.raw().nbytes
    again = pickle.loads(data, buffers=[memoryview(bytes(body.raw()))])
    assert type(again.__dict__["_packed_body"]) is memoryview
    assert again == story


def out_of_band(story):
    """The story as the disk cache gives it back: its body a view into the file's bytes."""
    again = cache.decode(cache.encode([story], b"s" * 32), b"s" * 32)[0]
    assert type(again.__dict__["_packed_body"]) is memoryview
    return again


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_a_body_held_as_a_view_pickles_again_with_its_checksum(story, protocol):
    viewed = out_of_band(story)
    again = pickle.loads(pickle.dumps(viewed, protocol))
    assert again.__dict__["_body_checksum"] == viewed.__dict__["_body_checksum"]
    assert again == story
    assert out_of_band(out_of_band(story)) == story  # saved again from a loaded shard
    assert copy.deepcopy(viewed) == story and copy.copy(viewed) == story


def test_a_damaged_body_pickles_again_still_damaged(story):
    # Re-saving a shard must not give a damaged body a fresh, matching checksum.
    _, (head, body, checksum) = story.__reduce_ex__(4)
    broken = restore_story(head, body.replace(b"What changes", b"What chonges"), checksum)
    for again in (pickle.loads(pickle.dumps(broken)), out_of_band(broken)):
        with pytest.raises(SourceError):
            again.html


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


def test_stories_pickled_together_share_equal_tags_and_authors(tmp_path):
    stories = []
    for number in range(3):
        text = story_text(title=f"Story {number}", tags="[EU AI Act, Audits]" if number else "[Audits]",
                          extra="authors: [Europe Desk]\n")
        parsed, problems = parse_story(SourceFile(f"content/stories/{number}.md", text, "d" * 64))
        assert parsed is not None, problems
        stories.append(parsed)
    assert stories[1].tags == stories[2].tags and stories[1].tags[0] is not stories[2].tags[0]  # parsed apart
    again = cache.decode(cache.encode(stories, b"s" * 32), b"s" * 32)
    assert again == stories
    audits = {id(tag) for story in again for tag in story.tags if tag.slug == "audits"}
    assert len(audits) == 1  # one object, written once
    assert again[0].authors == ("Europe Desk",) and again[0].authors is again[1].authors
    assert again[1].tags[0] is again[2].tags[0]
