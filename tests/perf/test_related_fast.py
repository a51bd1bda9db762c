"""related.py's pattern walk against a brute-force reference: the same ranking, always.

The reference is the definition written out plainly (it was sitegen's related.py before
the bounded walk): score every story sharing a tag or the storyline, then sort."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from benchmarks.corpus import StoryRecord as Fake
from benchmarks.corpus import TagRecord as T
from benchmarks.corpus import story_specs
from sitegen.related import MAX_PATTERN_TAGS, TagIndex

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def reference(stories, slug, limit, exclude=frozenset()):
    """[(slug, score, shared)] by: same storyline first, then score, newer date, slug."""
    tags_of = {s.slug: tuple(sorted({t.slug for t in s.tags})) for s in stories}
    dates = {s.slug: s.date.timestamp() for s in stories}
    lines = {s.slug: s.storyline for s in stories}
    members = defaultdict(list)
    for s in sorted(stories, key=lambda s: s.slug):
        for tag in tags_of[s.slug]:
            members[tag].append(s.slug)
    weight = {tag: math.log1p(len(stories) / len(m)) for tag, m in members.items()}
    own, line = tags_of[slug], lines[slug]
    if limit <= 0 or not (own or line):
        return []
    ordered = sorted(own, key=lambda t: (-weight[t], t))
    scores = defaultdict(float)
    for tag in ordered:
        for other in members[tag]:
            scores[other] += weight[tag]
    for other in stories:
        if line and other.storyline == line:
            scores[other.slug] += 0.0
    scores.pop(slug, None)
    for skipped in exclude:
        scores.pop(skipped, None)

    def rank(other):
        return (not (line and lines[other] == line), -scores[other], -dates[other], other)

    best = sorted(scores, key=rank)[:limit]
    return [(o, scores[o], tuple(t for t in ordered if t in tags_of[o])) for o in best]


def fast(index, slug, limit, exclude=frozenset()):
    return [(s.slug, s.score, s.shared) for s in index.similar(slug, limit, exclude)]


def random_corpus(rng: random.Random, n: int, vocabulary: int, lines: int, wide_share: float = 0.0):
    weights = [1 / (rank + 1) ** rng.uniform(0.6, 1.4) for rank in range(vocabulary)]
    days = rng.choice([3, 30, 3000])  # few days: many equal dates, so the slug tie-break matters
    stories = []
    for i in range(n):
        count = rng.randint(MAX_PATTERN_TAGS + 1, MAX_PATTERN_TAGS + 6) if rng.random() < wide_share else rng.randint(0, 7)
        tags = {f"t{rng.choices(range(vocabulary), weights)[0]}" for _ in range(count)}
        line = f"line{rng.randrange(lines)}" if lines and rng.random() < 0.2 else ""
        stories.append(Fake(f"s{rng.randrange(10 * n):05d}-{i}", tuple(T(t) for t in sorted(tags)),
                            BASE + timedelta(days=rng.randrange(days)), line))
    return stories


@pytest.mark.parametrize("seed", range(40))
def test_fast_ranking_equals_reference_on_random_corpora(seed):
    rng = random.Random(seed)
    stories = random_corpus(rng, rng.randint(1, 120), rng.randint(1, 30), rng.randint(0, 4),
                            wide_share=0.1 if seed % 4 == 0 else 0.0)
    index = TagIndex(stories)
    slugs = [s.slug for s in stories]
    for story in stories:
        limit = rng.randint(0, 8)
        exclude = frozenset(rng.sample(slugs, k=min(len(slugs), rng.randint(0, 2))))
        assert fast(index, story.slug, limit, exclude) == reference(stories, story.slug, limit, exclude)


def test_fast_ranking_equals_reference_on_a_generated_corpus():
    specs = story_specs(1500, seed=3)
    stories = [Fake(s.slug, tuple(T(t) for t in s.tag_slugs), s.date, s.storyline) for s in specs]
    index = TagIndex(stories)
    for story in stories[::7]:
        assert fast(index, story.slug, 5) == reference(stories, story.slug, 5)


def test_unknown_slug_and_equal_weights():
    stories = [Fake(f"s{i}", (T("a"),) if i % 2 else (T("b"),), BASE) for i in range(6)]
    stories.append(Fake("both", (T("a"), T("b")), BASE))
    index = TagIndex(stories)
    assert index.similar("missing", 5) == []
    assert fast(index, "both", 6) == reference(stories, "both", 6)


def dense_corpus(rng: random.Random, n: int, vocabulary: int, wide_share: float = 0.0):
    """Few tags and few dates: long lists, many candidates with the very same shared tags
    (so the walk stops on ties with the worst card), and chunks of every size."""
    stories = []
    for i in range(n):
        if rng.random() < wide_share:
            tags = {f"w{k}" for k in range(MAX_PATTERN_TAGS + 1)} | {f"t{rng.randrange(vocabulary)}"}
        else:
            tags = {f"t{rng.randrange(vocabulary)}" for _ in range(rng.randint(1, 4))}
        line = f"line{rng.randrange(3)}" if rng.random() < 0.05 else ""
        stories.append(Fake(f"d{i:04d}", tuple(T(t) for t in sorted(tags)), BASE + timedelta(days=rng.randrange(4)), line))
    return stories


@pytest.mark.parametrize("seed", range(6))
def test_fast_ranking_equals_reference_on_dense_corpora(seed):
    rng = random.Random(100 + seed)
    stories = dense_corpus(rng, rng.randint(300, 700), rng.randint(3, 6), wide_share=0.3 if seed % 2 else 0.0)
    index = TagIndex(stories)
    slugs = [s.slug for s in stories]
    for story in stories[::9]:
        limit = rng.choice([1, 5, 8, 40])
        exclude = frozenset(rng.sample(slugs, k=rng.randint(0, 3)))
        assert fast(index, story.slug, limit, exclude) == reference(stories, story.slug, limit, exclude)


def test_identical_tag_sets_rank_by_date_then_slug_past_the_first_chunks():
    # 300 stories with the same two tags: every candidate has the same score, so the cards
    # are the newest ones, and the walk must stop on the tie instead of reading them all.
    stories = [Fake(f"same{i:03d}", (T("a"), T("b")), BASE + timedelta(days=i % 7)) for i in range(300)]
    stories.append(Fake("other", (T("a"),), BASE + timedelta(days=30)))
    index = TagIndex(stories)
    for slug in ("same000", "same150", "same299"):
        for limit in (1, 5, 50, 299):
            assert fast(index, slug, limit) == reference(stories, slug, limit)
