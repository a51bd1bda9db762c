"""The only place minify-html is called and configured."""

from __future__ import annotations

import re

import minify_html

# Closing tags and the <html>/<head> opening tags are kept: the bytes cost little and
# every HTML parser (and every reader's browser) reads the pages the same way.
_OPTIONS = dict(
    keep_closing_tags=True,
    keep_html_and_head_opening_tags=True,
    minify_css=True,
    minify_js=False,
    keep_comments=False,
)
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def minify_page(html: str) -> str:
    minified = minify_html.minify(html, **_OPTIONS)
    # minify-html writes '<' bare inside <title> (legal: its text cannot hold tags), but
    # older parsers such as Python 3.11's html.parser then see a story title's "<script>"
    # as an element. Escaping it again costs a few bytes and leaves no doubt.
    return _TITLE.sub(lambda m: "<title>" + m.group(1).replace("<", "&lt;") + "</title>", minified, count=1)
