"""`sitegen serve` as a user runs it: a real subprocess on 127.0.0.1, real files, real watching."""

from __future__ import annotations

import signal
import socket
import time
import urllib.error
import urllib.request

import pytest
from preview_process import ServeProcess

from conftest import story_text

DRAFT = story_text("Work in progress", date="2026-01-02", extra="draft: true\n")


@pytest.fixture
def site(make_site):
    return make_site({
        "content/stories/alpha.md": story_text("Alpha", date="2026-01-03", tags="[AI Act]"),
        "content/stories/beta.md": story_text("Beta", date="2026-01-01", tags="[AI Act]"),
        "content/stories/wip.md": DRAFT,
        "pyproject.toml": '[tool.sitegen]\ntitle = "Served"\nbase_url = "https://example.org/"\n',
    })


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until(check, timeout: float = 20):
    """Poll check() until it returns something true (generous: this is not a speed test)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_serve_prints_its_url_serves_the_site_and_stops_cleanly_on_ctrl_c(site):
    with ServeProcess(site) as served:
        assert served.url.startswith("http://127.0.0.1:") and not served.url.endswith(":0/")
        status, home = get(served.url)
        assert status == 200 and "Alpha" in home
        # base_url is the served address, so canonical links work locally.
        assert f'href="{served.url}"' in home or f"href={served.url}" in home
        assert "https://example.org/" not in home
        status, story = get(served.url + "stories/alpha/")
        assert status == 200 and "/__sitegen/livereload.js" in story
    assert served.returncode == 0
    assert "Traceback" not in served.output
    assert served.output.rstrip().endswith("Stopped.")


def test_serve_shows_drafts_with_a_badge_unless_told_not_to(site):
    with ServeProcess(site) as served:
        status, page = get(served.url + "stories/wip/")
        assert status == 200 and "Draft" in page
    with ServeProcess(site, "--no-drafts") as served:
        assert get(served.url + "stories/wip/")[0] == 404
        assert "Work in progress" not in get(served.url)[1]


def test_an_edit_on_disk_is_served_after_the_rebuild(site):
    with ServeProcess(site) as served:
        path = site / "content/stories/alpha.md"
        path.write_text(path.read_text().replace('"Alpha"', '"Alpha, edited"'))
        assert wait_until(lambda: "Alpha, edited" in get(served.url + "stories/alpha/")[1])
        path.write_text(path.read_text().replace("title:", "title: [unclosed"))
        served.wait_for_line(lambda line: "content/stories/alpha.md:" in line)
        status, page = get(served.url + "stories/alpha/")
        assert status == 200 and "Alpha, edited" in page and "sitegen-problems" in page
    assert served.returncode == 0


def test_build_output_never_contains_the_live_reload_script(site, run_cli, tmp_path):
    result = run_cli("build", "--source", site, "--destination", tmp_path / "out", "--drafts")
    assert result.returncode == 0, result.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert b"__sitegen" not in path.read_bytes() and b"livereload" not in path.read_bytes(), path


def test_sigterm_stops_it_cleanly_too(site):
    with ServeProcess(site) as served:
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=20) == 0
        served.proc.send_signal(signal.SIGINT)  # a late Ctrl-C after stopping changes nothing
    assert "Traceback" not in served.output


def test_a_port_in_use_is_a_usage_error(site, run_cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--source", site, "--port", port)
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_port_is_a_usage_error(site, run_cli):
    result = run_cli("serve", "--source", site, "--port", "http")
    assert result.returncode == 2 and "port" in result.stderr
