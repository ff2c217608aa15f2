"""Deleting a person's data sticks: nothing is written for them in the request that deletes them
or after it, in any process, and no memory of them survives in the process that deleted them.

Two skills built on one store stand for two processes (two gunicorn workers, two Lambda
containers); the last test runs two real gunicorn workers."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cramp_coach import state
from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore
from tools.served import Gunicorn, deletions_left

from .helpers.clock import DAYTIME
from .helpers.stored import envelope_for

USER = "amzn1.ask.account.DELETEDPERSON"


def process(store: Any, library: ContentLibrary) -> Any:
    """One warm process: its own skill, with its own memory of devices and voices."""
    skill = build_skill(Config(), store, content=library, rng=random.Random(5))
    return lambda event, context: handle_event(event, context, skill)


def kept(store: Any, user: str = USER) -> dict[str, Any]:
    attributes: dict[str, Any] = store.get_attributes(envelope_for(user))
    return attributes


def replies(library: ContentLibrary, key: str) -> tuple[str, ...]:
    return library.get("en-US").replies[key].say


def test_the_yes_heard_by_another_process_deletes_for_good(
    any_store: Any, library: ContentLibrary, resolver: Resolver, api: Any
) -> None:
    """The other process has never seen the device: its night mode looks the zone up during the
    "yes", and must not save it after the deletion."""
    first, second = process(any_store, library), process(any_store, library)
    device = env.Device(user_id=USER, api_endpoint=api.endpoint)
    echo = Simulator(first, resolver, device, clock=lambda: DAYTIME)
    echo.say("ask cramp coach to start my bedtime stretches")
    echo.say("yes")
    echo.intent(Intent.PAUSE)
    assert kept(any_store)["routine"]["position"] == 0
    echo.say("ask cramp coach to delete my data")
    echo.handler = second
    done = echo.say("yes")
    assert done.speech in replies(library, "deleted") and done.ends_session
    assert kept(any_store) == {}
    assert api.requests, "the second process looked the time zone up during the deletion"


def test_a_save_based_on_a_read_before_the_deletion_does_not_recreate_the_person(
    any_store: Any,
) -> None:
    """Another device's request read the person, then this one deleted them, then it saves."""
    envelope = envelope_for(USER)
    any_store.save_attributes(envelope, {"welcomed": True})
    read_before = any_store.get_attributes(envelope)
    any_store.delete_attributes(envelope)
    with pytest.raises(state.Deleted):
        state.save_with_retry(any_store, envelope, read_before, lambda a: a.update(voice="normal"))
    assert kept(any_store) == {}


def test_two_devices_saving_together_still_both_count(any_store: Any) -> None:
    """A conflict that is not a deletion is re-read and re-applied, as before."""
    envelope = envelope_for(USER)
    any_store.save_attributes(envelope, {"welcomed": True})
    stale = any_store.get_attributes(envelope)
    state.save_with_retry(any_store, envelope, dict(stale), lambda a: a.update(voice="normal"))
    state.save_with_retry(any_store, envelope, stale, lambda a: a.update(preferred_length="full"))
    assert {k: v for k, v in kept(any_store).items() if k != "_version"} == {
        "welcomed": True,
        "voice": "normal",
        "preferred_length": "full",
    }


def test_deleting_forgets_the_voice_choice_in_this_process(
    store: SqliteStore, library: ContentLibrary, resolver: Resolver, api: Any
) -> None:
    device = env.Device(user_id=USER, api_endpoint=api.endpoint)
    echo = Simulator(process(store, library), resolver, device, clock=lambda: DAYTIME)
    echo.intent(Intent.VOICE, {"mode": env.Slot("whisper", "WHISPER", "whisper", "VOICE_MODE")})
    assert 'amazon:effect name="whispered"' in echo.launch().ssml  # remembered, by day
    echo.end()
    echo.say("ask cramp coach to delete my data")
    assert echo.say("yes").speech in replies(library, "deleted")
    assert 'amazon:effect name="whispered"' not in echo.launch().ssml
    assert "voice" not in kept(store)


def skill_disabled() -> dict[str, Any]:
    return {
        "type": "AlexaSkillEvent.SkillDisabled",
        "requestId": "amzn1.echo-api.request.disabled-1",
        "timestamp": env.timestamp(),
        "eventCreationTime": env.timestamp(),
        "eventPublishingTime": env.timestamp(),
        "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
    }


def unwritable_store(tmp_path: Path) -> SqliteStore:
    """A store whose file cannot be opened: every read, save and delete fails."""
    (tmp_path / "a-folder").mkdir()
    return SqliteStore(tmp_path / "a-folder")


def test_a_disabling_that_cannot_delete_is_not_acknowledged(
    tmp_path: Path, library: ContentLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    """The invocation fails, so Alexa delivers the event again; the operator's line says what
    failed and which delivery, never who."""
    caplog.set_level(logging.DEBUG)
    handler = process(unwritable_store(tmp_path), library)
    event = env.envelope(skill_disabled(), env.Device(user_id=USER), session=None)
    with pytest.raises(Exception, match="deletion failed"):
        handler(event, None)
    line = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert "amzn1.echo-api.request.disabled-1" in line.getMessage()
    assert "deliver the event again" in line.getMessage()
    assert USER not in caplog.text


def test_a_disabling_that_names_nobody_is_acknowledged_not_redelivered(
    tmp_path: Path, library: ContentLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    """No user id: nothing is kept for nobody, and another delivery could not do better."""
    handler = process(unwritable_store(tmp_path), library)
    response = handler(env.envelope(skill_disabled(), env.Device(user_id=""), None), None)
    assert "outputSpeech" not in response["response"]
    assert "nothing to delete" in caplog.text


def test_a_disabling_that_deletes_is_acknowledged_silently(
    store: SqliteStore, library: ContentLibrary
) -> None:
    store.save_attributes(envelope_for(USER), {"welcomed": True})
    handler = process(store, library)
    response = handler(env.envelope(skill_disabled(), env.Device(user_id=USER), None), None)
    assert response["response"] == {} or "outputSpeech" not in response["response"]
    assert kept(store) == {}


def test_logs_hold_no_user_id_with_the_root_logger_at_debug(
    dynamo_store: Any,
    library: ContentLibrary,
    resolver: Resolver,
    api: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Lambda's advanced logging controls can set the root level to DEBUG: botocore must still
    not print the table key (the Alexa user id)."""
    caplog.set_level(logging.DEBUG)  # the root logger, and the capturing handler
    caplog.set_level(logging.DEBUG, logger="cramp_coach")  # and the skill's own DEBUG lines
    device = env.Device(user_id=USER, api_endpoint=api.endpoint)
    echo = Simulator(process(dynamo_store, library), resolver, device, clock=lambda: DAYTIME)
    echo.say("open cramp coach")
    echo.say("start my bedtime stretches")
    echo.say("yes")
    assert kept(dynamo_store)["routine"]["position"] == 0  # the store was really used
    assert caplog.records, "nothing was logged at DEBUG: the test would prove nothing"
    assert not [r.name for r in caplog.records if USER in r.getMessage()]
    assert USER not in caplog.text


# --- Two real gunicorn workers on one SQLite file ----------------------------------------------


@pytest.fixture
def two_workers(tmp_path: Path, api: Any) -> Iterator[Gunicorn]:
    """`make serve`'s gunicorn (two workers), trusting the stand-in for Alexa's APIs."""
    server = Gunicorn(tmp_path, env.LOCAL_SKILL_ID, insecure=True)
    yield server
    server.stop()


CONVERSATIONS = 50


def test_deletions_stick_across_two_workers(
    two_workers: Gunicorn, resolver: Resolver, api: Any
) -> None:
    store = SqliteStore(two_workers.database)
    left = deletions_left(two_workers, store, resolver, api.endpoint, CONVERSATIONS)
    assert left == 0, f"{left} of {CONVERSATIONS} deletions left an item"


def test_the_web_service_answers_500_to_a_disabling_that_cannot_delete(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """A non-2xx answer is what makes Alexa deliver the event again."""
    from cramp_coach.web.app import create_app

    skill = build_skill(Config(), unwritable_store(tmp_path), content=library)
    client = create_app(Config(), skill=skill, verifiers=[]).test_client()
    event = env.envelope(skill_disabled(), env.Device(user_id=USER), session=None)
    answer = client.post("/", data=json.dumps(event), content_type="application/json")
    assert answer.status_code == 500
    assert answer.get_json() == {"error": "internal error"}
