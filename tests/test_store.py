"""The embedded store implements the SDK's persistence adapter interface faithfully."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from cramp_coach.local import envelope as env
from cramp_coach.store import SqliteStore


def envelope_for(user: str) -> RequestEnvelope:
    event = env.envelope(env.launch_request(), env.Device(user_id=user), env.Session())
    import json

    result: RequestEnvelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    return result


def test_round_trip_per_user(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    alice, bob = envelope_for("alice"), envelope_for("bob")
    assert store.get_attributes(alice) == {}
    store.save_attributes(alice, {"welcomed": True, "n": 3, "nested": {"a": [1, 2]}})
    assert store.get_attributes(alice) == {"welcomed": True, "n": 3, "nested": {"a": [1, 2]}}
    assert store.get_attributes(bob) == {}
    store.delete_attributes(alice)
    assert store.get_attributes(alice) == {}
    store.delete_attributes(alice)  # deleting twice is fine


def test_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "s.sqlite3"
    SqliteStore(path).save_attributes(envelope_for("u"), {"welcomed": True})
    assert SqliteStore(path).get_attributes(envelope_for("u")) == {"welcomed": True}


def test_nothing_is_opened_until_first_use(tmp_path: Path) -> None:
    path = tmp_path / "lazy.sqlite3"
    SqliteStore(path)
    assert not path.exists()


def test_an_unusable_path_raises_the_sdk_persistence_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    store = SqliteStore(tmp_path / "file" / "s.sqlite3")
    with pytest.raises(PersistenceException):
        store.get_attributes(envelope_for("u"))


def test_a_request_without_a_user_is_refused(tmp_path: Path) -> None:
    event = env.envelope(env.launch_request(), env.Device(user_id=""), env.Session())
    import json

    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    with pytest.raises(PersistenceException):
        SqliteStore(tmp_path / "s.sqlite3").get_attributes(envelope)


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                store.save_attributes(envelope_for(f"user{n}"), {"i": i})
                assert store.get_attributes(envelope_for(f"user{n}"))["i"] == i
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
