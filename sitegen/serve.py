"""The preview server: serves the last complete build from memory, with live reload.

Requests read one immutable Snapshot (URL path -> OutputFile) that a finished build swaps
in with one assignment, so nobody ever sees a half-built site. A failed build keeps the
last good snapshot and adds an error overlay to every HTML response. Live reload is a
small external script (a site's CSP may forbid inline script) fed by Server-Sent Events;
the server adds it to HTML responses, so built files never contain it."""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Callable, Mapping
from urllib.parse import parse_qs

from .errors import SitegenError, UsageError
from .model import BuildResult
from .preview_responses import RESERVED, Snapshot, content_type, describe_failure, inject, resolve

KEEPALIVE_SECONDS = 10.0


def _asset(name: str) -> bytes:
    return resources.files("sitegen").joinpath("serve_assets", name).read_bytes()


class PreviewState:
    """What requests read: (version, snapshot, problems), replaced in one assignment."""

    def __init__(self) -> None:
        self.now: tuple[int, Snapshot | None, tuple[str, ...]] = (0, None, ())
        self.closed = False
        self._changed = threading.Condition()

    def publish(self, snapshot: Snapshot | None, problems: tuple[str, ...]) -> None:
        with self._changed:
            version, old, _ = self.now
            self.now = (version + 1, snapshot or old, problems)
            self._changed.notify_all()

    def wait_newer(self, version: int, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.now[0] != version or self.closed, timeout)

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    state: PreviewState

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-answer (a reload, a closed tab) is normal for a preview;
        # only a real bug deserves socketserver's traceback in the author's terminal.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class PreviewHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sitegen-preview"
    timeout = 20  # seconds a client may stall; each connection has its own thread anyway
    server: _HTTPServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass  # a preview of a few hundred requests a page would drown the build reports

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command not in ("GET", "HEAD"):
            # Any request body stays unread, so the connection cannot carry another request.
            self.close_connection = True
            self._send(405, b"GET and HEAD only\n", "text/plain; charset=utf-8", {"Allow": "GET, HEAD", "Connection": "close"})
            return False
        return True

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path.startswith(RESERVED):
            return self._reserved(path[len(RESERVED):], query)
        _, snapshot, problems = self.server.state.now
        if snapshot is None:
            body = b"<!doctype html><html><head><title>Building</title></head><body><h1>No complete build yet</h1></body></html>"
            return self._send(503, inject(body, "none", problems), "text/html; charset=utf-8", {"Retry-After": "1"})
        found = resolve(snapshot.files, path, query)
        if found.status == 301:
            return self._send(301, b"", "text/plain; charset=utf-8", {"Location": found.location})
        if found.file is None:
            return self._send(found.status, f"{found.status} {HTTPStatus(found.status).phrase}\n".encode(), "text/plain; charset=utf-8")
        etag = snapshot.etag(found.file)
        media = content_type(found.file)
        body = found.file.content
        tag = etag
        if media.startswith("text/html"):
            body = inject(body, etag, problems)
            if problems:
                tag += "-" + hashlib.blake2b("\n".join(problems).encode(), digest_size=6).hexdigest()
        headers = {"ETag": f'"{tag}"'}
        if found.status == 200 and self.headers.get("If-None-Match") == f'"{tag}"':
            return self._send(304, b"", None, headers)
        self._send(found.status, body, media, headers)

    def _reserved(self, name: str, query: str) -> None:
        if name == "events":
            return self._events(parse_qs(query))
        media = {"livereload.js": "text/javascript; charset=utf-8", "livereload.css": "text/css; charset=utf-8"}.get(name)
        if media is None:
            return self._send(404, b"404 Not Found\n", "text/plain; charset=utf-8")
        self._send(200, _asset(name), media)

    def _send(self, status: int, body: bytes, media: str | None, headers: Mapping[str, str] = {}) -> None:
        self.send_response(status)
        if media:
            self.send_header("Content-Type", media)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def _events(self, params: dict[str, list[str]]) -> None:
        """One open page's event stream: `problems` (the overlay's lines, [] to clear),
        `reload` when the page's own bytes changed, `css` when only stylesheets did."""
        page = params.get("path", ["/"])[0]
        known = params.get("etag", [""])[0]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")  # no length: the stream ends with the connection
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        state = self.server.state
        seen, last, sent = -1, None, None
        try:
            self.wfile.write(b"retry: 1000\n\n")  # reconnect quickly once a restarted server is back
            while not state.closed:
                version, snapshot, problems = state.now
                if version != seen:
                    seen = version
                    if problems != sent:
                        self._event("problems", list(problems))
                        sent = problems
                    if snapshot is not None:
                        now = _page_etag(snapshot, page)
                        if now != known:
                            self._event("reload", {"path": page})
                            return  # the page reloads and opens a new stream
                        if last is not None and snapshot is not last and (css := snapshot.changed_css(last)):
                            self._event("css", css)
                        last = snapshot
                    continue
                state.wait_newer(version, KEEPALIVE_SECONDS)
                if state.now[0] == version and not state.closed:
                    self.wfile.write(b": keep-alive\n\n")
        except (ConnectionError, TimeoutError, OSError):
            return  # the page went away

    def _event(self, name: str, data) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())


def _page_etag(snapshot: Snapshot, url_path: str) -> str:
    path, _, query = url_path.partition("?")
    found = resolve(snapshot.files, path, query)
    return snapshot.etag(found.file) if found.file is not None else str(found.status)


class PreviewServer:
    """Binds at once (port 0: any free port), builds through `build(changes)` and serves.
    `build` is any callable returning a BuildResult or raising, so tests can fake it."""

    def __init__(self, build: Callable[..., BuildResult], bind: str = "127.0.0.1", port: int = 8000,
                 log: Callable[[str], None] = lambda line: None) -> None:
        self.build = build
        self.log = log
        self.state = PreviewState()
        server_class = _HTTPServer6 if ":" in bind else _HTTPServer
        self.httpd = server_class((bind, port), PreviewHandler)
        self.httpd.state = self.state
        self._thread: threading.Thread | None = None
        self._warnings: set[str] = set()
        self._one_build_at_a_time = threading.Lock()  # the first build and the watcher's may overlap

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        if host in ("0.0.0.0", "::"):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def rebuild(self, changes=None) -> bool:
        """Run one build and publish it, or its errors. Never raises: the server must
        outlive every mistake in the sources (and every bug in a build step)."""
        with self._one_build_at_a_time:
            return self._rebuild(changes)

    def _rebuild(self, changes) -> bool:
        started = time.perf_counter()
        try:
            result = self.build(changes) if changes is not None else self.build()
        except Exception as exc:  # noqa: BLE001 - reported in the page and the terminal
            if not isinstance(exc, SitegenError):
                self.log(traceback.format_exc().rstrip())
            problems = describe_failure(exc)
            self.state.publish(None, problems)
            self.log("Build failed; still serving the last good build:\n" + "\n".join(f"  {line}" for line in problems))
            return False
        previous = self.state.now[1]
        self.state.publish(Snapshot(result.outputs, previous), ())
        warnings = {p.format(with_severity=True) for p in result.problems}
        for line in sorted(warnings - self._warnings):
            self.log(line)
        self._warnings = warnings
        seconds = time.perf_counter() - started
        self.log(f"Built {len(result.outputs)} files ({len(result.rendered)} pages rendered) in {seconds * 1000:.0f} ms.")
        warm_up = getattr(self.build, "warm_up", None)
        if warm_up is not None:
            try:
                warm_up()
            except Exception:  # noqa: BLE001 - only an optimisation; the next build redoes it
                self.log(traceback.format_exc().rstrip())
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sitegen-serve", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.state.close()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()


def run_preview(root, options, bind: str = "127.0.0.1", port: int = 8000, out: Callable[[str], None] = print) -> int:
    """`sitegen serve`: build, serve, rebuild on every save, until Ctrl-C (exit 0)."""
    from .rebuild import PreviewBuilder
    from .watch import SiteWatcher

    builder = PreviewBuilder(root, options)
    try:
        server = PreviewServer(builder, bind, port, log=out)
    except OSError as exc:
        raise UsageError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}; choose another --port or --bind") from None
    # Canonical and feed links must work locally, so they use the address actually bound.
    builder.base_url = server.url
    watcher = SiteWatcher(root, server.rebuild, ignore=[root / "public"])
    try:
        watcher.start()  # before the first build, so a save made during it is not lost
        out(f"Building {root.resolve()} ...")
        server.rebuild()
        server.start()
        out(f"Serving at {server.url} (live reload on; Ctrl-C to stop)")
        threading.Event().wait()
    except KeyboardInterrupt:
        _ignore_further_interrupts()  # a second Ctrl-C must not break the shutdown
    finally:
        watcher.stop()
        server.stop()
    out("Stopped.")
    return 0


def _ignore_further_interrupts() -> None:
    import signal

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
