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


def test_after_tag_edits_only_the_stories_they_can_move_are_ranked_again_and_cards_match():
    """build's related step re-ranks, after a tags edit, only the stories rerank_after_tag_edits
    names; the map must equal a full ranking after every edit, common tags included."""
    import random
    from dataclasses import replace

    from sitegen.build import BuildCache, _related_step
    from sitegen.progress import Progress
    from sitegen.related import rerank_after_tag_edits

    rng = random.Random(17)
    vocabulary = [f"t{i}" for i in range(40)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # t0 on most stories

    def some_tags():
        return sorted(set(rng.choices(vocabulary, weights, k=rng.randint(1, 5))))

    published = [Fake(f"s{i:03d}", tuple(T(t) for t in some_tags()), BASE - timedelta(days=rng.randrange(60)),
                      rng.choice(["", "", "", "saga"]), draft=i % 37 == 5) for i in range(150)]
    picks = {"s010": ["s020", "s030"], "s040": ["s011"]}
    cache = BuildCache()
    relate = _related_step(cache, 1, Progress.silent())
    assert relate(published, picks, 5) == related_map(published, picks, 5)
    reranked = []
    for step in range(60):
        i = rng.randrange(len(published)) if step % 5 else 20  # s020 is picked by s010
        tags = [t.slug for t in published[i].tags]
        change = rng.choice(["add", "drop", "swap", "new"])
        if change == "add" or not tags:
            tags.append(rng.choice(vocabulary))
        elif change == "drop":
            tags.remove(rng.choice(tags))
        elif change == "swap":
            tags[rng.randrange(len(tags))] = rng.choice(vocabulary)
        else:
            tags.append(f"brand-new-{step}")
        before = [(s.slug, tuple(t.slug for t in s.tags), s.date.isoformat(), s.storyline, s.draft,
                   tuple(picks.get(s.slug, ()))) for s in published]
        published[i] = replace(published[i], tags=tuple(T(t) for t in dict.fromkeys(tags)))
        after = [(s.slug, tuple(t.slug for t in s.tags), s.date.isoformat(), s.storyline, s.draft,
                  tuple(picks.get(s.slug, ()))) for s in published]
        rerank = rerank_after_tag_edits(before, after)
        if rerank is not None:
            reranked.append(len(rerank))
        assert relate(published, picks, 5) == related_map(published, picks, 5), (step, change)
    assert reranked and min(reranked) < len(published) // 4  # a rare tag's edit re-ranks few stories


def test_anything_but_tags_changed_ranks_every_story_again():
    from sitegen.related import rerank_after_tag_edits

    row = ("a", ("x",), "2026-01-01T00:00:00+00:00", "", False, ())
    assert rerank_after_tag_edits([row], [row]) is None  # nothing changed
    assert rerank_after_tag_edits([row], [row, row]) is None
    for changed in (("b",) + row[1:], row[:2] + ("2026-01-02T00:00:00+00:00",) + row[3:], row[:3] + ("saga",) + row[4:],
                    row[:4] + (True, ()), row[:5] + (("b",),)):
        assert rerank_after_tag_edits([row], [changed]) is None
    assert rerank_after_tag_edits([row], [("a", ("y",)) + row[2:]]) == {"a"}
