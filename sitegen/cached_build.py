"""Builds with the disk cache: the part of the orchestrator that reads and updates
.sitegen-cache/ (cache.py) around the same stages build.py runs.

Before anything is parsed, the inputs' digest is compared with the last build into the
same folder: if nothing changed, no scheduled story came due and the output folder still
holds exactly what that build wrote, the build is done. Otherwise parse results and the
related map come from the cache, pages whose key and bytes the output folder already
has are kept without rendering, rendered pages are written by the workers into the
spare copy of the output (write.SpareWriter), and the spare is swapped in.

The common change, the text of a story or two, skips even planning and keying the
other pages: the record of the last build says which pages show each story, so only
those are planned (see _pages_showing_edits) and every other file is kept as it is."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Set
from datetime import datetime, timezone
from pathlib import Path

from .assets import StaticAssets, collect_assets
from .build import BuildCache, parse_all, parse_key, parse_keys, render_site
from .cache import DiskCache, ParsedSave
from .config import SiteConfig
from .errors import DamagedCache, SourceError
from .link import graph_signature
from .load import ContentFiles, load_content
from .model import BuildOptions, BuildResult
from .progress import Progress
from .render import layouts_digest, static_dirs
from .scan import SpareScan
from .write import FileState, SpareWriter, StaleOutput, Trees, can_keep_spare, write_site


def build_cached(root: Path, dest: Path, config: SiteConfig, options: BuildOptions, disk: DiskCache,
                  progress: Progress) -> BuildResult:
    started = time.perf_counter()
    known = _a_dict(disk.get("sources"))
    files = load_content(root, known)  # files unchanged since they were last read are not read
    static = collect_assets(static_dirs(root))
    loaded = time.perf_counter() - started
    where = str(dest.resolve())
    last = _a_dict(disk.get("last-build"))
    record = _a_dict(last.get(where))
    trees = _trees(disk, dest, record.get("trees"))
    frame = _frame_digest(config, options, files, static, layouts_digest(root))
    inputs = _inputs_digest(frame, files)
    if _nothing_changed(record, inputs, trees, options):
        result = BuildResult(problems=list(record["problems"]), unchanged=len(trees.dest_files), notes=disk.notes)
        result.timings["check"] = time.perf_counter() - started
        return result

    spare_ok = can_keep_spare(dest, trees.spare)
    with SpareScan(trees.spare if spare_ok else None) as ahead:  # walks the spare on another core meanwhile
        cache_started = time.perf_counter()
        memory = BuildCache(parsed=disk.parsed(), related=_a_dict(disk.get("related")))
        if _unread_and_unparsed(files, memory, config):  # the parse cache lost entries: read every file
            files = load_content(root)
        related_before = set(memory.related)
        index = _a_dict(disk.get("pages"))  # page key -> digest of the bytes it produced
        cache_seconds = time.perf_counter() - cache_started
        reuse = KeptPages(index, trees)
        writer: SpareWriter | None = None
        saves: list[ParsedSave] = []

        def save_parsed() -> None:
            """Right after parsing: the parse cache is written while the build goes on."""
            for earlier in saves:  # files parsed again (a damaged cache): one writer at a time
                earlier.finish()
            used = {key: memory.parsed[key] for _, _, key in parse_keys(files, config.raw_html) if key in memory.parsed}
            saves.append(ParsedSave(disk, used))

        def render(only: set[str] | None, ahead: SpareScan | None = None) -> BuildResult:
            """Into a new spare writer: it scans what the spare holds, unless `ahead` did."""
            nonlocal writer
            reuse.keys.clear()
            reuse.named.clear()
            writer = SpareWriter(trees, ahead) if spare_ok else None
            return render_site(root, config, options, memory, files, static=static, progress=progress,
                               reuse=reuse if writer else None, sink=writer, only=only, after_parse=save_parsed)

        def render_everything() -> BuildResult:
            nonlocal files
            try:
                return render(None)
            except DamagedCache:  # a story body in the parse cache failed its check: parse every file
                disk.forget_parsed("a story's body in it failed its checksum")
                memory.parsed.clear()
                files = load_content(root)
                return render(None)

        try:
            only = _pages_showing_edits(record, frame, files, config, options, memory) if spare_ok and trees.dest_files else None
            try:
                result = render(only, ahead)
            except DamagedCache:
                only = None
                result = render_everything()
            if only is not None:  # every other page is as the last build left it
                made = {plan.dest for plan in result.plans} | {output.dest for output in static.files}
                unplanned = {rel: state.digest for rel, state in trees.dest_files.items() if rel not in made}
                result.kept.update(unplanned)
                result.cache_hits += len(unplanned)
            result.timings["load"] = loaded
            result.timings["cache"] = cache_seconds
            progress.finish()
            write_started = time.perf_counter()
            if writer is not None:
                try:
                    report = writer.finish(result.outputs, result.kept)
                except StaleOutput:  # someone changed the output folder meanwhile: render it all
                    index.clear()
                    only = None
                    result = render_everything()
                    report = writer.finish(result.outputs, {})
                result.written, result.unchanged = report.written, report.unchanged
            else:
                write_site(dest, result.outputs)
                trees.dest_files, trees.spare_files = {}, {}
                result.written = len(result.outputs)
            result.timings["write"] = time.perf_counter() - write_started

            save_started = time.perf_counter()
            used = saves[-1].used.keys()  # every render parses, then saves what it used (save_parsed)
            if files.states != known:
                disk.put("sources", files.states)
            if set(memory.related) != related_before:
                disk.put("related", memory.related)
            new_index = {key: trees.dest_files[rel].digest for rel, key in reuse.keys.items() if rel in trees.dest_files}
            if only is not None:  # the pages not planned this time keep their keys
                new_index = {**index, **new_index}
            if new_index != index:
                disk.put("pages", new_index)
            stories = {s.rel_path: s.digest for s in files.stories}
            named = _merged(_a_dict(record.get("named")), reuse.named) if only is not None else reuse.named
            wanted = {digest.encode() for digest in stories.values()}
            last[where] = {"inputs": inputs, "problems": result.problems, "valid_until": _valid_until(memory, used, options),
                           "trees": (_plain(trees.dest_files), _plain(trees.spare_files)), "frame": frame, "stories": stories,
                           "named": {digest: tuple(sorted(paths)) for digest, paths in named.items() if digest in wanted}}
            disk.put("last-build", last)
            result.notes = disk.notes
            result.timings["save"] = time.perf_counter() - save_started
            result.timings["total"] = time.perf_counter() - started
            return result
        finally:
            for save in saves:  # a failed build keeps what it parsed, too
                save.finish()


class KeptPages:
    """render_site's `reuse` (build.PageReuse): pages whose key and bytes the output folder
    already holds, by the last build's index of page keys; and, for the next build's,
    every page's key and the stories its key names."""

    def __init__(self, index: dict[str, bytes], trees: Trees) -> None:
        self.index, self.trees = index, trees
        self.keys: dict[str, str] = {}  # output path -> page key, for the next build's index
        self.named: dict[bytes, list[str]] = {}  # story digest -> output paths of the pages naming it

    @property
    def can_keep(self) -> bool:
        return bool(self.index)

    def __call__(self, rel: str, key: str, keyed: bytes) -> bytes | None:
        self.note(rel, key, self.named_in(keyed))
        digest = self.index.get(key)
        return digest if digest is not None and self.trees.has(rel, digest) else None

    @staticmethod
    def named_in(keyed: bytes) -> tuple[bytes, ...]:
        return tuple(dict.fromkeys(_NAMED_DIGEST.findall(keyed)))

    def note(self, rel: str, key: str, named: tuple[bytes, ...]) -> None:
        self.keys[rel] = key
        for digest in named:
            self.named.setdefault(digest, []).append(rel)


# A story digest in a page key's bytes (build.keyed_bytes pickles each 64-character string
# as SHORT_BINUNICODE: opcode 0x8c, length 0x40). Other 64-hex strings (digests of layouts,
# pages, the key base) are dropped by comparing with the stories' digests.
_NAMED_DIGEST = re.compile(rb"\x8c@([0-9a-f]{64})")


def _pages_showing_edits(record: dict, frame: str, files: ContentFiles, config: SiteConfig, options: BuildOptions,
                         memory: BuildCache) -> set[str] | None:
    """When all that changed since the last build into this folder is the text of stories,
    each keeping its place in the site (link.graph_signature: slug, dates, tags, links,
    storyline, ...), the output paths of the pages that show those stories: every other
    page's plan, so its bytes, is as it was. None when the build must plan every page.

    The pages come from the last build's plans: each page's key names the digests of the
    stories it shows, and `named` maps each digest to those pages."""
    before, named, problems = record.get("stories"), record.get("named"), record.get("problems")
    if record.get("frame") != frame or not isinstance(before, dict) or not isinstance(named, dict) \
            or not isinstance(problems, list) or not _still_valid(record, options):
        return None
    edited = [source for source in files.stories if before.get(source.rel_path) != source.digest]
    warned = {problem.location.path for problem in problems}  # warnings may move or vanish: let a full build say
    if not edited or any(source.rel_path not in before or source.rel_path in warned for source in edited):
        return None
    found: list = []
    stories = parse_all(ContentFiles(stories=edited), config, found, memory)[0]  # kept in memory for the build
    if found or len(stories) != len(edited):
        return None
    pages: set[str] = set()
    try:
        for story in stories:
            old = memory.parsed.get(parse_key("story", story.rel_path, before[story.rel_path], config.raw_html))
            if not isinstance(old, tuple) or old[0] is None or old[1] or graph_signature(old[0]) != graph_signature(story):
                return None
            pages.update(named.get(old[0].digest.encode(), ()))
    except SourceError:  # the cache's copy of the old story is damaged: the full build does without it
        return None
    return pages


def _unread_and_unparsed(files: ContentFiles, memory: BuildCache, config: SiteConfig) -> bool:
    return any(source.text is None and key not in memory.parsed for _, source, key in parse_keys(files, config.raw_html))


def _merged(before: dict, found: dict[bytes, list[str]]) -> dict[bytes, list[str]]:
    merged = {digest: list(paths) for digest, paths in before.items()}
    for digest, paths in found.items():
        known = merged.setdefault(digest, [])
        known.extend(path for path in paths if path not in known)
    return merged


def _a_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _trees(disk: DiskCache, dest: Path, recorded) -> Trees:
    """The output folder and its spare copy in the cache, with what each was last seen to hold."""
    where = str(dest.resolve())
    spare = disk.folder / "spare" / hashlib.sha256(where.encode()).hexdigest()[:16]
    try:
        dest_files, spare_files = recorded if recorded is not None else ({}, {})
    except (TypeError, ValueError):
        dest_files, spare_files = {}, {}
    return Trees(dest, spare, _unplain(dest_files), _unplain(spare_files))


def _plain(files: dict[str, FileState]) -> dict[str, tuple]:
    return {rel: (f.digest, f.size, f.mtime_ns, f.inode) for rel, f in files.items()}


def _unplain(files) -> dict[str, FileState]:
    try:
        return {rel: FileState(*fields) for rel, fields in files.items()}
    except (AttributeError, TypeError):
        return {}


def _frame_digest(config: SiteConfig, options: BuildOptions, files: ContentFiles, static: StaticAssets,
                  layouts: str) -> str:
    """Everything a build reads but the clock (see _valid_until) and the stories' bytes:
    which story files there are counts, what they hold does not."""
    digest = hashlib.sha256(repr((config, options.drafts, options.future, options.now, layouts)).encode())
    for source in files.stories:
        digest.update(f"{source.rel_path}\0".encode())
    for group in (files.pages, files.storylines):
        for source in group:
            digest.update(f"{source.rel_path}\0{source.digest}\0".encode())
    digest.update(repr((files.problems, static.problems, static.manifest.key())).encode())
    for output in static.files:
        digest.update(output.dest.encode() + b"\0" + hashlib.sha256(output.content).digest())
    return digest.hexdigest()


def _inputs_digest(frame: str, files: ContentFiles) -> str:
    """Everything a build reads, apart from the clock."""
    digest = hashlib.sha256(frame.encode())
    for source in files.stories:
        digest.update(f"{source.digest}\0".encode())
    return digest.hexdigest()


def _valid_until(memory: BuildCache, used: Set[tuple], options: BuildOptions) -> datetime | None:
    """When the clock alone would change the site: the first story still dated in the future."""
    if options.future or options.now is not None:
        return None
    now = datetime.now(timezone.utc)
    dates = [value[0].date for key, value in memory.parsed.items() if key in used and key[0] == "story"
             and value[0] is not None and value[0].date > now and (options.drafts or not value[0].draft)]
    return min(dates, default=None)


def _still_valid(record: dict, options: BuildOptions) -> bool:
    """No scheduled story has come due since the recorded build."""
    due = record.get("valid_until")
    return due is None or (options.now or datetime.now(timezone.utc)) < due


def _nothing_changed(record: dict, inputs: str, trees: Trees, options: BuildOptions) -> bool:
    """The last build into this folder read exactly these inputs, no scheduled story has
    come due since, and the folder still holds exactly what that build wrote."""
    if record.get("inputs") != inputs or not trees.dest_files or not _still_valid(record, options):
        return False
    return trees.holds_exactly()
