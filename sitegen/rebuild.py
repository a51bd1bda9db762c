"""The preview server's build: in memory, incremental, driven by ChangeSets.

ContentMemory keeps every content file as last read and re-reads only the paths a save
touched, instead of walking content/ again; PreviewBuilder keeps one BuildCache across
builds, so only pages whose inputs changed are rendered. On any doubt (a folder moved, the
config changed, the first build) both start over from disk: the result of every path
must equal a fresh full build, byte for byte."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .build import BuildCache, render_site
from .config import SiteConfig, load_config
from .load import CONTENT_DIR, ContentFiles, load_content, load_file
from .model import BuildOptions, BuildResult, ChangeKind
from .render import Renderer
from .watch import ChangeSet


def _order(rel_path: str) -> tuple[str, ...]:
    # load_content sorts Path objects, which compare part by part ("a/b" before "a-c").
    return tuple(rel_path.split("/"))


class ContentMemory:
    """content/ as last read: each Markdown file's share of a ContentFiles, by path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = root.resolve()
        self._by_path: dict[str, ContentFiles] = {}
        self._order: list[str] | None = None
        self._missing: ContentFiles | None = None  # what load_content says without content/

    def load_all(self) -> None:
        found = load_content(self.root)
        self._by_path, self._order, self._missing = {}, None, None
        if not (self.root / CONTENT_DIR).is_dir():
            self._missing = found
            return
        for group in ("stories", "pages", "storylines"):
            for source in getattr(found, group):
                getattr(self._share(source.rel_path), group).append(source)
        for problem in found.problems:
            self._share(problem.location.path).problems.append(problem)

    def update(self, rel_paths: list[str]) -> None:
        """Re-read these paths (posix, relative to the root). A folder, or a path that
        was a folder, means a full walk: cheaper to redo than to reason about."""
        if self._missing is not None or not (self.root / CONTENT_DIR).is_dir():
            self.load_all()
            return
        for rel in rel_paths:
            path = self.root / rel
            if path.is_dir() or any(known.startswith(rel + "/") for known in self._by_path):
                self.load_all()
                return
            self._by_path.pop(rel, None)
            self._order = None
            if self._is_walked(path):
                share = ContentFiles()
                load_file(self.root, path, share, self.real_root)
                self._by_path[rel] = share

    def files(self) -> ContentFiles:
        if self._missing is not None:
            return self._missing
        if self._order is None:
            self._order = sorted(self._by_path, key=_order)
        merged = ContentFiles()
        for rel in self._order:
            share = self._by_path[rel]
            merged.stories += share.stories
            merged.pages += share.pages
            merged.storylines += share.storylines
            merged.problems += share.problems
        return merged

    def _share(self, rel: str) -> ContentFiles:
        self._order = None
        return self._by_path.setdefault(rel, ContentFiles())

    def _is_walked(self, path: Path) -> bool:
        """Whether load_content's walk would find this file: Markdown, no dot-names, and
        no symlinked folder on the way (os.walk does not follow those)."""
        if not path.name.endswith(".md") or not (path.is_file() or path.is_symlink()):
            return False
        content = self.root / CONTENT_DIR
        folder = path.parent
        while folder != content:
            if folder.name.startswith(".") or os.path.islink(folder) or folder == folder.parent:
                return False
            folder = folder.parent
        return not path.name.startswith(".")


@dataclass
class PreviewBuilder:
    """Callable build for the preview server: builder(changes) -> BuildResult.

    None means "build from scratch". Raises what render_site raises (BuildFailed,
    ConfigError, ...); the next call recovers as soon as the sources are fixed."""

    root: Path
    options: BuildOptions
    base_url: str | None = None

    def __post_init__(self) -> None:
        self.memory = ContentMemory(self.root)
        self.cache = BuildCache()
        self.config: SiteConfig | None = None
        self.renderer: Renderer | None = None  # compiled layouts, kept until a layout changes

    def __call__(self, changes: ChangeSet | None = None) -> BuildResult:
        if changes is None or self.config is None or ChangeKind.CONFIG in changes.kinds:
            # Everything may depend on the config: forget every cached page.
            self.cache, self.config, self.renderer = BuildCache(), None, None
            self.config = load_config(self.root, self.base_url)
            self.memory.load_all()
        elif ChangeKind.CONTENT in changes.kinds:
            self.memory.update(changes.paths(ChangeKind.CONTENT))
        if changes is not None and ChangeKind.LAYOUT in changes.kinds:
            # A new file may override a theme layout Jinja has cached by name: start afresh.
            # Cached pages are keyed by the layouts they use, so only those re-render.
            self.renderer = None
        if self.renderer is None:
            self.renderer = Renderer(self.root)
        return render_site(self.root, self.config, self.options, self.cache, files=self.memory.files(), renderer=self.renderer)
