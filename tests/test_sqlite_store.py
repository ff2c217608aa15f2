"""What only the embedded store does: a file, opened lazily, in a folder it creates."""

from __future__ import annotations

from pathlib import Path

import pytest
from ask_sdk_core.exceptions import PersistenceException

from cramp_coach.config import Config, default_state_path
from cramp_coach.store import SqliteStore, open_store

from .helpers.stored import envelope_for, plain


def test_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "s.sqlite3"
    SqliteStore(path).save_attributes(envelope_for("u"), {"welcomed": True})
    assert plain(SqliteStore(path).get_attributes(envelope_for("u"))) == {"welcomed": True}


def test_nothing_is_opened_until_first_use(tmp_path: Path) -> None:
    path = tmp_path / "lazy.sqlite3"
    SqliteStore(path)
    assert not path.exists()


def test_an_unusable_path_raises_the_sdk_persistence_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    store = SqliteStore(tmp_path / "file" / "s.sqlite3")
    with pytest.raises(PersistenceException):
        store.get_attributes(envelope_for("u"))


def test_store_selection_from_configuration(tmp_path: Path) -> None:
    assert isinstance(open_store(Config(state_path=str(tmp_path / "x.sqlite3"))), SqliteStore)
    lazy = open_store(Config(dynamodb_table="t", dynamodb_region="eu-west-1"))
    assert not isinstance(lazy, SqliteStore)
    assert lazy.built is False  # type: ignore[attr-defined]


def test_default_state_locations() -> None:
    assert default_state_path({"AWS_LAMBDA_FUNCTION_NAME": "f"}) == "/tmp/cramp-coach.sqlite3"
    assert default_state_path({"XDG_DATA_HOME": "/data", "HOME": "/h"}) == (
        "/data/cramp-coach/cramp-coach.sqlite3"
    )
    assert default_state_path({"HOME": "/nonexistent-home"}) == (
        "/nonexistent-home/.local/share/cramp-coach/cramp-coach.sqlite3"
    )
    assert Config.from_env({"CRAMP_COACH_DB": "/x/y.db"}).state_path == "/x/y.db"
