"""Front matter through libyaml must mean exactly what it means through PyYAML: the same
values and key lines when the text is valid, PyYAML's own messages when it is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from benchmarks.corpus import story_file, story_specs
from sitegen import frontmatter
from sitegen.errors import FrontMatterError
from tests.robustness.corpus import INJECTIONS

pytestmark = pytest.mark.skipif(frontmatter._FastLoader is None, reason="PyYAML was built without libyaml")

REPO = Path(__file__).resolve().parents[2]

TRICKY = (
    "a: &x [1, 2]\nb: *x\n",
    "title: yes\nflag: no\nnothing: ~\nfloat: 1e3\noctal: 0o17\nhex: 0x1f\n",
    "date: 2026-02-30\nwhen: 2026-04-20T09:30:00Z\n",
    "text: |\n  first\n  second\nfolded: >\n  one\n  two\n",
    "'quoted key': \"value with \\t tab\"\nunicode: Ünïcödé — ✓\n",
    "# comment\nlist:\n  - a\n  - {b: c, d: [e, f]}\n  -\n    - nested\n",
    "empty:\nkey: value\n",
    "multi: 'it''s'\nplain: a: b\n",
    "big: 123456789012345678901234567890\n",
    "tag: !!str 123\n",
)
BROKEN = (
    "title: \"never closed\n",
    "a: 1\na: 2\n",
    "- a list\n- not a mapping\n",
    "key: [unclosed\n",
    "\tindented: with a tab\n",
    "bad: !!int abc\n",
    "date: !!timestamp 2026-02-30\n",
    "x: @reserved\n",
    "just a string\n",
    "a: b: c\n",
    "ctrl: \"\x07\"\n",
)


def _fronts() -> list[str]:
    texts = []
    specs = story_specs(120, seed=5)
    texts += [story_file(spec, seed=5) for spec in specs]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*.md"))]
    fronts = [text.split("\n---\n", 1)[0].removeprefix("---\n") for text in texts]
    fronts += [f"title: {json.dumps(s)}\ndek: '{s.replace(chr(39), chr(39) * 2)}'\n" for s in INJECTIONS]
    return fronts + list(TRICKY)


def _slow(text: str):
    return frontmatter._parse_with(frontmatter._Loader, text, "x.md", 2)


def _fast(text: str):
    return frontmatter._parse_with(frontmatter._FastLoader, text, "x.md", 2)


def _outcome(parse, text: str):
    try:
        return "ok", parse(text)
    except FrontMatterError as exc:
        return "error", exc.location, exc.message, exc.hint
    except yaml.YAMLError as exc:  # a character the reader refuses (load.py reports those first)
        return "yaml", type(exc), str(exc)


def test_libyaml_gives_the_same_values_and_lines():
    checked = 0
    for text in _fronts():
        expected = _outcome(_slow, text)
        assert _outcome(lambda t: frontmatter.parse_yaml(t, "x.md", 2), text) == expected, text
        if expected[0] == "ok":
            assert _fast(text) == expected[1], text
            checked += 1
    assert checked > 150


@pytest.mark.parametrize("text", BROKEN)
def test_errors_read_as_pyyaml_words_them(text):
    expected = _outcome(_slow, text)
    assert expected[0] != "ok"
    assert _outcome(lambda t: frontmatter.parse_yaml(t, "x.md", 2), text) == expected


def test_the_fast_loader_is_the_one_used(monkeypatch):
    used = []
    real = frontmatter._parse_with

    def spy(loader_class, *args):
        used.append(loader_class)
        return real(loader_class, *args)

    monkeypatch.setattr(frontmatter, "_parse_with", spy)
    frontmatter.parse_yaml("title: x\n", "x.md", 2)
    assert used == [frontmatter._FastLoader]
    assert yaml.__with_libyaml__
