"""Related stories by tag similarity, through an inverted index (tag slug -> stories).

A shared tag is worth its inverse document frequency, log(1 + N / stories-with-tag), so
a shared rare tag counts for more than a shared common one. Candidates rank by: same
storyline first, then score, then newer date, then slug. The index depends only on
slug, tags, date and storyline, so tests can use small fakes.

Scoring every story that shares a tag costs O(N) per story when one tag sits on most
stories, so O(N^2) for the site. Instead a candidate's score depends only on its
*pattern*, the set of tags it shares with the story, and within one pattern candidates
rank by date then slug, which is the order of the index's story ids. So `similar` walks
the possible patterns from the highest score down and takes, for each, the first
matching ids from the shortest list that holds them (a tag pair's list for patterns of
two or more tags); it stops when no later pattern can beat the ones found. The work per
story is bounded by the number of patterns visited, not by the size of the site. Stories
with very many tags, where patterns would explode, are scored exhaustively instead; the
two paths give the same ranking (tests compare them with a brute-force reference)."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations, compress, groupby
from operator import itemgetter
from typing import Any, Callable, Iterable, Protocol, Sequence

from .model import RelatedCard

MAX_PATTERN_TAGS = 10  # more tags than this on one story: score its candidates exhaustively


class Relatable(Protocol):
    slug: str
    date: datetime
    storyline: str

    @property
    def tags(self) -> Sequence: ...


@dataclass(frozen=True)
class Similar:
    slug: str
    score: float
    shared: tuple[str, ...]  # shared tag slugs, rarest first


class TagIndex:
    """Built once from the published, non-draft stories; read-only afterwards."""

    def __init__(self, stories: Iterable[Relatable]) -> None:
        by_slug = {story.slug: story for story in stories}  # one story per slug (duplicates fail the build)
        # Story ids follow the tie-break order, newer date then slug, so that among
        # candidates of equal score the smaller id wins and id-sorted lists are in rank order.
        ordered = sorted(by_slug.values(), key=lambda s: (-s.date.timestamp(), s.slug))
        self.slugs: list[str] = [s.slug for s in ordered]
        self.id_of: dict[str, int] = {slug: i for i, slug in enumerate(self.slugs)}
        self.storyline_of: list[str] = [s.storyline for s in ordered]
        self.tags_of: list[frozenset[str]] = []
        self.bit_of: dict[str, int] = {}  # tag -> its bit in the stories' tag bit sets
        self.bits_of: list[int] = []  # story id -> its tags as one int bit set (fast to intersect)
        members: dict[str, list[int]] = defaultdict(list)
        pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
        lines: dict[str, list[int]] = defaultdict(list)
        self.wide: list[int] = []  # stories with more than MAX_PATTERN_TAGS tags: in no pair list
        for story_id, story in enumerate(ordered):
            tags = frozenset(t.slug for t in story.tags)
            self.tags_of.append(tags)
            bits = 0
            for tag in tags:
                bits |= self.bit_of.setdefault(tag, 1 << len(self.bit_of))
            self.bits_of.append(bits)
            if story.storyline:
                lines[story.storyline].append(story_id)
            for tag in tags:
                members[tag].append(story_id)
            if len(tags) <= MAX_PATTERN_TAGS:
                for pair in combinations(sorted(tags), 2):
                    pairs[pair].append(story_id)
            else:
                self.wide.append(story_id)
        total = len(self.slugs)
        self.members = dict(members)  # tag -> ids, ascending
        self.pairs = dict(pairs)  # (tag, tag) sorted -> ids holding both, ascending
        self.storyline_members = dict(lines)
        self.weight = {tag: math.log1p(total / len(ids)) for tag, ids in members.items()}

    def similar(self, slug: str, limit: int, exclude: frozenset[str] = frozenset()) -> list[Similar]:
        """Up to `limit` stories sharing at least one tag with `slug` (or its storyline), best first."""
        me = self.id_of.get(slug)
        if me is None or limit <= 0:
            return []
        own = self.tags_of[me]
        storyline = self.storyline_of[me]
        if not (own or storyline):
            return []
        # Rarest tags first, so the shared-tag list on a card reads most specific first and
        # every score is summed in the same order (exact, repeatable floats).
        ordered = tuple(sorted(own, key=lambda t: (-self.weight[t], t)))
        skip = {self.id_of[s] for s in exclude if s in self.id_of}
        skip.add(me)
        scorer = _PatternScores(ordered, self.weight)

        ranked: list[tuple[float, int]] = []  # (-score, id), the rank key within a group
        if storyline:
            # Pieces of the same running story come first, whatever they share.
            ranked = sorted((-scorer[self.tags_of[c] & own], c) for c in self.storyline_members[storyline] if c not in skip)
            ranked = ranked[:limit]
        need = limit - len(ranked)
        if need > 0 and own:
            if len(ordered) <= MAX_PATTERN_TAGS:
                ranked += self._by_patterns(own, ordered, storyline, skip, need)
            else:
                ranked += self._exhaustive(own, storyline, skip, need, scorer)
        return [Similar(self.slugs[c], -neg, tuple(t for t in ordered if t in self.tags_of[c])) for neg, c in ranked]

    def _by_patterns(self, own: frozenset[str], ordered: tuple[str, ...], storyline: str, skip: set[int],
                     need: int) -> list[tuple[float, int]]:
        """The best `need` candidates outside the story's storyline.

        Patterns are bit masks over `ordered` (bit i: the i-th rarest tag). A pattern can
        only have members if each of its tag pairs is held by some other story, which
        prunes most of them before any list is walked."""
        pairs, wide = self.pairs, bool(self.wide)
        pair_lists: dict[int, list[int]] = {}  # two-bit mask -> ids holding both tags
        live_with = [0] * len(ordered)  # bit j of live_with[i] (j < i): another story has both
        for i in range(1, len(ordered)):
            for j in range(i):
                a, b = ordered[j], ordered[i]
                ids = pairs.get((a, b) if a < b else (b, a), ())
                if len(ids) > 1 or wide:  # more than the story itself
                    pair_lists[1 << j | 1 << i] = ids
                    live_with[i] |= 1 << j
        # Tables over every mask, doubled one tag at a time: a mask's score adds its
        # highest bit last, so each sum runs in `ordered` order (bit-for-bit the scorer's).
        scores, live = [0.0], [False]
        for i, tag in enumerate(ordered):
            weight, dead = self.weight[tag], ~live_with[i]
            scores += [score + weight for score in scores]
            live += [not rest & dead and (ok or not rest) for rest, ok in enumerate(live)]
        visit = sorted(compress(range(len(live)), live), key=scores.__getitem__, reverse=True)

        # Each pattern is looked up in one list, its anchor: the ids holding its two rarest
        # tags (or its one tag). Patterns share anchors, so a walk files every id it passes
        # under that id's own pattern (when that pattern has the same anchor), in chunks,
        # until the current pattern has enough; the next pattern with that anchor resumes
        # there. Each anchor list is walked at most once per story.
        buckets: dict[int, list[int]] = defaultdict(list)  # pattern -> ids, ascending
        walks: dict[int, list] = {}  # anchor (lowest two bits) -> [ids, where the walk stopped]
        local_bit = {self.bit_of[t]: 1 << i for i, t in enumerate(ordered)}  # site-wide tag bit -> pattern bit
        own_set = sum(local_bit)
        pattern_of: dict[int, tuple[int, int]] = {}  # shared tag bits -> (pattern, its anchor)
        bits_of, storyline_of = self.bits_of, self.storyline_of
        found: list[tuple[float, int]] = []
        threshold = -math.inf  # score of the need-th best found so far, once there are that many
        plain_skip = len(skip) == 1 and not storyline  # only the story itself to leave out
        for mask in visit:
            score = scores[mask]
            if len(found) >= need and score < threshold:
                break  # every later pattern scores lower than `need` stories already found
            bucket = buckets[mask]
            if len(bucket) < need:
                rest = mask & (mask - 1)
                anchor = mask ^ rest | rest & -rest
                walk = walks.get(anchor)
                if walk is None:
                    if anchor & (anchor - 1):
                        ids = pair_lists[anchor]
                        ids = list(heapq.merge(ids, self.wide)) if wide else ids
                    else:
                        ids = self.members[ordered[anchor.bit_length() - 1]]
                    walk = walks[anchor] = [ids, 0]
                ids, position = walk
                chunk = 16
                while len(bucket) < need and position < len(ids):
                    part = ids[position:position + chunk]
                    position += len(part)
                    chunk *= 2
                    # Sorting (shared bits, id) pairs groups the chunk by pattern in C; Python
                    # then runs once per distinct pattern, not once per id.
                    for shared, group in groupby(sorted(zip(map(own_set.__and__, map(bits_of.__getitem__, part)), part)), key=_first):
                        known = pattern_of.get(shared)
                        if known is None:
                            other, left = 0, shared
                            while left:
                                lowest = left & -left
                                other |= local_bit[lowest]
                                left ^= lowest
                            other_rest = other & (other - 1)
                            known = pattern_of[shared] = (other, other ^ other_rest | other_rest & -other_rest)
                        if known[1] != anchor:
                            continue  # filed when its own anchor is walked
                        if plain_skip and shared != own_set:  # the story itself has every own tag
                            buckets[known[0]].extend(map(_second, group))
                        else:
                            buckets[known[0]].extend(c for _, c in group if c not in skip and not (storyline and storyline_of[c] == storyline))
                walk[1] = position
            if bucket:
                found.extend((-score, c) for c in bucket[:need])
                if len(found) >= need:
                    found = heapq.nsmallest(need, found)
                    threshold = -found[-1][0]
        found.sort()
        return found[:need]

    def _exhaustive(self, own: frozenset[str], storyline: str, skip: set[int], need: int,
                    scorer: "_PatternScores") -> list[tuple[float, int]]:
        candidates: set[int] = set()
        for tag in own:
            candidates.update(self.members[tag])
        lines = self.storyline_of
        keyed = ((-scorer[self.tags_of[c] & own], c) for c in candidates
                 if c not in skip and not (storyline and lines[c] == storyline))
        return heapq.nsmallest(need, keyed)


_first, _second = itemgetter(0), itemgetter(1)


class _PatternScores(dict):
    """pattern (frozenset of shared tags) -> score, summed rarest tag first from 0.0 so
    that every candidate with that pattern gets bit-for-bit the same float."""

    def __init__(self, ordered: tuple[str, ...], weight: dict[str, float]) -> None:
        super().__init__()
        self.ordered = ordered
        self.weight = weight

    def __missing__(self, pattern: frozenset[str]) -> float:
        score = 0.0
        for tag in self.ordered:
            if tag in pattern:
                score += self.weight[tag]
        self[pattern] = score
        return score


def _cards(context: tuple, story) -> tuple[RelatedCard, ...]:
    """One story's "Continue reading" cards: its curated picks, then the most similar."""
    index, picks, by_slug, count, drafts = context
    own = {t.slug for t in story.tags}
    chosen = picks.get(story.slug, ())
    cards = [RelatedCard(slug, tuple(t.slug for t in by_slug[slug].tags if t.slug in own), True) for slug in chosen]
    for similar in index.similar(story.slug, count - len(cards), frozenset(chosen) | drafts):
        cards.append(RelatedCard(similar.slug, similar.shared, False))
    return tuple(cards)


def _in_order(func: Callable, items: Sequence, context) -> list:
    return [func(context, item) for item in items]


def related_map(published: Sequence, picks: dict[str, list[str]], count: int,
                run: Callable[[Callable, Sequence, Any], list] = _in_order) -> dict[str, tuple[RelatedCard, ...]]:
    """Cards for every published story. `picks` are the checked continue_reading slugs;
    `run(func, items, context)` maps func over the stories (the build passes one that
    uses every core; the cards are the same)."""
    # Drafts are here only under --drafts (the preview): each gets cards of its own, but a
    # draft never appears as a card on another story.
    drafts = frozenset(s.slug for s in published if s.draft)
    index = TagIndex(published)
    by_slug = {s.slug: s for s in published}
    cards = run(_cards, list(published), (index, picks, by_slug, count, drafts))
    return {story.slug: story_cards for story, story_cards in zip(published, cards)}
