"""Where per-user attributes live: chosen from configuration in one place."""

from __future__ import annotations

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from ..config import Config
from .sqlite import SqliteStore

__all__ = ["SqliteStore", "open_store"]


def open_store(config: Config) -> AbstractPersistenceAdapter:
    """The store for this configuration. Opening it does no I/O: the first read does."""
    if config.state_path is None:
        raise ValueError("no state path configured")
    return SqliteStore(config.state_path)
