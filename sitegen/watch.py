"""watchdog events -> debounced, classified ChangeSets for the preview server.

Editors save in many ways: in place, through a temporary file renamed over the original
(vim, JetBrains "safe write"), or with swap, backup and lock files next to the story. So
a moved event counts by its destination as well as its source, temporary names are
ignored, and a burst of events within a few milliseconds becomes one ChangeSet."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import CONFIG_FILE
from .model import ChangeKind

WATCHED_DIRS = {"content": ChangeKind.CONTENT, "layouts": ChangeKind.LAYOUT, "static": ChangeKind.STATIC}
# vim writes "4913" to test whether it may create files; macOS leaves .DS_Store everywhere.
IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")
# Events that can change what a file holds; opened and closed-without-writing cannot.
_RELEVANT = frozenset({"created", "modified", "deleted", "moved", "closed"})


def classify(rel_path: str) -> ChangeKind | None:
    """What kind of change a touched path (posix, relative to the site root) is, or None
    when no build can depend on it: editor temp files, dot-files, anything outside the
    watched folders."""
    parts = [p for p in rel_path.split("/") if p]
    if not parts:
        return None
    name = parts[-1]
    # Dot-files and dot-folders cover .git, emacs lock files (.#story.md) and vim swap
    # files (.story.md.swp); "#story.md#" is an emacs auto-save.
    if any(part.startswith(".") for part in parts) or name.startswith("#"):
        return None
    if name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES):
        return None
    if len(parts) == 1:
        return ChangeKind.CONFIG if name == CONFIG_FILE else WATCHED_DIRS.get(name)
    return WATCHED_DIRS.get(parts[0])


@dataclass(frozen=True)
class ChangeSet:
    """Every relevant path touched during one burst, each with its kind."""

    changes: frozenset[tuple[str, ChangeKind]]

    @property
    def kinds(self) -> frozenset[ChangeKind]:
        return frozenset(kind for _, kind in self.changes)

    def paths(self, kind: ChangeKind) -> list[str]:
        return sorted(path for path, k in self.changes if k is kind)

    @classmethod
    def of(cls, paths: Iterable[str]) -> "ChangeSet":
        """Classify paths directly (tests, and callers that know what they touched)."""
        return cls(frozenset((p, k) for p in paths if (k := classify(p)) is not None))


class Debouncer:
    """Collects changes and hands them to `deliver` as one ChangeSet once no new change
    has come for `quiet` seconds (or `longest` seconds after the first, so a stream of
    writes cannot postpone the rebuild forever). `deliver` runs on the debouncer's own
    thread, one call at a time; changes made meanwhile wait for the next call."""

    def __init__(self, deliver: Callable[[ChangeSet], None], quiet: float = 0.03, longest: float = 0.5) -> None:
        self.deliver = deliver
        self.quiet = quiet
        self.longest = longest
        self._pending: set[tuple[str, ChangeKind]] = set()
        self._first = self._last = 0.0
        self._closed = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="sitegen-debounce", daemon=True)
        self._thread.start()

    def add(self, rel_path: str, kind: ChangeKind) -> None:
        with self._wake:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending.add((rel_path, kind))
            self._last = now
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                now = time.monotonic()
                due = min(self._last + self.quiet, self._first + self.longest)
                if now < due:
                    self._wake.wait(due - now)
                    continue
                batch, self._pending = frozenset(self._pending), set()
            self.deliver(ChangeSet(batch))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "SiteWatcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _RELEVANT:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's own timestamps; the files inside report for themselves
        self.watcher.saw(event.src_path)
        if event.event_type == "moved":
            self.watcher.saw(event.dest_path)  # atomic save: the new name is the real file


class SiteWatcher:
    """Watches content/, layouts/, static/ and the config of one site root."""

    def __init__(self, root: Path, on_changes: Callable[[ChangeSet], None], ignore: Iterable[Path] = (),
                 quiet: float = 0.03) -> None:
        self.root = root.resolve()
        self.ignore = [p.resolve() for p in ignore]
        self.debouncer = Debouncer(on_changes, quiet=quiet)
        self.observer = Observer()
        self._handler = _Handler(self)
        self._watched: set[str] = set()

    def start(self) -> None:
        # The root itself non-recursively (the config, and watched folders being created),
        # each watched folder recursively; never the whole root, which holds the output
        # folder, .git and perhaps a virtualenv.
        self.observer.schedule(self._handler, str(self.root), recursive=False)
        for name in sorted(WATCHED_DIRS):
            self._watch_folder(name)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
        self.debouncer.close()

    def saw(self, path: str | bytes) -> None:
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        absolute = Path(path)
        if any(absolute == d or d in absolute.parents for d in self.ignore):
            return
        try:
            rel = absolute.relative_to(self.root).as_posix()
        except ValueError:
            return
        kind = classify(rel)
        if kind is None:
            return
        if rel in WATCHED_DIRS and rel not in self._watched:
            self._watch_folder(rel)  # content/ (or layouts/, static/) appeared after start
        self.debouncer.add(rel, kind)

    def _watch_folder(self, name: str) -> None:
        folder = self.root / name
        if folder.is_dir() and name not in self._watched:
            self.observer.schedule(self._handler, str(folder), recursive=True)
            self._watched.add(name)
