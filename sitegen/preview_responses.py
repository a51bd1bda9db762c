"""What the preview server answers: one build's files as an immutable Snapshot, request
paths resolved onto it, and HTML responses with the live-reload script and, after a
failed build, the error overlay. serve.py does the serving; this is the part with no
sockets or threads in it."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping
from urllib.parse import quote, unquote

from .errors import BuildFailed, SitegenError, SourceError
from .model import OutputFile

RESERVED = "/__sitegen/"
# Text types get an explicit charset, so a browser never guesses.
_TEXT_TYPES = ("text/", "application/xml", "application/atom+xml", "application/rss+xml", "application/json",
               "application/javascript", "image/svg+xml", "application/manifest+json")
_GUESSED = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain", ".css": "text/css",
            ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}

class Snapshot:
    """One complete build, read-only: output path -> OutputFile. ETags are worked out on
    first use and carried over from the previous snapshot for unchanged bytes."""

    def __init__(self, outputs: Iterable[OutputFile], previous: "Snapshot | None" = None) -> None:
        self.files: Mapping[str, OutputFile] = MappingProxyType({o.dest: o for o in outputs})
        self._etags: dict[str, tuple[bytes, str]] = {}
        if previous is not None:
            for dest, (content, tag) in list(previous._etags.items()):
                now = self.files.get(dest)
                if now is not None and now.content is content:
                    self._etags[dest] = (content, tag)

    def etag(self, file: OutputFile) -> str:
        known = self._etags.get(file.dest)
        if known is not None and known[0] is file.content:
            return known[1]
        tag = hashlib.blake2b(file.content, digest_size=12).hexdigest()
        self._etags[file.dest] = (file.content, tag)  # a benign race: both threads agree
        return tag

    def changed_css(self, previous: "Snapshot") -> list[str]:
        return sorted("/" + dest for dest, file in self.files.items()
                      if dest.endswith(".css") and (old := previous.files.get(dest)) is not None and old.content != file.content)


@dataclass(frozen=True)
class Resolved:
    status: int
    file: OutputFile | None = None  # None: the server's own page for `status`
    location: str = ""  # for redirects


def resolve(files: Mapping[str, OutputFile], path: str, query: str = "") -> Resolved:
    """Map a request path onto the build. Anything that could name a place outside it
    (dot segments, encoded slashes or NULs, backslashes) is refused with 400."""
    lowered = path.lower()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(bad in lowered for bad in ("%2f", "%5c", "%00")):
        return Resolved(400)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Resolved(400)
    segments = decoded.split("/")[1:]
    if "\x00" in decoded or "\\" in decoded or any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        return Resolved(400)
    rel = "/".join(segments)
    if rel == "" or rel.endswith("/"):
        found = files.get(rel + "index.html")
    else:
        found = files.get(rel)
        if found is None and rel + "/index.html" in files:
            return Resolved(301, location=quote(decoded + "/") + (f"?{query}" if query else ""))
    if found is not None:
        return Resolved(200, found)
    return Resolved(404, files.get("404.html"))


def content_type(file: OutputFile) -> str:
    media = file.media_type
    if media == "text/html":  # the default: trust the file name first
        suffix = "." + file.dest.rsplit(".", 1)[-1] if "." in file.dest.rsplit("/", 1)[-1] else ""
        media = _GUESSED.get(suffix, "text/html" if suffix in ("", ".htm") else "application/octet-stream")
    return media + "; charset=utf-8" if media.startswith(_TEXT_TYPES) else media


def overlay_html(problems: tuple[str, ...]) -> str:
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in problems)
    return ('<div id="sitegen-problems" role="alert"><p><strong>The site has errors.</strong> Showing the last good '
            f'build; fix and save, and this page recovers by itself.</p><ol>{items}</ol></div>')


def inject(page: bytes, etag: str, problems: tuple[str, ...]) -> bytes:
    """Add the live-reload script (and the error overlay) to one HTML response."""
    tags = (f'<link rel="stylesheet" href="{RESERVED}livereload.css">'
            f'<script src="{RESERVED}livereload.js" data-etag="{html.escape(etag)}" defer></script>').encode()
    head = page.find(b"</head>")
    page = page[:head] + tags + page[head:] if head != -1 else tags + page
    if problems:
        box = overlay_html(problems).encode("utf-8")
        end = page.rfind(b"</body>")
        page = page[:end] + box + page[end:] if end != -1 else page + box
    return page


def describe_failure(exc: BaseException) -> tuple[str, ...]:
    """The overlay's lines for a failed build: `path:line: message` each."""
    if isinstance(exc, BuildFailed):
        return tuple(p.format() for p in exc.problems if p.is_error) or ("the build failed",)
    if isinstance(exc, SourceError):
        return (exc.to_problem().format(),)
    if isinstance(exc, SitegenError):
        return tuple(str(exc).splitlines()) or (type(exc).__name__,)
    return (f"sitegen failed unexpectedly ({type(exc).__name__}: {exc}); the terminal shows the details",)
