"""`sitegen check`: everything the build validates, plus editorial lint across stories,
without writing anything.

Every error comes from the build's own stages (load, parse, link, then rendering each
page in memory), so `check` fails exactly when `build` would. The lint here adds
warnings only: an uncited source, a FAQ question without '?', a duplicate title, a tag
no other story uses, a story with no related story, a dek left as the scaffold wrote it."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .build import BuildCache, collect_site, render_site
from .config import CONFIG_FILE, load_config
from .errors import BuildFailed, ConfigError, Problem, SitegenError, SourceLocation
from .load import CONTENT_DIR, STORIES_DIR
from .model import BuildOptions, Site, Story
from .scaffold import DEK_PLACEHOLDER
from .sourcing import sourcing_warnings


STORIES_PREFIX = f"{CONTENT_DIR}/{STORIES_DIR}/"


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]  # sorted by path, then line
    stories: int  # stories checked (published under the options)
    pages: int

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def check_site(root: Path, options: BuildOptions = BuildOptions()) -> CheckReport:
    try:
        config = load_config(root)
    except ConfigError as exc:
        message = str(exc).removeprefix(f"{CONFIG_FILE}: ")
        return CheckReport((Problem(SourceLocation(CONFIG_FILE, 1), message),), 0, 0)
    cache = BuildCache()  # the render pass below reuses what collect_site parsed
    site, problems = collect_site(root, config, options, cache)
    # Lint that rests on what is absent (no other story has this tag) would mislead while
    # some story file could not be parsed at all, so it waits until every story parses.
    checked = {s.rel_path for s in site.stories}
    unparsed = any(p.is_error and p.location.path.startswith(STORIES_PREFIX) and p.location.path not in checked for p in problems)
    failed = any(p.is_error for p in problems)
    problems = problems + lint_site(site, complete=not unparsed)
    if not failed:
        problems += _render_problems(root, config, options, cache)
    unique = sorted(dict.fromkeys(problems), key=Problem.sort_key)
    return CheckReport(tuple(unique), len(site.stories), len(site.pages))


def _render_problems(root, config, options, cache) -> list[Problem]:
    """Render every page in memory, as build does, for the errors only layouts reveal."""
    try:
        render_site(root, config, options, cache)
    except BuildFailed as failed:
        return list(failed.problems)
    except SitegenError as exc:
        return [Problem(SourceLocation("."), str(exc))]
    return []


def lint_site(site: Site, complete: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    for story in site.stories:
        problems += sourcing_warnings(story)
        problems += _faq_warnings(story)
        if story.dek == DEK_PLACEHOLDER:
            problems.append(_warn(story, "dek", "dek is still the placeholder written by sitegen new", "write one sentence that says why this story matters"))
    problems += _duplicate_titles(site.stories)
    if complete and len(site.stories) > 1:
        problems += _single_use_tags(site)
        problems += _orphans(site)
    return problems


def _warn(story: Story, key: str, message: str, hint: str = "") -> Problem:
    return Problem(SourceLocation(story.rel_path, story.line_of(key)), message, "warning", hint)


def _faq_warnings(story: Story) -> list[Problem]:
    # Empty answers never get here: the parse stage refuses them, for build and check alike.
    return [_warn(story, f"faq.{index}.q", f"FAQ question {index + 1} does not end with '?': {item.question!r}", "write it as a question a reader would ask")
            for index, item in enumerate(story.faq) if not item.question.rstrip().endswith("?")]


def _duplicate_titles(stories: tuple[Story, ...]) -> list[Problem]:
    groups: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        groups[" ".join(story.title.casefold().split())].append(story)
    problems = []
    for group in groups.values():
        for story in group if len(group) > 1 else ():
            others = ", ".join(sorted(o.rel_path for o in group if o is not story))
            problems.append(_warn(story, "title", f"title {story.title!r} is also the title of {others}", "readers and search engines cannot tell them apart; make each title say what is new"))
    return problems


def _single_use_tags(site: Site) -> list[Problem]:
    problems = []
    shared = {t.tag.slug: t.tag.name for t in site.tags if len(t.stories) > 1}
    for listing in site.tags:
        if len(listing.stories) != 1:
            continue
        story = site.by_slug[listing.stories[0]]
        index = next(i for i, tag in enumerate(story.tags) if tag.slug == listing.tag.slug)
        close = difflib.get_close_matches(listing.tag.slug, sorted(shared), n=1, cutoff=0.5)
        hint = f"the closest existing tag is '{shared[close[0]]}'" if close else "tags connect stories; prefer one that other stories use"
        key = f"tags.{index}" if f"tags.{index}" in story.key_lines else "tags"
        problems.append(_warn(story, key, f"tag '{listing.tag.name}' is used by no other story", hint))
    return problems


def _orphans(site: Site) -> list[Problem]:
    """Stories with no related story at all: no curated pick, no tag or storyline shared.
    Sharing counts even when site.related shows no card for it, which happens with
    --drafts: drafts never appear as cards, so they would all look like orphans."""
    problems = []
    for story in site.stories:
        if site.related.get(story.slug):
            continue
        shares = any(len(site.tag_by_slug[t.slug].stories) > 1 for t in story.tags)
        line = site.storylines.get(story.storyline)
        if shares or (line and len(line.stories) > 1):
            continue
        key = "tags" if "tags" in story.key_lines else "title"
        problems.append(_warn(story, key, "story has no related story: no other story shares a tag or its storyline, and continue_reading names none",
                              "add a tag that other stories use, or continue_reading: [other-slug]"))
    return problems


def problem_record(problem: Problem) -> dict:
    return {"path": problem.location.path, "line": max(problem.location.line, 1), "severity": problem.severity,
            "message": problem.message, "hint": problem.hint}


def problem_line(problem: Problem) -> str:
    """path:line: severity: message (hint), always in that shape so tools can parse it: a
    finding about a whole file points at line 1, and a column is left out."""
    location = SourceLocation(problem.location.path, max(problem.location.line, 1))
    return Problem(location, problem.message, problem.severity, problem.hint).format(with_severity=True)
