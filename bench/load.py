"""`make load`: the served skill under a bounded load from a second process, on 127.0.0.1.

Starts gunicorn serving cramp_coach.web.app on a free port with `make serve`'s settings (the
embedded store in a temporary folder), then a separate client process sends a mix of launches, questions and routine steps
from several simulated people over keep-alive connections, stops by itself after a fixed
number of requests or seconds, and reports requests per second, p50/p99 latency and errors.

Request verification is off for the load (CRAMP_COACH_INSECURE_LOCAL_DEV=1): the load client
cannot sign like Alexa. `make bench` measures the verifier's own cost separately.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))
sys.path.insert(0, str(ROOT))

SKILL_ID = "amzn1.ask.skill.load-test"
QUESTIONS = [
    "WhyCrampsIntent", "PreventionIntent", "MagnesiumIntent", "AlsIntent", "SeeDoctorIntent",
    "HydrationIntent", "QuinineWarningIntent", "AMAZON.HelpIntent", "CrampNowIntent",
]  # fmt: skip


def envelope(person: int, kind: str, session: dict[str, Any]) -> dict[str, Any]:
    from cramp_coach.local import envelope as env

    device = env.Device(
        skill_id=SKILL_ID,
        user_id=f"amzn1.ask.account.LOAD{person}",
        device_id=f"amzn1.ask.device.LOAD{person}",
        api_endpoint="https://127.0.0.1:9",  # no time zone: day mode, nothing leaves the machine
    )
    if kind == "launch":
        request = env.launch_request()
    elif kind == "question":
        request = env.intent_request(random.choice(QUESTIONS))
    elif kind == "start":
        request = env.intent_request(
            "StartRoutineIntent", {"length": env.Slot("full", "FULL", "full", "ROUTINE_LENGTH")}
        )
    else:
        request = env.intent_request("AMAZON.NextIntent")
    live = env.Session(new=not session, attributes=session)
    return env.envelope(request, device, live)


def client(port: int, requests: int, seconds: float, workers: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    remaining = [requests]

    def person(number: int) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        session: dict[str, Any] = {}
        step = 0
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            roll = random.random()
            if step and session.get("routine"):
                kind = "next"
            elif roll < 0.3:
                kind = "launch"
            elif roll < 0.75:
                kind = "question"
            else:
                kind = "start"
            body = json.dumps(envelope(number, kind, session)).encode()
            began = time.perf_counter()
            try:
                connection.request("POST", "/", body, {"Content-Type": "application/json"})
                answer = connection.getresponse()
                data = answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok, data = False, b""
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1
            if ok:
                payload = json.loads(data)
                ended = (payload.get("response") or {}).get("shouldEndSession", True)
                session = {} if ended is not False else (payload.get("sessionAttributes") or {})
                step = step + 1 if session.get("routine") else 0

    began = time.monotonic()
    threads = [threading.Thread(target=person, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(duration, 2),
        "rps": round(len(latencies) / duration, 1) if duration else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2)
        if ordered
        else None,
        "workers": workers,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4, help="simultaneous people")
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--client", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(args.client, args.requests, args.seconds, args.workers)))
        return 0

    from tools.served import Gunicorn

    with tempfile.TemporaryDirectory(prefix="cramp-coach-load-") as folder:
        server = Gunicorn(Path(folder), SKILL_ID, insecure=True, workers=args.server_workers)
        port = server.port
        try:
            # Warm each worker once (its first request builds the skill and opens the store).
            client(port, args.server_workers * 4, 10.0, args.server_workers)
            out = subprocess.run(
                [sys.executable, __file__, "--client", str(port), "--requests", str(args.requests),
                 "--seconds", str(args.seconds), "--workers", str(args.workers)],
                capture_output=True, text=True, check=True, timeout=args.seconds + 60,
            )  # fmt: skip
        finally:
            server.stop()
    result = json.loads(out.stdout)
    print(
        f"load: {result['requests']} requests in {result['seconds']} s from {result['workers']} "
        f"simultaneous people -> {result['rps']} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, errors {result['errors']}"
    )
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
