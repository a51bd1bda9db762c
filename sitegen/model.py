"""Plain, frozen data passed between the pipeline stages."""

from __future__ import annotations

import enum
import hashlib
import pickle
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from .config import SiteConfig
from .errors import DamagedCache, Problem, SourceLocation


@dataclass(frozen=True)
class SourceFile:
    """A content file as read from disk: newlines normalised, BOM stripped, nothing parsed."""

    rel_path: str  # posix path relative to the site root, used in every message
    # None: not read, because the file is unchanged since a build that parsed it (load.py,
    # load_content's `known`); only a build that has its parse result gets such a file.
    text: str | None
    digest: str  # sha256 of the raw bytes


@dataclass(frozen=True)
class Tag:
    name: str  # display name as the author wrote it
    slug: str


@dataclass(frozen=True)
class FaqItem:
    question: str
    answer_html: str


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str = ""
    publisher: str = ""
    date: datetime | None = None


@dataclass(frozen=True)
class Methodology:
    source_count: int | None = None
    generated: str = ""  # autonomous | assisted | human | ""
    human_review: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class OutboundLink:
    """A link written in a Markdown body, with the file line it sits on."""

    href: str
    line: int


@dataclass(frozen=True)
class Citation:
    """A footnote citation [^label] in a Markdown body, with the file line it sits on."""

    label: str
    line: int


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    dek: str
    date: datetime
    updated: datetime | None
    tags: tuple[Tag, ...]
    authors: tuple[str, ...]
    draft: bool
    aliases: tuple[str, ...]
    storyline: str
    story_so_far_html: str
    faq: tuple[FaqItem, ...]
    continue_reading: tuple[str, ...]
    methodology: Methodology | None
    sources: tuple[Source, ...]
    html: str
    headings: tuple[Heading, ...]
    links_out: tuple[OutboundLink, ...]
    params: dict[str, Any]  # unknown front-matter keys, kept for templates
    rel_path: str
    digest: str
    key_lines: dict[str, int]  # front-matter key (dotted for nested items) -> file line
    citations: tuple[Citation, ...] = ()  # every [^label] in the body, in order
    footnotes: tuple[str, ...] = ()  # labels of footnotes defined in the body ([^label]: text)

    @property
    def url(self) -> str:
        return f"/stories/{self.slug}/"

    @property
    def modified(self) -> datetime:
        return self.updated or self.date

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    # Pickled in two parts (build workers send stories back pickled, and the disk cache
    # stores them so): what linking and listings read, and the body fields below as one
    # pickle of their own, unpickled only when something first reads one of them. A
    # rebuild loads every story but renders few pages, and a body is most of a story's
    # objects: its headings, links, sources, FAQ and the line of every front-matter key.
    # The packed body travels with its SHA-256, checked before it is unpickled: the disk
    # cache keeps bodies outside the checksum it verifies on loading (cache.py).
    def __reduce_ex__(self, protocol: int):
        packed = self.__dict__.get("_packed_body")
        if packed is None:
            packed = pickle.dumps(tuple(self.__dict__[name] for name in STORY_BODY_FIELDS), pickle.HIGHEST_PROTOCOL)
            checksum = hashlib.sha256(packed).digest()
        else:
            checksum = self.__dict__["_body_checksum"]  # as received: a damaged body stays detectable
        # From protocol 5 on, a pickler given a buffer_callback (cache.encode) keeps the
        # body out of band and the unpickler hands back a view of it without copying;
        # any other pickler writes it in band, and it comes back as bytes.
        body = pickle.PickleBuffer(packed) if protocol >= 5 else bytes(packed)
        head = [self.__dict__[name] for name in _STORY_HEAD_FIELDS]
        head[_TAGS_AT] = tuple(_SHARED_TAGS.setdefault(tag, tag) for tag in head[_TAGS_AT])
        head[_AUTHORS_AT] = _SHARED_AUTHORS.setdefault(head[_AUTHORS_AT], head[_AUTHORS_AT])
        return restore_story, (tuple(head), body, checksum)

    def __getattr__(self, name: str) -> Any:
        # Only called when a field is not set: a body not unpickled yet.
        packed = self.__dict__.get("_packed_body")
        if packed is None or name not in STORY_BODY_FIELDS:
            raise AttributeError(name)
        from .cache import unpickle  # the allow-list unpickler; cache.py imports this module

        try:
            packed = bytes(packed)  # a view into a cache file: check and unpickle the same bytes
            if hashlib.sha256(packed).digest() != self.__dict__.get("_body_checksum"):
                raise ValueError("altered")
            body = unpickle(packed)
            if not isinstance(body, tuple) or len(body) != len(STORY_BODY_FIELDS):
                raise ValueError("not a story body")
        except ValueError:
            raise DamagedCache(SourceLocation(self.rel_path), "the build cache's copy of this story is damaged",
                              "delete the .sitegen-cache/ folder and build again") from None
        self.__dict__.update(zip(STORY_BODY_FIELDS, body))
        del self.__dict__["_packed_body"], self.__dict__["_body_checksum"]
        return self.__dict__[name]


STORY_BODY_FIELDS = ("story_so_far_html", "faq", "methodology", "sources", "html", "headings", "params",
                     "key_lines", "citations", "footnotes")
_STORY_HEAD_FIELDS = tuple(f for f in Story.__dataclass_fields__ if f not in STORY_BODY_FIELDS)
# Stories pickle equal tags and author lists as one object each (any equal one seen
# before), so a pickle of many stories writes each once and refers back to it: a 10,000
# story cache holds 400 tags, not 50,000, to unpickle and for the collector to walk.
_TAGS_AT, _AUTHORS_AT = _STORY_HEAD_FIELDS.index("tags"), _STORY_HEAD_FIELDS.index("authors")
_SHARED_TAGS: dict[Tag, Tag] = {}
_SHARED_AUTHORS: dict[tuple[str, ...], tuple[str, ...]] = {}
# A field's default lives on the class, where it would answer for a body still packed
# (__getattr__ is only asked when nothing else answers); __init__ keeps its own copy.
for _name in STORY_BODY_FIELDS:
    if _name in Story.__dict__:
        delattr(Story, _name)


def restore_story(head: tuple, packed: bytes | memoryview, checksum: bytes) -> Story:
    """A Story from its pickled parts (see Story.__reduce_ex__), its body still packed:
    bytes, or a read-only view into a cache file's bytes when it came out of band."""
    story = object.__new__(Story)
    story.__dict__.update(zip(_STORY_HEAD_FIELDS, head))
    story.__dict__["_packed_body"] = packed
    story.__dict__["_body_checksum"] = checksum
    return story


@dataclass(frozen=True)
class Page:
    """A standalone page such as content/about.md, served at /<slug>/."""

    slug: str
    title: str
    dek: str
    html: str
    params: dict[str, Any]
    rel_path: str
    digest: str
    links_out: tuple[OutboundLink, ...] = ()

    @property
    def url(self) -> str:
        return f"/{self.slug}/"


@dataclass(frozen=True)
class Storyline:
    slug: str
    title: str
    description_html: str
    rel_path: str  # "" when the storyline has no file of its own
    stories: tuple[str, ...]  # slugs, oldest first

    @property
    def url(self) -> str:
        return f"/storylines/{self.slug}/"


class RelatedCard(NamedTuple):
    """A named tuple, not a dataclass: the cache holds five per story, and tuples unpickle
    in half the time."""

    slug: str
    shared_tags: tuple[str, ...]  # tag slugs shared with the story showing the card
    curated: bool


@dataclass(frozen=True)
class TagListing:
    tag: Tag
    stories: tuple[str, ...]  # slugs, newest first

    @property
    def url(self) -> str:
        return f"/tags/{self.tag.slug}/"


@dataclass(frozen=True)
class Site:
    """The linked whole: everything a page may show, nothing rendered yet."""

    config: SiteConfig
    stories: tuple[Story, ...]  # published stories, newest first
    by_slug: dict[str, Story]
    tags: tuple[TagListing, ...]  # sorted by tag slug
    tag_by_slug: dict[str, TagListing]
    related: dict[str, tuple[RelatedCard, ...]]
    pages: tuple[Page, ...]
    storylines: dict[str, Storyline]


@dataclass(frozen=True)
class OutputFile:
    dest: str  # posix path relative to the output folder
    content: bytes
    media_type: str = "text/html"


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    jobs: int = 0  # 0: one per core
    now: datetime | None = None  # "today" for future-dated stories; None means the clock


@dataclass
class BuildResult:
    outputs: list[OutputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    written: int = 0
    unchanged: int = 0
    rendered: list[str] = field(default_factory=list)  # pages rendered this time, not taken from the cache
    cache_hits: int = 0
    # What the outputs were made from (outputs[i] is plans[i]'s file, static files after
    # them), so the preview can re-render a few pages after an edit without replanning.
    site: Site | None = None
    plans: list = field(default_factory=list)
    # Builds with the disk cache only: pages not rendered because the output folder
    # already holds their bytes (path -> sha256 of the bytes); they are not in `outputs`.
    kept: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. a corrupted cache file that was rebuilt


class ChangeKind(enum.Enum):
    CONTENT = "content"
    LAYOUT = "layout"
    STATIC = "static"
    CONFIG = "config"
