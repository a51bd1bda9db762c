"""Walking an output tree: every file in it with its size, mtime and inode, which the
writer compares with what it recorded (write.py), on this core or, for the spare copy,
on another one while the build goes on (SpareScan)."""

from __future__ import annotations

import multiprocessing
import os
import stat as stat_module
from pathlib import Path
from typing import NamedTuple

from .parallel import can_fork


def scan_tree(tree: Path, tidy: bool = True) -> dict[str, os.stat_result]:
    """Every file in a tree by posix path. With `tidy` (the spare, which only sitegen
    writes), links and stray temporary files are removed; otherwise an entry that is not
    a plain file is reported under its path with its own stat, which no recorded
    FileState matches. (os.scandir with plain strings: this walks every output file.)"""
    found: dict[str, os.stat_result] = {}
    pending = [("", os.fspath(tree))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((rel + "/", entry.path))
                    continue
                stat = entry.stat(follow_symlinks=False)
                if tidy and (entry.name.endswith(".sitegen-tmp") or not stat_module.S_ISREG(stat.st_mode)):
                    os.unlink(entry.path)
                    continue
                found[rel] = stat
    return found


class Seen(NamedTuple):
    """What FileState.matches and SpareWriter read of an os.stat_result."""

    st_size: int
    st_mtime_ns: int
    st_ino: int


class SpareScan:
    """scan_tree(spare) in a forked child, started early and collected by the SpareWriter.

    Walking a big spare tree is hundreds of milliseconds of system calls (0.3 to 0.7 s for
    15,000 files in 10,000 folders) that nothing needs until the writer starts, so they run
    on another core while the build loads and links. Use it as a context manager: a scan
    nobody collected is stopped on exit. Where fork() is not available, or the spare is not
    a plain folder, result() is None and the writer scans for itself."""

    def __init__(self, spare: Path | None) -> None:
        self._child = self._pipe = None
        if spare is None or not can_fork() or spare.is_symlink() or not spare.is_dir():
            return
        receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(target=_scan_into, args=(spare, sender), daemon=True)
        child.start()
        sender.close()
        self._child, self._pipe = child, receiver

    def result(self) -> dict[str, Seen] | None:
        if self._pipe is None:
            return None
        try:
            found = self._pipe.recv()
        except (EOFError, OSError):
            found = None
        self.close()
        return None if found is None else {rel: Seen(*state) for rel, state in found}

    def close(self) -> None:
        if self._child is not None:
            self._pipe.close()
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
            self._child = self._pipe = None

    def __enter__(self) -> "SpareScan":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _scan_into(spare: Path, sender) -> None:
    try:
        found = [(rel, (s.st_size, s.st_mtime_ns, s.st_ino)) for rel, s in scan_tree(spare).items()]
    except OSError:
        found = None  # the writer scans again and meets the error itself
    sender.send(found)
    sender.close()
