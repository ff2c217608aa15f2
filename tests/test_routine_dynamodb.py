"""The same flows on the DynamoDB-compatible server (dynalite on 127.0.0.1)."""

from __future__ import annotations

import random
import threading
from typing import Any

from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.local import envelope as env
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.returning import FAMILIAR_AFTER
from cramp_coach.routine import short_sentence
from cramp_coach.skill import build_skill

from .helpers.routine_turns import asks_continue_or_restart, is_introduction, stretch_number
from .helpers.stored import envelope_for, plain

USER = "amzn1.ask.account.DYNAMOUSER"


def echo_on(store: Any, library: ContentLibrary, resolver: Resolver, seed: int = 5) -> Simulator:
    skill = build_skill(Config(), store, content=library, rng=random.Random(seed))
    return Simulator(lambda e, c: handle_event(e, c, skill), resolver, env.Device(user_id=USER))


def test_pause_and_resume_days_later_on_dynamodb(
    dynamo_store: Any, library: ContentLibrary, resolver: Resolver
) -> None:
    echo = echo_on(dynamo_store, library, resolver)
    echo.say("open cramp coach")
    echo.say("stop")
    assert "Ready" in echo.say("ask cramp coach to start the full routine").speech
    assert stretch_number(echo.say("yes")) == 1
    assert stretch_number(echo.say("next")) == 2
    echo.say("pause")
    saved = plain(dynamo_store.get_attributes(envelope_for(USER)))
    assert saved["routine"]["position"] == 1 and saved["preferred_length"] == "full"
    assert saved["welcomed"] is True

    later = echo_on(dynamo_store, library, resolver, seed=6)  # another process, days later
    offer = later.say("open cramp coach")
    assert offer.speech.endswith("?") and "7" in offer.speech
    assert stretch_number(later.say("yes")) == 3
    for number in range(4, 10):
        assert stretch_number(later.say("next")) == number
    done = plain(dynamo_store.get_attributes(envelope_for(USER)))
    assert "routine" not in done and "last_finished" in done


def test_delete_and_skill_disabled_on_dynamodb(
    dynamo_store: Any, library: ContentLibrary, resolver: Resolver
) -> None:
    echo = echo_on(dynamo_store, library, resolver)
    echo.say("ask cramp coach to start my stretches")
    echo.say("pause")
    echo.say("ask cramp coach to delete my data")
    echo.say("yes")
    assert dynamo_store.get_attributes(envelope_for(USER)) == {}
    echo.say("ask cramp coach to start my stretches")
    echo.say("pause")
    event = {
        "type": "AlexaSkillEvent.SkillDisabled",
        "requestId": "amzn1.echo-api.request.d",
        "timestamp": env.timestamp(),
        "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
    }
    for _ in range(2):
        echo.handler(env.envelope(event, env.Device(user_id=USER), None), None)
        assert dynamo_store.get_attributes(envelope_for(USER)) == {}


def test_two_devices_of_one_person_lose_no_update(
    dynamo_store: Any, library: ContentLibrary, resolver: Resolver
) -> None:
    """A bedroom Echo pauses a routine while a kitchen Echo hears the disclaimer: both stick."""
    bedroom = echo_on(dynamo_store, library, resolver, seed=1)
    kitchen = echo_on(dynamo_store, library, resolver, seed=2)
    errors: list[BaseException] = []

    def run(action: Any) -> None:
        try:
            action()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def routine() -> None:
        bedroom.say("ask cramp coach to start the full routine")
        bedroom.say("yes")
        bedroom.say("next")
        bedroom.say("pause")

    threads = [
        threading.Thread(target=run, args=(routine,)),
        threading.Thread(target=run, args=(lambda: kitchen.say("open cramp coach"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    saved = plain(dynamo_store.get_attributes(envelope_for(USER)))
    assert saved["welcomed"] is True
    assert saved["routine"]["position"] == 1
    assert saved["preferred_length"] == "full"


def test_a_returning_person_on_dynamodb_hears_the_short_form_until_deleted(
    dynamo_store: Any, library: ContentLibrary, resolver: Resolver
) -> None:
    """Each night another process: the counts live in the table, and go with the data."""
    content = library.get("en-US")
    wall_calf = content.routine.lengths["short"].steps[0]
    short = short_sentence(wall_calf, content.routine)
    for night in range(FAMILIAR_AFTER):
        echo = echo_on(dynamo_store, library, resolver, seed=night)
        assert is_introduction(echo.say("ask cramp coach to start my stretches"))
        first = echo.say("yes")
        assert short not in first.speech
        while not echo.say("next").ends_session:
            pass
    counts = plain(dynamo_store.get_attributes(envelope_for(USER)))["familiar"]
    assert counts == {"wall_calf": FAMILIAR_AFTER, "hamstring": FAMILIAR_AFTER}
    echo = echo_on(dynamo_store, library, resolver, seed=9)
    echo.say("ask cramp coach to start my stretches")
    assert short in echo.say("yes").speech
    echo.say("pause")
    later = echo_on(dynamo_store, library, resolver, seed=10)
    question = later.say("ask cramp coach to start my stretches")
    assert asks_continue_or_restart(question) and "stretch 2 of 4" in question.speech
    later.say("stop")
    later.say("ask cramp coach to delete my data")
    later.say("yes")
    assert dynamo_store.get_attributes(envelope_for(USER)) == {}
    fresh = echo_on(dynamo_store, library, resolver, seed=11)
    fresh.say("ask cramp coach to start my stretches")
    assert short not in fresh.say("yes").speech
