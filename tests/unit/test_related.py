"""related.py: IDF-weighted tag similarity through an inverted index."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sitegen.related import TagIndex

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class T:
    slug: str


@dataclass(frozen=True)
class Fake:
    slug: str
    tags: tuple
    date: datetime
    storyline: str = ""


def fake(slug, tags, day=0, storyline=""):
    return Fake(slug, tuple(T(t) for t in tags), BASE + timedelta(days=day), storyline)


def test_rare_shared_tag_beats_common_one():
    stories = [fake("me", ["ai", "rare"]), fake("common", ["ai"], 5), fake("special", ["rare"], 1)]
    stories += [fake(f"filler{i}", ["ai"]) for i in range(10)]
    ranked = TagIndex(stories).similar("me", 2)
    assert [s.slug for s in ranked] == ["special", "common"]
    assert ranked[0].shared == ("rare",)


def test_ties_go_to_newer_then_slug_and_never_self():
    stories = [fake("me", ["x"]), fake("b", ["x"], 3), fake("a", ["x"], 3), fake("old", ["x"], 1)]
    assert [s.slug for s in TagIndex(stories).similar("me", 5)] == ["a", "b", "old"]


def test_more_shared_tags_rank_higher():
    stories = [fake("me", ["x", "y"]), fake("one", ["x"], 9), fake("two", ["x", "y"], 0)]
    assert [s.slug for s in TagIndex(stories).similar("me", 5)] == ["two", "one"]


def test_same_storyline_first_and_excludes_and_limit():
    stories = [fake("me", ["x"], 0, "saga"), fake("close", ["x"], 1), fake("saga2", ["z"], 2, "saga"), fake("skip", ["x"], 3)]
    index = TagIndex(stories)
    assert [s.slug for s in index.similar("me", 5, exclude=frozenset({"skip"}))] == ["saga2", "close"]
    assert [s.slug for s in index.similar("me", 1)] == ["saga2"]
    assert index.similar("me", 0) == []


def test_no_tags_no_cards():
    assert TagIndex([fake("me", []), fake("other", ["x"])]).similar("me", 5) == []
