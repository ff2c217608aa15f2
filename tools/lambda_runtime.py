"""A stand-in for the AWS Lambda Runtime API on 127.0.0.1, so the real runtime interface client
(awslambdaric, what Lambda's Python runtime runs) can load the bundle and answer events (for the
tests and the bench).

It implements the documented invocation loop: GET .../invocation/next hands out the queued
events one by one (and holds the next call while there are none), POST .../response and
POST .../error record what the function returned, POST .../init/error records a failed init.
And the Extensions API's part an internal extension uses: POST .../extension/register, and
GET .../extension/event/next, which sends each invocation's INVOKE event; as on Lambda, the
next invocation is handed out only once every registered extension has asked for its next
event. `timeline` records, in order, each response and each extension's asking.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"
EXTENSIONS = "/2020-01-01/extension"


class FakeRuntimeApi:
    """`time_limit_ms`: how long each invocation may run (Lambda-Runtime-Deadline-Ms is that
    far ahead of the moment the event is handed out); None: practically forever."""

    def __init__(self, events: list[dict[str, Any]], time_limit_ms: int | None = None) -> None:
        self.time_limit_ms = time_limit_ms
        self.pending: queue.Queue[dict[str, Any]] = queue.Queue()
        for event in events:
            self.pending.put(event)
        self.results: queue.Queue[tuple[str, Any]] = queue.Queue()  # ("response" | "error", body)
        self.timeline: list[str] = []  # "response", "error", "extension asks"
        self.handed_at: list[float] = []  # time.perf_counter() as each event was handed out
        self.answered_at: list[float] = []  # ... and as its response or error arrived
        self._invokes: dict[str, queue.Queue[dict[str, Any]]] = {}  # each extension's events
        self._asking: set[str] = set()  # extensions waiting for their next event
        self._ready = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(  # polling for shutdown often: a stop is quick
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def settled(self, timeout: float = 30) -> bool:
        """Whether the last invocation has ended: every registered extension asked again."""
        with self._ready:
            return self._ready.wait_for(lambda: self._asking == set(self._invokes), timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == f"{EXTENSIONS}/event/next":
                    self.next_extension_event()
                    return
                if self.path != f"{PREFIX}/invocation/next":
                    self.send_error(404)
                    return
                event = api.pending.get()  # held until there is one, as Lambda does
                with api._ready:  # the last invocation ends when every extension has asked
                    api._ready.wait_for(lambda: api._asking == set(api._invokes), timeout=30)
                    api._asking.clear()
                body = json.dumps(event).encode()
                request_id = str(uuid.uuid4())
                limit = api.time_limit_ms
                ends = 9999999999999 if limit is None else int(time.time() * 1000) + limit
                invoke = {"eventType": "INVOKE", "deadlineMs": ends, "requestId": request_id}
                for events in api._invokes.values():
                    events.put(invoke)
                api.handed_at.append(time.perf_counter())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(ends))
                self.send_header(
                    "Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:cramp-coach:live",
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def next_extension_event(self) -> None:
                name = self.headers.get("Lambda-Extension-Identifier") or ""
                if name not in api._invokes:
                    self.send_error(403)
                    return
                with api._ready:
                    api._asking.add(name)
                    api.timeline.append("extension asks")
                    api._ready.notify_all()
                self.reply(200, api._invokes[name].get())  # held until an invocation

            def reply(self, status: int, payload: Any, **headers: str) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                for field, value in headers.items():
                    self.send_header(field, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                if self.path == f"{EXTENSIONS}/register":
                    name = str(uuid.uuid4())
                    api._invokes[name] = queue.Queue()
                    described = {"functionName": "cramp-coach", "functionVersion": "$LATEST"}
                    self.reply(200, described, **{"Lambda-Extension-Identifier": name})
                    return
                if self.path.endswith(("/response", "/error")):
                    api.answered_at.append(time.perf_counter())
                if self.path.endswith("/response"):
                    api.timeline.append("response")
                    api.results.put(("response", body))
                elif self.path.endswith("/error"):
                    api.timeline.append("error")
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
