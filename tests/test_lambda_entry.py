"""The Lambda entry point, as AWS calls it: a fresh process, configuration from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cramp_coach import ssml
from cramp_coach.local import envelope as env

ROOT = Path(__file__).resolve().parents[1]

COLD_START = r"""
import json, sys
before = set(sys.modules)
import lambda_function
from cramp_coach import entry
assert entry._skill is None, "the skill was built at import"
event = json.loads(sys.argv[1])
result = lambda_function.lambda_handler(event, None)
heavy_roots = {'boto3', 'botocore', 'flask'}
# botocore's package module alone is light (logging, os, re): aws-lambda-powertools, the EMF
# serializer, imports it for its user-agent hook (issue 15). Nothing below it may load.
light = {'botocore'}
heavy = sorted(m for m in sys.modules if m.split('.')[0] in heavy_roots and m not in light)
print(json.dumps({"result": result, "heavy": heavy}))
"""


def run_cold(event: dict[str, Any], db: Path) -> dict[str, Any]:
    environment = {**os.environ, "CRAMP_COACH_DB": str(db), "LOG_LEVEL": "WARNING"}
    completed = subprocess.run(
        [sys.executable, "-c", COLD_START, json.dumps(event)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT / "lambda",
        check=True,
    )
    return printed_last(completed.stdout)


def printed_last(stdout: str) -> dict[str, Any]:
    """What the script printed last; before it, the process printed only EMF lines (one per
    request it answered: the metrics, on stdout as on Lambda, issue 15)."""
    *before, last = stdout.splitlines()
    assert all(json.loads(line)["_aws"]["CloudWatchMetrics"] for line in before), stdout
    result: dict[str, Any] = json.loads(last)
    return result


# An Alexa API endpoint that refuses at once: the time zone stays unknown (day mode).
OFFLINE = env.Device(api_endpoint="https://127.0.0.1:9")


def test_an_answer_in_a_fresh_process_imports_nothing_heavy_and_writes_only_the_answer(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.sqlite3"
    event = env.envelope(env.intent_request("CrampNowIntent"), OFFLINE, env.Session())
    out = run_cold(event, db)
    speech = out["result"]["response"]["outputSpeech"]["ssml"]
    assert ssml.validate(speech) == []
    assert speech.startswith("<speak>") and "amazon:effect" not in speech  # day mode
    assert out["heavy"] == []
    # Since issue 13 an answer saves which one it was, for a one-shot "repeat" (memory.py).
    import json
    import sqlite3

    with sqlite3.connect(db) as connection:
        [(data,)] = connection.execute("SELECT data FROM attributes").fetchall()
    assert set(json.loads(data)) == {"recent"}
    assert json.loads(data)["recent"]["said"]["key"] == "cramp_now"


def test_launch_in_a_fresh_process_uses_the_embedded_store_from_the_environment(
    tmp_path: Path,
) -> None:
    db = tmp_path / "nested" / "state.sqlite3"
    event = env.envelope(env.launch_request(), OFFLINE, env.Session())
    first = run_cold(event, db)
    assert "not medical advice" in first["result"]["response"]["outputSpeech"]["ssml"]
    assert db.exists()
    second = run_cold(event, db)  # a new process: the first-use flag survived
    assert "not medical advice" not in second["result"]["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"version": "1.0"},
        {"request": {"type": "IntentRequest", "locale": "en-US"}},
        {"request": "nonsense", "context": 5},
        [],
        "a string",
    ],
)
def test_an_unreadable_event_gets_a_spoken_apology_not_a_crash(handler: Any, event: Any) -> None:
    result = handler(event, None)
    speech = result["response"]["outputSpeech"]["ssml"]
    assert ssml.validate(speech) == []
    assert "Sorry" in speech
    assert result["response"]["shouldEndSession"] is True


def test_an_unreadable_event_is_answered_in_the_default_locale_from_parsed_content(
    tmp_path: Path, handler: Any
) -> None:
    import shutil

    from cramp_coach.content import ContentLibrary
    from cramp_coach.entry import unreadable_request_response

    # en-GB here is a copy of en-US's words, whatever the repository's en-GB is
    shutil.copytree(ROOT / "content", tmp_path, dirs_exist_ok=True, ignore=lambda d, n: {"en-GB"})
    shutil.copytree(ROOT / "content" / "en-US", tmp_path / "en-GB")
    prompts = tmp_path / "en-GB" / "prompts.json"
    prompts.write_text(prompts.read_text().replace("Sorry", "Apologies"))
    library = ContentLibrary(tmp_path, default_locale="en-GB")
    no_locale = {"request": {"type": "IntentRequest"}}
    first = unreadable_request_response(no_locale, library)
    assert "Apologies" in first["response"]["outputSpeech"]["ssml"]  # the configured default
    parsed = library.get("en-GB")
    unreadable_request_response(no_locale, library)
    assert library.get("en-GB") is parsed  # parsed once, not once per unreadable request
    us = unreadable_request_response({"request": {"type": "X", "locale": "en-US"}}, library)
    assert us == {"version": "1.0", "response": {}}  # an event: no words


def test_the_process_content_follows_the_configured_locale(monkeypatch: Any) -> None:
    from cramp_coach import entry

    monkeypatch.setenv("CRAMP_COACH_LOCALE", "en-GB")
    monkeypatch.setattr(entry, "_content", None)
    library = entry.content_library()
    assert library.resolve(None) == "en-GB" and entry.content_library() is library


def test_a_store_that_cannot_be_opened_still_gets_a_welcome(tmp_path: Path, library: Any) -> None:
    import random

    from cramp_coach.config import Config
    from cramp_coach.entry import handle_event
    from cramp_coach.skill import build_skill
    from cramp_coach.store import SqliteStore

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    broken = SqliteStore(blocker / "state.sqlite3")  # its folder cannot be created
    skill = build_skill(Config(), broken, content=library, rng=random.Random(1))
    event = env.envelope(env.launch_request(), env.Device(), env.Session())
    result = handle_event(event, None, skill)
    speech = result["response"]["outputSpeech"]["ssml"]
    assert "not medical advice" in speech  # unknown person: the disclaimer, to be safe
    assert result["response"]["shouldEndSession"] is False


def test_a_request_for_another_skill_is_refused_before_any_handler_or_store(
    tmp_path: Path, library: Any
) -> None:
    import random

    from cramp_coach.config import Config
    from cramp_coach.entry import handle_event
    from cramp_coach.skill import build_skill
    from tools.stores import CountingStore

    store = CountingStore(tmp_path / "refuse.sqlite3")
    skill = build_skill(
        Config(skill_id="amzn1.ask.skill.ours"), store, content=library, rng=random.Random(1)
    )
    from .helpers.dispatches import Dispatches

    dispatches = Dispatches()
    skill.request_dispatcher.request_interceptors.append(dispatches)
    foreign = env.Device(skill_id="amzn1.ask.skill.theirs", api_endpoint="https://127.0.0.1:9")
    result = handle_event(env.envelope(env.launch_request(), foreign, env.Session()), None, skill)
    assert result["response"] == {}
    assert dispatches.count == 0 and (store.reads, store.writes) == (0, 0)
    ours = env.Device(skill_id="amzn1.ask.skill.ours", api_endpoint="https://127.0.0.1:9")
    answered = handle_event(env.envelope(env.launch_request(), ours, env.Session()), None, skill)
    assert "not medical advice" in answered["response"]["outputSpeech"]["ssml"]
    assert dispatches.count == 1


# --- What a cold start loads ------------------------------------------------------------------

COLD_MODULES = r"""
import json, sys
import lambda_function
result = lambda_function.lambda_handler(json.loads(sys.argv[1]), None)
print(json.dumps({"result": result, "modules": sorted(sys.modules)}))
"""

# Loaded only when a request needs them (see bench/README.md for what each costs a cold start).
NOT_ON_THE_COLD_PATH = [
    "pathlib",
    "urllib.request",  # the Settings API: once a week per device
    "requests",
    "boto3",
    "cramp_coach.handlers.reminders",  # lazy handler groups
    "cramp_coach.handlers.routine",
    "cramp_coach.handlers.privacy",
    "cramp_coach.handlers.settings",
    "cramp_coach.reminders",
    "cramp_coach.routine",
    "ask_sdk_model.slu.entityresolution",
    "cramp_coach.screens",  # an Echo Show's screen: a speaker loads no APL document or model
    "ask_sdk_model.interfaces.alexa.presentation.apl",
]


def seed_returning_person(db: Path, device: env.Device, now: Any) -> None:
    """Someone who used the skill last night: welcomed, their device's zone known."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from cramp_coach.profiles import device_key
    from cramp_coach.store import SqliteStore

    last_night = (now - timedelta(days=1)).date().isoformat()
    record = {"zone": "America/New_York", "checked": last_night}
    store = SqliteStore(db)
    envelope = env.envelope(env.launch_request(now=now), device, env.Session())
    request = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
    key = device_key(device.device_id)
    store.save_attributes(request, {"welcomed": True, "zones": {key: record}})
    store.close()


@pytest.mark.parametrize("kind", ["launch", "mid-cramp"])
def test_a_returning_person_at_night_costs_a_cold_start_only_what_it_needs(
    tmp_path: Path, kind: str
) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)  # 02:30 in New York
    db = tmp_path / "state.sqlite3"
    seed_returning_person(db, OFFLINE, now)
    request = (
        env.launch_request(now=now)
        if kind == "launch"
        else env.intent_request("CrampNowIntent", now=now)
    )
    # As on Lambda, with the Runtime API there: the metrics extension registers at init and
    # writes the EMF line (loading its serializer) only after the answer has gone, so the
    # serializer is not among what the answer loads (afterwards.py).
    from tools.lambda_runtime import FakeRuntimeApi

    runtime = FakeRuntimeApi([])
    try:
        completed = subprocess.run(
            [sys.executable, "-c", COLD_MODULES, json.dumps(env.envelope(request, OFFLINE))],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "CRAMP_COACH_DB": str(db),
                "LOG_LEVEL": "INFO",
                "AWS_LAMBDA_RUNTIME_API": runtime.address,
            },
            cwd=ROOT / "lambda",
            check=True,
        )
    finally:
        runtime.close()
    out = printed_last(completed.stdout)
    assert "aws_lambda_powertools" not in out["modules"]
    speech = out["result"]["response"]["outputSpeech"]["ssml"]
    assert '<amazon:effect name="whispered">' in speech  # the stored zone was used
    assert "not medical advice" not in speech  # welcomed before
    loaded = [
        name
        for name in NOT_ON_THE_COLD_PATH
        if any(m == name or m.startswith(name + ".") for m in out["modules"])
    ]
    assert loaded == []
    assert completed.stderr == ""  # nothing went wrong, so nothing was logged


GC_CHECK = r"""
import gc, json, sys
import lambda_function
paused = not gc.isenabled()
lambda_function.lambda_handler(json.loads(sys.argv[1]), None)
after_first = (gc.isenabled(), gc.get_freeze_count() > 0)
lambda_function.handle_event = lambda event, context: 1 / 0  # a request that blows up
gc.disable()
try:
    lambda_function.lambda_handler({}, None)
except ZeroDivisionError:
    pass
print(json.dumps({"paused": paused, "after_first": after_first, "after_error": gc.isenabled()}))
"""


def test_the_collector_waits_for_the_first_answer_then_runs(tmp_path: Path) -> None:
    event = env.envelope(env.intent_request("CrampNowIntent"), OFFLINE, env.Session())
    completed = subprocess.run(
        [sys.executable, "-c", GC_CHECK, json.dumps(event)],
        capture_output=True,
        text=True,
        env={**os.environ, "CRAMP_COACH_DB": str(tmp_path / "gc.sqlite3")},
        cwd=ROOT / "lambda",
        check=True,
    )
    out = printed_last(completed.stdout)
    assert out == {"paused": True, "after_first": [True, True], "after_error": True}


AHEAD = r"""
import gc, json, sys, time
began = time.perf_counter()
import lambda_function
from cramp_coach import entry
init = time.perf_counter() - began
loaded = {name: name in sys.modules for name in sys.argv[2:]}
state = {"built": entry._skill is not None, "collector": gc.isenabled()}
state["frozen"] = gc.get_freeze_count() > 0
result = lambda_function.lambda_handler(json.loads(sys.argv[1]), None)
print(json.dumps({"loaded": loaded, "state": state, "result": result}))
"""


@pytest.mark.parametrize("initialization", ["snap-start", "provisioned-concurrency"])
def test_initialising_ahead_loads_everything_at_init_without_touching_the_network(
    tmp_path: Path, initialization: str
) -> None:
    from tools.ports import free_port

    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: any store call is refused
    event = env.envelope(env.intent_request("CrampNowIntent"), OFFLINE, env.Session())
    wanted = [
        "boto3",
        "zoneinfo",
        "urllib.request",
        "cramp_coach.handlers.routine",
        "cramp_coach.handlers.reminders",
        "ask_sdk_model.services.reminder_management",
        "aws_lambda_powertools.metrics",  # the EMF serializer
        "cramp_coach.screens",  # an Echo Show's screens, and their documents read
    ]
    environment = {
        **os.environ,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization,
        "DYNAMODB_PERSISTENCE_TABLE_NAME": "cramp-coach",
        "DYNAMODB_PERSISTENCE_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": closed,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "LOG_LEVEL": "ERROR",
    }
    completed = subprocess.run(
        [sys.executable, "-c", AHEAD, json.dumps(event), *wanted],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT / "lambda",
        check=True,
    )
    out = printed_last(completed.stdout)
    assert out["loaded"] == dict.fromkeys(wanted, True)
    assert out["state"] == {"built": True, "collector": True, "frozen": True}
    # The table is unreachable, yet the answer comes (the store is only touched by requests).
    speech = out["result"]["response"]["outputSpeech"]["ssml"]
    assert "ten minutes" in speech and ssml.validate(speech) == []


def test_an_on_demand_cold_start_does_not_initialise_ahead(tmp_path: Path) -> None:
    from cramp_coach.config import Config

    assert (
        Config.from_env({"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}).initialise_ahead is False
    )
    assert Config.from_env({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}).initialise_ahead
    assert Config.from_env({}).initialise_ahead is False
