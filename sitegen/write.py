"""Write a finished build into the output folder, all or nothing.

write_site: every file goes into a fresh temporary folder beside the destination; only
when all are written does that folder take the destination's place, so a failed or
killed build leaves the previous output as it was, and files of earlier builds that are
no longer produced disappear with the old folder.

write_changed does the same with O(changed) work, for builds with a cache: it keeps a
second copy of the output (the spare, in the cache folder), brings the spare up to date
by writing only the files whose bytes differ (hard-linking files the output already has),
then swaps spare and output in one atomic rename; the previous output becomes the next
build's spare. Creating thousands of folders and files is what a big site's write costs,
and this skips it. What the two trees hold is recorded as a Manifest, but never trusted:
every file is checked against its recorded size, modification time and inode first."""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputCollisionError, UsageError
from .model import OutputFile
from .scan import SpareScan, scan_tree

_RENAME_EXCHANGE = 2


def check_destination(root: Path, dest: Path) -> None:
    """Refuse output folders whose replacement would destroy sources or the system."""
    given = dest
    root, dest = root.resolve(), dest.resolve()
    home = Path.home().resolve()
    if dest == Path(dest.anchor) or dest == home:
        raise UsageError(f"refusing to build into {dest}: choose a dedicated output folder such as public/")
    if dest == root or dest in root.parents:
        raise UsageError(f"refusing to build into {dest}: it would replace the site's own sources; choose a folder such as {root / 'public'}")
    for name in ("content", "layouts", "static"):
        guarded = root / name
        if dest == guarded or guarded in dest.parents:
            raise UsageError(f"refusing to build into {dest}: it lies inside the site's {name}/ folder")
    # Checked before anything is rendered or staged, so a refused build leaves no trace.
    if given.is_symlink() or (given.exists() and not given.is_dir()):
        raise UsageError(f"output {given} exists and is not a folder; remove it or choose another --destination")
    # The build replaces the whole folder, so a mistyped -d (~/Documents, /home, /etc) would
    # delete it: only an empty folder or an earlier build's output (it has a home page) goes.
    if dest.is_dir() and not (dest / "index.html").is_file() and any(dest.iterdir()):
        raise UsageError(f"refusing to replace {dest}: it holds files but no index.html, so it is not an earlier build's "
                         "output; empty it or choose another --destination")


def write_site(dest: Path, outputs: list[OutputFile]) -> None:
    _check_paths(outputs)
    dest = dest.absolute()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.sitegen-new"
    _remove(staging)  # left by a build that was killed
    staging.mkdir()
    made: set[Path] = {staging}
    for output in outputs:
        target = staging / output.dest
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        with open(target, "wb") as handle:
            handle.write(output.content)
    _swap_in(staging, dest)


def _check_paths(outputs: list[OutputFile], kept: tuple[str, ...] = ()) -> None:
    seen: set[str] = set()
    for dest in [o.dest for o in outputs] + list(kept):
        _check_path(dest)
        if dest in seen:
            raise OutputCollisionError(f"two pages would be written to {dest}")
        seen.add(dest)
    for dest in seen:
        parent = dest.rpartition("/")[0]
        while parent:
            if parent in seen:
                raise OutputCollisionError(f"{parent} would be both a file and the folder of {dest}")
            parent = parent.rpartition("/")[0]


def _check_path(dest: str) -> None:
    """A plain relative posix path inside the output folder (string tests only: this runs
    once per file, tens of thousands of times)."""
    if not dest or dest.startswith("/") or "\\" in dest or "\x00" in dest or any(part in ("", ".", "..") for part in dest.split("/")):
        raise OutputCollisionError(f"refusing to write outside the output folder: {dest!r}")


@dataclass(frozen=True)
class FileState:
    """A written file as the file system showed it: if size, mtime and inode still match,
    nobody has replaced or edited it since, and its bytes still have `digest`."""

    digest: bytes  # sha256 of the bytes
    size: int
    mtime_ns: int
    inode: int

    def matches(self, stat: os.stat_result) -> bool:
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == (self.size, self.mtime_ns, self.inode)


Manifest = dict[str, FileState]  # posix path inside a tree -> the file's state


@dataclass
class Trees:
    """The output folder and its spare copy, with what each was last recorded to hold."""

    dest: Path
    spare: Path
    dest_files: Manifest = field(default_factory=dict)
    spare_files: Manifest = field(default_factory=dict)
    _checked: dict[str, bool] = field(default_factory=dict)

    def has(self, rel: str, digest: bytes) -> bool:
        """Does the output folder hold `rel` with these bytes, untouched since it was written?"""
        recorded = self.dest_files.get(rel)
        if recorded is None or recorded.digest != digest:
            return False
        verified = self._checked.get(rel)
        if verified is None:
            try:
                verified = recorded.matches(os.lstat(self.dest / rel))
            except OSError:
                verified = False
            self._checked[rel] = verified
        return verified


    def holds_exactly(self) -> bool:
        """Does the output folder hold exactly the recorded files, each untouched?"""
        if not self.dest.is_dir() or self.dest.is_symlink():
            return False
        found = scan_tree(self.dest, tidy=False)
        return found.keys() == self.dest_files.keys() and all(self.dest_files[rel].matches(stat) for rel, stat in found.items())


def can_keep_spare(dest: Path, spare: Path) -> bool:
    """The swap is one rename, so both trees must live on one file system."""
    def device(path: Path) -> int:
        path = path.absolute()
        while not path.exists():  # the nearest folder that exists decides
            path = path.parent
        return os.stat(path).st_dev

    try:
        return device(dest.parent) == device(spare)
    except OSError:
        return False


class StaleOutput(Exception):
    """A file the build meant to keep changed in the output folder while it ran."""


@dataclass
class WriteReport:
    files: Manifest  # the output folder now
    written: int  # files whose bytes differ from the previous output
    unchanged: int


def write_changed(trees: Trees, outputs: list[OutputFile], kept: dict[str, bytes]) -> WriteReport:
    """Make trees.dest hold exactly `outputs` plus `kept` (path -> digest of bytes the
    output folder already holds), writing only what differs, then swap atomically.
    Raises StaleOutput (nothing swapped) if a kept file changed meanwhile."""
    writer = SpareWriter(trees)
    return writer.finish(outputs, kept)


class SpareWriter:
    """Brings the spare tree up to date file by file, then swaps it in (finish).

    place() does the file work for one output and only reads the writer's state, so it
    may run in the worker process that rendered the page (files are then written on every
    core, and no page's bytes travel back); record() takes its answer in the build's own
    process. put() is both at once."""

    def __init__(self, trees: Trees, ahead: SpareScan | None = None) -> None:
        self.trees = trees
        self.spare = trees.spare
        self.spare.parent.mkdir(parents=True, exist_ok=True)
        if self.spare.is_symlink() or self.spare.is_file():
            self.spare.unlink()
        self.spare.mkdir(exist_ok=True)
        # What the spare really holds, before any change: scanned now, or by `ahead` meanwhile.
        scanned = ahead.result() if ahead is not None else None
        self.present = scanned if scanned is not None else scan_tree(self.spare)
        self.files: Manifest = {}
        self.written = 0
        self._made: set[Path] = set()  # folders known to exist, per process

    def put(self, output: OutputFile) -> None:
        self.record(output.dest, self.place(output))

    def place(self, output: OutputFile) -> FileState:
        return self._place(output.dest, hashlib.sha256(output.content).digest(), output.content)

    def record(self, rel: str, state: FileState) -> None:
        if rel in self.files:
            raise OutputCollisionError(f"two pages would be written to {rel}")
        before = self.trees.dest_files.get(rel)
        if before is None or before.digest != state.digest:
            self.written += 1
        self.files[rel] = state

    def finish(self, outputs: list[OutputFile], kept: dict[str, bytes]) -> WriteReport:
        """Place the remaining files, delete the spare's files no longer produced, swap."""
        _check_paths(outputs, tuple(kept) + tuple(self.files))
        for rel, digest in kept.items():
            self.record(rel, self._place(rel, digest, None))
        for output in outputs:
            self.put(output)
        emptied: set[Path] = set()
        for rel in self.present.keys() - self.files.keys():
            path = self.spare / rel
            if path.is_file() or path.is_symlink():
                path.unlink()
            emptied.update(path.parents)
        for folder in sorted((f for f in emptied if self.spare in f.parents), key=lambda f: len(f.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                pass  # still holds files
        dest = self.trees.dest.absolute()
        if dest.exists():
            if not _exchange(self.spare, dest):
                raise OSError(f"cannot swap {self.spare} and {dest} atomically")
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self.spare, dest)
        # The old output is now the spare; what it holds is what the output folder held.
        trees = self.trees
        trees.spare_files, trees.dest_files, trees._checked = trees.dest_files, self.files, {}
        return WriteReport(self.files, self.written, len(self.files) - self.written)

    def _place(self, rel: str, digest: bytes, content: bytes | None) -> FileState:
        """Make spare/rel hold the bytes with `digest`: keep the spare's file, link the
        output folder's, or write `content`. Raises StaleOutput if none of these can."""
        _check_path(rel)
        trees, spare = self.trees, self.spare
        recorded = trees.spare_files.get(rel)
        stat = self.present.get(rel)
        if recorded is not None and stat is not None and recorded.digest == digest and recorded.matches(stat):
            return recorded
        target = spare / rel
        shared = trees.dest_files.get(rel) if trees.has(rel, digest) else None
        if stat is not None:
            if shared is not None and stat.st_ino == shared.inode:
                return shared  # already the output folder's own file, through a link
            # Never write into it: it may be a link to the output folder's file.
            target.unlink()
        elif target.parent not in self._made:
            _make_folder(target.parent, spare)
            self._made.add(target.parent)
        # The spare is scratch until it is swapped in, so files are written in place: a
        # killed build leaves files no manifest vouches for, which the next one replaces.
        if shared is not None:
            os.link(trees.dest / rel, target)  # same bytes: share the output folder's file
            return shared
        if content is None:
            raise StaleOutput(rel)
        try:
            handle = open(target, "xb")
        except (IsADirectoryError, FileExistsError):
            _remove(target)  # an older build's folder (or a stray file) where this file goes
            handle = open(target, "xb")
        with handle:
            handle.write(content)
            handle.flush()
            stat = os.fstat(handle.fileno())
        return FileState(digest, stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _make_folder(folder: Path, tree: Path) -> None:
    """mkdir -p inside `tree`, replacing a file that sits where a folder must go."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in reversed([folder, *folder.parents]):
            if tree in parent.parents and (parent.is_file() or parent.is_symlink()):
                parent.unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _swap_in(staging: Path, dest: Path) -> None:
    if not dest.exists():
        os.rename(staging, dest)
        return
    if not dest.is_dir() or dest.is_symlink():
        raise UsageError(f"output {dest} exists and is not a folder; remove it or choose another --destination")
    if _exchange(staging, dest):
        shutil.rmtree(staging)  # now holds the previous build
        return
    old = dest.parent / f".{dest.name}.sitegen-old"
    _remove(old)
    os.rename(dest, old)
    os.rename(staging, dest)
    shutil.rmtree(old)


def _remove(path: Path) -> None:
    """Delete a leftover staging folder; a link or file in its place is removed itself,
    never followed, so nothing outside the output folder can be deleted through it."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
