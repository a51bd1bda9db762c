"""Old URLs (a story's `aliases`) that lead to the story's address.

Two forms, so every host redirects: a `_redirects` file that Netlify (and hosts that read the
same format) turns into real HTTP 301 responses, and a tiny HTML page at each old path with
rel=canonical and a meta refresh, no script, for hosts that only serve files."""

from __future__ import annotations

import html
from urllib.parse import quote

from .model import Site

REDIRECTS_FILE = "_redirects"
# Forced ("!"): the stub page exists at the old path, and Netlify serves an existing file
# instead of an unforced rule, which would answer 200 with the stub instead of a 301.
STATUS = "301!"
_PATH_SAFE = "/-._~!$&'()*+,;=:@%"


def alias_targets(site: Site) -> tuple[tuple[str, str, str], ...]:
    """(old path, story URL, story title) for every alias, sorted by old path."""
    found = [(alias, story.url, story.title) for story in site.stories for alias in story.aliases]
    return tuple(sorted(found))


def stub_dest(alias: str) -> str:
    """/2026/04/old-url/ -> 2026/04/old-url/index.html; /old.html -> old.html"""
    path = alias.strip("/")
    return path + "/index.html" if alias.endswith("/") else path


def render_rules(targets: tuple[tuple[str, str, str], ...]) -> bytes:
    lines = ["# Old addresses of stories (their `aliases`): permanent redirects."]
    width = max((len(quote(old, safe=_PATH_SAFE)) for old, _, _ in targets), default=0)
    for old, new, _ in targets:
        lines.append(f"{quote(old, safe=_PATH_SAFE):<{width}}  {new}  {STATUS}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_stub(site: Site, target_url: str, title: str) -> bytes:
    absolute = html.escape(site.config.absolute_url(target_url))
    relative = html.escape(target_url)
    text = html.escape(title)
    page = (
        "<!doctype html>\n"
        f'<html lang="{html.escape(site.config.language)}">\n'
        '<head>\n<meta charset="utf-8">\n'
        f"<title>Moved: {text}</title>\n"
        f'<link rel="canonical" href="{absolute}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={relative}">\n'
        "</head>\n<body>\n"
        f'<p>This story has moved to <a href="{relative}">{text}</a>.</p>\n'
        "</body>\n</html>\n"
    )
    return page.encode("utf-8")
