"""The preview server over real HTTP on a free 127.0.0.1 port, driven by a fake build:
content types, folders, 404, traversal attempts, live-reload injection and events,
error overlay, and serving under load while a rebuild runs."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from preview_fakes import SITE, EventStream, FakeBuild, page, raw_request, request

from sitegen.errors import BuildFailed, ConfigError, Problem, SourceLocation
from sitegen.model import OutputFile
from sitegen.serve import PreviewServer


@pytest.fixture
def fake_build():
    return FakeBuild(list(SITE))


@pytest.fixture
def preview(fake_build):
    """A started PreviewServer over the fake build on a free port; stopped after the test."""
    server = PreviewServer(fake_build, "127.0.0.1", 0)
    assert server.rebuild()
    server.start()
    yield server
    server.stop()


def etag_of(body: bytes) -> str:
    return re.search(rb'data-etag="([^"]*)"', body).group(1).decode()


@pytest.mark.parametrize("path, media", [
    ("/", "text/html; charset=utf-8"),
    ("/stories/alpha/", "text/html; charset=utf-8"),
    ("/stories/alpha/index.html", "text/html; charset=utf-8"),
    ("/feed.xml", "application/atom+xml; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/static/site.css", "text/css; charset=utf-8"),
    ("/static/app.js", "text/javascript; charset=utf-8"),
    ("/static/favicon.svg", "image/svg+xml; charset=utf-8"),
    ("/static/logo.png", "image/png"),
])
def test_every_file_is_served_with_its_content_type(preview, path, media):
    status, headers, body = request(preview, path)
    assert status == 200
    assert headers["content-type"] == media
    assert int(headers["content-length"]) == len(body)
    assert headers["x-content-type-options"] == "nosniff"


def test_non_html_files_are_served_byte_for_byte(preview):
    assert request(preview, "/static/logo.png")[2] == b"\x89PNG\r\n\x1a\n"
    assert request(preview, "/robots.txt")[2] == b"User-agent: *\n"


def test_a_folder_url_without_slash_redirects_to_the_folder(preview):
    status, headers, _ = request(preview, "/stories/alpha?x=1")
    assert status == 301
    assert headers["location"] == "/stories/alpha/?x=1"


def test_unknown_paths_get_the_sites_404_page_with_status_404(preview):
    for path in ("/nope", "/stories/missing/", "/static/missing.css", "/.git/config", "/__sitegen/nothing"):
        status, headers, body = request(preview, path)
        assert status == 404, path
        if not path.startswith("/__sitegen/"):
            assert b"<h1>Page not found</h1>" in body
            assert headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", [
    "/../pyproject.toml", "/stories/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/x", "/stories/%2e%2e/%2e%2e/x",
    "/..%2fetc%2fpasswd", "/stories%2Falpha%2Findex.html", "/%5c..%5cx", "/./index.html", "/stories/./alpha/",
    "//etc/passwd", "/%00", "/index.html%00.css", "/%ff%fe", "http://evil.example/etc/passwd",
])
def test_traversal_attempts_are_refused_never_served_or_5xx(preview, path):
    status, _, body = request(preview, path)
    assert status in (400, 404)
    assert b"root:" not in body and b"[tool.sitegen]" not in body


@pytest.mark.parametrize("target", [b"/..\\..\\etc\\passwd", b"/stories\\alpha\\index.html", b"/a\x00b", b"C:\\Windows\\win.ini", b"/etc/passwd"])
def test_raw_paths_with_backslashes_nul_or_absolute_names_are_refused(preview, target):
    answer = raw_request(preview, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 404)


def test_head_answers_headers_only(preview):
    status, headers, body = request(preview, "/stories/alpha/", method="HEAD")
    _, get_headers, get_body = request(preview, "/stories/alpha/")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(get_body)) and headers["etag"] == get_headers["etag"]


def test_other_methods_are_refused_with_405(preview):
    for method in ("POST", "PUT", "DELETE", "PROPFIND"):
        status, headers, _ = request(preview, "/", method=method)
        assert status == 405
        assert headers["allow"] == "GET, HEAD"


def test_etag_and_if_none_match_give_304(preview):
    _, headers, _ = request(preview, "/static/site.css")
    status, _, body = request(preview, "/static/site.css", headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    _, headers, _ = request(preview, "/")
    assert request(preview, "/", headers={"If-None-Match": headers["etag"]})[0] == 304


def test_html_responses_get_the_external_live_reload_script_and_nothing_else_does(preview):
    _, _, body = request(preview, "/stories/alpha/")
    assert b'<script src="/__sitegen/livereload.js"' in body
    assert body.index(b"/__sitegen/livereload.js") < body.index(b"</head>")
    assert b"<script>" not in body  # nothing inline: a site's CSP may forbid inline script
    for path in ("/feed.xml", "/static/site.css", "/robots.txt"):
        assert b"__sitegen" not in request(preview, path)[2]
    status, headers, script = request(preview, "/__sitegen/livereload.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in script
    assert request(preview, "/__sitegen/livereload.css")[0] == 200


def test_a_failed_build_keeps_the_last_good_site_and_shows_escaped_errors(preview, fake_build):
    fake_build.error = BuildFailed([
        Problem(SourceLocation("content/stories/alpha.md", 3), "invalid YAML near <script>alert(1)</script>"),
        Problem(SourceLocation("content/stories/beta.md", 7), "just a warning", "warning"),
    ])
    assert not preview.rebuild()
    status, _, body = request(preview, "/stories/alpha/")
    assert status == 200 and b"<h1>Alpha</h1>" in body
    assert b"content/stories/alpha.md:3: invalid YAML near &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert b"<script>alert" not in body
    assert b"beta.md" not in body  # the overlay lists errors; warnings go to the terminal
    fake_build.error = None
    assert preview.rebuild()
    assert b"sitegen-problems" not in request(preview, "/stories/alpha/")[2]


def test_a_config_error_is_shown_too(preview, fake_build):
    fake_build.error = ConfigError("pyproject.toml: [tool.sitegen] 'page_size' must be a int, not str")
    preview.rebuild()
    assert b"pyproject.toml: [tool.sitegen] &#x27;page_size&#x27; must be a int" in request(preview, "/")[2]


def test_an_unexpected_exception_in_the_build_never_stops_the_server(preview, fake_build):
    fake_build.error = RuntimeError("a bug")
    assert not preview.rebuild()
    status, _, body = request(preview, "/")
    assert status == 200 and b"RuntimeError: a bug" in body


def test_before_any_good_build_pages_say_so_and_show_the_errors(fake_build):
    fake_build.error = BuildFailed([Problem(SourceLocation("content/stories/a.md", 2), "broken")])
    server = PreviewServer(fake_build, "127.0.0.1", 0)
    server.rebuild()
    server.start()
    try:
        status, _, body = request(server, "/")
        assert status == 503
        assert b"content/stories/a.md:2: broken" in body and b"/__sitegen/livereload.js" in body
    finally:
        server.stop()


def test_event_stream_sends_reload_when_the_open_page_changes(preview, fake_build):
    _, _, body = request(preview, "/stories/alpha/")
    stream = EventStream(preview, "/stories/alpha/", etag_of(body))
    try:
        assert stream.next_event() == ("problems", [])
        fake_build.outputs = [o for o in fake_build.outputs if o.dest != "stories/alpha/index.html"] + [
            OutputFile("stories/alpha/index.html", page("Alpha, retitled"))]
        preview.rebuild()
        assert stream.next_event() == ("reload", {"path": "/stories/alpha/"})
    finally:
        stream.close()


def test_event_stream_stays_quiet_for_changes_to_other_pages_and_swaps_css(preview, fake_build):
    _, _, body = request(preview, "/stories/alpha/")
    stream = EventStream(preview, "/stories/alpha/", etag_of(body))
    try:
        assert stream.next_event() == ("problems", [])
        fake_build.outputs = [o for o in fake_build.outputs if o.dest not in ("index.html", "static/site.css")] + [
            OutputFile("index.html", page("Home, changed")), OutputFile("static/site.css", b"body{color:navy}", "text/css")]
        preview.rebuild()
        assert stream.next_event() == ("css", ["/static/site.css"])
    finally:
        stream.close()


def test_event_stream_shows_problems_then_clears_them(preview, fake_build):
    _, _, body = request(preview, "/")
    stream = EventStream(preview, "/", etag_of(body))
    try:
        assert stream.next_event() == ("problems", [])
        fake_build.error = BuildFailed([Problem(SourceLocation("content/stories/alpha.md", 4), "tags must be a list")])
        preview.rebuild()
        assert stream.next_event() == ("problems", ["content/stories/alpha.md:4: tags must be a list"])
        fake_build.error = None
        preview.rebuild()
        assert stream.next_event() == ("problems", [])
    finally:
        stream.close()


def test_a_page_from_before_a_restart_reloads_only_if_it_changed(preview):
    _, _, body = request(preview, "/")
    stale = EventStream(preview, "/", "an-etag-from-an-earlier-server")
    current = EventStream(preview, "/", etag_of(body))
    try:
        assert stale.next_event() == ("problems", [])
        assert stale.next_event() == ("reload", {"path": "/"})
        assert current.next_event() == ("problems", [])
    finally:
        stale.close()
        current.close()


def test_100_concurrent_requests_while_a_rebuild_runs_are_all_answered(preview, fake_build):
    building = threading.Event()
    release = threading.Event()
    slow = fake_build.__call__

    def slow_build(changes=None):
        building.set()
        release.wait(20)
        return slow(changes)

    preview.build = slow_build
    rebuild = threading.Thread(target=preview.rebuild)
    rebuild.start()
    assert building.wait(10)
    paths = ["/", "/stories/alpha/", "/feed.xml", "/static/site.css", "/missing/", "/../x", "/tags/ai-act/"] * 15
    try:
        with ThreadPoolExecutor(max_workers=100) as pool:
            statuses = list(pool.map(lambda p: request(preview, p, timeout=30)[0], paths[:100]))
    finally:
        release.set()
        rebuild.join(20)
    assert len(statuses) == 100
    assert all(status < 500 for status in statuses)
    assert statuses.count(200) == sum(1 for p in paths[:100] if p not in ("/missing/", "/../x"))


def test_a_stalled_or_malformed_client_does_not_stop_others(preview):
    import socket

    stalled = socket.create_connection(preview.address, timeout=10)
    stalled.sendall(b"GET /stories/alpha/ HT")  # and never more
    try:
        answer = raw_request(preview, b"BLAH\x00\xff nonsense\r\n\r\n")  # read as HTTP/0.9: no status line
        assert b"400" in answer
        assert b"400" in raw_request(preview, b"GET /index.html HTTP/1.1 extra\r\n\r\n")
        answer = raw_request(preview, b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n")
        assert int(answer.split(b" ", 2)[1]) in (400, 431)
        # The stalled connection holds its thread for the 20 s handler timeout; a server
        # handling one connection at a time would miss this request's 10 s timeout.
        assert request(preview, "/", timeout=10)[0] == 200
    finally:
        stalled.close()


def test_stop_ends_open_event_streams(fake_build):
    server = PreviewServer(fake_build, "127.0.0.1", 0)
    server.rebuild()
    server.start()
    _, _, body = request(server, "/")
    stream = EventStream(server, "/", etag_of(body))
    assert stream.next_event() == ("problems", [])
    server.stop()
    with pytest.raises((EOFError, ConnectionError)):
        stream.next_event()
    stream.close()
