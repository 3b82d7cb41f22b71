"""A loopback HTTP server that misbehaves on purpose, for the HTTP client's tests.

Each path is one fault: 429 with Retry-After, 5xx, connection resets, truncated and
slow bodies, redirect loops and chains, a redirect into a path robots.txt disallows,
oversized bodies (declared and undeclared) and a body that is not the gzip it claims.
The server is bounded: it answers at most `max_requests` requests (503 after that), no
handler runs longer than `max_seconds`, and it binds 127.0.0.1 only.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, max_requests: int = 400, max_seconds: float = 5.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.max_requests, self.max_seconds = max_requests, max_seconds
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> "FaultServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    timeout = 5  # a client that stops reading cannot hold a handler
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per fault
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.hits[path] += 1
            n = self.server.hits[path]
            self.server.log.append((time.monotonic(), path))
            over = sum(self.server.hits.values()) > self.server.max_requests
        if over:
            return self._send(503, b"request budget of the fault server spent")
        if path == "/robots.txt":
            return self._send(200, ROBOTS, {"Content-Type": "text/plain"})
        if path in ("/ok", "/private/secret"):
            return self._send(200, b"hello " + path.encode(), {"Content-Type": "text/plain"})
        if path == "/429":
            return self._send(429, b"slow down", {"Retry-After": "2"}) if n == 1 else self._send(200, b"after 429")
        if path == "/503":
            return self._send(503, b"busy") if n <= 2 else self._send(200, b"after 503")
        if path == "/500-always":
            return self._send(500, b"broken")
        if path == "/reset":
            if n == 1:
                self.connection.shutdown(2)  # the connection drops before any response
                self.close_connection = True
                return None
            return self._send(200, b"after reset")
        if path == "/truncate":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"only part")
            self.wfile.flush()
            self.close_connection = True
            return None
        if path == "/slow":  # dribbles a byte every 50 ms: no single read ever times out
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            start = time.monotonic()
            try:
                while time.monotonic() - start < self.server.max_seconds:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            self.close_connection = True
            return None
        if path == "/loop":
            return self._send(302, headers={"Location": "/loop"})
        if path == "/loop-a":
            return self._send(302, headers={"Location": "/loop-b"})
        if path == "/loop-b":
            return self._send(302, headers={"Location": self.server.base + "/loop-a"})
        if path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            return self._send(302, headers={"Location": f"/chain/{left - 1}"}) if left > 0 else self._send(200, b"end")
        if path == "/to-private":
            return self._send(302, headers={"Location": "/private/secret"})
        if path == "/to-ftp":
            return self._send(302, headers={"Location": "ftp://example.org/x"})
        if path == "/big-declared":
            return self._send(200, b"", {"Content-Length": str(10**12)})
        if path == "/big-undeclared":  # 4 MB, chunked, no length announced
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = b"y" * 65536
            try:
                for _ in range(64):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            self.close_connection = True
            return None
        if path == "/bad-gzip":
            return self._send(200, b"this is not gzip at all", {"Content-Encoding": "gzip"})
        return self._send(404, b"no such fault")
