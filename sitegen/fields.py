"""Checks of single front-matter values (texts, dates, tags, aliases, FAQ, methodology,
sources): each returns a clean value or None and records problems at the value's line."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time, timezone
from typing import Any

from .errors import Problem, SourceLocation
from .frontmatter import Positions
from .load import CONTROL_CHARACTER
from .markdown import render_markdown
from .model import FaqItem, Methodology, OutboundLink, Source, Tag
from .slugs import is_slug, slugify

METHODOLOGY_KEYS = ("source_count", "generated", "human_review", "note")
GENERATED_VALUES = ("autonomous", "assisted", "human")
SOURCE_KEYS = ("id", "title", "url", "publisher", "date")
FAQ_KEYS = ("q", "a")
MAX_TAGS = 50
# Each slug becomes a folder name in the output, and file systems refuse names over 255
# bytes (and paths over 4,096); past these limits the build would die writing the page.
MAX_SLUG_LENGTH = 200
MAX_ALIAS_LENGTH = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldChecker:
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
            self.error(pos, f"'{name}' must be a text, not {kind_of(value)}", "quote it, e.g. title: \"...\"")
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
            self.error(pos, f"'{name}' must be a list of texts, not {kind_of(value)}", f"write {name}: [first, second]")
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
            self.error(pos, f"'{name}' must be true or false, not {kind_of(value)}")
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


def kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", str: "a text", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def check_tags(check: FieldChecker, value: Any, pos: Positions) -> list[Tag] | None:
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
        elif len(slug) > MAX_SLUG_LENGTH:
            check.error(item_pos, f"tag {name[:40]!r}... is too long for a URL ({len(slug)} characters; at most {MAX_SLUG_LENGTH})", "use a shorter name")
        elif slug not in tags:
            tags[slug] = Tag(" ".join(name.split()), slug)
    return list(tags.values())


def check_aliases(check: FieldChecker, value: Any, pos: Positions) -> list[str] | None:
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
    if len(path) > MAX_ALIAS_LENGTH or any(len(s.encode("utf-8")) > MAX_SLUG_LENGTH for s in segments):
        return f"is too long (at most {MAX_ALIAS_LENGTH} characters, {MAX_SLUG_LENGTH} bytes between slashes)"
    return ""


def check_storyline(check: FieldChecker, value: Any, pos: Positions) -> str | None:
    text = check.text(value, pos, "storyline")
    if text and not is_slug(text):
        check.error(pos, f"storyline {text!r} must be a slug (a-z, 0-9 and '-')", f"try storyline: {slugify(text)}")
        return None
    if text and len(text) > MAX_SLUG_LENGTH:
        check.error(pos, f"storyline is too long ({len(text)} characters; at most {MAX_SLUG_LENGTH})", "use a shorter slug")
        return None
    return text


def check_faq(check: FieldChecker, value: Any, pos: Positions, raw_html: bool, links: list[OutboundLink]) -> list[FaqItem] | None:
    if value is None:
        return []
    if not isinstance(value, list):
        check.error(pos, f"'faq' must be a list of q/a pairs, not {kind_of(value)}", 'write faq: then lines "- q: ..." and "  a: ..."')
        return None
    items = []
    for index, item, item_pos in _mapping_items(check, value, pos, FAQ_KEYS, "faq item {n} must have 'q' and 'a' keys, not {kind}",
                                                "faq item {n} has unknown key '{key}'; use 'q' and 'a'"):
        question, answer = _required_texts(check, item, item_pos, f"faq[{index + 1}]", (
            ("q", f"faq item {index + 1} has no 'q' (question)", ""),
            ("a", f"faq item {index + 1} has no 'a' (answer)", "")))
        if question and answer:
            rendered = render_markdown(answer, item_pos.of("a").line, raw_html)
            links.extend(rendered.links)
            items.append(FaqItem(question, rendered.html))
    return items


def check_methodology(check: FieldChecker, value: Any, pos: Positions) -> Methodology | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        check.error(pos, f"'methodology' must be a mapping of {', '.join(METHODOLOGY_KEYS)}, not {kind_of(value)}")
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


def check_sources(check: FieldChecker, value: Any, pos: Positions) -> list[Source] | None:
    if value is None:
        return []
    if not isinstance(value, list):
        check.error(pos, f"'sources' must be a list, not {kind_of(value)}", "write sources: then lines '- id: ...' with title, url, publisher, date")
        return None
    sources: list[Source] = []
    seen: set[str] = set()
    for index, item, item_pos in _mapping_items(check, value, pos, SOURCE_KEYS,
                                                "source {n} must be a mapping with id, title, url, publisher, date",
                                                "source {n} has unknown key '{key}'; use " + ", ".join(SOURCE_KEYS)):
        source_id, title = _required_texts(check, item, item_pos, f"sources[{index + 1}]", (
            ("id", f"source {index + 1} has no 'id'", "give it an id to cite as [^id]"),
            ("title", f"source {index + 1} has no 'title'", "")))
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


def _mapping_items(check: FieldChecker, value: list, pos: Positions, keys: tuple[str, ...], not_mapping: str, unknown: str):
    """(index, item, position) for each mapping in a list such as faq or sources; items that
    are not mappings and keys outside `keys` are reported (messages take {n}, {kind}, {key})."""
    for index, item in enumerate(value):
        item_pos = pos.of(index)
        if not isinstance(item, dict):
            check.error(item_pos, not_mapping.format(n=index + 1, kind=kind_of(item)))
            continue
        for key in item:
            if key not in keys:
                check.error(item_pos.of(key), unknown.format(n=index + 1, key=key))
        yield index, item, item_pos


def _required_texts(check: FieldChecker, item: dict, item_pos: Positions, name: str,
                    required: tuple[tuple[str, str, str], ...]) -> list[str | None]:
    """The texts of an item's required keys (key, message when missing, hint): type problems
    first, then the missing keys, each reported once."""
    texts = [check.text(item.get(key), item_pos.of(key), f"{name}.{key}", required=True) if key in item else None
             for key, _, _ in required]
    for key, missing, hint in required:
        if key not in item:
            check.error(item_pos, missing, hint)
    return texts
