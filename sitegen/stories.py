"""SourceFile + front matter + rendered body -> Story (or Page, or Storyline), with every
problem in the front matter reported at the line of its key."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time, timezone
from pathlib import PurePosixPath
from typing import Any, Callable

from .errors import FrontMatterError, Problem, SourceLocation
from .frontmatter import FrontMatter, Positions, split_front_matter
from .load import CONTROL_CHARACTER
from .markdown import render_markdown
from .model import FaqItem, Methodology, OutboundLink, Page, Source, SourceFile, Story, Tag
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
METHODOLOGY_KEYS = ("source_count", "generated", "human_review", "note")
GENERATED_VALUES = ("autonomous", "assisted", "human")
SOURCE_KEYS = ("id", "title", "url", "publisher", "date")
FAQ_KEYS = ("q", "a")
MAX_TAGS = 50

_FILE_START = Positions(1)  # missing keys are reported at the opening fence
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Checker:
    """Collects problems for one file; each check returns a clean value or None."""

    def __init__(self, rel_path: str, positions: Positions) -> None:
        self.rel_path = rel_path
        self.positions = positions
        self.problems: list[Problem] = []

    def error(self, pos: Positions, message: str, hint: str = "") -> None:
        self.problems.append(Problem(SourceLocation(self.rel_path, pos.line), message, "error", hint))

    def warn(self, pos: Positions, message: str, hint: str = "") -> None:
        self.problems.append(Problem(SourceLocation(self.rel_path, pos.line), message, "warning", hint))

    def text(self, value: Any, pos: Positions, name: str, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.error(pos, f"'{name}' is empty; give it a text")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(pos, f"'{name}' must be a text, not {_kind(value)}", "quote it, e.g. title: \"...\"")
            return None
        text = str(value).strip()
        if required and not text:
            self.error(pos, f"'{name}' is empty; give it a text")
            return None
        bad = CONTROL_CHARACTER.search(text)
        if bad:  # only reachable through YAML escapes such as "\x01" or "\0"
            self.error(pos, f"'{name}' contains the control character U+{ord(bad.group()):04X}; remove it",
                       "control characters cannot be shown and are not allowed in feeds")
            return None
        return text

    def text_list(self, value: Any, pos: Positions, name: str) -> list[tuple[str, Positions]] | None:
        if value is None:
            return []
        if isinstance(value, str):
            text = self.text(value, pos, name)
            return [(text, pos)] if text else []
        if not isinstance(value, list):
            self.error(pos, f"'{name}' must be a list of texts, not {_kind(value)}", f"write {name}: [first, second]")
            return None
        items = []
        for index, item in enumerate(value):
            item_pos = pos.of(index)
            text = self.text(item, item_pos, f"{name}[{index + 1}]")
            if text:
                items.append((text, item_pos))
        return items

    def boolean(self, value: Any, pos: Positions, name: str) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.error(pos, f"'{name}' must be true or false, not {_kind(value)}")
            return None
        return value

    def when(self, value: Any, pos: Positions, name: str) -> datetime | None:
        if value is None:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            self.error(pos, f"'{name}' is not a valid date: {str(value)!r}", "write it as YYYY-MM-DD or an ISO date-time such as 2026-04-20T09:30:00Z")
        return parsed


def parse_datetime(value: Any) -> datetime | None:
    """A YAML date, a quoted 'YYYY-MM-DD' or an ISO 8601 date-time -> aware datetime (UTC if
    no offset is given). None when the value is not a real date (2026-02-30 included)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), timezone.utc)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _DATE.match(text):
            return datetime.combine(date.fromisoformat(text), time(0, 0), timezone.utc)
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", str: "a text", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def slug_from_path(rel_path: str) -> str:
    return slugify(PurePosixPath(rel_path).stem)


def _unknown_keys(check: _Checker, data: dict, known: tuple[str, ...], missing: list[str]) -> dict[str, Any]:
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
    check = _Checker(source.rel_path, front.positions)
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
    tags = _tags(check, data.get("tags"), pos.of("tags"))
    authors = check.text_list(data.get("authors"), pos.of("authors"), "authors")
    draft = check.boolean(data.get("draft"), pos.of("draft"), "draft")
    slug = _slug(check, data, pos, source.rel_path)
    aliases = _aliases(check, data.get("aliases"), pos.of("aliases"))
    storyline = _storyline(check, data.get("storyline"), pos.of("storyline"))
    so_far = check.text(data.get("story_so_far"), pos.of("story_so_far"), "story_so_far")
    faq_links: list[OutboundLink] = []
    faq = _faq(check, data.get("faq"), pos.of("faq"), raw_html, faq_links)
    picks = check.text_list(data.get("continue_reading"), pos.of("continue_reading"), "continue_reading")
    methodology = _methodology(check, data.get("methodology"), pos.of("methodology"))
    sources = _sources(check, data.get("sources"), pos.of("sources"))
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


def _key_lines(pos: Positions, prefix: str = "") -> dict[str, int]:
    """Every key's file line, nested ones dotted: faq.0.q, sources.2, methodology.note."""
    lines: dict[str, int] = {}
    children = pos.children
    for key, child in (children.items() if isinstance(children, dict) else enumerate(children)):
        name = f"{prefix}{key}"
        lines[name] = child.line
        lines.update(_key_lines(child, name + "."))
    return lines


def _missing_hint(key: str) -> str:
    return {
        "title": 'add a line such as title: "What the new rules change"',
        "dek": 'add a one-sentence standfirst, e.g. dek: "Why this matters."',
        "date": "add the publication date, e.g. date: 2026-04-20",
    }.get(key, "")


def _tags(check: _Checker, value: Any, pos: Positions) -> list[Tag] | None:
    if value is None:
        check.warn(pos, "story has no tags, so no related stories can be found for it", "add tags: [Topic, Another topic]")
        return []
    if isinstance(value, str):
        check.error(pos, "'tags' must be a list, not a single text", f"write tags: [{value}]")
        return None
    items = check.text_list(value, pos, "tags")
    if items is None:
        return None
    if len(items) > MAX_TAGS:
        check.error(pos, f"story has {len(items)} tags; at most {MAX_TAGS} are allowed", "keep the tags a reader would follow")
        return None
    tags: dict[str, Tag] = {}
    for name, item_pos in items:
        slug = slugify(name)
        if not slug:
            check.error(item_pos, f"tag {name!r} has no letters or digits to make a URL from", "add a Latin-letter name for the tag")
        elif slug not in tags:
            tags[slug] = Tag(" ".join(name.split()), slug)
    return list(tags.values())


def _slug(check: _Checker, data: dict, pos: Positions, rel_path: str) -> str | None:
    if "slug" not in data:
        slug = slug_from_path(rel_path)
        if not slug:
            check.error(pos, "the file name gives an empty slug", "rename the file with letters or digits, or set slug:")
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
    return text


def _aliases(check: _Checker, value: Any, pos: Positions) -> list[str] | None:
    items = check.text_list(value, pos, "aliases")
    if items is None:
        return None
    aliases = []
    for text, item_pos in items:
        problem = alias_problem(text)
        if problem:
            check.error(item_pos, f"alias {text!r} {problem}", "write an old path such as /2026/04/old-url/")
            continue
        aliases.append(text if text.endswith("/") or "." in text.rsplit("/", 1)[-1] else text + "/")
    return aliases


def alias_problem(path: str) -> str:
    """Why an alias cannot be a site path, or "" when it can."""
    if not path.startswith("/") or path.startswith("//"):
        return "must be a path on this site starting with a single '/'"
    if any(ch in path for ch in ("\\", "\x00", "?", "#", "\n", "\r", "\t")):
        return "contains a character that is not allowed in a path"
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") for s in segments):
        return "contains '.' or '..' segments"
    if segments and re.match(r"^[A-Za-z]:$", segments[0]):
        return "looks like a drive letter"
    if not segments:
        return "is the home page"
    return ""


def _storyline(check: _Checker, value: Any, pos: Positions) -> str | None:
    text = check.text(value, pos, "storyline")
    if text and not is_slug(text):
        check.error(pos, f"storyline {text!r} must be a slug (a-z, 0-9 and '-')", f"try storyline: {slugify(text)}")
        return None
    return text


def _faq(check: _Checker, value: Any, pos: Positions, raw_html: bool, links: list[OutboundLink]) -> list[FaqItem] | None:
    if value is None:
        return []
    if not isinstance(value, list):
        check.error(pos, f"'faq' must be a list of q/a pairs, not {_kind(value)}", 'write faq: then lines "- q: ..." and "  a: ..."')
        return None
    items = []
    for index, item in enumerate(value):
        item_pos = pos.of(index)
        if not isinstance(item, dict):
            check.error(item_pos, f"faq item {index + 1} must have 'q' and 'a' keys, not {_kind(item)}")
            continue
        for key in item:
            if key not in FAQ_KEYS:
                check.error(item_pos.of(key), f"faq item {index + 1} has unknown key '{key}'; use 'q' and 'a'")
        question = check.text(item.get("q"), item_pos.of("q"), f"faq[{index + 1}].q", required=True) if "q" in item else None
        answer = check.text(item.get("a"), item_pos.of("a"), f"faq[{index + 1}].a", required=True) if "a" in item else None
        if "q" not in item:
            check.error(item_pos, f"faq item {index + 1} has no 'q' (question)")
        if "a" not in item:
            check.error(item_pos, f"faq item {index + 1} has no 'a' (answer)")
        if question and answer:
            rendered = render_markdown(answer, item_pos.of("a").line, raw_html)
            links.extend(rendered.links)
            items.append(FaqItem(question, rendered.html))
    return items


def _methodology(check: _Checker, value: Any, pos: Positions) -> Methodology | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        check.error(pos, f"'methodology' must be a mapping of {', '.join(METHODOLOGY_KEYS)}, not {_kind(value)}")
        return None
    for key in value:
        if key not in METHODOLOGY_KEYS:
            close = difflib.get_close_matches(str(key), METHODOLOGY_KEYS, n=1)
            check.error(pos.of(key), f"methodology has unknown key '{key}'" + (f"; did you mean '{close[0]}'?" if close else f"; use {', '.join(METHODOLOGY_KEYS)}"))
    count = value.get("source_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        check.error(pos.of("source_count"), f"'methodology.source_count' must be a whole number of 0 or more, not {count!r}")
        count = None
    generated = check.text(value.get("generated"), pos.of("generated"), "methodology.generated") or ""
    if generated and generated not in GENERATED_VALUES:
        check.error(pos.of("generated"), f"'methodology.generated' must be one of {', '.join(GENERATED_VALUES)}, not {generated!r}")
    review = check.boolean(value.get("human_review"), pos.of("human_review"), "methodology.human_review")
    note = check.text(value.get("note"), pos.of("note"), "methodology.note") or ""
    return Methodology(source_count=count, generated=generated, human_review=review, note=note)


def _sources(check: _Checker, value: Any, pos: Positions) -> list[Source] | None:
    if value is None:
        return []
    if not isinstance(value, list):
        check.error(pos, f"'sources' must be a list, not {_kind(value)}", "write sources: then lines '- id: ...' with title, url, publisher, date")
        return None
    sources: list[Source] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        item_pos = pos.of(index)
        if not isinstance(item, dict):
            check.error(item_pos, f"source {index + 1} must be a mapping with id, title, url, publisher, date")
            continue
        for key in item:
            if key not in SOURCE_KEYS:
                check.error(item_pos.of(key), f"source {index + 1} has unknown key '{key}'; use {', '.join(SOURCE_KEYS)}")
        source_id = check.text(item.get("id"), item_pos.of("id"), f"sources[{index + 1}].id", required=True) if "id" in item else None
        title = check.text(item.get("title"), item_pos.of("title"), f"sources[{index + 1}].title", required=True) if "title" in item else None
        if "id" not in item:
            check.error(item_pos, f"source {index + 1} has no 'id'", "give it an id to cite as [^id]")
        if "title" not in item:
            check.error(item_pos, f"source {index + 1} has no 'title'")
        url = check.text(item.get("url"), item_pos.of("url"), f"sources[{index + 1}].url") or ""
        if url and not re.match(r"^https?://", url, re.IGNORECASE):
            check.error(item_pos.of("url"), f"source url {url!r} must start with http:// or https://")
            url = ""
        publisher = check.text(item.get("publisher"), item_pos.of("publisher"), f"sources[{index + 1}].publisher") or ""
        when = check.when(item.get("date"), item_pos.of("date"), f"sources[{index + 1}].date")
        if source_id and source_id in seen:
            check.error(item_pos.of("id"), f"source id {source_id!r} is used twice")
        if source_id and title:
            seen.add(source_id)
            sources.append(Source(source_id, title, url, publisher, when))
    return sources


def parse_page(source: SourceFile, raw_html: bool = False) -> tuple[Page | None, list[Problem]]:
    try:
        front = split_front_matter(source)
    except FrontMatterError as exc:
        return None, [exc.to_problem()]
    check = _Checker(source.rel_path, front.positions)
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
    check = _Checker(source.rel_path, front.positions)
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
