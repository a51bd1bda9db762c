"""Related stories by tag similarity, through an inverted index (tag slug -> stories).

A shared tag is worth its inverse document frequency, log(1 + N / stories-with-tag), so
a shared rare tag counts for more than a shared common one. Candidates rank by: same
storyline first, then score, then newer date, then slug. The index depends only on
slug, tags, date and storyline, so tests can use small fakes."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol, Sequence


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
        members: dict[str, list[str]] = defaultdict(list)
        lines: dict[str, list[str]] = defaultdict(list)
        self.dates: dict[str, float] = {}
        self.storylines: dict[str, str] = {}
        self.tags_of: dict[str, tuple[str, ...]] = {}
        for story in sorted(stories, key=lambda s: s.slug):
            tag_slugs = tuple(sorted({t.slug for t in story.tags}))
            self.tags_of[story.slug] = tag_slugs
            self.dates[story.slug] = story.date.timestamp()
            self.storylines[story.slug] = story.storyline
            if story.storyline:
                lines[story.storyline].append(story.slug)
            for tag in tag_slugs:
                members[tag].append(story.slug)
        total = len(self.tags_of)
        self.members = dict(members)
        self.storyline_members = dict(lines)
        self.weight = {tag: math.log1p(total / len(slugs)) for tag, slugs in members.items()}

    def similar(self, slug: str, limit: int, exclude: frozenset[str] = frozenset()) -> list[Similar]:
        """Up to `limit` stories sharing at least one tag with `slug`, best first."""
        own_tags = self.tags_of.get(slug, ())
        storyline = self.storylines.get(slug, "")
        if limit <= 0 or not (own_tags or storyline):
            return []
        # Rarest tags first, so the shared-tag list on a card reads most specific first and
        # every candidate's score is summed in the same order (exact, repeatable floats).
        ordered = sorted(own_tags, key=lambda t: (-self.weight[t], t))
        scores: dict[str, float] = defaultdict(float)
        for tag in ordered:
            weight = self.weight[tag]
            for other in self.members[tag]:
                scores[other] += weight
        for other in self.storyline_members.get(storyline, ()):
            scores[other] += 0.0  # pieces of the same running story are candidates too
        scores.pop(slug, None)
        for skipped in exclude:
            scores.pop(skipped, None)
        dates = self.dates

        def rank(other: str) -> tuple:
            same_line = bool(storyline) and self.storylines[other] == storyline
            return (not same_line, -scores[other], -dates[other], other)

        best = heapq.nsmallest(limit, scores, key=rank)
        own = set(own_tags)
        return [Similar(other, scores[other], tuple(t for t in ordered if t in own and t in self.tags_of[other])) for other in best]
