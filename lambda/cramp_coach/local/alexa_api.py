"""A stand-in for Alexa's service APIs on 127.0.0.1, for the terminal chat and the tests.

It speaks HTTPS (the SDK's client refuses plain HTTP) with a certificate it makes itself, and
implements just what Cramp Coach calls, the way Amazon documents it:

- GET  /v2/devices/{deviceId}/settings/System.timeZone      -> "Europe/London"
- POST /v1/alerts/reminders                                  -> {"alertToken": ..., ...}
  (the trigger checked as Alexa checks it: SCHEDULED_ABSOLUTE with a `scheduledTime` in the
  future, written without a zone, or a `recurrence`; SCHEDULED_RELATIVE with a positive
  `offsetInSeconds` and neither; anything else 400 INVALID_TRIGGER...)
- GET  /v1/alerts/reminders                                  -> {"totalCount": ..., "alerts": [...]}
- PUT  /v1/alerts/reminders/{alertToken}
- DELETE /v1/alerts/reminders/{alertToken}

Every request is recorded (method, path, headers, JSON body) so tests can assert exactly what
the SDK sent. `fail(...)` makes a path answer with an error status, or hang, to test failures;
`slow(...)` makes it answer normally but late.
Point a request envelope's `context.System.apiEndpoint` at `endpoint`, and trust `ca_file`
(REQUESTS_CA_BUNDLE) so the SDK's client accepts the certificate.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TIME_ZONE_PATH = re.compile(r"^/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone$")
REMINDERS_PATH = "/v1/alerts/reminders"
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")  # no zone


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    status: int = 500
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow or hung API)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cramp-coach local Alexa API")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "alexa-api.pem", folder / "alexa-api.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the tests' timeouts do, on purpose) is not an error."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError | TimeoutError):
            return
        super().handle_error(request, client_address)


class FakeAlexaApi:
    def __init__(self, time_zone: str = "America/New_York") -> None:
        self.time_zone = time_zone
        self.time_zones: dict[str, str] = {}  # per device, overriding time_zone
        self.requests: list[Recorded] = []
        self.reminders: dict[str, dict[str, Any]] = {}
        self.failures: dict[tuple[str, str], Failure] = {}
        self.delays: dict[tuple[str, str], float] = {}  # (method, path prefix) -> seconds
        self._lock = threading.Lock()
        self._folder = tempfile.TemporaryDirectory(prefix="cramp-coach-api-")
        cert, key = make_certificate(Path(self._folder.name))
        self.ca_file = str(cert)
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.endpoint = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(  # a short poll: closing waits for one
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # --- test controls ------------------------------------------------------------------------

    def fail(self, method: str, path_prefix: str, failure: Failure) -> None:
        self.failures[(method, path_prefix)] = failure

    def slow(self, method: str, path_prefix: str, seconds: float) -> None:
        """Answer these calls normally, but only after `seconds` (a slow API)."""
        self.delays[(method, path_prefix)] = seconds

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.failures.clear()
            self.delays.clear()

    def calls(self, method: str | None = None, prefix: str = "") -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and r.path.startswith(prefix)
            ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._folder.cleanup()

    # --- the API --------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        for (slow_method, prefix), seconds in list(self.delays.items()):
            if slow_method == method and path.startswith(prefix):
                time.sleep(seconds)
                break
        for (fail_method, prefix), failure in self.failures.items():
            if fail_method == method and path.startswith(prefix):
                if failure.delay:
                    time.sleep(failure.delay)
                return failure.status, failure.body
        zone = TIME_ZONE_PATH.match(path)
        if zone and method == "GET":
            return 200, self.time_zones.get(zone.group("device"), self.time_zone)
        if path == REMINDERS_PATH and method == "POST":
            problem = self._trigger_problem(body)
            if problem is not None:
                return 400, {"code": problem, "message": "invalid trigger"}
            token = str(uuid.uuid4())
            created = self._created(body)
            self.reminders[token] = {
                **body,
                "alertToken": token,
                "status": "ON",
                "createdTime": created,
                "updatedTime": created,
            }
            return 201, {
                "alertToken": token,
                "createdTime": created,
                "updatedTime": created,
                "status": "ON",
                "version": "1",
                "href": f"{REMINDERS_PATH}/{token}",
            }
        if path == REMINDERS_PATH and method == "GET":
            alerts = list(self.reminders.values())
            return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
        if path.startswith(REMINDERS_PATH + "/"):
            token = path.rsplit("/", 1)[1]
            if token not in self.reminders:
                return 404, {"code": "NOT_FOUND", "message": "no such reminder"}
            if method == "DELETE":
                del self.reminders[token]
                return 200, {}
            if method == "PUT":
                problem = self._trigger_problem(body)
                if problem is not None:
                    return 400, {"code": problem, "message": "invalid trigger"}
                updated = self._created(body)
                kept = self.reminders[token].get("createdTime", updated)
                self.reminders[token] = {
                    **body,
                    "alertToken": token,
                    "status": "ON",
                    "createdTime": kept,
                    "updatedTime": updated,
                }
                return 200, {"alertToken": token, "status": "ON", "version": "2"}
            if method == "GET":
                return 200, self.reminders[token]
        return 404, {"code": "NOT_FOUND", "message": f"{method} {path}"}

    def _created(self, body: Any) -> str:
        """When Alexa takes the reminder (UTC): the request's `requestTime`, on the device's
        clock, so a simulated clock gives simulated creation times."""
        from zoneinfo import ZoneInfo

        try:
            local = dt.datetime.fromisoformat(str(body["requestTime"]))
            moment = local.replace(tzinfo=ZoneInfo(self.time_zone)).astimezone(dt.UTC)
        except (TypeError, KeyError, ValueError):
            moment = dt.datetime.now(dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000")

    @staticmethod
    def _trigger_problem(body: Any) -> str | None:
        """Why Alexa would refuse this reminder's trigger, or None."""
        trigger = body.get("trigger") if isinstance(body, dict) else None
        if not isinstance(trigger, dict):
            return "INVALID_TRIGGER"
        kind = trigger.get("type")
        scheduled, recurrence = trigger.get("scheduledTime"), trigger.get("recurrence")
        offset = trigger.get("offsetInSeconds")
        if kind == "SCHEDULED_RELATIVE":
            if scheduled is not None or recurrence is not None:
                return "INVALID_TRIGGER"
            if not isinstance(offset, int) or isinstance(offset, bool) or offset <= 0:
                return "INVALID_TRIGGER_OFFSET"
            return None
        if kind != "SCHEDULED_ABSOLUTE" or offset is not None:
            return "INVALID_TRIGGER"
        if scheduled is None:
            return None if isinstance(recurrence, dict) else "INVALID_TRIGGER"
        if not isinstance(scheduled, str) or not LOCAL_TIME.match(scheduled):
            return "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"
        requested = str(body.get("requestTime", ""))
        past = LOCAL_TIME.match(requested) and dt.datetime.fromisoformat(
            scheduled
        ) <= dt.datetime.fromisoformat(requested)
        return "PAST_SCHEDULED_TIME" if recurrence is None and past else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw.decode(errors="replace")
                with api._lock:
                    api.requests.append(
                        Recorded(self.command, self.path, dict(self.headers.items()), body)
                    )
                status, answer = api._answer(self.command, self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
