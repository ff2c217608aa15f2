"""A stand-in for the AWS Lambda Runtime API on 127.0.0.1, so the real runtime interface client
(awslambdaric, what Lambda's Python runtime runs) can load the bundle and answer events.

It implements the documented invocation loop: GET .../invocation/next hands out the queued
events one by one (and holds the next call while there are none), POST .../response and
POST .../error record what the function returned, POST .../init/error records a failed init.
"""

from __future__ import annotations

import json
import queue
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .serving import serve_in_background

PREFIX = "/2018-06-01/runtime"


class FakeRuntimeApi:
    """`time_limit_ms`: how long each invocation may run (Lambda-Runtime-Deadline-Ms is that
    far ahead of the moment the event is handed out); None: practically forever."""

    def __init__(self, events: list[dict[str, Any]], time_limit_ms: int | None = None) -> None:
        self.time_limit_ms = time_limit_ms
        self.pending: queue.Queue[dict[str, Any]] = queue.Queue()
        for event in events:
            self.pending.put(event)
        self.results: queue.Queue[tuple[str, Any]] = queue.Queue()  # ("response" | "error", body)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        serve_in_background(self._server)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    self.send_error(404)
                    return
                event = api.pending.get()  # held until there is one, as Lambda does
                body = json.dumps(event).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Lambda-Runtime-Aws-Request-Id", str(uuid.uuid4()))
                limit = api.time_limit_ms
                ends = 9999999999999 if limit is None else int(time.time() * 1000) + limit
                self.send_header("Lambda-Runtime-Deadline-Ms", str(ends))
                self.send_header(
                    "Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:cramp-coach:live",
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                if self.path.endswith("/response"):
                    api.results.put(("response", body))
                elif self.path.endswith("/error"):
                    api.results.put(("error", body))
                else:
                    self.send_error(404)
                    return
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
