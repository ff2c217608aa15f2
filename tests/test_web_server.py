"""The served skill under hostile clients: a real gunicorn, configured as `make serve` runs it.

Each test talks to it over raw sockets on 127.0.0.1 with generous timeouts: they check what
happens (413, 408, /health answering), not how fast; `make bench` measures the speed."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.served import Gunicorn, response

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
POST = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


BODY_DEADLINE = 0.5  # seconds: the impatient server's (make serve's is web.app.BODY_DEADLINE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    served = Gunicorn(tmp_path_factory.mktemp("served"), SKILL_ID)  # verification on
    yield served
    served.stop()


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """The same, giving a client BODY_DEADLINE to send its body, so a test need not wait 5 s."""
    app = f"cramp_coach.web.app:create_app(body_deadline={BODY_DEADLINE})"
    served = Gunicorn(tmp_path_factory.mktemp("impatient"), SKILL_ID, app=app)
    yield served
    served.stop()


def json_error(status: int, headers: dict[str, str], body: bytes) -> str:
    assert headers.get("content-type") == "application/json", (status, headers, body)
    reason: str = json.loads(body)["error"]
    return reason


def health(server: Gunicorn) -> int:
    with server.connect(timeout=5) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return response(sock)[0]


def test_a_300_mb_body_is_refused_without_waiting_for_it(server: Gunicorn) -> None:
    with server.connect() as sock:
        sock.sendall(f"{POST}Content-Length: {300 * 1024 * 1024}\r\n\r\n".encode())
        sock.sendall(b" " * 100_000)  # and then nothing: the server must not wait for the rest
        status, headers, body = response(sock)
    assert status == 413
    assert "over" in json_error(status, headers, body)


def test_a_chunked_body_over_the_cap_is_refused(server: Gunicorn) -> None:
    chunk = b" " * 8192
    with server.connect() as sock:
        sock.sendall(f"{POST}Transfer-Encoding: chunked\r\n\r\n".encode())
        sock.sendall(b"".join(b"2000\r\n" + chunk + b"\r\n" for _ in range(24)))  # 192 KiB
        status, headers, body = response(sock)
    assert status == 413
    json_error(status, headers, body)


def test_a_half_sent_body_is_answered_408(impatient: Gunicorn) -> None:
    with impatient.connect(timeout=20) as sock:
        began = time.monotonic()  # before the server can start its clock
        sock.sendall(f"{POST}Content-Length: 2000\r\n\r\n".encode() + b"{" * 1000)
        status, headers, body = response(sock)
        waited = time.monotonic() - began
    assert status == 408
    json_error(status, headers, body)
    assert waited >= BODY_DEADLINE  # the server waited out the body's deadline


def test_health_answers_while_slow_clients_hold_connections(server: Gunicorn) -> None:
    slow: list[socket.socket] = []
    try:
        for index in range(8):
            sock = server.connect()
            if index % 2:
                sock.sendall(POST.encode() + b"Content-Le")  # headers, half-sent
            else:
                sock.sendall(f"{POST}Content-Length: 2000\r\n\r\n".encode() + b"{" * 1000)
            slow.append(sock)
        assert [health(server) for _ in range(20)] == [200] * 20
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.parametrize(
    ("request_head", "statuses"),
    [
        (f"GET /health?{'x' * 3000} HTTP/1.1\r\nHost: a\r\n", {414}),
        (f"GET /health HTTP/1.1\r\nHost: a\r\nX-Long: {'x' * 5000}\r\n", {400, 431}),
        ("GET /health HTTP/1.1\r\nHost: a\r\n" + "X-Many: 1\r\n" * 40, {400, 431}),
    ],
    ids=["request line", "header size", "header count"],
)
def test_request_line_and_header_limits(
    server: Gunicorn, request_head: str, statuses: set[int]
) -> None:
    with server.connect() as sock:
        sock.sendall(request_head.encode() + b"\r\n")
        assert response(sock)[0] in statuses


def test_the_worker_class_is_threaded(server: Gunicorn) -> None:
    workers = server.workers()
    assert len(workers) == 2
    for pid in workers:
        threads = int(
            next(
                line.split()[1]
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("Threads:")
            )
        )
        assert threads > 1  # a sync worker has one; gthread starts its pool as requests come
