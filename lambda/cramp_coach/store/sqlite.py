"""The embedded store: per-user attributes in one SQLite file (standard library only).

It implements the ASK SDK's persistence adapter interface, so handlers use it through the
AttributesManager exactly as they use DynamoDB in production. The file is opened on the first
read, never at import or construction, so requests that need no state never touch it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

if TYPE_CHECKING:
    import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS attributes (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at REAL NOT NULL DEFAULT (julianday('now'))
)
"""


def user_key(request_envelope: RequestEnvelope) -> str:
    """The partition key: the Alexa user id (as the SDK's DynamoDB adapter uses by default)."""
    system = request_envelope.context.system if request_envelope.context else None
    user_id = system.user.user_id if system is not None and system.user is not None else None
    if not user_id:
        raise PersistenceException("request has no user id")
    return str(user_id)


class SqliteStore(AbstractPersistenceAdapter):
    def __init__(self, path: Path, *, timeout: float = 2.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            import sqlite3

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(
                    self.path, timeout=self.timeout, check_same_thread=False, isolation_level=None
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(SCHEMA)
            except (OSError, sqlite3.Error) as error:
                raise PersistenceException(f"cannot open the state file: {error}") from error
            self._connection = connection
        return self._connection

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = user_key(request_envelope)
        import sqlite3

        with self._lock:
            try:
                row = (
                    self._connect()
                    .execute("SELECT data FROM attributes WHERE id = ?", (key,))
                    .fetchone()
                )
            except sqlite3.Error as error:
                raise PersistenceException(f"state read failed: {error}") from error
        if row is None:
            return {}
        data = json.loads(row[0])
        return data if isinstance(data, dict) else {}

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        key = user_key(request_envelope)
        import sqlite3

        payload = json.dumps(attributes, separators=(",", ":"), sort_keys=True)
        with self._lock:
            try:
                self._connect().execute(
                    "INSERT INTO attributes (id, data) VALUES (?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET data = excluded.data, "
                    "updated_at = julianday('now')",
                    (key, payload),
                )
            except sqlite3.Error as error:
                raise PersistenceException(f"state write failed: {error}") from error

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = user_key(request_envelope)
        import sqlite3

        with self._lock:
            try:
                self._connect().execute("DELETE FROM attributes WHERE id = ?", (key,))
            except sqlite3.Error as error:
                raise PersistenceException(f"state delete failed: {error}") from error

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
