"""Stores that count: the embedded store, with how many reads and writes reached it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ask_sdk_model import RequestEnvelope

from cramp_coach.store import SqliteStore


class CountingStore(SqliteStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = self.writes = 0

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        self.reads += 1
        return super().get_attributes(request_envelope)

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self.writes += 1
        super().save_attributes(request_envelope, attributes)
