"""The Lambda entry point, as AWS calls it: a fresh process, configuration from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
heavy = sorted(m for m in sys.modules if m.split('.')[0] in heavy_roots)
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
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


# An Alexa API endpoint that refuses at once: the time zone stays unknown (day mode).
OFFLINE = env.Device(api_endpoint="https://127.0.0.1:9")


def test_an_answer_in_a_fresh_process_imports_nothing_heavy_and_writes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.sqlite3"
    event = env.envelope(env.intent_request("CrampNowIntent"), OFFLINE, env.Session())
    out = run_cold(event, db)
    speech = out["result"]["response"]["outputSpeech"]["ssml"]
    assert ssml.validate(speech) == []
    assert speech.startswith("<speak>") and "amazon:effect" not in speech  # day mode
    assert out["heavy"] == []
    if db.exists():  # night mode may read the person's settings; an answer saves nothing
        import sqlite3

        with sqlite3.connect(db) as connection:
            assert connection.execute("SELECT COUNT(*) FROM attributes").fetchone() == (0,)


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

    from .test_store_failures import CountingStore

    store = CountingStore(tmp_path / "refuse.sqlite3")
    skill = build_skill(
        Config(skill_id="amzn1.ask.skill.ours"), store, content=library, rng=random.Random(1)
    )
    from .test_web_service import Dispatches

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
