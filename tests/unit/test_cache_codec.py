"""Cache files: stories' packed bodies travel out of band, after the checked payload; a
truncated, altered, stale or planted file is refused, and a body altered inside a sound
file is refused when it is first read."""

import gc
import hashlib
import mmap
import pickle
import struct
from datetime import datetime, timezone

import pytest
from conftest import story_text

from sitegen import cache
from sitegen.errors import SourceError
from sitegen.model import SourceFile, Tag
from sitegen.stories import parse_story

STAMP = hashlib.sha256(b"this sitegen").digest()


def make_story(tmp_path, number: int):
    text = story_text(title=f"Story {number}", tags="[Audits]",
                      body=f"## Part {number}\n\nBody of story number {number}, long enough to matter.\n" * 3)
    parsed, problems = parse_story(SourceFile(f"content/stories/s{number}.md", text,
                                              f"{number:064d}"))
    assert parsed is not None, problems
    return parsed


@pytest.fixture
def entries(tmp_path) -> dict:
    """A parse shard as DiskCache stores it: key -> (story, problems)."""
    return {("story", f"content/stories/s{n}.md", f"{n:064d}", False): (make_story(tmp_path, n), []) for n in range(3)}


def bodies(blob: bytes) -> list[bytes]:
    """The out-of-band buffers of a cache file, read from its layout."""
    *_, length, count, _ = cache._HEADER.unpack_from(blob)
    table_at = cache._HEADER.size + length
    at, found = table_at + 8 * count, []
    for size in struct.unpack_from(f">{count}Q", blob, table_at):
        found.append(blob[at:at + size])
        at += size
    assert at == len(blob)
    return found


def test_stories_round_trip_with_their_bodies_out_of_band(entries):
    blob = cache.encode(entries, STAMP)
    stored = bodies(blob)
    assert len(stored) == len(entries)
    *_, length, _, _ = cache._HEADER.unpack_from(blob)
    payload = blob[cache._HEADER.size:cache._HEADER.size + length]
    assert all(body not in payload for body in stored)  # the checked payload holds heads only
    loaded = cache.decode(blob, STAMP)
    views = [story.__dict__["_packed_body"] for story, _ in loaded.values()]
    assert all(type(view) is memoryview and view.readonly for view in views)  # not copied out of blob
    assert [bytes(view) for view in views] == stored
    assert cache.decode(cache.encode(loaded, STAMP), STAMP) == entries  # a loaded shard saved again, packed
    assert loaded == entries


def test_values_without_stories_have_no_buffers():
    value = {"key": (1, "two", b"three", bytearray(b"four"), datetime(2026, 1, 1, tzinfo=timezone.utc), Tag("A", "a"))}
    blob = cache.encode(value, STAMP)
    assert bodies(blob) == []
    assert cache.decode(blob, STAMP) == value


def test_a_truncated_file_is_refused_at_any_length(entries):
    blob = cache.encode(entries, STAMP)
    for end in sorted({0, 10, cache._HEADER.size - 1, cache._HEADER.size, cache._HEADER.size + 5,
                       len(blob) // 2, len(blob) - len(bodies(blob)[-1]), len(blob) - 1}):
        with pytest.raises(ValueError):
            cache.decode(blob[:end], STAMP)
    with pytest.raises(ValueError, match="truncated or altered"):
        cache.decode(blob + b"\0", STAMP)  # longer than its table says


@pytest.mark.parametrize("where", ["payload", "table", "header lengths"])
def test_an_altered_payload_table_or_length_is_refused(entries, where):
    blob = bytearray(cache.encode(entries, STAMP))
    *_, length, count, _ = cache._HEADER.unpack_from(blob)
    if where == "payload":
        blob[cache._HEADER.size + length // 2] ^= 0x01
    elif where == "table":  # one body said to be a byte longer, the next a byte shorter
        table_at = cache._HEADER.size + length
        sizes = list(struct.unpack_from(f">{count}Q", blob, table_at))
        sizes[0], sizes[1] = sizes[0] + 1, sizes[1] - 1
        struct.pack_into(f">{count}Q", blob, table_at, *sizes)
    else:
        struct.pack_into(">Q", blob, 44, length - 8)  # payload length, so the table starts inside it
    with pytest.raises(ValueError, match="truncated or altered"):
        cache.decode(bytes(blob), STAMP)


def test_a_stale_or_foreign_file_is_refused(entries):
    blob = cache.encode(entries, STAMP)
    with pytest.raises(ValueError, match="another sitegen"):
        cache.decode(blob, hashlib.sha256(b"another").digest())
    for at, value in ((0, b"X"), (11, bytes([cache.FORMAT - 1]))):
        with pytest.raises(ValueError, match="not a sitegen cache file"):
            cache.decode(blob[:at] + value + blob[at + 1:], STAMP)


def test_a_body_altered_inside_a_sound_file_is_refused_when_first_read(entries):
    blob = cache.encode(entries, STAMP)
    first = bodies(blob)[1]
    at = blob.index(first) + len(first) // 2
    altered = blob[:at] + bytes([blob[at] ^ 0x20]) + blob[at + 1:]
    loaded = list(cache.decode(altered, STAMP).values())  # the file itself is sound
    assert loaded[0][0].html == entries[next(iter(entries))][0].html
    story = loaded[1][0]
    assert story.title == "Story 1"  # heads are checked with the payload
    with pytest.raises(SourceError, match="the build cache's copy of this story is damaged") as caught:
        story.html
    assert caught.value.location.path == "content/stories/s1.md"


def planted_file(payload: bytes, buffers: list[bytes] = ()) -> bytes:
    table = struct.pack(f">{len(buffers)}Q", *map(len, buffers))
    header = cache._HEADER.pack(cache.MAGIC, cache.FORMAT, STAMP, len(payload), len(buffers),
                                hashlib.sha256(payload + table).digest())
    return header + payload + table + b"".join(buffers)


def global_ref(module: str, name: str) -> bytes:
    """A protocol 5 pickle of the object module.name (PROTO, two strings, STACK_GLOBAL, STOP)."""
    return b"\x80\x05" + b"".join(b"\x8c" + bytes([len(s)]) + s.encode() for s in (module, name)) + b"\x93."


@pytest.mark.parametrize("payload", [
    b"cos\nsystem\n(S'echo planted'\ntR.",
    global_ref("builtins", "eval"),
    global_ref("sitegen.model", "pickle"),  # a module attribute, not one of sitegen's records
    global_ref("sitegen.model", "Path"),
], ids=["os.system", "builtins.eval", "sitegen.model.pickle", "sitegen.model.Path"])
def test_a_well_formed_file_holding_anything_else_is_refused(payload):
    assert cache.decode(planted_file(global_ref("sitegen.model", "Tag"), [b"x"]), STAMP) is Tag  # the form is right
    with pytest.raises(ValueError, match="unreadable payload"):
        cache.decode(planted_file(payload, [b"x"]), STAMP)


def test_a_payload_asking_for_more_buffers_than_the_file_has_is_refused():
    payload = pickle.dumps([pickle.PickleBuffer(b"a"), pickle.PickleBuffer(b"b")], 5, buffer_callback=lambda _: False)
    assert cache.decode(planted_file(payload, [b"a", b"b"]), STAMP) == [memoryview(b"a"), memoryview(b"b")]
    with pytest.raises(ValueError, match="unreadable payload"):
        cache.decode(planted_file(payload, [b"a"]), STAMP)


def test_a_shard_is_mapped_and_its_stories_outlive_the_file_being_replaced(tmp_path, entries):
    with cache.DiskCache(tmp_path / "cache", STAMP) as disk:
        disk.save_parsed(entries)
        loaded = disk.parsed()
        assert disk.rejected == {}
        views = [story.__dict__["_packed_body"] for story, _ in loaded.values()]
        assert all(isinstance(view.obj, mmap.mmap) for view in views)  # mapped, not read
        # The next build replaces the shards (written aside, then renamed) and deletes the
        # folder: the stories loaded before still read their own bodies.
        disk.save_parsed({})
        assert disk.parsed() == {}
    for path in (tmp_path / "cache").iterdir():
        path.unlink()
    assert loaded == entries
    assert cache.decode(cache.encode(loaded, STAMP), STAMP) == entries


def test_an_empty_or_unreadable_cache_file_is_not_used(tmp_path):
    with cache.DiskCache(tmp_path / "cache", STAMP) as disk:
        (disk.folder / "empty.bin").write_bytes(b"")
        (disk.folder / "folder.bin").mkdir()
        assert disk.get("empty", "default") == "default" and disk.get("folder", "default") == "default"
        assert disk.get("missing", "default") == "default"
        assert set(disk.rejected) == {"truncated header", "cannot be read (Is a directory)"}


def test_loading_shards_freezes_the_collector_for_the_build_only(tmp_path, entries):
    assert gc.get_freeze_count() == 0
    with cache.DiskCache(tmp_path / "cache", STAMP) as disk:
        disk.save_parsed(entries)
        disk.parsed()
        assert gc.get_freeze_count() > 0 and gc.isenabled()
        disk.parsed()  # loading again in one build: still unfrozen once, at the end
    assert gc.get_freeze_count() == 0
    outside = cache.DiskCache(tmp_path / "cache", STAMP)  # not opened with `with`: nothing would unfreeze
    assert outside.parsed() == entries and gc.get_freeze_count() == 0


def test_objects_someone_else_froze_stay_frozen(tmp_path, entries):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with cache.DiskCache(tmp_path / "cache", STAMP) as disk:
            disk.save_parsed(entries)
            disk.parsed()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
