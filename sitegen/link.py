"""Assemble the Site: publish filter, slugs, tag listings, related cards, storylines and
the checks that need every story at once (duplicate slugs, curated picks, cross-links)."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Callable

from .config import SiteConfig
from .errors import Problem, SourceLocation
from .markdown import STORY_SCHEME, TAG_SCHEME
from .model import BuildOptions, Page, RelatedCard, Site, Story, Storyline, Tag, TagListing
from .related import related_map
from .sitemap import is_sitemap_file
from .slugs import slugify

# First path segments that sitegen's own pages use; a page or alias may not take them.
HINT_LIMIT = 100  # broken-link names that get a "did you mean" suggestion, per build
GENERATED_FILES = frozenset({"feed.xml", "sitemap.xml", "robots.txt", "404.html", "index.html", "_redirects", "_headers"})
RESERVED_SEGMENTS = frozenset({"stories", "tags", "storylines", "page", "static", "feed.xml", "sitemap.xml", "robots.txt", "404.html", "index.html"})


def is_published(story: Story, options: BuildOptions, now: datetime) -> bool:
    if story.draft and not options.drafts:
        return False
    return options.future or story.date <= now


def _future_dated(stories: list[Story], options: BuildOptions, now: datetime) -> list[Problem]:
    """A story left out only because of its date gets a warning: a wrong year or time zone
    in an automated writer's output would otherwise make a story silently disappear."""
    if options.future:
        return []
    return [Problem(SourceLocation(story.rel_path, story.line_of("date")),
                    f"is dated {story.date.isoformat().replace('+00:00', 'Z')}, in the future, so it is not published yet",
                    "warning", "build with --future to include it")
            for story in stories if story.date > now and not (story.draft and not options.drafts)]


def link_site(
    config: SiteConfig,
    stories: list[Story],
    pages: list[Page],
    storyline_files: list[dict],
    options: BuildOptions,
    relate: Callable[[list[Story], dict[str, list[str]], int], dict[str, tuple[RelatedCard, ...]]] = related_map,
) -> tuple[Site, list[Problem]]:
    """`relate` computes the related cards (related.related_map); the build passes one that
    is cached and runs on every core."""
    problems: list[Problem] = []
    now = options.now or datetime.now(timezone.utc)
    stories = sorted(stories, key=lambda s: s.rel_path)
    problems += _duplicate_slugs(stories)
    every = {s.slug: s for s in stories}
    published = sorted((s for s in stories if is_published(s, options, now)), key=lambda s: (-s.date.timestamp(), s.slug))
    problems += _future_dated(stories, options, now)
    by_slug = {s.slug: s for s in published}
    tags = _tag_listings(published)
    tag_slugs = {listing.tag.slug for listing in tags}

    targets = _LinkTargets(config.base_url, every, by_slug, tag_slugs, {s.storyline for s in published if s.storyline}, pages,
                           {alias for s in published for alias in s.aliases})
    curated: dict[str, list[str]] = {}
    for story in published:
        curated[story.slug] = _check_picks(story, every, by_slug, problems)
        _check_cross_links(story.rel_path, story.links_out, targets, problems)
    for page in pages:
        _check_cross_links(page.rel_path, page.links_out, targets, problems)

    related = relate(published, curated, config.related_count)
    storylines = _storylines(published, storyline_files, problems)
    problems += _check_paths(published, pages, tags, storylines)
    site = Site(config=config, stories=tuple(published), by_slug=by_slug, tags=tags,
                tag_by_slug={t.tag.slug: t for t in tags}, related=related,
                pages=tuple(sorted(pages, key=lambda p: p.slug)), storylines=storylines)
    return site, problems


def _duplicate_slugs(stories: list[Story]) -> list[Problem]:
    problems = []
    owners: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        owners[story.slug].append(story)
    for slug, group in owners.items():
        if len(group) < 2:
            continue
        for story in group:
            others = ", ".join(o.rel_path for o in group if o is not story)
            where = SourceLocation(story.rel_path, story.line_of("slug") if "slug" in story.key_lines else 1)
            problems.append(Problem(where, f"slug '{slug}' is also used by {others}", hint="give one of them a different slug:"))
    return problems


def _tag_listings(published: list[Story]) -> tuple[TagListing, ...]:
    names: dict[str, Counter] = defaultdict(Counter)
    members: dict[str, list[str]] = defaultdict(list)
    for story in published:  # newest first, so listings are newest first too
        for tag in story.tags:
            names[tag.slug][tag.name] += 1
            members[tag.slug].append(story.slug)
    listings = []
    for slug in sorted(members):
        # Tags whose slugs collide are one tag; show the spelling most stories use.
        name = sorted(names[slug].items(), key=lambda item: (-item[1], item[0]))[0][0]
        listings.append(TagListing(Tag(name, slug), tuple(members[slug])))
    return tuple(listings)


def _check_picks(story: Story, every: dict[str, Story], by_slug: dict[str, Story], problems: list[Problem]) -> list[str]:
    picks: list[str] = []
    for index, slug in enumerate(story.continue_reading):
        if slug in by_slug and slug != story.slug:
            if slug not in picks:
                picks.append(slug)
            continue  # the usual case, without looking up a line nobody reports
        where = SourceLocation(story.rel_path, story.line_of(f"continue_reading.{index}"))
        if slug == story.slug:
            problems.append(Problem(where, f"continue_reading names the story itself ('{slug}')", hint="remove it"))
        elif slug not in every:
            close = difflib.get_close_matches(slug, list(every), n=1)
            problems.append(Problem(where, f"continue_reading: no story has the slug '{slug}'", hint=f"did you mean '{close[0]}'?" if close else "use the slug of an existing story"))
        else:  # not in by_slug
            problems.append(Problem(where, f"continue_reading: '{slug}' is a draft or dated in the future, so its card is left out until it is published", "warning"))
    return picks


class _Hints:
    """"Did you mean" suggestions for broken links. difflib compares a name with every
    candidate, so thousands of broken links on a big site would take seconds: the first
    HINT_LIMIT distinct names get a suggestion, later ones only the error."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], str] = {}

    def closest(self, kind: str, name: str, choices) -> str:
        key = (kind, name)
        if key not in self.found:
            if len(self.found) >= HINT_LIMIT:
                return ""
            # Ties go to the larger string whatever the order of `choices` (nlargest on
            # (score, text) pairs), so the hint is deterministic.
            close = difflib.get_close_matches(name, list(choices), n=1)
            self.found[key] = close[0] if close else ""
        return self.found[key]


@dataclass(frozen=True)
class _LinkTargets:
    """What a link in a body may point at: every story (published or not), tags, storylines, pages."""

    base_url: str
    every: dict[str, Story]
    by_slug: dict[str, Story]
    tag_slugs: set[str]
    storylines: set[str]
    pages: list[Page]
    aliases: set[str]  # old addresses that redirect to a published story
    hints: _Hints = field(default_factory=_Hints, compare=False)
    _slugs: dict[str, str] = field(default_factory=dict, compare=False)

    def tag_slug(self, name: str) -> str:
        """slugify, remembered: thousands of bodies link to the same few tags."""
        found = self._slugs.get(name)
        if found is None:
            found = self._slugs[name] = slugify(name)
        return found


def _check_cross_links(rel_path: str, links, targets: _LinkTargets, problems: list[Problem]) -> None:
    every, by_slug, tag_slugs = targets.every, targets.by_slug, targets.tag_slugs
    for link in links:
        href = link.href
        if not href.startswith((STORY_SCHEME, TAG_SCHEME)):
            if href.startswith(("/", targets.base_url)):  # the only links _site_path_problem checks
                problem = _site_path_problem(href, targets, SourceLocation(rel_path, link.line))
                if problem:
                    problems.append(problem)
        elif href.startswith(STORY_SCHEME):
            target = href[len(STORY_SCHEME):].partition("#")[0].strip()
            if target not in every:
                close = targets.hints.closest("story", target, every)
                problems.append(Problem(SourceLocation(rel_path, link.line), f"link to story '{target}': no story has that slug",
                                        hint=f"did you mean 'story:{close}'?" if close else ""))
            elif target not in by_slug:
                problems.append(Problem(SourceLocation(rel_path, link.line), f"link to story '{target}', which is a draft or dated in the future: the link is broken until it is published", "warning"))
        elif href.startswith(TAG_SCHEME):
            target = targets.tag_slug(href[len(TAG_SCHEME):].partition("#")[0])
            if target not in tag_slugs:
                close = targets.hints.closest("tag", target, tag_slugs)
                problems.append(Problem(SourceLocation(rel_path, link.line), f"link to tag '{target}': no published story has that tag",
                                        hint=f"did you mean 'tag:{close}'?" if close else ""))


def _site_path_problem(href: str, targets: _LinkTargets, where: SourceLocation) -> Problem | None:
    """A plain link to one of the site's own pages (/stories/x/, /tags/x/, /storylines/x/,
    /about/, or the same under base_url) that names nothing. Other paths, such as
    /static/ files or old addresses, are not checked: nothing here knows they are wrong."""
    path = href[len(targets.base_url) - 1:] if href.startswith(targets.base_url) else href
    if not path.startswith("/") or path.startswith("//"):
        return None
    path = path.split("#", 1)[0].split("?", 1)[0]
    segments = [s for s in path.split("/") if s]
    if not segments or path in targets.aliases or path + "/" in targets.aliases:
        return None
    section, name = segments[0], segments[1] if len(segments) > 1 else ""
    if section == "stories" and name:
        if name not in targets.every:
            close = targets.hints.closest("story", name, targets.every)
            return Problem(where, f"link to {path}: no story has the slug '{name}'", hint=f"did you mean '/stories/{close}/'?" if close else "")
        if name not in targets.by_slug:
            return Problem(where, f"link to {path}: story '{name}' is a draft or dated in the future, so the link is broken until it is published", "warning")
    elif section == "tags" and name:
        if name not in targets.tag_slugs:
            close = targets.hints.closest("tag", name, targets.tag_slugs)
            return Problem(where, f"link to {path}: no published story has the tag '{name}'", hint=f"did you mean '/tags/{close}/'?" if close else "")
    elif section == "storylines" and name:
        if name not in targets.storylines:
            close = targets.hints.closest("storyline", name, targets.storylines)
            return Problem(where, f"link to {path}: no published story is in the storyline '{name}'", hint=f"did you mean '/storylines/{close}/'?" if close else "")
    elif len(segments) == 1 and "." not in section and section not in RESERVED_SEGMENTS:
        pages = {p.slug: p for p in targets.pages}
        if section not in pages:
            close = targets.hints.closest("page", section, pages)
            return Problem(where, f"link to {path}: no page has the slug '{section}'", hint=f"did you mean '/{close}/'?" if close else "")
        if pages[section].params.get("draft"):
            return Problem(where, f"link to {path}: page '{section}' is a draft, so the link is broken until it is published", "warning")
    return None


def _storylines(published: list[Story], files: list[dict], problems: list[Problem]) -> dict[str, Storyline]:
    members: dict[str, list[Story]] = defaultdict(list)
    for story in published:
        if story.storyline:
            members[story.storyline].append(story)
    described = {f["slug"]: f for f in files}
    result = {}
    for slug in sorted(members):
        info = described.get(slug, {})
        ordered = sorted(members[slug], key=lambda s: (s.date, s.slug))
        result[slug] = Storyline(slug=slug, title=info.get("title") or slug.replace("-", " ").capitalize(),
                                 description_html=info.get("description_html", ""), rel_path=info.get("rel_path", ""),
                                 stories=tuple(s.slug for s in ordered))
    for slug, info in sorted(described.items()):
        if slug not in members:
            problems.append(Problem(SourceLocation(info["rel_path"]), f"storyline '{slug}' has no published story; add storyline: {slug} to a story", "warning"))
    return result


def _check_paths(published: list[Story], pages: list[Page], tags: tuple[TagListing, ...], storylines: dict) -> list[Problem]:
    problems = []
    taken: dict[str, str] = {s.url: s.rel_path for s in published}
    for page in pages:
        if page.slug in RESERVED_SEGMENTS:
            problems.append(Problem(SourceLocation(page.rel_path), f"page slug '{page.slug}' is used by sitegen's own pages", hint="rename the file or set another slug:"))
        taken.setdefault(page.url, page.rel_path)
    for listing in tags:
        taken.setdefault(listing.url, "a tag page")
    for slug in storylines:
        taken.setdefault(f"/storylines/{slug}/", "a storyline page")
    for story in published:
        for alias in story.aliases:
            first = alias.strip("/").split("/")[0]
            # sitemap-N.xml: the parts of a sitemap index, written once a site outgrows one file.
            if first in GENERATED_FILES or is_sitemap_file(first) or first in ("static", "page") or alias in ("/tags/", "/storylines/"):
                message = f"alias '{alias}' is a path sitegen writes itself"
            elif alias in taken:
                message = f"alias '{alias}' is already the address of {taken[alias]}"
            else:
                taken[alias] = story.rel_path
                continue
            # The line is looked up only here: it is in the story's body, unpacked on first read.
            problems.append(Problem(SourceLocation(story.rel_path, story.line_of("aliases")), message, hint="remove the alias"))
    return problems


# Story fields that other pages see only through the story's digest (cards, listings and
# feeds name (slug, digest, tag names)), or that only the story's own page shows. A field
# not listed here, including any added later, counts as part of the site graph.
_CONTENT_FIELDS = frozenset({"title", "dek", "authors", "story_so_far_html", "faq", "methodology", "sources",
                             "html", "headings", "links_out", "params", "digest", "key_lines"})


def graph_signature(story: Story) -> tuple:
    """What linking and planning read from a story, other than through its digest."""
    return (tuple((f.name, getattr(story, f.name)) for f in fields(story) if f.name not in _CONTENT_FIELDS),
            tuple(link.href for link in story.links_out),
            story.title if story.aliases else None)  # alias redirect pages show the title
