"""load.py: which files the walk finds, in which order, and what each becomes.

load_content reads plain files straight from the folder listing and hands links, pipes and
devices to load_file; these tests pin that both ways give the same answers."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from sitegen.load import ContentFiles, load_content, load_file

NAMES = ["a/b.md", "a-c.md", "a.md", "a b.md", "A/z.md", "a/b/c/d.md", "a0.md", "a/_.md", "B.md", "b.md",
         "a.b/x.md", "a.b.md", "Z9.md", "~.md", "_.md", "été.md", "e.md", "x.md/inner.md"]


def write(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def messages(found: ContentFiles) -> list[str]:
    return [f"{problem.location.path}:{problem.location.line}: {problem.message}" for problem in found.problems]


def test_files_come_in_the_order_sorted_paths_give_nested_folders_included(tmp_path):
    root = write(tmp_path, {f"content/stories/{name}": b"x\n" for name in NAMES})
    found = load_content(root)
    expected = sorted(root / "content/stories" / name for name in NAMES)
    assert [source.rel_path for source in found.stories] == [path.relative_to(root).as_posix() for path in expected]
    # Part by part, not as strings: a folder's files come where the folder's name sorts.
    rels = [source.rel_path.removeprefix("content/stories/") for source in found.stories]
    assert rels.index("a/b/c/d.md") < rels.index("a/b.md") < rels.index("a b.md") < rels.index("a-c.md") < rels.index("a.md")
    assert rels.index("A/z.md") < rels.index("B.md") < rels.index("a/_.md")


def test_places_decide_the_group_and_hidden_or_other_files_are_skipped(tmp_path):
    root = write(tmp_path, {
        "content/about.md": b"page", "content/stories/s.md": b"story", "content/stories/deep/er/t.md": b"story",
        "content/storylines/line.md": b"line", "content/storylines/deep/line.md": b"too deep",
        "content/elsewhere/w.md": b"nowhere", "content/notes.txt": b"not markdown", "content/.draft.md": b"hidden",
        "content/stories/.git/h.md": b"hidden folder", "content/stories/README.MD": b"not .md",
    })
    found = load_content(root)
    assert [s.rel_path for s in found.pages] == ["content/about.md"]
    assert [s.rel_path for s in found.stories] == ["content/stories/deep/er/t.md", "content/stories/s.md"]
    assert [s.rel_path for s in found.storylines] == ["content/storylines/line.md"]
    assert [(p.location.path, p.severity) for p in found.problems] == [
        ("content/elsewhere/w.md", "warning"), ("content/storylines/deep/line.md", "warning")]


def test_text_is_normalised_and_the_digest_is_of_the_raw_bytes(tmp_path):
    raw = b"\xef\xbb\xbf---\r\ntitle: t\r\n---\rbody\n"
    root = write(tmp_path, {"content/stories/s.md": raw})
    (source,) = load_content(root).stories
    assert source.text == "---\ntitle: t\n---\nbody\n"
    assert source.digest == hashlib.sha256(raw).hexdigest()


def test_unreadable_text_is_reported_at_its_line(tmp_path):
    root = write(tmp_path, {
        "content/stories/bad.md": b"one\ntwo \xff\n", "content/stories/nul.md": b"one\ntwo\n\x00",
        "content/stories/esc.md": b"\x1b[31m", "content/stories/fffe.md": "one\n\ufffe".encode(),
        "content/stories/cjk.md": "中文，标点。\n".encode(), "content/stories/ok.md": "tab\tand — ✓ 😀\n".encode(),
    })
    found = load_content(root)
    assert [s.rel_path for s in found.stories] == ["content/stories/cjk.md", "content/stories/ok.md"]
    assert messages(found) == [
        "content/stories/bad.md:2: is not valid UTF-8 (byte 0xff); save the file with UTF-8 encoding",
        "content/stories/esc.md:1: contains the control character U+001B; remove it",
        "content/stories/fffe.md:2: contains the control character U+FFFE; remove it",
        "content/stories/nul.md:3: contains a NUL character; remove it",
    ]


def test_invalid_utf8_after_a_bom_names_the_right_byte_and_line(tmp_path):
    root = write(tmp_path, {"content/stories/bom.md": b"\xef\xbb\xbfab\n\xff\n", "content/stories/ok.md": b"\xef\xbb\xbf\xef\xbb\xbfx"})
    found = load_content(root)
    assert messages(found) == ["content/stories/bom.md:2: is not valid UTF-8 (byte 0xff); save the file with UTF-8 encoding"]
    assert [s.text for s in found.stories] == ["\ufeffx"]  # only the first BOM is dropped


def test_links_pipes_and_devices_are_reported_and_linked_folders_not_followed(tmp_path):
    root = write(tmp_path / "site", {"content/stories/a.md": b"a", "content/stories/sub/b.md": b"b"})
    outside = write(tmp_path / "outside", {"secret.md": b"secret", "folder/c.md": b"c"})
    stories = root / "content/stories"
    (stories / "in.md").symlink_to("a.md")
    (stories / "out.md").symlink_to(outside / "secret.md")
    (stories / "broken.md").symlink_to(stories / "gone.md")
    (stories / "loop.md").symlink_to("loop.md")
    (stories / "linked").symlink_to(outside / "folder", target_is_directory=True)
    (stories / "linked-sub.md").symlink_to(stories / "sub", target_is_directory=True)
    (stories / "null.md").symlink_to(os.devnull)
    os.mkfifo(stories / "pipe.md")
    found = load_content(root)
    assert [s.rel_path for s in found.stories] == ["content/stories/a.md", "content/stories/in.md", "content/stories/sub/b.md"]
    assert found.stories[1].text == "a"
    assert messages(found) == [
        "content/stories/broken.md:0: cannot be read: No such file or directory",
        "content/stories/loop.md:0: cannot be read: Too many levels of symbolic links",
        "content/stories/null.md:0: is a symbolic link to a file outside the site; copy the file into content/ instead",
        "content/stories/out.md:0: is a symbolic link to a file outside the site; copy the file into content/ instead",
        "content/stories/pipe.md:0: is not a regular file (a pipe or device?); replace it with a Markdown file",
    ]


def test_load_file_gives_a_file_the_share_the_walk_gives_it(tmp_path):
    root = write(tmp_path / "site", {"content/stories/x/a.md": b"a\r\n", "content/b.md": b"b", "content/odd/c.md": b"c",
                                     "content/storylines/l.md": b"bad \xff"})
    (root / "content/stories/pipe.md").parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / "content/stories/pipe.md")
    walked = load_content(root)
    one_by_one = ContentFiles()
    for rel in ["content/b.md", "content/odd/c.md", "content/stories/pipe.md", "content/stories/x/a.md", "content/storylines/l.md"]:
        load_file(root, root / rel, one_by_one)
    assert one_by_one == walked


def test_a_relative_root_gives_the_same_relative_paths(tmp_path, monkeypatch):
    write(tmp_path, {"content/stories/a/b.md": b"x", "content/p.md": b"y"})
    monkeypatch.chdir(tmp_path)
    found = load_content(Path("."))
    assert [s.rel_path for s in found.stories + found.pages] == ["content/stories/a/b.md", "content/p.md"]


def test_no_content_folder_is_one_problem(tmp_path):
    assert messages(load_content(tmp_path)) == [
        "content:0: no content/ folder in the site root; create content/stories/ and put Markdown stories there"]


def settle(root: Path, seconds_ago: int = 60) -> None:
    """Date every file a minute back, as if saved long before the build."""
    when = time.time_ns() - seconds_ago * 1_000_000_000
    for path in root.rglob("*.md"):
        os.utime(path, ns=(when, when))


def test_files_unchanged_since_the_last_load_are_not_read_again(tmp_path):
    root = write(tmp_path, {"content/stories/a.md": b"one\n", "content/stories/b.md": b"two\n", "content/about.md": b"p\n"})
    settle(root)
    first = load_content(root)
    assert set(first.states) == {"content/stories/a.md", "content/stories/b.md", "content/about.md"}
    (root / "content/stories/b.md").write_bytes(b"TWO\n")  # same size, new bytes: its mtime moves
    again = load_content(root, first.states)
    texts = {source.rel_path: source.text for source in again.stories + again.pages}
    assert texts == {"content/stories/a.md": None, "content/stories/b.md": "TWO\n", "content/about.md": None}
    digests = {source.rel_path: source.digest for source in again.stories + again.pages}
    assert digests == {source.rel_path: source.digest for source in load_content(root).stories + load_content(root).pages}
    # b.md was modified just now: not recorded, so it is read next time too.
    assert set(again.states) == {"content/stories/a.md", "content/about.md"}
    assert again.states["content/stories/a.md"] == first.states["content/stories/a.md"]


def test_a_file_rewritten_with_its_old_size_and_mtime_is_read_again(tmp_path):
    root = write(tmp_path, {"content/stories/a.md": b"one\n"})
    settle(root)
    first = load_content(root)
    path = root / "content/stories/a.md"
    before = path.stat()
    path.write_bytes(b"ONE\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy that keeps times would
    [source] = load_content(root, first.states).stories
    assert source.text == "ONE\n"  # the change time gives it away


def test_recorded_states_are_only_a_hint(tmp_path):
    root = write(tmp_path, {"content/stories/a.md": b"one\n", "content/stories/b.md": b"bad \x00\n"})
    settle(root)
    first = load_content(root)
    assert list(first.states) == ["content/stories/a.md"]  # a file with a problem is read every time
    assert len(load_content(root, first.states).problems) == 1
    for garbage in ({"content/stories/a.md": "nonsense"}, {"content/stories/a.md": (1, 2)}, {}):
        [source] = load_content(root, garbage).stories
        assert source.text == "one\n"
