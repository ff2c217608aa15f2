"""`make contention`: writers updating one person at once, on SQLite and on DynamoDB
(dynalite). Prints the dropped updates and writes bench/CONTENTION.md.

Each writer has a store of its own (its own connection or client), as separate devices and
Lambda instances do, and makes its updates through state.save_with_retry: read, change, save
on the condition that nothing changed since the read; an update the retries give up on is
dropped (logged by the skill, never silent).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CASES = [(8, 100), (2, 100)]  # (writers, updates each)


def main() -> int:
    from cramp_coach.store import SqliteStore
    from cramp_coach.store.dynamodb import open_dynamodb
    from tools.contention import contend
    from tools.dynalite import Dynalite

    rows = []
    dynalite = Dynalite()
    try:
        with tempfile.TemporaryDirectory() as folder:
            for writers, updates in CASES:
                path = Path(folder) / f"contended-{writers}.sqlite3"
                table = dynalite.create_table(dynalite.client())
                for name, stores in (
                    ("SQLite", [SqliteStore(path) for _ in range(writers)]),
                    (
                        "DynamoDB (dynalite)",
                        [open_dynamodb(table, dynalite.client()) for _ in range(writers)],
                    ),
                ):
                    began = time.monotonic()
                    dropped, final = contend(stores, updates, f"bench-{writers}")
                    seconds = time.monotonic() - began
                    rows.append((name, writers, updates, dropped, final, seconds))
                    print(
                        f"{name}: {writers} writers x {updates}: {dropped} dropped, "
                        f"count {final}, {seconds:.1f} s"
                    )
    finally:
        dynalite.stop()
    lines = [
        "# Contention: writers updating one person at once",
        "",
        "Written by `make contention` (bench/contention.py). Each writer has its own store "
        "connection and updates through `state.save_with_retry`.",
        "",
        "| store | writers × updates | dropped | final count | wall |",
        "|---|---|---|---|---|",
        *(f"| {name} | {w} × {u} | {d} | {f} | {s:.1f} s |" for name, w, u, d, f, s in rows),
        "",
    ]
    (ROOT / "bench" / "CONTENTION.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
