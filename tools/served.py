"""The skill served by a real gunicorn on 127.0.0.1, configured as `make serve` runs it, for the
tests and the bench: the process, raw HTTP responses, and conversations over HTTP.

gunicorn is handed a socket already listening on a port the system picked (fd://), so servers
started side by side (one per test worker) never race for a port."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from cramp_coach.local import envelope as env
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.store import SqliteStore

ROOT = Path(__file__).resolve().parents[1]
CONF = "cramp_coach/web/gunicorn_conf.py"  # relative to lambda/, as in the Makefile
APP = "cramp_coach.web.app:create_app()"


class Gunicorn:
    """`app` is gunicorn's app spec: the factory may take literal arguments, as in
    "cramp_coach.web.app:create_app(body_deadline=0.5)"."""

    def __init__(
        self,
        folder: Path,
        skill_id: str,
        *,
        insecure: bool = False,
        workers: int = 2,
        app: str = APP,
    ) -> None:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self.port: int = listener.getsockname()[1]
        self.folder = folder
        environment = {
            **os.environ,
            "SKILL_ID": skill_id,
            "CRAMP_COACH_DB": str(self.database),
            "LOG_LEVEL": "ERROR",
        }
        environment.pop("CRAMP_COACH_INSECURE_LOCAL_DEV", None)
        if insecure:
            environment["CRAMP_COACH_INSECURE_LOCAL_DEV"] = "1"
        self.log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 (closed in stop)
        command = [str(Path(sys.executable).with_name("gunicorn")), "-c", CONF]
        command += ["--bind", f"fd://{listener.fileno()}", "--workers", str(workers)]
        command += ["--log-level", "warning", app]
        with listener:  # gunicorn has its own copy
            self.process = subprocess.Popen(
                command,
                env=environment,
                cwd=ROOT / "lambda",
                stdout=self.log,
                stderr=self.log,
                pass_fds=(listener.fileno(),),
            )
        self.wait_until_up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def database(self) -> Path:
        return self.folder / "served.sqlite3"

    def wait_until_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the served skill did not come up")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def connect(self, timeout: float = 10.0) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def stop(self) -> None:
        """A quick shutdown (SIGQUIT): a graceful one waits out kept-alive connections."""
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response from a raw socket: status, headers (lower-case), body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length]


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
DAYTIME = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # mid-morning in New York: no night mode


def over_http(url: str) -> Handler:
    """A handler for the simulated Echo that posts each envelope to the served skill."""

    def send(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            url, json.dumps(event).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            body: dict[str, Any] = json.load(answer)
            return body

    return send


def deletions_left(
    server: Gunicorn, store: SqliteStore, resolver: Resolver, api_endpoint: str, count: int
) -> int:
    """How many of `count` "delete my data", "yes" exchanges left an item behind. Each is a new
    person on a new device, so the worker hearing the yes may never have seen them (and looks
    the device's time zone up during the deletion)."""
    left = 0
    for _ in range(count):
        user = f"amzn1.ask.account.{uuid.uuid4().hex}"
        device_id = f"amzn1.ask.device.{uuid.uuid4().hex}"
        device = env.Device(user_id=user, device_id=device_id, api_endpoint=api_endpoint)
        echo = Simulator(over_http(server.url), resolver, device, clock=lambda: DAYTIME)
        echo.say("ask cramp coach to delete my data")
        if not echo.say("yes").ends_session:
            raise AssertionError("the yes did not end the session")
        event = env.envelope(env.launch_request(), env.Device(user_id=user), env.Session())
        envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
        left += bool(store.get_attributes(envelope))
    return left
