"""SourceFile + front matter + rendered body -> Story (or Page, or Storyline), with every
problem in the front matter reported at the line of its key."""

from __future__ import annotations

import difflib
from pathlib import PurePosixPath
from typing import Any

from .errors import FrontMatterError, Problem
from .fields import (MAX_SLUG_LENGTH, FieldChecker, check_aliases, check_faq, check_methodology, check_sources,
                     check_storyline, check_tags)
from .frontmatter import Positions, split_front_matter
from .markdown import render_markdown
from .model import OutboundLink, Page, SourceFile, Story
from .slugs import is_slug, slugify
from .sourcing import sourcing_errors

STORY_KEYS = (
    "title", "dek", "date", "updated", "tags", "authors", "draft", "slug", "aliases",
    "storyline", "story_so_far", "faq", "continue_reading", "methodology", "sources",
)
REQUIRED_STORY_KEYS = ("title", "dek", "date")
PAGE_KEYS = ("title", "dek", "slug", "draft")
STORYLINE_KEYS = ("title", "description")
# Computed for templates; an author who sets one would silently lose it.
RESERVED_KEYS = ("url", "related", "permalink", "html", "content", "summary_html", "headings", "params")

_FILE_START = Positions(1)  # missing keys are reported at the opening fence


def slug_from_path(rel_path: str) -> str:
    return slugify(PurePosixPath(rel_path).stem)


def _unknown_keys(check: FieldChecker, data: dict, known: tuple[str, ...], missing: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in data.items():
        key_text = str(key)
        if key_text in known:
            continue
        pos = check.positions.of(key)
        if key_text in RESERVED_KEYS:
            check.error(pos, f"'{key_text}' is computed by sitegen and cannot be set in front matter; rename the key")
            continue
        close = difflib.get_close_matches(key_text, known, n=1, cutoff=0.75)
        if close and close[0] in missing:
            check.error(pos, f"unknown key '{key_text}'; did you mean '{close[0]}'?")
        elif close:
            check.warn(pos, f"unknown key '{key_text}' is kept for templates as params.{key_text}; did you mean '{close[0]}'?")
        params[key_text] = value
    return params


def parse_story(source: SourceFile, raw_html: bool = False) -> tuple[Story | None, list[Problem]]:
    """Never raises for bad content: returns (None, problems) when the story cannot be used."""
    try:
        front = split_front_matter(source)
    except FrontMatterError as exc:
        return None, [exc.to_problem()]
    check = FieldChecker(source.rel_path, front.positions)
    data, pos = front.data, front.positions
    missing = [key for key in REQUIRED_STORY_KEYS if key not in data]
    params = _unknown_keys(check, data, STORY_KEYS, missing)
    for key in missing:
        check.error(_FILE_START, f"missing required key '{key}'", _missing_hint(key))

    title = check.text(data.get("title"), pos.of("title"), "title", required="title" in data)
    dek = check.text(data.get("dek"), pos.of("dek"), "dek", required="dek" in data)
    when = check.when(data.get("date"), pos.of("date"), "date")
    if "date" in data and data.get("date") is None:
        check.error(pos.of("date"), "'date' is empty", "write it as YYYY-MM-DD")
    updated = check.when(data.get("updated"), pos.of("updated"), "updated")
    tags = check_tags(check, data.get("tags"), pos.of("tags"))
    authors = check.text_list(data.get("authors"), pos.of("authors"), "authors")
    draft = check.boolean(data.get("draft"), pos.of("draft"), "draft")
    slug = _slug(check, data, pos, source.rel_path)
    aliases = check_aliases(check, data.get("aliases"), pos.of("aliases"))
    storyline = check_storyline(check, data.get("storyline"), pos.of("storyline"))
    so_far = check.text(data.get("story_so_far"), pos.of("story_so_far"), "story_so_far")
    faq_links: list[OutboundLink] = []
    faq = check_faq(check, data.get("faq"), pos.of("faq"), raw_html, faq_links)
    picks = check.text_list(data.get("continue_reading"), pos.of("continue_reading"), "continue_reading")
    methodology = check_methodology(check, data.get("methodology"), pos.of("methodology"))
    sources = check_sources(check, data.get("sources"), pos.of("sources"))
    if updated and when and updated < when:
        check.warn(pos.of("updated"), "'updated' is earlier than 'date'")

    if any(p.is_error for p in check.problems) or title is None or dek is None or when is None or slug is None:
        return None, check.problems

    body = render_markdown(front.body, front.body_line, raw_html, tuple(s.id for s in sources or ()))
    summary = render_markdown(so_far or "", pos.of("story_so_far").line, raw_html)
    key_lines = _key_lines(pos)
    for index, (_, item_pos) in enumerate(picks or []):
        key_lines[f"continue_reading.{index}"] = item_pos.line
    story = Story(
        slug=slug,
        title=title,
        dek=dek,
        date=when,
        updated=updated,
        tags=tuple(tags or ()),
        authors=tuple(text for text, _ in authors or ()),
        draft=bool(draft),
        aliases=tuple(aliases or ()),
        storyline=storyline or "",
        story_so_far_html=summary.html,
        faq=tuple(faq or ()),
        continue_reading=tuple(text for text, _ in picks or ()),
        methodology=methodology,
        sources=tuple(sources or ()),
        html=body.html,
        headings=body.headings,
        links_out=body.links + summary.links + tuple(faq_links),  # every link a reader of the page can follow
        params=params,
        rel_path=source.rel_path,
        digest=source.digest,
        key_lines=key_lines,
        citations=body.citations,
        footnotes=body.footnotes,
    )
    return story, check.problems + sourcing_errors(story)


def _key_lines(pos: Positions, prefix: str = "", lines: dict[str, int] | None = None) -> dict[str, int]:
    """Every key's file line, nested ones dotted: faq.0.q, sources.2, methodology.note."""
    lines = {} if lines is None else lines
    children = pos.children
    for key, child in (children.items() if isinstance(children, dict) else enumerate(children)):
        name = f"{prefix}{key}"
        lines[name] = child.line
        if child.children:
            _key_lines(child, name + ".", lines)
    return lines


def _missing_hint(key: str) -> str:
    return {
        "title": 'add a line such as title: "What the new rules change"',
        "dek": 'add a one-sentence standfirst, e.g. dek: "Why this matters."',
        "date": "add the publication date, e.g. date: 2026-04-20",
    }.get(key, "")


def _slug(check: FieldChecker, data: dict, pos: Positions, rel_path: str) -> str | None:
    if "slug" not in data:
        slug = slug_from_path(rel_path)
        if not slug:
            check.error(pos, "the file name gives an empty slug", "rename the file with letters or digits, or set slug:")
            return None
        if len(slug) > MAX_SLUG_LENGTH:
            check.error(pos, f"the file name gives a slug of {len(slug)} characters; at most {MAX_SLUG_LENGTH} fit in a URL", "rename the file or set a shorter slug:")
            return None
        return slug
    text = check.text(data.get("slug"), pos.of("slug"), "slug", required=True)
    if text is None:
        return None
    if not is_slug(text):
        suggestion = slugify(text)
        check.error(pos.of("slug"), f"slug {text!r} may contain only a-z, 0-9 and single '-' between them",
                    f"try slug: {suggestion}" if suggestion else "use letters, digits and '-'")
        return None
    if len(text) > MAX_SLUG_LENGTH:
        check.error(pos.of("slug"), f"slug is too long ({len(text)} characters; at most {MAX_SLUG_LENGTH})", "use a shorter slug")
        return None
    return text


def parse_page(source: SourceFile, raw_html: bool = False) -> tuple[Page | None, list[Problem]]:
    try:
        front = split_front_matter(source)
    except FrontMatterError as exc:
        return None, [exc.to_problem()]
    check = FieldChecker(source.rel_path, front.positions)
    data, pos = front.data, front.positions
    params = _unknown_keys(check, data, PAGE_KEYS, [k for k in ("title",) if k not in data])
    if "title" not in data:
        check.error(_FILE_START, "missing required key 'title'", _missing_hint("title"))
    title = check.text(data.get("title"), pos.of("title"), "title", required=True) if "title" in data else None
    dek = check.text(data.get("dek"), pos.of("dek"), "dek") or ""
    slug = _slug(check, data, pos, source.rel_path)
    check.boolean(data.get("draft"), pos.of("draft"), "draft")
    if any(p.is_error for p in check.problems) or title is None or slug is None:
        return None, check.problems
    body = render_markdown(front.body, front.body_line, raw_html)
    page = Page(slug=slug, title=title, dek=dek, html=body.html, params=params | {"draft": bool(data.get("draft"))},
                rel_path=source.rel_path, digest=source.digest, links_out=body.links)
    return page, check.problems


def parse_storyline_file(source: SourceFile, raw_html: bool = False) -> tuple[dict | None, list[Problem]]:
    """content/storylines/<slug>.md -> {"slug", "title", "description_html"}."""
    try:
        front = split_front_matter(source)
    except FrontMatterError as exc:
        return None, [exc.to_problem()]
    check = FieldChecker(source.rel_path, front.positions)
    data, pos = front.data, front.positions
    _unknown_keys(check, data, STORYLINE_KEYS, [])
    title = check.text(data.get("title"), pos.of("title"), "title", required=True)
    if "title" not in data:
        check.error(_FILE_START, "missing required key 'title'")
    description = check.text(data.get("description"), pos.of("description"), "description") or ""
    slug = slug_from_path(source.rel_path)
    if any(p.is_error for p in check.problems) or not title:
        return None, check.problems
    body = render_markdown(front.body, front.body_line, raw_html).html
    desc_html = render_markdown(description, pos.of("description").line, raw_html).html if description else ""
    return {"slug": slug, "title": title, "description_html": desc_html + body, "rel_path": source.rel_path}, check.problems
