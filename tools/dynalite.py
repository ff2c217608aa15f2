"""A DynamoDB-compatible server for the tests: dynalite (npm), started on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DYNALITE = ROOT / "node_modules" / "dynalite" / "cli.js"
REGION = "us-east-1"

# dynalite accepts any credentials; boto3 insists on having some.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "cramp-coach-tests")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "cramp-coach-tests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Dynalite:
    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                "node",
                str(DYNALITE),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--createTableMs",
                "100",
                "--deleteTableMs",
                "50",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    stderr = self.process.stderr.read() if self.process.stderr else b""
                    raise RuntimeError(f"dynalite exited: {stderr!r}") from None
                time.sleep(0.05)
        raise RuntimeError("dynalite did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)

    def resource(self) -> Any:
        from cramp_coach.store.dynamodb import create_resource

        return create_resource(REGION, self.endpoint)

    def create_table(self, resource: Any, name: str | None = None) -> str:
        """Create a table like the production one and wait until it is ACTIVE."""
        name = name or f"cramp-coach-{uuid.uuid4().hex[:8]}"
        client = resource.meta.client
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
