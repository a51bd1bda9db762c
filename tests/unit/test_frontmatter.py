"""frontmatter.py: fences, YAML, file lines of keys."""


import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.errors import FrontMatterError
from sitegen.frontmatter import split_front_matter
from sitegen.model import SourceFile


def source(text: str, rel: str = "content/stories/a.md") -> SourceFile:
    return SourceFile(rel, text, "digest")


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


# Front matter as YAML of every kind the loader meets: text, numbers, booleans, nulls,
# explicit tags (good and bad), anchors and aliases (also of text), merge keys, flow
# style, duplicate keys, and text that is not YAML at all.
YAML_PIECES = ["title: T\n", "title: 'Q: \"A\"'\n", "dek: >\n  folded\n  text\n", "n: 12\n", "f: 1.5e3\n", "b: yes\n", "z: ~\n",
               "d: 2026-02-30\n", "s: !!str 12\n", "i: !!int abc\n", "t: !!timestamp 2026-01-01\n", "x: !!binary aGk=\n",
               "a: &a anchored\n", "r: *a\n", "m: &m {k: v, n: 1}\n", "g:\n  <<: *m\n  k: w\n", "l: [1, two, *a]\n",
               "tags:\n  - AI Act\n  - 'x'\n", "faq:\n  - q: Q?\n    a: \"**A**\"\n", "title: T\n", "k: {a: 1, a: 2}\n",
               "nested:\n  deep:\n    deeper: [a, {b: c}]\n", "empty:\n", "'': blank key\n", "? complex\n: key\n", "u: \"\\u00e9\"\n",
               "sm: !!str {a: 1}\n", "sq: !!str [a]\n", "bad: [unclosed\n", "tab:\t1\n", "- a list\n", "big: 123456789012345678901234567890\n", "neg: -0x1F\n"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=8).map("".join))
def test_text_values_taken_from_their_nodes_match_pyyaml_constructing_them(text):
    """The loader returns a text node's value without PyYAML's bookkeeping around it: the
    values (types included), key lines and errors are those of the stock construction."""
    assert outcome(text, fast=True) == outcome(text, fast=False)


def outcome(text: str, fast: bool):
    import sitegen.frontmatter as frontmatter

    real = frontmatter._STR_TAG
    frontmatter._STR_TAG = real if fast else "no tag is this"
    try:
        data, positions = frontmatter.parse_yaml(text, "content/stories/a.md", 2)
        return repr(data), positions, _alias_sharing(data)
    except FrontMatterError as error:
        return error.location, error.message, error.hint
    finally:
        frontmatter._STR_TAG = real


def _alias_sharing(data) -> list:
    """Which values are the very same object (an alias and its anchor), by position."""
    seen: dict[int, int] = {}
    order: list = []

    def walk(value):
        if isinstance(value, (dict, list)):
            order.append(seen.setdefault(id(value), len(seen)))
            for item in (value.values() if isinstance(value, dict) else value):
                walk(item)

    walk(data)
    return order


def test_key_lines_are_where_keys_are_written():
    front = split_front_matter(source("---\na:\n\n  b:\n    - x\n    -\n      c: 1\nd: [1,\n  2]\n---\n"))
    assert front.positions.of("a").line == 2 and front.positions.of("a").of("b").line == 4
    assert front.positions.of("a").of("b").of(0).line == 5 and front.positions.of("a").of("b").of(1).line == 7
    assert front.positions.of("a").of("b").of(1).of("c").line == 7 and front.positions.of("d").line == 8
    assert front.positions.of("d").of(1).line == 9


def positions_as_before(node, first_line):
    """_positions as it was written first: a Positions for each value, then one more for its key."""
    from sitegen.frontmatter import Positions

    line = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        children: dict = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                child = positions_as_before(value_node, first_line)
                children[key_node.value] = Positions(key_node.start_mark.line + first_line, child.children)
        return Positions(line, children)
    if isinstance(node, yaml.SequenceNode):
        return Positions(line, [positions_as_before(item, first_line) for item in node.value])
    return Positions(line)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([p for p in YAML_PIECES if "!!" not in p and "bad" not in p and "tab" not in p]), max_size=8).map("".join),
       st.integers(0, 3))
def test_positions_are_as_before(text, first_line):
    from sitegen.frontmatter import _positions

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    if node is not None:
        assert _positions(node, first_line) == positions_as_before(node, first_line)
