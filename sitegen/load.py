"""Find the site's source files and read them as normalised text."""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from .errors import Problem, SourceLocation
from .model import SourceFile

CONTENT_DIR = "content"
STORIES_DIR = "stories"
STORYLINES_DIR = "storylines"
# Characters no HTML page can show and no XML 1.0 document (the feeds) may contain, even
# as a character reference: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_CONTROL = bytes(b for b in range(256) if not (b <= 0x08 or b in (0x0B, 0x0C) or 0x0E <= b <= 0x1F))


@dataclass
class ContentFiles:
    """Every Markdown file under content/, sorted by path, grouped by what it becomes."""

    stories: list[SourceFile] = field(default_factory=list)
    pages: list[SourceFile] = field(default_factory=list)
    storylines: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # rel_path -> SourceState of plain files as read (or as `known` vouched for them), for the
    # next load_content to leave unread: only files unmodified for SETTLED_NS before the read.
    states: dict[str, tuple] = field(default_factory=dict)


SourceState = tuple  # (size, mtime_ns, ctime_ns, inode, sha256 of the bytes)
# A file modified this recently may be modified again within the file system's clock tick,
# keeping its mtime: its state is not recorded, so it is read again next time.
SETTLED_NS = 2_000_000_000


def load_content(root: Path, known: Mapping[str, SourceState] | None = None) -> ContentFiles:
    """Walk root/content. Stories live under content/stories/ (sub-folders allowed),
    storyline descriptions in content/storylines/, standalone pages directly in content/.
    Files that are not Markdown are left alone here.

    `known` is an earlier load's `states`: a plain file whose size, mtime, ctime and inode
    still match is not read again; its SourceFile has the recorded digest and text None
    (the caller must have its parse result, or read it: see model.SourceFile)."""
    found = ContentFiles()
    content = root / CONTENT_DIR
    if not content.is_dir():
        found.problems.append(Problem(SourceLocation(CONTENT_DIR), "no content/ folder in the site root; create content/stories/ and put Markdown stories there"))
        return found
    real_root = root.resolve()
    # This runs on every build, rebuilds after one edit included, so the common case (a
    # plain file, known as one from the folder listing) skips the stats and path parsing
    # that load_file spends on links, pipes and devices; those still go through load_file.
    for parts, entry in _markdown_entries(str(content), ()):
        if not _is_plain_file(entry):
            load_file(root, Path(entry.path), found, real_root)
            continue
        rel = "/".join((CONTENT_DIR, *parts))
        source = _unchanged(entry, rel, known, found.states) if known else None
        if source is None:
            source = _read_source(entry.path, rel, found.problems, found.states)
        _file_into_group(source, parts, rel, found)
    return found


def _unchanged(entry: os.DirEntry, rel: str, known: Mapping[str, SourceState],
               states: dict[str, SourceState]) -> SourceFile | None:
    recorded = known.get(rel)
    if not isinstance(recorded, tuple) or len(recorded) != 5:
        return None
    try:
        stat = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    if (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino) != recorded[:4]:
        return None
    states[rel] = recorded
    return SourceFile(rel_path=rel, text=None, digest=recorded[4])


def load_file(root: Path, path: Path, found: ContentFiles, real_root: Path | None = None) -> None:
    """Read one Markdown file under root/content into the group its place decides. The
    preview server calls this for the files a save touched instead of walking content/."""
    rel = path.relative_to(root).as_posix()
    # os.path.realpath, unlike Path.resolve, does not raise on a link loop; the loop then
    # fails to read below and is reported like any unreadable file.
    if path.is_symlink() and not _inside(Path(os.path.realpath(path)), real_root or root.resolve()):
        found.problems.append(Problem(SourceLocation(rel), "is a symbolic link to a file outside the site; copy the file into content/ instead"))
        return
    if path.exists() and not path.is_file():  # reading a FIFO or a device would block the build
        found.problems.append(Problem(SourceLocation(rel), "is not a regular file (a pipe or device?); replace it with a Markdown file"))
        return
    source = read_source(path, rel, found.problems)
    _file_into_group(source, path.relative_to(root / CONTENT_DIR).parts, rel, found)


def _file_into_group(source: SourceFile | None, parts: tuple[str, ...], rel: str, found: ContentFiles) -> None:
    """parts: the path below content/. A file that could not be read has its problem already."""
    if source is None:
        return
    if parts[0] == STORIES_DIR and len(parts) > 1:
        found.stories.append(source)
    elif parts[0] == STORYLINES_DIR and len(parts) == 2:
        found.storylines.append(source)
    elif len(parts) == 1:
        found.pages.append(source)
    else:
        found.problems.append(Problem(SourceLocation(rel), "is not in a place sitegen reads; put stories in content/stories/, storylines in content/storylines/, pages directly in content/", "warning"))


def _markdown_entries(folder: str, parts: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], os.DirEntry]]:
    """Each .md entry under folder with its path parts below content/, in the order sorted()
    gives their Paths (part by part: "a/b.md" before "a-c.md"). Visiting each folder's
    names in sorted order, and a sub-folder's files where its name sorts, is that order.
    Hidden names are skipped; a folder that cannot be listed is skipped silently, as
    os.walk does; symlinked folders are not followed, so a link cannot pull files in."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted((entry for entry in listing if not entry.name.startswith(".")), key=_name)
    except OSError:
        return
    for entry in entries:
        if _is_folder(entry):
            if not entry.is_symlink():
                yield from _markdown_entries(entry.path, (*parts, entry.name))
        elif entry.name.endswith(".md"):
            yield (*parts, entry.name), entry


def _name(entry: os.DirEntry) -> str:
    return entry.name


def _is_folder(entry: os.DirEntry) -> bool:
    # Like os.walk: follows links (a linked folder counts as a folder, and is then not
    # entered), and an entry whose type cannot be found counts as a file.
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_plain_file(entry: os.DirEntry) -> bool:
    """A regular file, not a link; the listing usually says so without a stat."""
    try:
        return not entry.is_symlink() and entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_source(path: Path, rel: str, problems: list[Problem]) -> SourceFile | None:
    return _read_source(str(path), rel, problems)


def _read_source(name: str, rel: str, problems: list[Problem],
                 states: dict[str, SourceState] | None = None) -> SourceFile | None:
    """name is the path as a str, which open() takes ~1 us faster than a Path. With `states`,
    the file's state is recorded there, taken before the read: a write after it changes
    the state the next load compares, so a recorded digest never outlives its bytes."""
    try:
        # Unbuffered: one read of the whole file, without a buffer object per file.
        with open(name, "rb", buffering=0) as file:
            stat = os.fstat(file.fileno()) if states is not None else None
            raw = file.read()
    except OSError as exc:
        problems.append(Problem(SourceLocation(rel), f"cannot be read: {exc.strerror or exc}"))
        return None
    text = decode_source(raw, rel, problems)
    if text is None:
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if stat is not None and stat.st_mtime_ns < time.time_ns() - SETTLED_NS:
        states[rel] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, digest)
    return SourceFile(rel_path=rel, text=text, digest=digest)


def decode_source(raw: bytes, rel: str, problems: list[Problem]) -> str | None:
    """UTF-8 (a BOM is dropped), with CRLF and lone CR line ends turned into LF."""
    # Not the "utf-8-sig" codec: after a BOM it counts error positions from the byte after
    # the BOM, so the message named the wrong byte, and could name the wrong line.
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(SourceLocation(rel, line), f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file with UTF-8 encoding"))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # The regex costs ~40 us for a 7 KB story, on every file of every build; these tests
    # (a few us) clear most files first: no C0 control byte besides tab, LF and CR (UTF-8
    # never uses those bytes inside other characters), and no U+FFFE or U+FFFF. Those two
    # are looked for in the text, not as UTF-8 in the bytes: a byte search for three bytes
    # takes ~8 us, while a str that holds only Latin-1 (most stories) answers at once.
    suspect = raw.translate(None, _NOT_CONTROL) or "\ufffe" in text or "\uffff" in text
    bad = CONTROL_CHARACTER.search(text) if suspect else None
    if bad:
        line = text[: bad.start()].count("\n") + 1
        what = "a NUL character" if bad.group() == "\x00" else f"the control character U+{ord(bad.group()):04X}"
        problems.append(Problem(SourceLocation(rel, line), f"contains {what}; remove it",
                                hint="control characters cannot be shown and are not allowed in feeds"))
        return None
    return text
