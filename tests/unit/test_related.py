"""related.py: IDF-weighted tag similarity through an inverted index."""

import gc
from datetime import datetime, timedelta, timezone

from benchmarks.corpus import StoryRecord as Fake
from benchmarks.corpus import TagRecord as T
from sitegen.related import TagIndex, related_map

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)


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


def test_related_map_keeps_the_published_order_whatever_order_stories_are_ranked_in():
    # related_map hands the stories to `run` grouped by their rarest tags; the cards must
    # still come back keyed and ordered like `published`, and equal to similar()'s.
    tags = ["common", "rare1", "rare2", "mid"]
    published = [Fake(f"s{i:02d}", tuple(T(t) for t in tags[: 1 + i % 4][::-1]), BASE - timedelta(days=i))
                 for i in range(30)]
    published.append(Fake("draft", (T("rare1"),), BASE, draft=True))
    seen = []

    def run(func, items, context):
        seen.extend(item.slug for item in items)
        return [func(context, item) for item in items]

    cards = related_map(published, {"s05": ["s01"]}, 3, run)
    assert list(cards) == [s.slug for s in published]
    assert sorted(seen) == sorted(cards)
    index = TagIndex(published)
    for story in published:
        chosen = ["s01"] if story.slug == "s05" else []
        expected = [c.slug for c in cards[story.slug]]
        similar = index.similar(story.slug, 3 - len(chosen), frozenset(chosen) | {"draft"})
        assert expected == chosen + [s.slug for s in similar]
    assert all("draft" not in [c.slug for c in story_cards] for story_cards in cards.values())


def test_related_map_leaves_the_garbage_collector_as_it_found_it():
    stories = [Fake("a", (T("x"),), BASE), Fake("b", (T("x"),), BASE)]
    assert gc.isenabled()
    related_map(stories, {}, 2)
    assert gc.isenabled()
    gc.disable()
    try:
        related_map(stories, {}, 2)
        assert not gc.isenabled()
    finally:
        gc.enable()
