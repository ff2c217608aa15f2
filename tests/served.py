"""The skill served by real gunicorn workers on 127.0.0.1, for the tests and the bench."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from cramp_coach.local import envelope as env
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.store import SqliteStore

from .dynamo import ROOT, free_port

DAYTIME = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # mid-morning in New York: no night mode

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@contextmanager
def served(
    environment: Mapping[str, str], arguments: Sequence[str] = ("--workers", "2")
) -> Iterator[str]:
    """gunicorn serving `create_app()` with this environment added; yields the skill's URL."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(
        [*command, *arguments, "cramp_coach.web.app:create_app()"],
        cwd=ROOT / "lambda",
        env={**os.environ, **environment},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


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


def insecure_environment(database: Path, ca_file: str) -> dict[str, str]:
    """The served skill on a local file, trusting the stand-in for Alexa's APIs."""
    return {
        "CRAMP_COACH_INSECURE_LOCAL_DEV": "1",
        "CRAMP_COACH_DB": str(database),
        "SSL_CERT_FILE": ca_file,
        "REQUESTS_CA_BUNDLE": ca_file,
    }


def deletions_left(
    url: str, store: SqliteStore, resolver: Resolver, api_endpoint: str, conversations: int
) -> int:
    """How many of `conversations` "delete my data", "yes" exchanges left an item behind; each
    is a new person on a new device, so the worker hearing the yes may never have seen them."""
    left = 0
    for _ in range(conversations):
        user = f"amzn1.ask.account.{uuid.uuid4().hex}"
        device_id = f"amzn1.ask.device.{uuid.uuid4().hex}"
        device = env.Device(user_id=user, device_id=device_id, api_endpoint=api_endpoint)
        echo = Simulator(over_http(url), resolver, device, clock=lambda: DAYTIME)
        echo.say("ask cramp coach to delete my data")
        if not echo.say("yes").ends_session:
            raise AssertionError("the yes did not end the session")
        event = env.envelope(env.launch_request(), env.Device(user_id=user), env.Session())
        envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
        left += bool(store.get_attributes(envelope))
    return left


SERVE_SETTINGS = ("-c", "python:cramp_coach.web.gunicorn_conf")  # what `make serve` runs


@contextmanager
def slow_clients(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` slowloris clients: each sends its headers and half its body, then waits."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    held = []
    try:
        for _ in range(count):
            client = socket.create_connection((host, int(port)), timeout=5)
            client.sendall(
                b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b"Content-Length: 4000\r\n\r\n" + b'{"version": "1.0", "session": ' + b" " * 1000
            )
            held.append(client)
        time.sleep(0.5)  # every one of them has reached the server and holds a connection
        yield held
    finally:
        for client in held:
            client.close()


def health_latencies(url: str, requests: int, timeout: float = 5.0) -> list[float]:
    """Seconds each of `requests` GET /health took, one after another (timeout counts in full)."""
    seconds = []
    for _ in range(requests):
        began = time.monotonic()
        with suppress(OSError):  # a refusal or a timeout: the wait is what is measured
            urllib.request.urlopen(url + "health", timeout=timeout).read()
        seconds.append(time.monotonic() - began)
    return seconds
