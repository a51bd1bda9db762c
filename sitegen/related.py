"""Related stories by tag similarity, through an inverted index (tag slug -> stories).

A shared tag is worth its inverse document frequency, log(1 + N / stories-with-tag), so
a shared rare tag counts for more than a shared common one. Candidates rank by: same
storyline first, then score, then newer date, then slug. The index depends only on
slug, tags, date and storyline, so tests can use small fakes.

Scoring every story that shares a tag costs O(N) per story when one tag sits on most
stories, so O(N^2) for the site. Instead every tag gets one bit, the rarest tag the
lowest, so the tags two stories share are one `&` of two ints, and adding a pattern's
weights from its lowest bit up is the rarest-first order every score is summed in
(exact, repeatable floats). A candidate's *anchor* is its two rarest shared tags (its one
shared tag if it shares only one): all candidates with one anchor sit in that tag pair's
list (that tag's list), in id order, which is the tie-break order, and none of them
scores more than the anchor plus every commoner tag of the story. `similar` walks the
anchors from the highest such bound down, each only as far as a candidate could still
beat the ones found, and stops at the first anchor whose bound cannot. So a story reads
parts of a few tag-pair lists, which grow far more slowly than the site (about 25 list
entries a story at 10,000 stories, 75 at 100,000), each chunk of a list scored at once.
Stories with very many tags, where pair lists would explode, are in no pair list (every
story scores them up front) and their own candidates are scored exhaustively; the paths
give the same ranking (tests compare them with a brute-force reference)."""

from __future__ import annotations

import gc
import heapq
import math
from bisect import bisect_right, insort
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, combinations, compress, islice
from typing import Any, Callable, Iterable, Protocol, Sequence

from .model import RelatedCard

MAX_PATTERN_TAGS = 10  # more tags than this on one story: in no pair list, its own candidates scored exhaustively


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
        tag_sets = [{t.slug for t in s.tags} for s in ordered]
        counts = Counter(chain.from_iterable(tag_sets))  # tag -> stories carrying it
        total = len(self.slugs)
        self.weight = {tag: math.log1p(total / count) for tag, count in counts.items()}
        # A tag's rank is its bit: rarest (highest weight, then name) first, the order a
        # story's shared tags are listed and summed in.
        self.tag_of_rank: list[str] = sorted(counts, key=lambda t: (-self.weight[t], t))
        self.weight_of_rank: list[float] = [self.weight[t] for t in self.tag_of_rank]
        rank_of = {tag: rank for rank, tag in enumerate(self.tag_of_rank)}
        # A story's *entry* is one int holding its id above its tags' bits: `own & entry` is
        # the tags it shares with a story, entries sort as their ids do, and the lists below
        # hold entries, so walking one reads each candidate's tags without another lookup.
        self.shift = shift = len(self.tag_of_rank)
        self.tag_mask = (1 << shift) - 1
        self.entry_of: list[int] = []
        self.members: list[list[int]] = [[] for _ in self.tag_of_rank]  # rank -> entries, ascending
        pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.wide: list[int] = []  # entries of stories with more than MAX_PATTERN_TAGS tags: in no pair list
        members, add_entry = self.members, self.entry_of.append
        for story_id, tags in enumerate(tag_sets):
            ranks = sorted(map(rank_of.__getitem__, tags))
            entry = story_id << shift
            for rank in ranks:
                entry |= 1 << rank
            add_entry(entry)
            for rank in ranks:
                members[rank].append(entry)
            if len(ranks) <= MAX_PATTERN_TAGS:
                for pair in combinations(ranks, 2):
                    pairs[pair].append(entry)
            else:
                self.wide.append(entry)
        self.pairs = dict(pairs)  # (rank, rank) ascending -> entries holding both tags, ascending
        entry_of = self.entry_of
        lines: dict[str, list[int]] = defaultdict(list)
        for entry, line in zip(entry_of, self.storyline_of):
            if line:
                lines[line].append(entry)
        self.storyline_members = dict(lines)

    def similar(self, slug: str, limit: int, exclude: frozenset[str] = frozenset()) -> list[Similar]:
        """Up to `limit` stories sharing at least one tag with `slug` (or its storyline), best first."""
        own, ranked = self._ranked(slug, limit, exclude)
        slugs, shift, names = self.slugs, self.shift, self._names
        return [Similar(slugs[e >> shift], -neg, names(own & e)) for neg, e in ranked]

    def _ranked(self, slug: str, limit: int, exclude: frozenset[str]) -> tuple[int, list[tuple[float, int]]]:
        """The story's tag bits, and `similar`'s stories as (-score, entry) keys."""
        me = self.id_of.get(slug)
        if me is None or limit <= 0:
            return 0, []
        entry = self.entry_of[me]
        own = entry & self.tag_mask
        storyline = self.storyline_of[me]
        if not (own or storyline):
            return own, []
        skip = {self.entry_of[self.id_of[s]] for s in exclude if s in self.id_of} if exclude else set()
        skip.add(entry)
        score = _NegativeScores(self.weight_of_rank)

        ranked: list[tuple[float, int]] = []  # (-score, entry), the rank key within a group
        if storyline:
            # Pieces of the same running story come first, whatever they share.
            ranked = sorted((score[own & e], e) for e in self.storyline_members[storyline] if e not in skip)
            ranked = ranked[:limit]
        need = limit - len(ranked)
        if need > 0 and own:
            ranks = _ranks(own)
            if len(ranks) <= MAX_PATTERN_TAGS:
                ranked += self._by_anchors(own, ranks, storyline, skip, need, score)
            else:
                ranked += self._exhaustive(own, ranks, storyline, skip, need, score)
        return own, ranked

    def walk_key(self, slug: str) -> int:
        """A number equal for stories whose two rarest tags are the same (which walk the
        same lists), ordered by the rarest tag first."""
        bits = self.entry_of[self.id_of[slug]] & self.tag_mask
        low = bits & -bits
        rest = bits ^ low
        return (low.bit_length() << 32) | (rest & -rest).bit_length()

    def _names(self, shared: int) -> tuple[str, ...]:
        """The tags in `shared`, rarest first."""
        names, tag_of_rank = [], self.tag_of_rank
        while shared:
            low = shared & -shared
            names.append(tag_of_rank[low.bit_length() - 1])
            shared ^= low
        return tuple(names)

    def _by_anchors(self, own: int, ranks: list[int], storyline: str, skip: set[int], need: int,
                    score: "_NegativeScores") -> list[tuple[float, int]]:
        """The best `need` candidates outside the story's storyline, as (-score, entry) keys."""
        storyline_of, shift = self.storyline_of, self.shift
        best: list[tuple[float, int]] = []  # ascending, at most `need`: the cards so far
        if self.wide:  # in no pair list, so scored here (the one-tag lists meet them again below)
            keyed = [(score[shared], e) for e in self.wide if (shared := own & e)
                     and e not in skip and not (storyline and storyline_of[e >> shift] == storyline)]
            best = heapq.nsmallest(need, keyed)
        # Anchors as (bound, i, j): the story's tags i < j (positions in `ranks`), j = -1 for
        # one tag. A bound is a -score, so the heap pops the highest first. One-tag anchors
        # form a chain by weight; pair (i, j) comes after (i, j - 1), and (i, i + 1) after
        # (i - 1, i), each parent's pattern a superset, so no child is popped before its parent.
        weights = [self.weight_of_rank[rank] for rank in ranks]
        count = len(ranks)
        frontier = [(-weights[0], 0, -1)]
        if count > 1:
            frontier.append((_pair_bound(weights, 0, 1), 0, 1))
            heapq.heapify(frontier)
        beyond = len(self.slugs) << shift  # an entry larger than any
        while frontier:
            bound, i, j = heapq.heappop(frontier)
            stop = beyond  # entries after `stop` in this anchor's list cannot beat the cards found
            if len(best) == need:
                if bound > best[-1][0]:
                    break  # neither this anchor nor any later one can beat the worst card
                if bound == best[-1][0]:
                    stop = best[-1][1]
            if j < 0:
                if i + 1 < count:
                    heapq.heappush(frontier, (-weights[i + 1], i + 1, -1))
                entries = self.members[ranks[i]]
            else:
                if j + 1 < count:
                    heapq.heappush(frontier, (_pair_bound(weights, i, j + 1), i, j + 1))
                    if j == i + 1:
                        heapq.heappush(frontier, (_pair_bound(weights, j, j + 1), j, j + 1))
                entries = self.pairs.get((ranks[i], ranks[j]), ())
            end = bisect_right(entries, stop) if stop < beyond else len(entries)
            position, size = 0, 8
            while position < end:
                part = entries[position:min(end, position + size)]
                position += size
                size *= 4
                # A whole chunk is scored at once and its keys sorted in C, so Python sees
                # only the few that become cards (and, once there are `need` cards, only
                # those scoring at least the worst of them are sorted at all).
                negs = [score[own & e] for e in part]
                if len(best) < need:
                    keys = sorted(zip(negs, part))
                elif part[0] > best[-1][1]:  # all after the worst card: only a higher score beats it
                    if min(negs) >= best[-1][0]:
                        continue
                    keys = sorted(compress(zip(negs, part), map(best[-1][0].__gt__, negs)))
                else:
                    if min(negs) > best[-1][0]:
                        continue
                    keys = sorted(compress(zip(negs, part), map(best[-1][0].__ge__, negs)))
                for key in keys:
                    if len(best) == need and key >= best[-1]:
                        break
                    e = key[1]
                    if key in best or e in skip or (storyline and storyline_of[e >> shift] == storyline):
                        continue  # a card already (candidates sit in several lists), or left out
                    insort(best, key)
                    if len(best) > need:
                        del best[-1]
                if len(best) == need:
                    worst, last = best[-1]
                    if bound > worst:
                        break  # no candidate left in this list can beat the worst card
                    if bound == worst:
                        end = min(end, bisect_right(entries, last))
        return best

    def _exhaustive(self, own: int, ranks: list[int], storyline: str, skip: set[int], need: int,
                    score: "_NegativeScores") -> list[tuple[float, int]]:
        candidates: set[int] = set()
        for rank in ranks:
            candidates.update(self.members[rank])
        lines, shift = self.storyline_of, self.shift
        keyed = ((score[own & e], e) for e in candidates
                 if e not in skip and not (storyline and lines[e >> shift] == storyline))
        return heapq.nsmallest(need, keyed)


def _pair_bound(weights: list[float], i: int, j: int) -> float:
    """Minus the highest score of a candidate whose two rarest shared tags are the story's
    i-th and j-th: those two and every commoner tag of the story, summed as a score is."""
    score = weights[i] + weights[j]  # the same float as 0.0 + weights[i] + weights[j]
    for weight in islice(weights, j + 1, None):
        score += weight
    return -score


def _ranks(bits: int) -> list[int]:
    """The positions of the set bits, lowest first."""
    ranks = []
    while bits:
        low = bits & -bits
        ranks.append(low.bit_length() - 1)
        bits ^= low
    return ranks


class _NegativeScores(dict):
    """shared tag bits -> minus their score, summed lowest bit (rarest tag) first from 0.0
    so that every candidate sharing those tags gets bit-for-bit the same float."""

    def __init__(self, weight_of_rank: list[float]) -> None:
        super().__init__()
        self.weight_of_rank = weight_of_rank

    def __missing__(self, shared: int) -> float:
        score, rest = 0.0, shared
        while rest:
            low = rest & -rest
            score += self.weight_of_rank[low.bit_length() - 1]
            rest ^= low
        self[shared] = -score
        return -score


def _cards(context: tuple, story) -> tuple[RelatedCard, ...]:
    """One story's "Continue reading" cards: its curated picks, then the most similar."""
    index, picks, by_slug, count, drafts = context
    chosen = picks.get(story.slug, ())
    cards = []
    if chosen:
        own = {t.slug for t in story.tags}
        cards = [RelatedCard(slug, tuple(t.slug for t in by_slug[slug].tags if t.slug in own), True) for slug in chosen]
    # What index.similar gives, without its Similar records (they would only be copied here).
    own, ranked = index._ranked(story.slug, count - len(cards), frozenset(chosen) | drafts if chosen else drafts)
    slugs, shift, names = index.slugs, index.shift, index._names
    cards += [RelatedCard(slugs[e >> shift], names(own & e), False) for _, e in ranked]
    return tuple(cards)


def _in_order(func: Callable, items: Sequence, context) -> list:
    return [func(context, item) for item in items]


def related_map(published: Sequence, picks: dict[str, list[str]], count: int,
                run: Callable[[Callable, Sequence, Any], list] = _in_order,
                only: set[str] | None = None) -> dict[str, tuple[RelatedCard, ...]]:
    """Cards for every published story (for those in `only`, when given). `picks` are the
    checked continue_reading slugs; `run(func, items, context)` maps func over the stories
    (the build passes one that uses every core; the cards are the same)."""
    # The step makes millions of objects and no reference cycles: left on, the collector
    # would scan the growing heap over and over (at 100,000 stories, for longer than the
    # ranking itself takes). It runs as usual again afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Drafts are here only under --drafts (the preview): each gets cards of its own, but a
        # draft never appears as a card on another story.
        drafts = frozenset(s.slug for s in published if s.draft)
        index = TagIndex(published)
        by_slug = {s.slug: s for s in published}
        # Stories are ranked grouped by their rarest tags, which makes them walk the same
        # lists one after another (still in the CPU cache); the cards go back in order.
        walk_key = index.walk_key
        ranked = [s for s in published if s.slug in only] if only is not None else published
        order = sorted(range(len(ranked)), key=[walk_key(s.slug) for s in ranked].__getitem__)
        found = run(_cards, [ranked[n] for n in order], (index, picks, by_slug, count, drafts))
        cards: list = [()] * len(ranked)
        for n, story_cards in zip(order, found):
            cards[n] = story_cards
        return {story.slug: story_cards for story, story_cards in zip(ranked, cards)}
    finally:
        if collecting:
            gc.enable()


def rerank_after_tag_edits(before: Sequence[tuple], after: Sequence[tuple]) -> set[str] | None:
    """Rows are (slug, tag slugs, date, storyline, draft, picks) of the published stories
    in order, before and after an edit. When only tags changed, the stories whose cards may
    differ: those carrying a tag whose set of stories changed (its weight, its rank among
    the tags and what it shares all move with that set) and those that pick a story whose
    tags changed. Every other story's scores, ranks and tie-breaks read only tags, dates
    and storylines that are as they were, so its cards are too. None: rank them all."""
    if len(before) != len(after):
        return None
    changed: set[str] = set()
    retagged: set[str] = set()
    for old, new in zip(before, after):
        if old[0] != new[0] or old[2:] != new[2:]:
            return None
        if old[1] != new[1]:
            changed |= set(old[1]) ^ set(new[1])
            retagged.add(new[0])
    if not retagged:
        return None
    return {row[0] for rows in (before, after) for row in rows
            if changed.intersection(row[1]) or row[0] in retagged or retagged.intersection(row[5])}
