"""One contract, both stores: the embedded SQLite store and DynamoDB (on dynalite)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from cramp_coach.local import envelope as env
from cramp_coach.respond import Said
from cramp_coach.returning import completions, count_completion, record_visit
from cramp_coach.state import RECENT, save_with_retry
from cramp_coach.store import VERSION, VersionConflict

from .helpers.stored import envelope_for, plain


def test_nothing_saved_reads_as_empty(any_store: Any) -> None:
    assert any_store.get_attributes(envelope_for("nobody")) == {}


def test_round_trip_per_user(any_store: Any) -> None:
    alice, bob = envelope_for("alice"), envelope_for("bob")
    attributes: dict[str, Any] = {"welcomed": True, "routine": {"length": "full", "position": 2}}
    any_store.save_attributes(alice, attributes)
    assert plain(any_store.get_attributes(alice)) == {
        "welcomed": True,
        "routine": {"length": "full", "position": 2},
    }
    assert any_store.get_attributes(bob) == {}


def test_numbers_survive_the_round_trip(any_store: Any) -> None:
    user = envelope_for("numbers")
    values = {
        "int": 3,
        "big": 2**53,
        "negative": -7,
        "float": 0.25,
        "list": [1, 2.5, "x"],
        "zero": 0,
    }
    any_store.save_attributes(user, dict(values))
    read = plain(any_store.get_attributes(user))
    assert read == values
    assert type(read["int"]) is int and type(read["float"]) is float
    assert type(read["list"][0]) is int


def test_every_save_bumps_the_version(any_store: Any) -> None:
    user = envelope_for("versions")
    attributes: dict[str, Any] = {"n": 1}
    any_store.save_attributes(user, attributes)
    assert attributes[VERSION] == 1
    attributes["n"] = 2
    any_store.save_attributes(user, attributes)
    assert attributes[VERSION] == 2
    assert any_store.get_attributes(user)[VERSION] == 2


def test_a_save_from_a_stale_read_is_refused(any_store: Any) -> None:
    user = envelope_for("stale")
    any_store.save_attributes(user, {"n": 0})
    first, second = any_store.get_attributes(user), any_store.get_attributes(user)
    first["n"] = 1
    any_store.save_attributes(user, first)
    second["n"] = 2
    with pytest.raises(VersionConflict):
        any_store.save_attributes(user, second)
    assert plain(any_store.get_attributes(user)) == {"n": 1}


def test_two_first_saves_do_not_overwrite_each_other(any_store: Any) -> None:
    user = envelope_for("first")
    any_store.save_attributes(user, {"from": "one"})
    with pytest.raises(VersionConflict):
        any_store.save_attributes(user, {"from": "two"})  # also believes nothing is saved


def at_once(session: Callable[[], None], sessions: int) -> list[BaseException]:
    """Run `session` in that many threads at once; what any of them raised."""
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            session()
        except BaseException as error:  # pragma: no cover - reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=guarded) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_sessions_lose_no_update(any_store: Any) -> None:
    user = envelope_for("busy")

    def increment(attributes: dict[str, Any]) -> None:
        attributes["count"] = attributes.get("count", 0) + 1

    def session() -> None:
        for _ in range(15):
            save_with_retry(any_store, user, any_store.get_attributes(user), increment, 50)

    assert at_once(session, 3) == []
    assert any_store.get_attributes(user)["count"] == 45


def test_a_returning_persons_counts_and_visit_date_round_trip(any_store: Any) -> None:
    """What makes the skill shorter for a returning person: the date of their last visit and
    per-stretch completion counts, nested, read back as the same numbers and text."""
    user = envelope_for("returning")
    attributes: dict[str, Any] = {"routine": {"length": "short", "position": 1}}
    record_visit(attributes, "2026-11-27")
    for stretch in ("wall_calf", "wall_calf", "wall_calf", "hamstring"):
        count_completion(attributes, stretch)
    any_store.save_attributes(user, attributes)
    read = any_store.get_attributes(user)
    assert plain(read) == {
        "routine": {"length": "short", "position": 1},
        "welcomed": True,
        "last_visit": "2026-11-27",
        "familiar": {"wall_calf": 3, "hamstring": 1},
    }
    assert all(type(n) is int for n in read["familiar"].values())
    count_completion(read, "hamstring")  # counted on from what was read
    any_store.save_attributes(user, read)
    assert completions(plain(any_store.get_attributes(user)), "hamstring") == 2
    any_store.delete_attributes(user)  # "delete my data": the counts go with the rest
    assert any_store.get_attributes(user) == {}


def test_completions_counted_by_two_sessions_at_once_are_all_kept(any_store: Any) -> None:
    user = envelope_for("two-echoes")

    def session() -> None:
        for _ in range(10):
            current = any_store.get_attributes(user)
            change = lambda a: count_completion(a, "wall_calf")  # noqa: E731
            save_with_retry(any_store, user, current, change, 50)

    assert at_once(session, 2) == []
    assert completions(any_store.get_attributes(user), "wall_calf") == 20


def test_delete_removes_everything_and_can_be_repeated(any_store: Any) -> None:
    user = envelope_for("leaving")
    any_store.save_attributes(user, {"welcomed": True})
    any_store.delete_attributes(user)
    assert any_store.get_attributes(user) == {}
    any_store.delete_attributes(user)
    assert any_store.get_attributes(user) == {}
    any_store.save_attributes(user, {"welcomed": True})  # a fresh start after deleting
    assert plain(any_store.get_attributes(user)) == {"welcomed": True}


def test_the_kept_answer_survives_the_round_trip_and_reads_as_said(any_store: Any) -> None:
    """state.RECENT (memory.py): a Said with empty and null fields, a flag and an aware time."""
    user = envelope_for("recent")
    said = Said("cramp_now", "topic", say=1, ask=None, reprompt=None, brief=True)
    kept = {"said": said.to_json(), "at": "2026-11-27T07:30:00+00:00"}
    any_store.save_attributes(user, {"welcomed": True, RECENT: kept})
    read = plain(any_store.get_attributes(user))
    assert read == {"welcomed": True, RECENT: kept}
    assert Said.from_json(read[RECENT]["said"]) == said
    assert type(read[RECENT]["said"]["say"]) is int and read[RECENT]["said"]["fill"] == {}
    updated = save_with_retry(
        any_store, user, any_store.get_attributes(user), lambda a: a.pop(RECENT, None)
    )
    assert plain(updated) == {"welcomed": True} == plain(any_store.get_attributes(user))
    any_store.delete_attributes(user)
    assert any_store.get_attributes(user) == {}


def test_a_request_without_a_user_is_refused(any_store: Any) -> None:
    event = env.envelope(env.launch_request(), env.Device(user_id=""), env.Session())
    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    with pytest.raises(PersistenceException):
        any_store.get_attributes(envelope)


def test_dynamodb_items_have_the_sdk_adapters_layout(dynamo_store: Any) -> None:
    """`id` and `attributes`, as the ASK SDK's DynamoDB adapter writes them (plus `version`),
    so a table that adapter wrote reads the same, and the other way round."""
    from cramp_coach.store.sqlite import user_key

    alice = envelope_for("alice")
    dynamo_store.save_attributes(alice, {"welcomed": True, "routine": {"position": 2}})
    client, table = dynamo_store.client, dynamo_store.table_name
    item = client.get_item(TableName=table, Key={"id": {"S": user_key(alice)}})["Item"]
    assert item == {  # DynamoDB's wire form: exactly what the SDK adapter writes and reads
        "id": {"S": user_key(alice)},
        "attributes": {
            "M": {"welcomed": {"BOOL": True}, "routine": {"M": {"position": {"N": "2"}}}}
        },
        "version": {"N": "1"},
    }
    # An item the stock adapter wrote (no version yet) reads, and saves as version 1.
    bob = envelope_for("bob")
    stock = {"id": {"S": user_key(bob)}, "attributes": {"M": {"welcomed": {"BOOL": True}}}}
    client.put_item(TableName=table, Item=stock)
    read = dynamo_store.get_attributes(bob)
    assert plain(read) == {"welcomed": True}
    read["voice"] = "normal"
    dynamo_store.save_attributes(bob, read)
    assert plain(dynamo_store.get_attributes(bob)) == {"welcomed": True, "voice": "normal"}


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Any) -> tuple[Any, int]:
    """Stores of one kind on the same data, one per writer (as separate processes have), and
    how many updates each of 8 writers makes (fewer on dynalite, whose calls are slower)."""
    from cramp_coach.store import SqliteStore

    if request.param == "sqlite":
        return (lambda: SqliteStore(tmp_path / "contended.sqlite3")), 100
    from cramp_coach.store.dynamodb import open_dynamodb

    dynalite = request.getfixturevalue("dynalite")
    table = dynalite.create_table(dynalite.client())
    return (lambda: open_dynamodb(table, dynalite.client())), 25


def test_eight_writers_contending_for_one_person_drop_nothing(
    store_factory: tuple[Any, int],
) -> None:
    from tools.contention import contend

    factory, updates = store_factory
    dropped, final = contend([factory() for _ in range(8)], updates, "contended-8")
    assert (dropped, final) == (0, 8 * updates)


def test_two_devices_of_one_person_updating_together_lose_nothing(
    store_factory: tuple[Any, int],
) -> None:
    from tools.contention import contend

    factory, _ = store_factory
    dropped, final = contend([factory(), factory()], 50, "two-devices")
    assert (dropped, final) == (0, 100)
