"""Markdown body -> HTML fragment, headings and outbound links (markdown-it-py lives here only)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .model import Heading, OutboundLink
from .slugs import slugify

_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|file|data):", re.IGNORECASE)
STORY_SCHEME = "story:"
TAG_SCHEME = "tag:"


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    headings: tuple[Heading, ...]
    links: tuple[OutboundLink, ...]


def _validate_link(url: str) -> bool:
    # markdown-it already refuses javascript:, vbscript: and file:, but lets data:image
    # through; an explainer never needs a data: URL, so none is rendered as a link.
    return not _BAD_SCHEME.match(url)


def _heading_id(text: str) -> str:
    return slugify(text) or "section"


@functools.lru_cache(maxsize=4)
def _parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=_heading_id)
    md.validateLink = _validate_link
    return md


def resolve_cross_link(href: str) -> str:
    """story:<slug> and tag:<name> become site URLs; everything else is left alone."""
    if href.startswith(STORY_SCHEME):
        target, _, fragment = href[len(STORY_SCHEME):].partition("#")
        return f"/stories/{target.strip()}/" + (f"#{fragment}" if fragment else "")
    if href.startswith(TAG_SCHEME):
        target, _, fragment = href[len(TAG_SCHEME):].partition("#")
        return f"/tags/{slugify(target)}/" + (f"#{fragment}" if fragment else "")
    return href


def render_markdown(text: str, first_line: int = 1, raw_html: bool = False) -> RenderedMarkdown:
    """first_line is the file line of the text's first line, so link lines are file lines."""
    md = _parser(raw_html)
    env: dict = {}
    tokens = md.parse(text, env)
    headings: list[Heading] = []
    links: list[OutboundLink] = []
    block_line = first_line
    for index, token in enumerate(tokens):
        if token.map:
            block_line = token.map[0] + first_line
        if token.type == "heading_open":
            inline = tokens[index + 1]
            headings.append(Heading(int(token.tag[1]), str(token.attrGet("id") or ""), _plain_text(inline)))
        for child in token.children or ():
            if child.type in ("link_open", "image"):
                attr = "href" if child.type == "link_open" else "src"
                href = str(child.attrGet(attr) or "")
                links.append(OutboundLink(href, block_line + _line_offset(token, child)))
                child.attrSet(attr, resolve_cross_link(href))
    html = md.renderer.render(tokens, md.options, env)
    return RenderedMarkdown(html=html, headings=tuple(headings), links=tuple(links))


def _line_offset(inline: Token, child: Token) -> int:
    """Lines between the start of an inline block and a link inside it."""
    offset = 0
    for sibling in inline.children or ():
        if sibling is child:
            return offset
        if sibling.type in ("softbreak", "hardbreak"):
            offset += 1
    return offset


def _plain_text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
