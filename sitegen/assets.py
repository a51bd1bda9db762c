"""Static files: copied to /static/, CSS and JavaScript renamed by content hash.

A hashed name (css/site.3f2a9c1e.css) changes whenever the file's bytes change, so a host
may tell browsers to keep it for a year without asking again; every other file keeps its
name and is revalidated as usual. Layouts reach every static file through the template
helper asset('css/site.css'), which looks the name up in the manifest made here once per
build, so no layout ever holds a hashed name and a misspelt name fails the build."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import LayoutError, Problem, SourceLocation
from .model import OutputFile

HASHED_SUFFIXES = (".css", ".js")
# Hosts may cache everything below these folders as immutable (see netlify.toml), so only
# hashed files may live there.
HASHED_FOLDERS = ("css", "js")
HASH_LENGTH = 8
STATIC_URL = "/static/"
SHARE_IMAGE = "share.png"  # default OpenGraph/Twitter image; the theme ships one
LOGO = "logo.png"  # publisher logo in structured data; the theme ships one


@dataclass(frozen=True)
class AssetManifest:
    """Logical static file name ("css/site.css") -> the URL it is served at."""

    urls: dict[str, str] = field(default_factory=dict)

    def url(self, name: str) -> str:
        """The template helper asset(): an unknown name is a layout error, not a broken link."""
        found = self.urls.get(str(name).lstrip("/"))
        if found is None:
            known = ", ".join(sorted(self.urls)[:8])
            raise LayoutError(SourceLocation("layouts"), f"asset('{name}') names no file in static/",
                              f"add static/{str(name).lstrip('/')} or use one of: {known}")
        return found

    def key(self) -> tuple:
        """What pages depend on: every name and URL, so a re-hashed file re-renders them."""
        return tuple(sorted(self.urls.items()))


@dataclass(frozen=True)
class StaticAssets:
    files: list[OutputFile]
    manifest: AssetManifest
    problems: list[Problem]


def hashed_name(rel: str, content: bytes) -> str:
    """css/site.css -> css/site.<first 8 hex digits of its sha256>.css"""
    path = PurePosixPath(rel)
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return path.with_name(f"{path.stem}.{digest}{path.suffix}").as_posix()


def collect_assets(static_dirs: list[Path]) -> StaticAssets:
    """Every static file as an OutputFile, plus the manifest layouts resolve names with.
    Later folders win over earlier ones for a file of the same name."""
    sources: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in static_dirs:
        home = folder.resolve().parent  # the site root (or the theme's folder)
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in rel.split("/")):
                # A link to a file elsewhere (static/key -> ~/.ssh/id_rsa) would publish it.
                if path.is_symlink() and home not in Path(os.path.realpath(path)).parents:
                    problems.append(Problem(SourceLocation(f"static/{rel}"), "is a symbolic link to a file outside the site, so it is "
                                            "not published", "warning", "copy the file into static/ instead"))
                    continue
                sources[rel] = path
    files: list[OutputFile] = []
    urls: dict[str, str] = {}
    for rel in sorted(sources):
        content = sources[rel].read_bytes()
        hashed = rel.endswith(HASHED_SUFFIXES)
        served = hashed_name(rel, content) if hashed else rel
        if not hashed and rel.split("/")[0] in HASHED_FOLDERS:
            problems.append(Problem(SourceLocation(f"static/{rel}"), f"only .css and .js files belong in static/{rel.split('/')[0]}/, "
                                    "which hosts cache as never-changing", "warning", "move it to another folder, e.g. static/fonts/"))
        media_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        files.append(OutputFile(f"static/{served}", content, media_type))
        urls[rel] = STATIC_URL + served
    return StaticAssets(files, AssetManifest(urls), problems)


def collect_static(static_dirs: list[Path]) -> list[OutputFile]:
    return collect_assets(static_dirs).files
