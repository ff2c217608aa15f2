"""A DynamoDB-compatible server on 127.0.0.1: dynalite (npm), for the tests and the bench.

The server listens on a port the system picks (port 0) and says which, so any number of them
(one per test worker) start side by side without racing for a port.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DYNALITE = ROOT / "node_modules" / "dynalite"  # `make test` and `make bench` run npm ci
REGION = "us-east-1"

# dynalite accepts any credentials; boto3 insists on having some.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "cramp-coach-tests")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "cramp-coach-tests")

# dynalite's own CLI reads `--port 0` as "the default port", so it is started through its API.
_START = """
const server = require(process.argv[1])({createTableMs: 100, deleteTableMs: 50});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
"""


class Dynalite:
    def __init__(self, start_within: float = 15.0) -> None:
        self.process = subprocess.Popen(
            ["node", "-e", _START, str(DYNALITE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.port = self._port(start_within)
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def _port(self, within: float) -> int:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], within)
        line = self.process.stdout.readline() if ready else b""
        if line.strip().isdigit():
            return int(line)
        self.process.kill()
        _, stderr = self.process.communicate()
        raise RuntimeError(f"dynalite did not start: {line!r} {stderr!r}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=5)

    def client(self) -> Any:
        from cramp_coach.store.dynamodb import create_client

        return create_client(REGION, self.endpoint)

    def create_table(self, client: Any, name: str | None = None) -> str:
        """Create a table like the production one and wait until it is ACTIVE."""
        name = name or f"cramp-coach-{uuid.uuid4().hex[:8]}"
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        deadline = time.monotonic() + 10
        while client.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise RuntimeError(f"table {name} never became ACTIVE")
            time.sleep(0.05)
        return name
