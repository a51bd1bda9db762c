"""Write a finished build into the output folder, all or nothing.

Every file goes into a fresh temporary folder beside the destination; only when all are
written does that folder take the destination's place, so a failed or killed build leaves
the previous output as it was, and files of earlier builds that are no longer produced
disappear with the old folder."""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path, PurePosixPath

from .errors import OutputCollisionError, UsageError
from .model import OutputFile

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


def _check_paths(outputs: list[OutputFile]) -> None:
    seen: set[str] = set()
    for output in outputs:
        path = PurePosixPath(output.dest)
        if path.is_absolute() or ".." in path.parts or "\\" in output.dest or "\x00" in output.dest:
            raise OutputCollisionError(f"refusing to write outside the output folder: {output.dest!r}")
        if output.dest in seen:
            raise OutputCollisionError(f"two pages would be written to {output.dest}")
        seen.add(output.dest)


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
