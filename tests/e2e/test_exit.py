"""The sitegen command ends without the interpreter's teardown (cli.entry): its output
must still arrive whole, and its exit status must be main()'s."""

import subprocess
import sys

from sitegen.cli import _exit_status
from conftest import story_text


def sitegen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sitegen", *args], capture_output=True, text=True, timeout=120)


def test_a_build_prints_its_summary_and_exits_0(make_site):
    root = make_site({"content/stories/a.md": story_text()})
    done = sitegen("build", "-s", str(root))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built ") and "files written" in done.stdout and done.stdout.endswith(" s.\n")


def test_a_content_error_is_printed_and_exits_1(make_site):
    root = make_site({"content/stories/a.md": story_text(), "content/stories/broken.md": "---\ntitle: [unclosed\n---\nBody\n"})
    done = sitegen("build", "-s", str(root))
    assert done.returncode == 1
    assert "content/stories/broken.md:" in done.stderr
    assert "Build failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_and_help_keep_argparse_statuses():
    bad = sitegen("build", "--no-such-option")
    assert bad.returncode == 2 and "unrecognized arguments: --no-such-option" in bad.stderr
    helped = sitegen("--help")
    assert helped.returncode == 0 and helped.stdout.startswith("usage: sitegen")


def test_exit_status_of_system_exit_codes(capsys):
    assert _exit_status(None) == 0
    assert _exit_status(3) == 3
    assert _exit_status("stopped") == 1
    assert capsys.readouterr().err == "stopped\n"
