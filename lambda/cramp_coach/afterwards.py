"""Work a request leaves until its answer has gone: its EMF line (metrics.py).

On Lambda, an internal extension, a thread of this process registered with the Lambda
Extensions API at init, is sent an INVOKE event with every invocation. Lambda returns the
function's response to the caller as soon as the runtime posts it, and ends the invocation
(freezing the process) only once the extension asks for its next event. So the thread waits
for the handler to hand over the invocation's jobs (`done`, in lambda_function's `finally`),
runs them while the answer is on its way, then asks for the next event. Everywhere else (the
web service, the chat, the tests), and whenever the extension could not register, `later` runs
a job at once.

The Extensions API is spoken with the standard library's http.client: on the production path
(DynamoDB) botocore loads it in the first answer anyway, so loading it at init moves that cost
rather than adding to it (bench/README.md).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

API = "/2020-01-01/extension"
NAME = "cramp-coach-metrics"
UNKNOWN_DEADLINE_S = 10.0  # the function's time limit when an event does not give it
KEPT_FOR_THE_RUNTIME_S = 0.2  # the thread gives up this long before the invocation's deadline

Job = Callable[[], None]


def exchange(
    address: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request to the Runtime API (host:port): the status, the header fields
    (lower-case names) and the body."""
    from http.client import HTTPConnection

    connection = HTTPConnection(address)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        fields = {name.lower(): value for name, value in response.getheaders()}
        return response.status, fields, response.read()
    finally:
        connection.close()


class Afterwards:
    def __init__(self) -> None:
        self._pending: list[Job] = []
        self._handed: queue.Queue[list[Job]] = queue.Queue()
        self.registered = False

    def later(self, job: Job) -> None:
        """Run `job` once this invocation's answer has gone (at once, without the extension)."""
        if self.registered:
            self._pending.append(job)
        else:
            run(job)

    def done(self) -> None:
        """The handler has returned: its jobs go to the extension's thread."""
        if self.registered:
            jobs, self._pending = self._pending, []
            self._handed.put(jobs)

    def register(self, runtime_api: str) -> bool:
        """Register the internal extension (only allowed during Lambda's init) and start its
        thread. False, and jobs run at once, if the API refused or could not be reached."""
        try:
            status, fields, _ = exchange(
                runtime_api,
                "POST",
                f"{API}/register",
                {"Lambda-Extension-Name": NAME, "Content-Type": "application/json"},
                json.dumps({"events": ["INVOKE"]}).encode(),
            )
        except OSError as error:
            log.warning("metrics extension not registered: %s", type(error).__name__)
            return False
        identifier = fields.get("lambda-extension-identifier")
        if status != 200 or not identifier:
            log.warning("metrics extension not registered: HTTP %s", status)
            return False
        self.registered = True
        thread = threading.Thread(
            target=self._serve, args=(runtime_api, identifier), name=NAME, daemon=True
        )
        thread.start()
        return True

    def _serve(self, runtime_api: str, identifier: str) -> None:
        """Ask for the next event; for an invocation, wait for its jobs and run them."""
        while True:
            try:
                _, _, body = exchange(
                    runtime_api,
                    "GET",
                    f"{API}/event/next",
                    {"Lambda-Extension-Identifier": identifier},
                )
                event: Any = json.loads(body or b"{}")
            except (OSError, ValueError) as error:  # the API is gone: the process is ending
                log.warning("metrics extension stopped: %s", type(error).__name__)
                self.registered = False
                return
            deadline = event.get("deadlineMs") if isinstance(event, dict) else None
            wait = (
                deadline / 1000 - time.time() - KEPT_FOR_THE_RUNTIME_S
                if isinstance(deadline, int | float)
                else UNKNOWN_DEADLINE_S
            )
            try:
                jobs = self._handed.get(timeout=max(0.0, wait))
            except queue.Empty:
                log.warning("metrics extension: the invocation handed over nothing")
                continue
            for job in jobs:
                run(job)


def run(job: Job) -> None:
    try:
        job()
    except Exception as error:  # a count must never cost an answer
        log.warning("after the answer: %s failed: %s", job.__name__, type(error).__name__)


AFTERWARDS = Afterwards()  # the process's
