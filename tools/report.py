"""`make report LOG=file`: what the skill's EMF lines add up to, as a small table.

The file may be the function's log as CloudWatch Logs exports it (each message after a
timestamp, and perhaps a request id), or the lines as the skill wrote them (stdout, or
CRAMP_COACH_METRICS_FILE); lines that are not EMF objects (the runtime's START/END/REPORT
lines, the skill's own log lines) are skipped. The names are metrics.py's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cramp_coach.metrics import Context, Metric

TOP_TOPICS = 5
_DECODER = json.JSONDecoder()


def emf_objects(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    """The EMF objects among the lines, wherever on its line each one starts."""
    for line in lines:
        start = line.find("{")
        if start < 0:
            continue
        try:
            found, _ = _DECODER.raw_decode(line, start)
        except ValueError:
            continue
        if isinstance(found, dict) and isinstance(found.get("_aws"), dict):
            yield found


def totals(lines: Iterable[str]) -> Counter[str]:
    """Every metric's total over the lines (a value may be one number or a list of them)."""
    counted: Counter[str] = Counter()
    for found in emf_objects(lines):
        for block in found["_aws"].get("CloudWatchMetrics") or []:
            for metric in block.get("Metrics") or []:
                name = metric.get("Name")
                value = found.get(name)
                values = value if isinstance(value, list) else [value]
                counted[name] += int(sum(v for v in values if isinstance(v, int | float)))
    return counted


def per_kind(counted: Counter[str], metric: Metric) -> Counter[str]:
    prefix = f"{metric}."
    return Counter({k[len(prefix) :]: v for k, v in counted.items() if k.startswith(prefix)})


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def _n(value: float) -> str:
    return f"{value:.0f}"


def summary(counted: Counter[str]) -> str:
    """The table: fallback rate (and where), routine completion, the most-asked topics, red
    flags, reminders, cold starts and errors."""
    turns = counted[Metric.TURN]
    fallbacks = per_kind(counted, Metric.FALLBACK)
    started, completed = counted[Metric.ROUTINE_STARTED], counted[Metric.ROUTINE_COMPLETED]
    rows = [
        ("requests", _n(sum(per_kind(counted, Metric.REQUEST).values()))),
        ("turns (spoken or touched)", _n(turns)),
        ("fallback rate", f"{_share(sum(fallbacks.values()), turns)} of turns"),
    ]
    rows += [(f"fallbacks: {c}", _n(fallbacks[c])) for c in Context]
    rows += [
        ("routines started", _n(started)),
        ("routines resumed", _n(counted[Metric.ROUTINE_RESUMED])),
        ("routines completed", f"{_n(completed)} ({_share(completed, started)} of started)"),
        ("routines abandoned", _n(counted[Metric.ROUTINE_ABANDONED])),
    ]
    for topic, value in per_kind(counted, Metric.TOPIC).most_common(TOP_TOPICS):
        rows.append((f"topic: {topic}", _n(value)))
    for flag, value in sorted(per_kind(counted, Metric.RED_FLAG).items()):
        rows.append((f"red flag: {flag}", _n(value)))
    rows += [
        ("reminders created", _n(counted[Metric.REMINDER_CREATED])),
        ("reminders changed", _n(counted[Metric.REMINDER_CHANGED])),
        ("reminder permission refused", _n(counted[Metric.REMINDER_REFUSED])),
        ("cold starts", _n(counted[Metric.COLD_START])),
    ]
    rows += [(f"errors: {k}", _n(v)) for k, v in sorted(per_kind(counted, Metric.ERROR).items())]
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sum the skill's EMF lines into a table.")
    parser.add_argument("log", type=Path, help="a log file (CloudWatch Logs export, or stdout)")
    args = parser.parse_args(argv)
    if not args.log.is_file():
        print(f"no such file: {args.log} (make report LOG=file)", file=sys.stderr)
        return 2
    with args.log.open(encoding="utf-8", errors="replace") as lines:
        counted = totals(lines)
    if not counted:
        print(f"{args.log}: no EMF lines", file=sys.stderr)
        return 1
    print(summary(counted))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
