"""A stand-in for s3.amazonaws.com on 127.0.0.1: serves the test PKI's chains over plain HTTP.

`local(url)` turns a certificate URL as the verifier normalises it into this server's, so a
test hands the verifier `fetch=lambda url: download(host.local(url))` and the real download code
runs against a real socket. Paths can also be made to fail (404), to drip their body one byte at
a time, or to be padded past any sensible size; every GET is counted per path.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .serving import serve_in_background


class CertHost:
    def __init__(self) -> None:
        self.chains: dict[str, bytes] = {}  # path -> body
        self.drip: dict[str, float] = {}  # path -> seconds between bytes
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with host._lock:
                    host.hits[self.path] += 1
                body = host.chains.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                pause = host.drip.get(self.path)
                if pause is None:
                    self.wfile.write(body)
                    return
                for index in range(len(body)):
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(pause)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = serve_in_background(self._server)

    def local(self, url: str) -> str:
        parts = urlsplit(url)
        return self.base + parts.path + (f"?{parts.query}" if parts.query else "")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
