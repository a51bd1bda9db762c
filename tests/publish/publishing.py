"""Helpers for the publishing tests: build a site, read what a host would serve, match
Netlify header rules the way Netlify does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

from sitegen.build import build
from sitegen.model import BuildOptions

REPO = Path(__file__).resolve().parents[2]
BASE = "https://news.example.org/"
HOSTILE = """</script><script>alert(1)</script> "double" 'single' & <b>bold</b>"""
HASHED = re.compile(r"\.[0-9a-f]{8}\.(css|js)$")


def build_into(root: Path, out: Path | None = None, base_url: str | None = BASE, **options):
    """Build root into out (default root/public); returns (BuildResult, out)."""
    out = out or root / "public"
    return build(root, out, BuildOptions(**options), base_url=base_url), out


def files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def url_of(rel: str) -> str:
    """Output file -> the URL a host serves it at."""
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def tree(out: Path, rel: str):
    return lxml.html.fromstring((out / rel).read_bytes())


def is_alias_stub(out: Path, rel: str) -> bool:
    return b'http-equiv="refresh"' in (out / rel).read_bytes()[:2000]


def local_target(out: Path, url: str) -> Path | None:
    """The output file a root-relative or same-site URL is served from, or None if missing."""
    path = unquote(urlsplit(url).path)
    candidate = out / path.lstrip("/")
    if path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def netlify() -> dict:
    return tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))


def netlify_matches(pattern: str, path: str) -> bool:
    """Netlify's header path rules: exact segments, `:name` for one segment, and a trailing
    `*` for anything (including nothing) after it."""
    regex = "^"
    for index, part in enumerate(pattern.split("/")[1:]):
        regex += "/"
        if part == "*":
            regex += ".*"
        elif part.startswith(":"):
            regex += "[^/]+"
        else:
            regex += re.escape(part)
    return re.match(regex + "$", path) is not None


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)
