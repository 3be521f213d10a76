"""The fake platforms as an HTTP server on this machine, for benchmarks that measure real sockets.

Workers started with ``PLATFORM_API_ORIGIN=http://127.0.0.1:PORT`` (and no
in-process fakes) send every platform request here; the adapters put the
platform's own address in a header (accounts.platforms.base), and the request
is answered by FakeX or FakeGraph exactly as in-process, latency and log
included: publishing, listening and the reach reads (X's post and user
lookups, Graph post fields, insights and the Page's followers, which each fake
routes to its tests/fakes/reach.py part)::

    server = serve({"x": FakeX(latency=0.05, log_path=...), "facebook": FakeGraph(...)})
    ... PLATFORM_API_ORIGIN=server.origin ...
    server.close()
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from accounts.demo_pages import DEMO_FACEBOOK_PAGES
from accounts.platforms.base import FAKE_PLATFORM_URL_HEADER
from tests.fakes.oauth import platform_url_of
from tests.fakes.platforms import FakeGraph, FakeX, _FakePlatform


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        # The adapters name the platform's address in a header; a browser opening a sign-in page cannot.
        url = self.headers.get(FAKE_PLATFORM_URL_HEADER, "") or platform_url_of(self.path)
        fake = self.server.fake_for(url)
        if fake is None:
            self.send_error(404, "no fake platform answers this address")
            return
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=self.command,
            url=url,
            headers={
                k: v for k, v in self.headers.items() if k.lower() not in ("host", FAKE_PLATFORM_URL_HEADER.lower())
            },
        )
        prepared.body = body  # exactly as sent (and as signed)
        try:
            status, headers, content = fake._handle(prepared)
        except requests.RequestException:
            self.close_connection = True  # a scripted timeout or dropped connection: no answer
            return
        data = content.encode() if isinstance(content, str) else content
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args) -> None:
        pass  # the fakes keep their own log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, fakes: dict[str, _FakePlatform]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fakes = list(fakes.values())
        self.connections = 0  # accepted so far: a client that keeps its connection open opens one

    def process_request(self, request, client_address) -> None:
        self.connections += 1
        super().process_request(request, client_address)

    def fake_for(self, url: str) -> _FakePlatform | None:
        for fake in self.fakes:
            if any(pattern.match(url) for pattern in fake._url_patterns()):
                return fake
        return None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def demo_fakes() -> tuple[FakeX, FakeGraph]:
    """The demo's X and Facebook (immisns/runall.py): @MOJ_IMMI signs in on X, and Facebook serves every
    seeded Page under the id seed_demo gives it (accounts.demo_pages)."""
    graph = FakeGraph()
    for handle, page_id, name in DEMO_FACEBOOK_PAGES:
        if page_id != graph.page_id:  # the fake's own Page is already there
            graph.login.add_page(page_id, name, handle)
    return FakeX(), graph


def serve(fakes: dict[str, _FakePlatform]) -> _Server:
    """Start the server on a free loopback port, in a background thread; close() stops it."""
    server = _Server(fakes)
    threading.Thread(target=server.serve_forever, name="fake-platforms", daemon=True).start()
    return server
