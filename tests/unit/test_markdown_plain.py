"""The plain-paragraph shortcut gives exactly what a full markdown-it parse gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.markdown import _parser, _plain_paragraph, render_markdown

# Letters, digits, spaces and every ASCII punctuation mark, plus a few characters that
# markdown treats as whitespace or that look like markup in other languages.
ALPHABET = st.sampled_from(list("abcXYZ019 .,;:'\"()-+=#$%@/?{}~*_[]!<>&^|\\`\t\n\r") + ["\u00a0", "\u2028", "é", "中", "\u3000"])


def full_parse(text: str) -> str:
    md = _parser(False)
    return md.renderer.render(md.parse(text, {}), md.options, {})


@settings(max_examples=3000, deadline=None)
@given(st.text(ALPHABET, min_size=0, max_size=30))
def test_shortcut_matches_markdown_it_whenever_it_applies(text):
    plain = _plain_paragraph(text)
    if plain is not None:
        assert plain == full_parse(text)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_shortcut_matches_markdown_it_on_any_text(text):
    plain = _plain_paragraph(text)
    if plain is not None:
        assert plain == full_parse(text)


def test_shortcut_takes_plain_sentences_and_leaves_markup_to_the_parser():
    assert _plain_paragraph('Yes: from "August 2026", for providers.') == '<p>Yes: from &quot;August 2026&quot;, for providers.</p>\n'
    for text in ("", " Leading space", "Trailing space ", "1. A list", "- item", "# Heading", "Two\nlines",
                 "An *emphasis*", "A [link](x)", "A <b>tag</b>", "Tom & Jerry", "A footnote[^1]", "    code"):
        assert _plain_paragraph(text) is None, text


def test_render_markdown_gives_the_same_result_either_way():
    text = "Uses listed in an annex, such as hiring, credit scoring and access to public services."
    rendered = render_markdown(text, 7)
    assert rendered.html == full_parse(text)
    assert (rendered.headings, rendered.links, rendered.citations, rendered.footnotes) == ((), (), (), ())


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(list("aZé中")), st.text(st.sampled_from(list("abcXYZ019 .,;:'\"()-+=#$%@/?{}") + ["\u00a0", "é", "中", "\u3000"]), max_size=30),
       st.sampled_from(list("az.)9\"")))
def test_shortcut_matches_markdown_it_on_texts_it_takes(first, middle, last):
    text = first + middle + last
    plain = _plain_paragraph(text)
    assert plain is not None
    assert plain == full_parse(text)
