"""`make bench` (or `make bench ARGS=hostile` for this part alone): the served skill under
hostile clients, on 127.0.0.1, with gunicorn configured as `make serve` runs it.

- Body size: a 300 MB POST, declared and chunked, streamed until the server answers; its
  answer, how much was sent by then, and the workers' peak RSS.
- Nesting: a 2 KB body nested 1000 deep; its answer.
- Certificate downloads caused by 20 stale and 20 foreign (signed) requests, in process.
- Slow clients: a normal client's p50/p99 over keep-alive, alone and while 8 slowloris
  connections (half dribbling headers, half dribbling a body, a byte a second) are held open.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))
sys.path.insert(0, str(ROOT))

from tools.served import Gunicorn, response  # noqa: E402

SKILL_ID = "amzn1.ask.skill.bench-hostile"
POST = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
PROBE_BYTES = 300 * 1024 * 1024
NORMAL_REQUESTS = int(os.environ.get("BENCH_HOSTILE_REQUESTS", "4000"))
SLOWLORIS = 8


def peak_rss_mib(pids: list[int]) -> float:
    def hwm(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1])
        return 0

    return round(max(hwm(pid) for pid in pids) / 1024, 1)


def big_body(server: Gunicorn, chunked: bool) -> dict[str, Any]:
    """Stream a 300 MB body until the server answers (or all is sent)."""
    piece = b" " * 65536
    sock = server.connect(timeout=60)
    head = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {PROBE_BYTES}"
    sock.sendall(f"{POST}{head}\r\n\r\n".encode())
    frame = b"10000\r\n" + piece + b"\r\n" if chunked else piece
    sent, began = 0, time.monotonic()
    status: int | str = "no answer"
    try:
        try:
            while sent < PROBE_BYTES:
                readable, _, _ = select.select([sock], [], [], 0.001)
                if readable:
                    break
                sock.sendall(frame)
                sent += len(piece)
        except OSError:  # the server closed after answering: the answer may still be here
            pass
        status = response(sock)[0]
    except OSError as error:  # reset, the answer lost
        status = type(error).__name__
    finally:
        sock.close()
    return {
        "status": status,
        "sent_mib": round(sent / 1024 / 1024, 2),
        "seconds": round(time.monotonic() - began, 2),
    }


def nesting(server: Gunicorn) -> dict[str, Any]:
    body = b"[" * 1000 + b"]" * 1000
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/", body, {"Content-Type": "application/json"})
    answer = connection.getresponse()
    data = answer.read()
    return {
        "bytes": len(body),
        "status": answer.status,
        "json": answer.getheader("Content-Type") == "application/json",
        "answer": data.decode()[:60],
    }


def fetches() -> dict[str, int]:
    """Certificate downloads caused by stale and foreign signed requests (in process)."""
    from cramp_coach.local import envelope as env
    from cramp_coach.web.verifier import AlexaRequestVerifier, VerificationException
    from tools.pki import Authority

    authority = Authority()
    chain = authority.chain()
    urls: list[str] = []

    def fetch(url: str) -> bytes:
        urls.append(url)
        return chain.pem

    verifier = AlexaRequestVerifier(SKILL_ID, trusted_roots=[authority.root], fetch=fetch)
    refused = 0
    for index in range(20):
        for skill, stamp in (
            (SKILL_ID, datetime.now(UTC) - timedelta(hours=1)),
            ("amzn1.ask.skill.someone-else", datetime.now(UTC)),
        ):
            device = env.Device(skill_id=skill, api_endpoint="https://127.0.0.1:9")
            body = json.dumps(
                env.envelope(env.launch_request(now=stamp), device, env.Session())
            ).encode()
            headers = {
                "SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/c{index}.pem",
                "Signature-256": chain.sign(body),
            }
            try:
                verifier.verify(headers, body)
            except VerificationException:
                refused += 1
    return {"requests": 40, "refused": refused, "fetches": len(urls)}


def normal_client(port: int, count: int) -> dict[str, float]:
    from cramp_coach.local import envelope as env

    device = env.Device(skill_id=SKILL_ID, api_endpoint="https://127.0.0.1:9")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    for _ in range(count):
        body = json.dumps(env.envelope(env.launch_request(), device, env.Session())).encode()
        began = time.perf_counter()
        try:
            connection.request("POST", "/", body, {"Content-Type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            errors += answer.status != 200
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - began)
    latencies.sort()
    return {
        "requests": count,
        "errors": errors,
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
    }


class Slowloris:
    """SLOWLORIS connections, each sending a byte a second; reopened when the server ends one."""

    def __init__(self, server: Gunicorn) -> None:
        self.server = server
        self.stop = threading.Event()
        self.opened = 0
        self.threads = [threading.Thread(target=self.hold, args=(n,)) for n in range(SLOWLORIS)]

    def hold(self, number: int) -> None:
        while not self.stop.is_set():
            try:
                sock = self.server.connect(timeout=2)
                self.opened += 1
                if number % 2:
                    start, drip = POST.encode(), b"X-Slow: " + b"x" * 1000
                else:
                    start, drip = f"{POST}Content-Length: 60000\r\n\r\n".encode(), b" " * 60000
                sock.sendall(start)
                for index in range(len(drip)):
                    if self.stop.wait(1.0):
                        break
                    sock.sendall(drip[index : index + 1])
                sock.close()
            except OSError:
                continue

    def __enter__(self) -> Slowloris:
        for thread in self.threads:
            thread.start()
        time.sleep(2.5)  # every connection has sent something and holds a thread
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def measure(start: Callable[[Path, str, bool], Gunicorn] | None = None) -> dict[str, Any]:
    start = start or (lambda folder, skill, insecure: Gunicorn(folder, skill, insecure=insecure))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-coach-hostile-") as tmp:
        server = start(Path(tmp), SKILL_ID, False)  # verification on, as in production
        try:
            workers = server.workers()
            results["rss_before_mib"] = peak_rss_mib(workers)
            results["declared"] = big_body(server, chunked=False)
            results["chunked"] = big_body(server, chunked=True)
            results["rss_after_mib"] = peak_rss_mib(workers)
            results["nesting"] = nesting(server)
        finally:
            server.stop()
        results["fetches"] = fetches()
        server = start(Path(tmp), SKILL_ID, True)  # the normal client cannot sign like Alexa
        try:
            normal_client(server.port, 100)  # warm every worker
            results["alone"] = normal_client(server.port, NORMAL_REQUESTS)
            with Slowloris(server) as attack:
                results["slowloris"] = normal_client(server.port, NORMAL_REQUESTS)
            results["slowloris"]["connections"] = SLOWLORIS
            results["slowloris"]["opened"] = attack.opened
        finally:
            server.stop()
    return results


def section(hostile: dict[str, Any] | None) -> list[str]:
    """bench/README.md's lines for these results."""
    if not hostile:
        return []
    declared, chunked, nest = hostile["declared"], hostile["chunked"], hostile["nesting"]
    alone, attacked, fetched = hostile["alone"], hostile["slowloris"], hostile["fetches"]
    return [
        "",
        "## Hostile clients (the web service, `make serve`'s gunicorn settings)",
        "",
        f"Measured {hostile['date']}: gunicorn on 127.0.0.1 with `lambda/cramp_coach/web/"
        "gunicorn_conf.py` (2 gthread workers × 16 threads), request verification on for the "
        "body probes; bench/hostile.py.",
        "",
        "| probe | answer | measured | target | met |",
        "|---|---|---|---|---|",
        f"| 300 MB POST, Content-Length declared | {declared['status']} | answered after the "
        f"client had sent {declared['sent_mib']} MiB, in {declared['seconds']} s | 413 | "
        f"{'yes' if declared['status'] == 413 else 'no'} |",
        f"| 300 MB POST, chunked | {chunked['status']} | answered after the client had sent "
        f"{chunked['sent_mib']} MiB, in {chunked['seconds']} s | 413 | "
        f"{'yes' if chunked['status'] == 413 else 'no'} |",
        f"| workers' peak RSS | | {hostile['rss_before_mib']} MiB before the probes, "
        f"{hostile['rss_after_mib']} MiB after | unchanged | "
        f"{'yes' if hostile['rss_after_mib'] - hostile['rss_before_mib'] < 5 else 'no'} |",
        f"| {nest['bytes']}-byte body nested 1000 deep | {nest['status']}"
        f"{' (JSON)' if nest['json'] else ''} | `{nest['answer']}` | JSON 400 | "
        f"{'yes' if nest['status'] == 400 and nest['json'] else 'no'} |",
        f"| 20 stale + 20 foreign signed requests | {fetched['refused']} of "
        f"{fetched['requests']} refused | {fetched['fetches']} certificate downloads | 0 | "
        f"{'yes' if fetched['fetches'] == 0 else 'no'} |",
        f"| normal client alone ({alone['requests']} launches, keep-alive) | "
        f"{alone['errors']} errors | p50 {alone['p50_ms']} ms, p99 {alone['p99_ms']} ms | | |",
        f"| normal client with {attacked['connections']} slowloris connections held open "
        f"({attacked['opened']} opened in all) | {attacked['errors']} errors | p50 "
        f"{attacked['p50_ms']} ms, p99 {attacked['p99_ms']} ms, max {attacked['max_ms']} ms | "
        f"p99 < 100 ms | {'yes' if attacked['p99_ms'] < 100 and not attacked['errors'] else 'no'} |",
        "",
        "The client's figure counts what it handed to its kernel before the answer came; that "
        "the app reads no declared body over 64 KiB and no more than 64 KiB + 1 byte of a "
        "chunked one is checked by tests/test_web_service.py. Half the slowloris connections "
        "dribble headers and half a body, a byte a second; a body not sent in 5 s is answered "
        "408 (gunicorn then drains the connection for up to 5 s before closing it), and a "
        "closed connection is opened again. Each holds one thread while it dribbles. In "
        "production a buffering reverse proxy in front (README) keeps them from gunicorn "
        "altogether.",
    ]


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
