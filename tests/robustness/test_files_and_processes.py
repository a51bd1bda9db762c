"""Files and processes: the build touches nothing outside its destination, refuses
destinations that would destroy sources or the system, survives SIGKILL at any moment,
and treats files that are not Markdown in content/ by the documented rule."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .sites import REPO, assert_no_traceback, manifest, run_build, story, write_tree

SITE = {
    "content/stories/a.md": story({"title": "A"}),
    "content/stories/b.md": story({"title": "B", "tags": ["AI Act", "Chips"]}),
    "layouts/.keep": "",
    "static/extra.txt": "static file\n",
}


def site(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "site", SITE)


@pytest.mark.parametrize("dest", ["SITE", "SITE/content", "SITE/content/stories/out", "SITE/layouts", "SITE/layouts/out",
                                  "SITE/static", "SITE/static/deep/out", "SITE/..", "HOME", "/"])
def test_dangerous_destinations_are_refused_with_exit_2(dest, tmp_path):
    root = site(tmp_path)
    target = dest.replace("SITE", str(root)).replace("HOME", str(Path.home()))
    before = manifest(tmp_path)
    result = run_build(root, Path(target))
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("sitegen: error: refusing to build into ")
    assert manifest(tmp_path) == before


def test_a_folder_that_is_not_an_earlier_output_is_never_replaced(tmp_path):
    root = site(tmp_path)
    documents = write_tree(tmp_path / "Documents", {"thesis.odt": "years of work", "photos/cat.jpg": "meow"})
    before = manifest(tmp_path)
    result = run_build(root, documents)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert "it holds files but no index.html" in result.stderr
    assert manifest(tmp_path) == before
    (tmp_path / "empty").mkdir()
    assert run_build(root, tmp_path / "empty").returncode == 0  # an empty folder is fine
    assert run_build(root, tmp_path / "empty").returncode == 0  # and so is an earlier output


def test_a_link_to_a_guarded_folder_is_refused_too(tmp_path):
    root = site(tmp_path)
    (tmp_path / "sneaky").symlink_to(root / "content", target_is_directory=True)
    result = run_build(root, tmp_path / "sneaky")
    assert result.returncode == 2
    assert "inside the site's content/ folder" in result.stderr
    assert (root / "content/stories/a.md").is_file()


def test_a_destination_that_is_a_file_is_refused_before_anything_is_written(tmp_path):
    root = site(tmp_path)
    (tmp_path / "out").write_text("not a folder\n")
    before = manifest(tmp_path)
    result = run_build(root, tmp_path / "out")
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert "exists and is not a folder" in result.stderr
    assert manifest(tmp_path) == before  # no staging folder left beside it


def test_an_output_folder_that_cannot_be_made_is_a_one_line_error(tmp_path):
    root = site(tmp_path)
    (tmp_path / "plain-file").write_text("x\n")
    result = run_build(root, tmp_path / "plain-file/out")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.startswith("sitegen: error: cannot use ") and len(result.stderr.splitlines()) == 1


def test_a_leftover_staging_link_is_removed_not_followed(tmp_path):
    root = site(tmp_path)
    victim = write_tree(tmp_path / "victim", {"keep.txt": "precious\n"})
    (tmp_path / ".out.sitegen-new").symlink_to(victim, target_is_directory=True)
    result = run_build(root, tmp_path / "out")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert (victim / "keep.txt").read_text() == "precious\n"
    assert manifest(victim) == {"keep.txt": manifest(victim)["keep.txt"]}
    assert (tmp_path / "out/index.html").is_file()


def test_the_build_writes_and_deletes_nothing_outside_its_destination(tmp_path):
    root = site(tmp_path)
    outside = write_tree(tmp_path / "outside", {"file.txt": "outside\n", "folder/deep.txt": "deep\n"})
    out = tmp_path / "out"
    assert run_build(root, out).returncode == 0
    # Links planted in the old output must be dropped with it, never followed.
    (out / "link-to-folder").symlink_to(outside / "folder", target_is_directory=True)
    (out / "stories/link-to-file.txt").symlink_to(outside / "file.txt")
    # Besides the destination, a build may write only its documented cache, .sitegen-cache/.
    def elsewhere() -> dict[str, str]:
        return {rel: digest for rel, digest in manifest(tmp_path).items() if not rel.startswith(("out/", "site/.sitegen-cache/"))}

    before = elsewhere()
    write_tree(root, {"content/stories/c.md": story({"title": "C"})})
    before["site/content/stories/c.md"] = manifest(root)["content/stories/c.md"]
    result = run_build(root, out)
    assert result.returncode == 0, result.stderr
    assert elsewhere() == before
    assert not (out / "link-to-folder").exists() and (outside / "folder/deep.txt").read_text() == "deep\n"
    assert (out / "stories/c/index.html").is_file()


def test_files_that_are_not_markdown_in_content_are_not_published(tmp_path):
    root = write_tree(site(tmp_path), {
        "content/stories/chart.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "content/stories/a-folder/notes.txt": "notes\n",
        "content/stories/data.json": "{}",
        "content/stories/README": "no extension",
        "content/.hidden.md": "---\ntitle: [broken\n",
        "content/stories/.draft.md": "",
        "content/stories/folder.md/inner.md": story({"title": "Inside a folder named like a file"}),
        "content/stories/UPPER.MD": story({"title": "Upper-case extension"}),
    })
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    published = manifest(root / "public")
    for name in ("chart.png", "notes.txt", "data.json", "README", "hidden", "UPPER", "upper"):
        assert not any(name in rel for rel in published), name
    assert "stories/inner/index.html" in published


def generate_site(root: Path, stories: int) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from benchmarks.corpus import generate_corpus

    generate_corpus(root, stories)


def start_build(root: Path, dest: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitegen", "build", "-q", "-s", str(root), "-d", str(dest)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))


def set_version(root: Path, version: int) -> None:
    """Two versions of the site that differ in every story page (a marker in each title)."""
    for path in sorted((root / "content/stories").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'^title: "(.*?)(?: \[v\d\])?"$', lambda m: f'title: "{m.group(1)} [v{version}]"', text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_a_build_killed_at_random_moments_leaves_the_previous_output_whole(tmp_path):
    root = tmp_path / "site"
    generate_site(root, 150)
    out = root / "public"
    expected: dict[int, dict[str, str]] = {}
    durations = []
    for version in (0, 1):
        set_version(root, version)
        started = time.perf_counter()
        result = run_build(root, tmp_path / f"v{version}")
        durations.append(time.perf_counter() - started)
        assert result.returncode == 0, result.stderr
        expected[version] = manifest(tmp_path / f"v{version}")
    assert expected[0] != expected[1]
    shutil.copytree(tmp_path / "v0", out)
    current = 0
    rng = random.Random(20260428)
    finished = 0
    for attempt in range(20):
        target = 1 - current
        set_version(root, target)
        process = start_build(root, out)
        # Half the kills anywhere in the build, half late in it, around writing and swapping.
        late = attempt % 2 == 1
        time.sleep(rng.uniform(0.5 * min(durations), 1.2 * min(durations)) if late else rng.uniform(0.0, max(durations) * 1.1))
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it finished before the kill
        process.wait(timeout=60)
        state = manifest(out)
        assert state in (expected[current], expected[target]), f"attempt {attempt}: output is neither the old nor the new build"
        if state == expected[target]:
            current = target
            finished += 1
    result = run_build(root, out)  # the sources are at the last attempt's version
    assert result.returncode == 0, result.stderr
    assert manifest(out) == expected[target]
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".public")]
    assert leftovers == [], leftovers
    print(f"\nkilled 20 builds of 150 stories (a full build took {max(durations):.1f} s); {finished} had already swapped in")


def test_links_and_special_files_in_static_never_publish_files_from_outside(tmp_path):
    root = site(tmp_path)
    secret = write_tree(tmp_path / "outside", {"secret.txt": "SECRET-STATIC\n"}) / "secret.txt"
    (root / "static/leak.txt").symlink_to(secret)
    (root / "static/outside-folder").symlink_to(secret.parent, target_is_directory=True)
    (root / "static/inside.txt").symlink_to(root / "static/extra.txt")
    (root / "static/loop").symlink_to("loop")
    os.mkfifo(root / "static/pipe")
    result = run_build(root, root / "public", timeout=60)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "static/leak.txt: warning: is a symbolic link to a file outside the site, so it is not published" in result.stderr
    published = manifest(root / "public")
    assert not any(b"SECRET" in (root / "public" / rel).read_bytes() for rel in published)
    assert (root / "public/static/inside.txt").read_text() == "static file\n"
    assert not any(name in rel for rel in published for name in ("leak", "outside-folder", "loop", "pipe"))
