"""The skill served by a real gunicorn on 127.0.0.1, configured as `make serve` runs it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONF = "cramp_coach/web/gunicorn_conf.py"  # relative to lambda/, as in the Makefile
APP = "cramp_coach.web.app:create_app()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Gunicorn:
    def __init__(self, folder: Path, skill_id: str, *, insecure: bool = False) -> None:
        self.port = free_port()
        environment = {
            **os.environ,
            "SKILL_ID": skill_id,
            "CRAMP_COACH_DB": str(folder / "served.sqlite3"),
            "LOG_LEVEL": "ERROR",
        }
        environment.pop("CRAMP_COACH_INSECURE_LOCAL_DEV", None)
        if insecure:
            environment["CRAMP_COACH_INSECURE_LOCAL_DEV"] = "1"
        self.log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 (closed in stop)
        command = [str(Path(sys.executable).with_name("gunicorn")), "-c", CONF]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", APP]
        self.process = subprocess.Popen(
            command, env=environment, cwd=ROOT / "lambda", stdout=self.log, stderr=self.log
        )
        self.wait_until_up()

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
        self.process.terminate()
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
