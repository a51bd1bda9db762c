"""A story's footnote citations against its `sources` list and methodology.

Two levels, kept in one place so `build` and `check` cannot drift apart:
- sourcing_errors: what the build refuses, because a reader would see something wrong
  (a [^id] that names no source and no footnote renders as the raw text "[^id]"; a
  methodology that counts fewer source records than the story lists).
- sourcing_warnings: editorial lint that only `sitegen check` reports (a listed source
  the body never cites; a footnote that is not one of the listed sources)."""

from __future__ import annotations

import difflib

from .errors import Problem, SourceLocation
from .model import Story


def sourcing_errors(story: Story) -> list[Problem]:
    problems = []
    source_ids = [s.id for s in story.sources]
    defined = set(story.footnotes)
    for citation in story.citations:
        if citation.label in defined or citation.label in source_ids:
            continue
        close = difflib.get_close_matches(citation.label, source_ids, n=1)
        hint = f"did you mean '[^{close[0]}]'?" if close else f"add a source with id: {citation.label} under sources:"
        problems.append(Problem(SourceLocation(story.rel_path, citation.line),
                                f"citation [^{citation.label}] names no source: no entry in sources has id '{citation.label}'", hint=hint))
    method = story.methodology
    if method is not None and method.source_count is not None and method.source_count < len(story.sources):
        where = SourceLocation(story.rel_path, story.line_of("methodology.source_count"))
        problems.append(Problem(where, f"methodology.source_count is {method.source_count} but the story lists {len(story.sources)} sources",
                                hint=f"set source_count: {len(story.sources)} or more"))
    return problems


def sourcing_warnings(story: Story) -> list[Problem]:
    problems = []
    cited = {c.label for c in story.citations}
    for index, source in enumerate(story.sources):
        if source.id not in cited:
            where = SourceLocation(story.rel_path, story.line_of(f"sources.{index}"))
            problems.append(Problem(where, f"source '{source.id}' is never cited in the body", "warning",
                                    hint=f"cite it as [^{source.id}] where the story relies on it, or remove it"))
    source_ids = {s.id for s in story.sources}
    reported: set[str] = set()
    for citation in story.citations:
        if citation.label in story.footnotes and citation.label not in source_ids and citation.label not in reported:
            reported.add(citation.label)
            problems.append(Problem(SourceLocation(story.rel_path, citation.line),
                                    f"footnote [^{citation.label}] is not one of the story's sources", "warning",
                                    hint=f"add it under sources: with id: {citation.label}, so readers see where it comes from"))
    return problems
