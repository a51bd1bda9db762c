"""Markdown body -> HTML fragment, headings and outbound links (markdown-it-py lives here only)."""

from __future__ import annotations

import functools
import html as html_lib
import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import unquote

from markdown_it import MarkdownIt, rules_block, rules_inline
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core.normalize import normalize
from markdown_it.rules_core.text_join import text_join
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote import index as footnote_rules

from .model import Citation, Heading, OutboundLink
from .slugs import slugify

_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|file|data):", re.IGNORECASE)
STORY_SCHEME = "story:"
TAG_SCHEME = "tag:"
# A footnote citation the footnote plugin left as text because the body defines no
# footnote of that label. Labels have no spaces, as in the plugin.
_TEXT_CITATION = re.compile(r"\[\^([^\]\s]+)\]")
# Characters some Markdown rule acts on (or that the output escapes), and line breaks: a
# one-line text without any, starting with a letter, can only be one plain paragraph.
_NOT_PLAIN = re.compile(r"[\n\r\\`~*_\[\]!<>&^|\t\x00]")
# Link targets markdown-it's normalizeLink gives back unchanged: an http(s) host of lower-case
# labels (at most 63 characters each, 255 in all, as its URL parser allows), then a path,
# query and fragment of letters, digits and "_.~-/=&" (nothing to percent-encode or
# punycode), and story:/tag: cross-links. It parses every URL into parts and formats them
# again (~12 us a link, dozens of links a story), so these skip it; tests check the claim.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_KEPT_URL = re.compile(
    rf"(?:(?:https?:)?//{_LABEL}(?:\.{_LABEL})*)?(?:/?[\w.~-][\w.~/-]*|/)?(?:\?[\w.~=&/-]*)?(?:#[\w.~/-]*)?"
    r"|(?:story|tag):[\w.~-][\w.~/-]*(?:#[\w.~/-]*)?", re.ASCII)
MAX_KEPT_URL = 255


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    headings: tuple[Heading, ...]
    links: tuple[OutboundLink, ...]
    citations: tuple[Citation, ...] = ()  # every [^label], defined in the body or not
    footnotes: tuple[str, ...] = ()  # labels the body defines as [^label]: text


def _validate_link(url: str) -> bool:
    # markdown-it already refuses javascript:, vbscript: and file:, but lets data:image
    # through; an explainer never needs a data: URL, so none is rendered as a link.
    return not _BAD_SCHEME.match(url)


def _heading_id(text: str) -> str:
    return slugify(text) or "section"


def _heading_ids(state) -> None:
    """Give every heading an id from its text, unique in the document: a, a-1, a-2, ...
    mdit_py_plugins.anchors gives the same ids but retries suffixes from 1 for every
    heading, so a story of thousands of identical headings (a live blog's "Update") took
    quadratic time. Here each base remembers its last suffix: candidates below it were
    taken then and are taken still, so the ids are the same and the work is linear."""
    taken: set[str] = set()
    last_suffix: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = _heading_id(_plain_text(tokens[index + 1]))
        suffix = last_suffix.get(base, 0)
        slug = f"{base}-{suffix}" if suffix else base
        while slug in taken:
            suffix += 1
            slug = f"{base}-{suffix}"
        last_suffix[base] = suffix
        taken.add(slug)
        token.attrSet("id", slug)


def _stock_parser(raw_html: bool) -> MarkdownIt:
    """The parser as configured: the reference _parser must match for every input."""
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.validateLink = _validate_link
    return md


@functools.lru_cache(maxsize=4)
def _parser(raw_html: bool) -> MarkdownIt:
    md = _stock_parser(raw_html)
    _try_only_rules_that_can_match(md)
    md.normalizeLink = _normalize_link
    md.core.ruler.at("normalize", _normalize_line_ends_and_nulls)
    md.core.ruler.at("text_join", _join_text_after_escapes_and_entities)
    md.renderer = _Renderer.taking_over(md.renderer)
    return md


class _Renderer(RendererHTML):
    """markdown-it's HTML renderer, writing the plainest tokens without its method calls.

    The stock one renders every token through a rule or renderToken, which looks the
    token's neighbours and attributes up through three more calls: an eighth of a body's
    Markdown time went there. Most tokens are text, or a tag with no attributes (<p>,
    </p>, <li>, <em>...), and for those this writes what renderToken and the text rule
    would. Any other token (attributes, a hidden paragraph, a rule of its own) goes the
    stock way."""

    @classmethod
    def taking_over(cls, stock: RendererHTML) -> "_Renderer":
        """This renderer with `stock`'s rules (plugins add theirs to the instance)."""
        renderer = cls.__new__(cls)
        renderer.rules = {name: getattr(rule, "__func__", rule).__get__(renderer) if getattr(rule, "__self__", None) is stock else rule
                          for name, rule in stock.rules.items()}
        renderer.plain_text = getattr(renderer.rules.get("text"), "__func__", None) is RendererHTML.text
        renderer.plain_breaks = getattr(renderer.rules.get("softbreak"), "__func__", None) is RendererHTML.softbreak
        return renderer

    def render(self, tokens, options, env) -> str:
        out: list[str] = []
        append, rules, xhtml = out.append, self.rules, options["xhtmlOut"]
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if token.children:
                    append(self.renderInline(token.children, options, env))
            elif kind in rules:
                append(rules[kind](tokens, i, options, env))
            elif token.attrs or token.hidden or not token.block:
                append(self.renderToken(tokens, i, options, env))
            else:  # renderToken for a block tag without attributes
                nesting = token.nesting
                opened = nesting != -1
                html = "\n<" if opened and i and tokens[i - 1].hidden else ("<" if opened else "</")
                html += token.tag
                if nesting == 0 and xhtml:
                    html += " /"
                if nesting == 1 and i < last:
                    following = tokens[i + 1]
                    if following.type == "inline" or following.hidden or (following.nesting == -1 and following.tag == token.tag):
                        append(html + ">")
                        continue
                append(html + ">\n")
        return "".join(out)

    def renderInline(self, tokens, options, env) -> str:
        out: list[str] = []
        append, rules, xhtml = out.append, self.rules, options["xhtmlOut"]
        plain_text, plain_break = self.plain_text, self.plain_breaks and not options["breaks"]
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "text" and plain_text:
                append(escapeHtml(token.content))
            elif kind == "softbreak" and plain_break:
                append("\n")
            elif kind in rules:
                append(rules[kind](tokens, i, options, env))
            elif token.attrs or token.hidden or token.block:
                append(self.renderToken(tokens, i, options, env))
            elif token.nesting == -1:
                append("</" + token.tag + ">")
            else:
                append("<" + token.tag + (" />" if token.nesting == 0 and xhtml else ">"))
        return "".join(out)


def _normalize_line_ends_and_nulls(state) -> None:
    """markdown-it's first core rule, which rebuilds the whole text with two regex passes
    even when it holds no CR and no NUL, as every source does once load.py has read it."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def _join_text_after_escapes_and_entities(state) -> None:
    """markdown-it's text_join, which walks every inline token's children to turn the
    pieces that backslash escapes and entities leave (text_special) into text and join
    them with their neighbours. Only those two rules make such pieces, and each starts at
    a backslash or an ampersand: a source with neither has nothing to join."""
    if "\\" in state.src or "&" in state.src:
        text_join(state)


def _normalize_link(url: str) -> str:
    return url if len(url) <= MAX_KEPT_URL and _KEPT_URL.fullmatch(url) else normalizeLink(url)


# The first character each rule needs where it starts: at an inline position, or at a
# block's first non-space character. Every rule tests that character before anything
# else and returns False, changing nothing, when it is not one of these.
_INLINE_STARTS = {
    rules_inline.newline: "\n", rules_inline.escape: "\\", rules_inline.backtick: "`",
    rules_inline.strikethrough.tokenize: "~", rules_inline.emphasis.tokenize: "_*", rules_inline.link: "[",
    rules_inline.image: "!", footnote_rules.footnote_inline: "^", footnote_rules.footnote_ref: "[",
    rules_inline.autolink: "<", rules_inline.html_inline: "<", rules_inline.entity: "&",
}
_BLOCK_CHAINS = ("", "paragraph", "reference", "blockquote", "list")
_BLOCK_STARTS = {
    rules_block.fence: "`~", rules_block.blockquote: ">", rules_block.hr: "*-_",
    rules_block.list_block: "*-+0123456789", footnote_rules.footnote_def: "[", rules_block.reference: "[",
    rules_block.html_block: "<", rules_block.heading: "#",
}


def _try_only_rules_that_can_match(md: MarkdownIt) -> None:
    """Same tokens as the stock parser for every input, with a fraction of the rule calls.

    markdown-it tries every rule, in order, at every place one could start: twelve block
    rules at each block, and at each inline character that may start markup ('-', ':'
    and '#' included, kept for plugins we do not use) every inline rule, the text rule
    first. Here each chain becomes one rule that looks at the character and tries only
    the rules, still in their order, that can start with it. The text rule also stops
    only at characters that one of our inline rules starts with, or at ']' (link labels
    are found by stopping there), so a hyphen no longer costs a dozen failed calls.
    Block rules that do not depend on the first character (table, code, lheading,
    paragraph, and any rule not listed above) are tried for every block. The chains that
    decide whether a line ends a paragraph, list, blockquote or reference dispatch the
    same way: there every rule is called for every line, and most lines start with a
    letter, which none of them but table can start with."""
    inline = md.inline.ruler.getRules("")
    starts = [_INLINE_STARTS.get(getattr(rule, "func", rule)) for rule in inline[1:]]
    stops = "".join(sorted(set("".join(s for s in starts if s)) | {"]"}))
    terminators = getattr(md.inline, "terminator_re", None)  # what the text rule stops at
    # Only with known rules, and when the text rule stopped at every one of our stops
    # already: then it never consumes a character a rule could start with.
    if inline[0] is rules_inline.text and None not in starts and terminators is not None \
            and all(terminators.match(char) for char in stops):
        md.inline.terminator_re = re.compile("[" + re.escape(stops) + "]")
        by_char = {char: tuple(rule for rule, chars in zip(inline[1:], starts) if char in chars)
                   for char in set("".join(starts))}
        _replace_chains(md.inline.ruler, {"": [_inline_dispatch(by_char, inline)]})
        if _skip_pair_rules_without_markers(md):
            _plain_inline_as_one_text(md)
    # The block chains: the main one, and those that decide, line by line, whether a
    # line ends a paragraph, list, blockquote or reference (every rule in them is called
    # silently for each such line, twice for a paragraph's lines: lheading looks first).
    chains = {name: _block_dispatch(md.block.ruler.getRules(name)) for name in _BLOCK_CHAINS}
    _replace_chains(md.block.ruler, chains)


# The rules run after each inline parse that only act on runs of '*', '_' and '~' (the
# emphasis and strikethrough rules record those runs as they go, and no other rule we use
# does): matching them in pairs, turning them into tags, and merging the text pieces they
# were split into (levels are set right as tokens are pushed, and only a pair's tags
# change them). Most paragraphs have none of these characters, and then nothing to do.
_PAIR_RULE_MARKERS = {
    rules_inline.link_pairs: "*_~", rules_inline.strikethrough.postProcess: "~",
    rules_inline.emphasis.postProcess: "*_", rules_inline.fragments_join: "*_~",
}


def _skip_pair_rules_without_markers(md: MarkdownIt) -> bool:
    """True when every rule after the inline parse is one of these, now guarded."""
    rules = md.inline.ruler2.getRules("")
    guarded = []
    for rule in rules:
        markers = _PAIR_RULE_MARKERS.get(rule)
        guarded.append(rule if markers is None else _when_any_of(markers, rule))
    _replace_chains(md.inline.ruler2, {"": guarded})
    return all(rule in _PAIR_RULE_MARKERS for rule in rules)


def _plain_inline_as_one_text(md: MarkdownIt) -> None:
    """An inline's text with none of the characters the text rule stops at (half of a
    story's inlines: plain paragraphs, list items, table cells, headings) is one text
    token at level 0: the text rule takes it whole, and the pair rules that run after
    find none of their markers. So it is made directly, without the parse's state."""
    parse, stops = md.inline.parse, md.inline.terminator_re

    def inline_parse(src: str, md: MarkdownIt, env, tokens: list[Token]) -> list[Token]:
        if not src or stops.search(src):
            return parse(src, md, env, tokens)
        token = Token("text", "", 0)
        token.content = src
        tokens.append(token)
        return tokens

    md.inline.parse = inline_parse


def _when_any_of(markers: str, rule):
    def pair_rule(state) -> None:
        src = state.src
        for marker in markers:
            if marker in src:
                rule(state)
                return

    return pair_rule


def _inline_dispatch(by_char: dict, chain: list):
    text_only = (chain[0],)  # at any other character only the text rule can match
    get = by_char.get

    def inline_rules(state, silent: bool) -> bool:
        pos = state.pos
        rules = get(state.src[pos], text_only) if pos < len(state.src) else chain
        for rule in rules:
            if rule(state, silent):
                return True
        return False

    return inline_rules


def _block_dispatch(chain: list) -> list:
    """The chain as one rule trying only the rules that can start with the first
    character of the line (rules not in _BLOCK_STARTS at every line), in their order."""
    if not chain:
        return chain
    chars = set("".join(_BLOCK_STARTS.get(rule, "") for rule in chain))
    by_char = {char: tuple(rule for rule in chain if char in _BLOCK_STARTS.get(rule, char)) for char in chars}
    anywhere = tuple(rule for rule in chain if rule not in _BLOCK_STARTS)
    get = by_char.get

    def block_rules(state, start_line: int, end_line: int, silent: bool) -> bool:
        pos = state.bMarks[start_line] + state.tShift[start_line]
        rules = get(state.src[pos], anywhere) if pos < len(state.src) else chain
        for rule in rules:
            if rule(state, start_line, end_line, silent):
                return True
        return False

    return [block_rules]


def _replace_chains(ruler, replaced: dict[str, list]) -> None:
    # Only the chains given: any other named one is used as it is.
    chains = ruler.getRules
    ruler.getRules = lambda chain_name="": replaced[chain_name] if chain_name in replaced else chains(chain_name)


def resolve_cross_link(href: str) -> str:
    """story:<slug> and tag:<name> become site URLs; everything else is left alone."""
    if href.startswith(STORY_SCHEME):
        target, _, fragment = href[len(STORY_SCHEME):].partition("#")
        return f"/stories/{target.strip()}/" + (f"#{fragment}" if fragment else "")
    if href.startswith(TAG_SCHEME):
        target, _, fragment = href[len(TAG_SCHEME):].partition("#")
        return f"/tags/{slugify(target)}/" + (f"#{fragment}" if fragment else "")
    return href


def render_markdown(text: str, first_line: int = 1, raw_html: bool = False, source_ids: Sequence[str] = ()) -> RenderedMarkdown:
    """first_line is the file line of the text's first line, so link lines are file lines.
    source_ids are the story's sources in order: a [^id] naming one of them, with no
    footnote of that label in the body, becomes a numbered link to that source."""
    plain = "" if not text else _plain_paragraph(text)  # no story_so_far: nothing to parse
    if plain is not None:
        return RenderedMarkdown(html=plain, headings=(), links=(), citations=(), footnotes=())
    md = _parser(raw_html)
    env: dict = {}
    tokens = md.parse(text, env)
    headings: list[Heading] = []
    links: list[OutboundLink] = []
    citations: list[Citation] = []
    numbers = {source_id: number for number, source_id in enumerate(source_ids, 1)}
    block_line = first_line
    for index, token in enumerate(tokens):
        if token.map:
            block_line = token.map[0] + first_line
        if token.type == "heading_open":
            inline = tokens[index + 1]
            headings.append(Heading(int(token.tag[1]), str(token.attrGet("id") or ""), _plain_text(inline)))
        if token.children:
            token.children = _scan_inline(token.children, block_line, links, citations, numbers)
    html = md.renderer.render(tokens, md.options, env)
    defined = sorted(label[1:] for label in env.get("footnotes", {}).get("refs", {}))
    return RenderedMarkdown(html=html, headings=tuple(headings), links=tuple(links),
                            citations=tuple(citations), footnotes=tuple(defined))


def _plain_paragraph(text: str) -> str | None:
    """The HTML markdown-it makes of a text that can only be a plain paragraph (an FAQ
    answer, usually), made directly: a parse costs ~80 us even for one sentence."""
    if not text[:1].isalpha() or text != text.strip() or _NOT_PLAIN.search(text):
        return None
    return "<p>" + text.replace('"', "&quot;") + "</p>\n"


def _scan_inline(children: list[Token], line: int, links: list[OutboundLink], citations: list[Citation],
                 numbers: dict[str, int]) -> list[Token]:
    """Record links and citations with their file lines (an inline block spans several lines,
    one per soft or hard break); resolve cross-links; turn citations of sources into links."""
    result: list[Token] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            href = str(child.attrGet(attr) or "")
            if href.startswith((STORY_SCHEME, TAG_SCHEME)):
                href = unquote(href)  # markdown-it percent-encodes; tag:Über must stay Über
            links.append(OutboundLink(href, line))
            child.attrSet(attr, resolve_cross_link(href))
        elif child.type == "footnote_ref" and "label" in (child.meta or {}):  # inline ^[notes] have none
            citations.append(Citation(str(child.meta["label"]), line))
        elif child.type == "text" and "[^" in child.content:
            result.extend(_text_citations(child, line, citations, numbers))
            continue
        result.append(child)
    return result


def _text_citations(child: Token, line: int, citations: list[Citation], numbers: dict[str, int]) -> list[Token]:
    pieces: list[Token] = []
    start = 0
    for match in _TEXT_CITATION.finditer(child.content):
        label = match.group(1)
        citations.append(Citation(label, line))
        if label not in numbers:
            continue  # cites nothing: stays as written, and the parse stage reports it
        pieces.append(_token("text", child.content[start:match.start()]))
        anchor = html_lib.escape(f"source-{label}")
        pieces.append(_token("html_inline", f'<sup class="footnote-ref citation"><a href="#{anchor}">[{numbers[label]}]</a></sup>'))
        start = match.end()
    if not pieces:
        return [child]
    pieces.append(_token("text", child.content[start:]))
    return [piece for piece in pieces if piece.content]


def _token(kind: str, content: str) -> Token:
    token = Token(kind, "", 0)
    token.content = content
    return token


def _plain_text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
