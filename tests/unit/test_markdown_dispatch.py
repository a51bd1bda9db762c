"""The parser that tries only the rules a character can start gives exactly the tokens, HTML
and footnote data of the stock configuration, for any input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import rules_block, rules_inline

from sitegen import markdown
from sitegen.markdown import _BLOCK_STARTS, _INLINE_STARTS, _parser, _stock_parser, render_markdown

# Pieces that start or end every kind of block and inline markup markdown-it knows,
# including the ones our configuration does not enable, so that both kinds of input meet.
PIECES = [
    "a", "b c", "Word", "é", "中", "\u00a0", "\u3000", "\u2028", " ", "  ", "    ", "\t", "\n", "\n\n", "\r\n", "\r",
    "- ", "* ", "+ ", "1. ", "2) ", "10. ", "9. ", "0) ", "345.", "678)", "> ", ">", "# ", "## ", "###### ", "####### ", "#", "```", "~~~", "```py\n",
    "---", "***", "___", "===", "- - -", "|", " | ", "|---|---|", ":--", "--:", ":-:", "[^a]: ", "[^a]", "[^b c]", "[^",
    "^[inline]", "^[", "[a]: /u", "[a]: <x y> 'T'", "[a]", "[a][]", "[a][b]", "[", "]", "](", "[x](/y)", "[x](/y \"t\")",
    "![i](/p.png)", "![", "!", "(", ")", "<", ">", "</", "<div>", "</div>", "<b>", "</b>", "<!-- c -->", "<?p ?>",
    "<![CDATA[x]]>", "<a href='x'>", "<https://e.org>", "<me@e.org>", "&amp;", "&#35;", "&#x27;", "&bogus;", "&",
    "\\", "\\*", "\\\n", "`", "``", "` a `", "*", "**", "_", "__", "~", "~~", "*a*", "**b**", "_c_", "~~d~~",
    "story:x", "tag:Über", "javascript:alert(1)", "data:image/png;base64,AA", "http://e.org/a?b=c#d", ":", "-", "=",
    "@", "$", "%", "{", "}", "'", '"', "\x00", "\ufffd",
]
markdown_texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
any_texts = st.text(max_size=80)


def tokens_of(md, text: str) -> tuple[list, dict]:
    env: dict = {}
    tokens = md.parse(text, env)
    return [token.as_dict() for token in tokens], env


def assert_same(text: str, raw_html: bool) -> None:
    fast, stock = _parser(raw_html), _stock_parser(raw_html)
    fast_tokens, fast_env = tokens_of(fast, text)
    stock_tokens, stock_env = tokens_of(stock, text)
    assert fast_tokens == stock_tokens
    assert fast_env.get("footnotes", {}).get("refs", {}) == stock_env.get("footnotes", {}).get("refs", {})
    assert fast.render(text) == stock.render(text)


@settings(max_examples=4000, deadline=None)
@given(markdown_texts, st.booleans())
def test_same_tokens_and_html_as_the_stock_parser_on_markup(text, raw_html):
    assert_same(text, raw_html)


@settings(max_examples=1500, deadline=None)
@given(any_texts, st.booleans())
def test_same_tokens_and_html_as_the_stock_parser_on_any_text(text, raw_html):
    assert_same(text, raw_html)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=50, max_size=300).map("".join))
def test_same_on_long_documents(text):
    assert_same(text, False)


@pytest.mark.parametrize("text", [
    "", " ", "\n", "a-b: c #d", "- a\n- b\n\n1. c\n2. d", "Term\n===\n\nx\n---", "a | b\n--|--\n1 | 2",
    "[^a]\n\n[^a]: Note *x*.\n    more", "x^[inline *note*] y", "[a]\n\n[a]: /u 'T'", "[" * 50 + "x" + "]" * 50,
    ">" * 200 + " deep", "*" * 300, "<div>\n*x*\n</div>\n\n<b>y</b>", "    code\n\n```\nfence\n```",
    "text]more]and[^x]", "a\\\nb  \nc", "![alt *x*](/i.png \"t\")", "<https://e.org> <a@b.c> &copy; &#1;",
])
@pytest.mark.parametrize("raw_html", [False, True])
def test_same_on_known_corners(text, raw_html):
    assert_same(text, raw_html)


@settings(max_examples=800, deadline=None)
@given(markdown_texts, st.integers(1, 50), st.lists(st.sampled_from(["a", "b", "b c", "src-1"]), max_size=3))
def test_render_markdown_reports_the_same_as_with_the_stock_parser(text, first_line, source_ids):
    fast = render_markdown(text, first_line, False, tuple(source_ids))
    original = markdown._parser
    markdown._parser = lambda raw_html: _stock_parser(raw_html)
    try:
        stock = render_markdown(text, first_line, False, tuple(source_ids))
    finally:
        markdown._parser = original
    assert fast == stock


def test_every_configured_rule_is_dispatched():
    """A rule markdown-it-py or the footnote plugin adds or renames must not be
    skipped silently: then this table needs the rule's first characters."""
    md = _stock_parser(False)
    for rule in md.inline.ruler.getRules("")[1:]:
        assert getattr(rule, "func", rule) in _INLINE_STARTS, rule
    assert md.inline.ruler.getRules("")[0] is rules_inline.text
    listed = [rule for rule in md.block.ruler.getRules("") if rule in _BLOCK_STARTS]
    assert len(listed) == len(_BLOCK_STARTS)
    anywhere = [rule for rule in md.block.ruler.getRules("") if rule not in _BLOCK_STARTS]
    assert anywhere == [rules_block.table, rules_block.code, rules_block.lheading, rules_block.paragraph]
    fast = _parser(False)
    assert len(fast.inline.ruler.getRules("")) == 1 and len(fast.block.ruler.getRules("")) == 1
    # The chains that end a paragraph, reference, blockquote or list dispatch too; a chain
    # markdown-it-py adds later is used as it is.
    for name in ("paragraph", "reference", "blockquote", "list"):
        assert md.block.ruler.getRules(name) and len(fast.block.ruler.getRules(name)) == 1, name
    assert fast.block.ruler.getRules("no such chain") == md.block.ruler.getRules("no such chain") == []
    assert not fast.inline.terminator_re.match("-") and fast.inline.terminator_re.match("]")
    # text_join runs only for sources with a backslash or an ampersand, in its place.
    core = [getattr(rule, "__name__", "") for rule in fast.core.ruler.getRules("")]
    assert core.index("_join_text_after_escapes_and_entities") == [r.__name__ for r in md.core.ruler.getRules("")].index("text_join")
    # The renderer's quick paths are taken (else the HTML comparisons above test nothing new).
    assert isinstance(fast.renderer, markdown._Renderer) and fast.renderer.plain_text and fast.renderer.plain_breaks
    assert fast.renderer.rules.keys() == md.renderer.rules.keys()


def test_empty_text_needs_no_parse():
    assert render_markdown("") == render_markdown(" ") == markdown.RenderedMarkdown("", (), ())
    assert _stock_parser(False).render("") == ""


def test_plain_inline_text_is_made_without_a_parse(monkeypatch):
    """The fast path must really be taken (else the tests above compare the stock parse
    with itself): an inline with no character a rule starts with needs no inline state."""
    import markdown_it.parser_inline

    def no_state(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(markdown_it.parser_inline, "StateInline", no_state)
    tokens = _parser(False).parse("# A plain heading\n\nPlain words, one line-break free.\n\n- item one\n- item two\n")
    inline = [token for token in tokens if token.type == "inline"]
    assert len(inline) == 4
    assert all(len(token.children) == 1 and token.children[0].type == "text" for token in inline)
    with pytest.raises(AssertionError, match="parsed"):
        _parser(False).parse("Words with *emphasis*.")
