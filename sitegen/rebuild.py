"""The preview server's build: in memory, incremental, driven by ChangeSets.

ContentMemory keeps every content file as last read and re-reads only the paths a save
touched, instead of walking content/ again; PreviewBuilder keeps one BuildCache across
builds, so only pages whose inputs changed are rendered. On any doubt (a folder moved, the
config changed, the first build) both start over from disk: the result of every path
must equal a fresh full build, byte for byte.

The common edit, a story's text, takes a faster path (QuickEdit): when the stories' places
in the site graph (slug, dates, tags, links, storyline, draft, ...) are unchanged, linking
and planning would give the same Site and plans but for the stories' new content and
digests, so the last build's plans are patched and only the pages that name an edited
story's digest are rendered. Anything else goes the full way."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .build import BuildCache, _render_page, parse_all, render_site
from .config import SiteConfig, load_config
from .link import graph_signature
from .load import CONTENT_DIR, ContentFiles, load_content, load_file
from .errors import SitegenError
from .model import BuildOptions, BuildResult, ChangeKind, Story
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
        self.last: QuickEdit | None = None

    def __call__(self, changes: ChangeSet | None = None) -> BuildResult:
        if changes is None or self.config is None or ChangeKind.CONFIG in changes.kinds:
            # Everything may depend on the config: forget every cached page.
            self.cache, self.config, self.renderer, self.last = BuildCache(), None, None, None
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
        if changes is not None and changes.kinds == {ChangeKind.CONTENT} and self.last is not None:
            result = self.last.apply(changes.paths(ChangeKind.CONTENT), self.memory, self.config, self.cache, self.renderer)
            if result is not None:
                return result
        self.last = None  # a failed build must not leave an older one to patch
        result = render_site(self.root, self.config, self.options, self.cache, files=self.memory.files(), renderer=self.renderer)
        self.last = QuickEdit(result)
        return result

    def warm_up(self) -> None:
        """Index the last full build for the quick path now, while nobody waits for it,
        rather than on the next save (the server calls this after publishing a build)."""
        if self.last is not None and self.last.result.site is not None:
            self.last._plan_index(self.last.result.site)


class QuickEdit:
    """The last complete build, ready to take edits of story text without relinking."""

    def __init__(self, result: BuildResult) -> None:
        self.result = result
        self._index: dict[str, list[int]] | None = None  # story digest -> positions of plans naming it

    def apply(self, rel_paths: list[str], memory: ContentMemory, config: SiteConfig, cache: BuildCache,
              renderer: Renderer) -> BuildResult | None:
        """The new BuildResult, or None when the edit is not one this path may take (the
        caller then builds in full; memory must already hold the new files)."""
        last = self.result
        site = last.site
        if site is None or any(p.location.path in rel_paths for p in last.problems):
            return None  # warnings in an edited file may move or vanish: let the full build say
        by_path = {s.rel_path: s for s in site.stories}
        sources = []
        for rel in rel_paths:
            share = memory._by_path.get(rel)
            if rel not in by_path or share is None or len(share.stories) != 1 or share.problems:
                return None
            sources.append(share.stories[0])
        problems: list = []
        edited = parse_all(ContentFiles(stories=sources), config, problems, cache)[0]
        if problems or len(edited) != len(sources):
            return None
        index = self._plan_index(site)
        digests = [s.digest for s in site.stories]
        swaps: dict[str, Story] = {}
        for new in edited:
            old = by_path[new.rel_path]
            if new.digest == old.digest:
                continue  # saved without a change
            if graph_signature(new) != graph_signature(old) or old.digest not in index:
                return None
            swaps[old.slug] = new
        # Plans name stories by digest: two stories with the same bytes would be ambiguous.
        if len(set(digests)) != len(digests) or len({new.digest for new in swaps.values()} | set(digests)) != len(digests) + len(swaps):
            return None
        olds = {site.by_slug[slug].digest: new.digest for slug, new in swaps.items()}
        new_site = replace(site, stories=tuple(swaps.get(s.slug, s) for s in site.stories),
                           by_slug={**site.by_slug, **swaps})
        started = time.perf_counter()
        result = BuildResult(problems=list(last.problems), site=new_site, plans=list(last.plans),
                             outputs=list(last.outputs))
        positions = sorted({i for digest in olds for i in index[digest]})
        try:
            for i in positions:
                plan = replace(last.plans[i], inputs=_substitute(last.plans[i].inputs, olds))
                result.plans[i] = plan
                # The build's own page renderer, uncached: these pages' inputs are new.
                result.outputs[i] = _render_page(renderer, new_site, plan, "", None, result)
        except SitegenError:
            return None
        for old_digest, new_digest in olds.items():
            index[new_digest] = index.pop(old_digest)
        result.timings["quick_edit"] = time.perf_counter() - started
        self.result = result
        return result

    def _plan_index(self, site) -> dict[str, list[int]]:
        if self._index is None:
            digests = {s.digest for s in site.stories}
            index: dict[str, list[int]] = {}
            for i, plan in enumerate(self.result.plans):
                for digest in _strings_in(plan.inputs, digests):
                    index.setdefault(digest, []).append(i)
            self._index = index
        return self._index


def _strings_in(value, wanted: set[str]) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item in wanted:
                found.add(item)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
    return found


def _substitute(value, swaps: dict[str, str]):
    if isinstance(value, str):
        return swaps.get(value, value)
    if isinstance(value, tuple):
        return tuple(_substitute(item, swaps) for item in value)
    if isinstance(value, list):
        return [_substitute(item, swaps) for item in value]
    return value
