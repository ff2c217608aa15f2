"""Where per-user attributes live, chosen from configuration in this one place.

- DynamoDB when DYNAMODB_PERSISTENCE_TABLE_NAME is set (as on Alexa-hosted skills);
- otherwise the embedded SQLite store (CRAMP_COACH_DB, or a per-user data folder).

Opening a store does no I/O and imports nothing heavy: boto3 is imported, and the DynamoDB
client created, by the first request that actually reads or writes state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from ..config import Config
from .errors import VERSION, VersionConflict
from .sqlite import SqliteStore

__all__ = ["VERSION", "LazyStore", "SqliteStore", "VersionConflict", "open_store"]


class LazyStore(AbstractPersistenceAdapter):
    """A store built on first use, by `factory`; requests without state never build it."""

    def __init__(self, factory: Callable[[], AbstractPersistenceAdapter]) -> None:
        self._factory = factory
        self._store: AbstractPersistenceAdapter | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> AbstractPersistenceAdapter:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._factory()
        return self._store

    @property
    def built(self) -> bool:
        return self._store is not None

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        attributes: dict[str, Any] = self.store.get_attributes(request_envelope)
        return attributes

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self.store.save_attributes(request_envelope, attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.store.delete_attributes(request_envelope)


def open_store(config: Config) -> AbstractPersistenceAdapter:
    """The store for this configuration. Opening it does no I/O: the first read does."""
    if config.dynamodb_table:
        table, region = config.dynamodb_table, config.dynamodb_region

        def build() -> AbstractPersistenceAdapter:
            from .dynamodb import create_client, open_dynamodb

            return open_dynamodb(table, create_client(region))

        return LazyStore(build)
    if config.state_path is None:
        raise ValueError("no state path configured")
    return SqliteStore(config.state_path)
