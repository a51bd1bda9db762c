"""Helpers for server tests: a fake build, a small fake site, and a raw HTTP request."""

from __future__ import annotations

import http.client

from sitegen.model import BuildResult, OutputFile
from sitegen.serve import PreviewServer


class FakeBuild:
    """Stands in for the real build: returns `outputs`, or raises `error` when set."""

    def __init__(self, outputs: list[OutputFile]) -> None:
        self.outputs = outputs
        self.error: Exception | None = None
        self.calls = 0

    def __call__(self, changes=None) -> BuildResult:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return BuildResult(outputs=list(self.outputs))


def page(title: str, body: str = "") -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title>"
            f'<link rel="stylesheet" href="/static/site.css"></head><body><h1>{title}</h1>{body}</body></html>').encode()


SITE = [
    OutputFile("index.html", page("Home")),
    OutputFile("stories/alpha/index.html", page("Alpha")),
    OutputFile("tags/ai-act/index.html", page("AI Act")),
    OutputFile("404.html", page("Page not found")),
    OutputFile("feed.xml", b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', "application/atom+xml"),
    OutputFile("sitemap.xml", b'<?xml version="1.0"?><urlset></urlset>'),
    OutputFile("robots.txt", b"User-agent: *\n"),
    OutputFile("static/site.css", b"body{color:black}", "text/css"),
    OutputFile("static/app.js", b"console.log(1)", "text/javascript"),
    OutputFile("static/favicon.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    OutputFile("static/logo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
]


def request(server: PreviewServer, path: str, method: str = "GET", headers: dict | None = None, timeout: float = 10):
    """-> (status, headers, body) over a fresh connection; the path goes out exactly as given."""
    host, port = server.address
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def raw_request(server: PreviewServer, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are (malformed requests, odd paths) and read the whole answer."""
    import socket

    with socket.create_connection(server.address, timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


class EventStream:
    """A Server-Sent Events client for one page: next_event() -> (name, data)."""

    def __init__(self, server: PreviewServer, page: str, etag: str, timeout: float = 10) -> None:
        from urllib.parse import quote

        host, port = server.address
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.conn.request("GET", f"/__sitegen/events?path={quote(page)}&etag={quote(etag)}")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next_event(self) -> tuple[str, object]:
        import json

        name, data = "", ""
        while True:
            line = self.response.fp.readline().decode()
            if line == "":
                raise EOFError("the server closed the event stream")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data = line[len("data: "):]
            elif line == "" and name:
                return name, json.loads(data)

    def close(self) -> None:
        self.conn.close()
