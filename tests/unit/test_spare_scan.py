"""scan.SpareScan: the spare tree walked in a child process gives what the writer's own
walk gives, tidies the same way, and a scan nobody collects is stopped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.parallel import can_fork
from sitegen.scan import SpareScan, scan_tree as _scan

pytestmark = pytest.mark.skipif(not can_fork(), reason="the scan runs ahead only where fork() exists")


def make_tree(root: Path) -> Path:
    for rel in ("index.html", "stories/a/index.html", "stories/b/index.html", "tags/x/page/2/index.html", "feed.xml"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel, encoding="utf-8")
    return root


def test_the_scan_ahead_equals_the_writers_own_walk(tmp_path):
    tree = make_tree(tmp_path / "spare")
    (tree / "stories/a/left.sitegen-tmp").write_text("from a killed build", encoding="utf-8")
    os.symlink("/etc/passwd", tree / "stories/link.html")
    with SpareScan(tree) as ahead:
        found = ahead.result()
    assert not (tree / "stories/a/left.sitegen-tmp").exists() and not (tree / "stories/link.html").is_symlink()
    expected = _scan(tree)
    assert found.keys() == expected.keys() == {"index.html", "stories/a/index.html", "stories/b/index.html",
                                               "tags/x/page/2/index.html", "feed.xml"}
    for rel, stat in expected.items():
        assert (found[rel].st_size, found[rel].st_mtime_ns, found[rel].st_ino) == (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def test_no_scan_ahead_without_a_plain_folder(tmp_path):
    make_tree(tmp_path / "real")
    os.symlink(tmp_path / "real", tmp_path / "linked")
    for spare in (None, tmp_path / "missing", tmp_path / "linked", tmp_path / "real/index.html"):
        with SpareScan(spare) as ahead:
            assert ahead.result() is None


def test_a_scan_nobody_collects_is_stopped(tmp_path):
    tree = make_tree(tmp_path / "spare")
    with SpareScan(tree) as ahead:
        child = ahead._child
        assert child is not None
    assert not child.is_alive() and ahead._child is None
