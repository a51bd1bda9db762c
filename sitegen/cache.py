"""The persistent build cache: .sitegen-cache/ in the site root, git-ignored, safe to delete.

It keeps what a later build can reuse: parsed stories (by file digest), the related-story
map (by a digest of every published story's slug, tags, date, storyline and draft flag,
so a body edit reuses it), which bytes each page key produced, what the output folder
holds, and a record of the last build's inputs (so a build with nothing changed writes
nothing). Everything is keyed by content, and every file also carries a fingerprint of
the code that wrote it: the cache format, sitegen's own source files, Python and the
libraries that shape the output. A file whose fingerprint differs is stale.

A cache file is never trusted: it must have the magic header, the format number, this
fingerprint and its stated lengths, the SHA-256 of its payload must match, and the payload
is unpickled with an allow-list of the few classes sitegen stores (so a planted file cannot
run code). Any file failing a check is ignored (noted in DiskCache.notes) and rewritten
at the end of the build, so a corrupted, truncated or stale cache only costs time.

Story bodies are the exception to the payload checksum. A story pickles its body packed
(model.Story.__reduce_ex__), and encode() writes those packed bodies after the payload as
out-of-band buffers: most of a parse shard's bytes, and most of the time spent loading it
when they were read, hashed and copied out of the file one by one. A cache file is mapped
into memory rather than read, and decode() hands each body back as a view into the
mapping, unread and unchecked; the story carries its body's SHA-256 in the checked
payload, and the body is compared with it (then unpickled through the allow-list) only
when something first reads it. A damaged body raises errors.DamagedCache then, and is
never used: the build forgets every parse result (forget_parsed, noted like a rejected
file) and parses every file again. Cache files are only ever replaced (written aside, then renamed),
never rewritten in place, so a mapping keeps the bytes that were there when it was made."""

from __future__ import annotations

import dataclasses
import fcntl
import gc
import hashlib
import io
import mmap
import multiprocessing
import os
import pickle
import struct
import sys
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from . import model
from .parallel import can_fork

CACHE_DIR = ".sitegen-cache"
FORMAT = 4  # 4: story bodies out of band, after the payload (model.Story.__reduce_ex__)
MAGIC = b"SGCACHE\0"
# magic, format, fingerprint, payload length, number of out-of-band buffers, and the
# sha256 of the payload and the table of buffer lengths after it; the buffers follow.
_HEADER = struct.Struct(">8sI32sQI32s")
SHARDS = 32  # parsed files are spread over this many files, so one edit rewrites one shard
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "jinja2", "markupsafe", "pyyaml", "minify-html")


def fingerprint() -> bytes:
    """What, besides the inputs, decides the output: this code and its libraries."""
    digest = hashlib.sha256(f"format {FORMAT}\0sitegen {__version__}\0python {sys.version}\0".encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} missing\0".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        # The code itself, theme included: during development the version number stays put.
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


_SAFE_BUILTINS = frozenset({"list", "dict", "set", "frozenset", "tuple", "bytes", "bytearray", "str", "int",
                            "float", "bool", "complex", "range", "slice"})
_SAFE_DATETIME = frozenset({"datetime", "date", "time", "timedelta", "timezone"})
_SAFE_ERRORS = frozenset({"Problem", "SourceLocation"})


class _AllowListUnpickler(pickle.Unpickler):
    """Unpickles only plain data and sitegen's own frozen records."""

    def find_class(self, module: str, name: str) -> Any:
        if (module == "builtins" and name in _SAFE_BUILTINS) or (module == "datetime" and name in _SAFE_DATETIME) \
                or (module == "sitegen.errors" and name in _SAFE_ERRORS):
            return super().find_class(module, name)
        if module == "sitegen.model":
            found = getattr(model, name, None)
            if isinstance(found, type) and found.__module__ == "sitegen.model" \
                    and (dataclasses.is_dataclass(found) or issubclass(found, tuple)):  # records and named tuples
                return found
            if found is model.restore_story:  # a Story pickled in parts (Story.__reduce__)
                return found
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the cache")


def encode(value: Any, stamp: bytes) -> bytes:
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    views = [buffer.raw() for buffer in buffers]
    table = struct.pack(f">{len(views)}Q", *(view.nbytes for view in views))
    checksum = hashlib.sha256(payload)
    checksum.update(table)
    header = _HEADER.pack(MAGIC, FORMAT, stamp, len(payload), len(views), checksum.digest())
    return b"".join((header, payload, table, *views))


def unpickle(payload: bytes | memoryview, buffers: list[memoryview] | tuple = ()) -> Any:
    """A payload through the allow-list; ValueError when it holds anything else."""
    collecting = gc.isenabled()
    gc.disable()  # a payload is thousands of small records, none in a cycle: 3x faster
    try:
        return _AllowListUnpickler(io.BytesIO(payload), buffers=buffers).load()
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, the file is not used
        raise ValueError(f"unreadable payload ({exc.__class__.__name__})") from None
    finally:
        if collecting:
            gc.enable()


def decode(blob: bytes | mmap.mmap, stamp: bytes) -> Any:
    """The stored value; ValueError when the blob is not a complete, current cache file.
    Out-of-band buffers (story bodies) come back as read-only views into blob, the rest
    is copied out of it before it is checked."""
    if len(blob) < _HEADER.size:
        raise ValueError("truncated header")
    magic, version, stored_stamp, length, count, checksum = _HEADER.unpack_from(blob)
    if magic != MAGIC or version != FORMAT:
        raise ValueError("not a sitegen cache file of this format")
    if stored_stamp != stamp:
        raise ValueError("written by another sitegen, Python or library version")
    view = memoryview(blob).toreadonly()
    table_at = _HEADER.size + length
    buffers_at = table_at + 8 * count
    if buffers_at > len(blob):
        raise ValueError("truncated or altered")
    payload, table = bytes(view[_HEADER.size:table_at]), bytes(view[table_at:buffers_at])
    digest = hashlib.sha256(payload)
    digest.update(table)
    if digest.digest() != checksum:
        raise ValueError("truncated or altered")
    buffers = []
    at = buffers_at
    for size in struct.unpack(f">{count}Q", table):
        buffers.append(view[at:at + size])
        at += size
    if at != len(blob):
        raise ValueError("truncated or altered")
    return unpickle(payload, buffers)


def _map(path: Path) -> bytes | mmap.mmap:
    """A cache file's bytes, mapped: a parse shard's story bodies are only read (by the
    system, page by page) if a story's body is. Read where the file cannot be mapped."""
    with open(path, "rb") as handle:
        try:
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # empty (ValueError), or a file system without mapping
            return handle.read()


class DiskCache:
    """One site's cache folder. Open it with DiskCache.open(root) as a context manager: it
    holds a lock, so two builds of one site take turns instead of mixing their files."""

    def __init__(self, folder: Path, stamp: bytes | None = None) -> None:
        self.folder = folder
        self.stamp = stamp if stamp is not None else fingerprint()
        self.rejected: dict[str, list[str]] = {}  # why -> cache files found corrupted or stale
        self._lock: int | None = None
        self._shards: dict[int, dict] = {}  # parsed entries as loaded, by shard
        self._froze = False  # parsed() froze the collector's objects (gc.freeze) until __exit__

    @classmethod
    def open(cls, root: Path) -> "DiskCache":
        return cls(root / CACHE_DIR)

    def __enter__(self) -> "DiskCache":
        self.folder.mkdir(parents=True, exist_ok=True)
        self._mark_folder()
        self._lock = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._froze:
            gc.unfreeze()
            self._froze = False
        if self._lock is not None:
            os.close(self._lock)  # releases the lock
            self._lock = None

    def _mark_folder(self) -> None:
        # Ignored by git even where the site's .gitignore does not name it, and skipped by
        # backup tools that honour CACHEDIR.TAG.
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                                                    "# sitegen's build cache; safe to delete.\n")):
            path = self.folder / name
            if not path.exists():
                path.write_text(text, encoding="utf-8")

    # -- single values -------------------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        path = self.folder / f"{name}.bin"
        try:
            blob = _map(path)
        except FileNotFoundError:
            return default
        except OSError as exc:
            self.rejected.setdefault(f"cannot be read ({exc.strerror})", []).append(path.name)
            return default
        try:
            return decode(blob, self.stamp)
        except ValueError as exc:
            self.rejected.setdefault(str(exc), []).append(path.name)
            return default

    @property
    def notes(self) -> list[str]:
        """One line per reason a cache file was not used."""
        lines = []
        for why, names in self.rejected.items():
            names = sorted(set(names))
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            lines.append(f"{CACHE_DIR}: {shown} {'was' if len(names) == 1 else 'were'} not used ({why}); rebuilt")
        return lines

    def put(self, name: str, value: Any) -> None:
        _write_atomically(self.folder / f"{name}.bin", encode(value, self.stamp))

    # -- parsed files, sharded ----------------------------------------------------------
    def parsed(self) -> dict[tuple, tuple]:
        """Every stored parse result, keyed (kind, rel_path, digest, raw_html). Stories come
        back with their bodies still packed, as views into the shard's bytes (see the module
        notes): cheap to load, checked and unpickled when first read."""
        merged: dict[tuple, tuple] = {}
        collecting = gc.isenabled()
        gc.disable()  # else each shard's records are walked again as the next shards load
        try:
            for shard in range(SHARDS):
                entries = self.get(f"parsed-{shard:02d}", {})
                if not isinstance(entries, dict):
                    entries = {}
                self._shards[shard] = entries
                merged.update(entries)
        finally:
            if collecting:
                self._freeze()
                gc.enable()
        return merged

    def _freeze(self) -> None:
        # The records just loaded (some 20 objects a story) live through the build and hold
        # no cycles: the collector's next pass would walk them all (0.1 s at 10,000 stories)
        # and free none. Frozen, it skips them, and every object older than them, until the
        # cache is closed at the end of the build. Only inside `with`, which unfreezes, and
        # only if nothing else in this process froze objects (that one would unfreeze ours).
        if self._lock is not None and not self._froze and gc.get_freeze_count() == 0:
            gc.freeze()
            self._froze = True

    def forget_parsed(self, why: str) -> None:
        """Drop what parsed() loaded (noted with `why`): save_parsed then rewrites every shard."""
        self.rejected.setdefault(why, []).extend(f"parsed-{shard:02d}.bin" for shard in self._shards)
        self._shards = {}

    def save_parsed(self, used: dict[tuple, tuple]) -> None:
        """Keep exactly the entries this build used; rewrite only shards that differ."""
        for shard, entries in self.shards_to_save(used).items():
            self.put(f"parsed-{shard:02d}", entries)

    def shards_to_save(self, used: dict[tuple, tuple]) -> dict[int, dict]:
        """The shards save_parsed(used) rewrites, by number, counted as saved from now on:
        whoever calls this writes them (put("parsed-NN", entries), as save_parsed does)."""
        shards: dict[int, dict] = {shard: {} for shard in range(SHARDS)}
        for key, value in used.items():
            shards[_shard_of(key)][key] = value
        todo = {}
        for shard, entries in shards.items():
            if entries.keys() != self._shards.get(shard, {}).keys() or not (self.folder / f"parsed-{shard:02d}.bin").exists():
                todo[shard] = self._shards[shard] = entries
        return todo


class ParsedSave:
    """DiskCache.save_parsed(used), begun now and ended by finish().

    A full build of 10,000 stories rewrites every shard: 130 MB and 0.7 s of pickling and
    writing that nothing reads before the next build. Begun right after parsing, in a
    forked child, it runs while this process links (mostly on one core) and renders. The
    child ends with os._exit and prints nothing: if it fails, finish() writes the shards
    here, where an error such as a full disk is raised and reported as usual. A small save
    (a rebuild rewrites one shard or none) is written here at once."""

    FORK_FROM_ENTRIES = 100  # a fork costs about a millisecond per 100 MB the process holds

    def __init__(self, cache: DiskCache, used: dict[tuple, tuple]) -> None:
        self.used = used
        self._cache = cache
        self._todo = cache.shards_to_save(used)
        self._child = None
        if sum(map(len, self._todo.values())) >= self.FORK_FROM_ENTRIES and can_fork():
            self._child = multiprocessing.get_context("fork").Process(target=self._write_in_child, daemon=True)
            self._child.start()
        else:
            self._write()

    def finish(self) -> None:
        if self._child is None:
            return
        self._child.join()
        failed = self._child.exitcode != 0
        self._child = None
        if failed:
            self._write()

    def _write(self) -> None:
        for shard, entries in self._todo.items():
            self._cache.put(f"parsed-{shard:02d}", entries)

    def _write_in_child(self) -> None:
        try:
            self._write()
        except BaseException:  # noqa: BLE001 - the parent writes them again and reports what fails
            os._exit(1)


def _shard_of(key: tuple) -> int:
    return zlib.crc32(repr(key[:2]).encode()) % SHARDS  # (kind, rel_path): a file stays in its shard


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
