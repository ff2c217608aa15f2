"""The embedded store: per-user attributes in one SQLite file (standard library only).

It implements the ASK SDK's persistence adapter interface, so handlers use it through the
AttributesManager exactly as they use DynamoDB in production. The file is opened on the first
read, never at import or construction, so requests that need no state never touch it.
Saves are conditional on the version read (see errors.VERSION), like the DynamoDB store's.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from ..ids import user_id
from .errors import VERSION, VersionConflict, split_version

if TYPE_CHECKING:
    import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS attributes (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at REAL NOT NULL DEFAULT (julianday('now'))
)
"""


def user_key(request_envelope: RequestEnvelope) -> str:
    """The partition key: the Alexa user id (as the SDK's DynamoDB adapter uses by default)."""
    user = user_id(request_envelope)
    if not user:
        raise PersistenceException("request has no user id")
    return user


def _use_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """Switch the file to WAL. Connections opening a new file at once may be told "database is
    locked" straight away, without SQLite's busy wait, while another one switches it: they try
    again, for up to `timeout` seconds in all, as any other statement would wait."""
    import sqlite3
    import time

    end = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= end:
                raise
            time.sleep(0.005)


class SqliteStore(AbstractPersistenceAdapter):
    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 2.0) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            import sqlite3

            try:
                os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
                connection = sqlite3.connect(
                    self.path, timeout=self.timeout, check_same_thread=False, isolation_level=None
                )
                _use_wal(connection, self.timeout)
                # WAL with NORMAL sync: no fsync per commit, still never corrupt; at worst the
                # last saved step is lost in a power cut. Right for a local, per-person store.
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute(SCHEMA)
            except (OSError, sqlite3.Error) as error:
                raise PersistenceException(f"cannot open the state file: {error}") from error
            self._connection = connection
        return self._connection

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        import sqlite3

        with self._lock:
            try:
                return self._connect().execute(sql, args)
            except sqlite3.IntegrityError:
                raise  # a conditional insert lost the race: the caller decides
            except sqlite3.Error as error:
                raise PersistenceException(f"state store failed: {error}") from error

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        row = self._run(
            "SELECT data, version FROM attributes WHERE id = ?", (user_key(request_envelope),)
        ).fetchone()
        if row is None:
            return {}
        data = json.loads(row[0])
        attributes: dict[str, Any] = data if isinstance(data, dict) else {}
        attributes[VERSION] = row[1]
        return attributes

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        import sqlite3

        key = user_key(request_envelope)
        expected, data = split_version(attributes)
        payload = json.dumps(data, separators=(",", ":"), sort_keys=True)
        if expected is None:
            try:
                self._run(
                    "INSERT INTO attributes (id, data, version) VALUES (?, ?, 1)", (key, payload)
                )
            except sqlite3.IntegrityError as error:
                raise VersionConflict("attributes were created by another session") from error
            attributes[VERSION] = 1
            return
        cursor = self._run(
            "UPDATE attributes SET data = ?, version = version + 1, updated_at = julianday('now') "
            "WHERE id = ? AND version = ?",
            (payload, key, expected),
        )
        if cursor.rowcount != 1:
            raise VersionConflict("attributes changed since they were read")
        attributes[VERSION] = expected + 1

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._run("DELETE FROM attributes WHERE id = ?", (user_key(request_envelope),))

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
