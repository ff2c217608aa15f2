"""Started from an Alexa Routine: the custom task goes straight into the stretches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.simulator import Simulator

from .helpers.routine_turns import TITLE, is_introduction, stretch_number

ROOT = Path(__file__).resolve().parents[1]
TASK = f"{env.LOCAL_SKILL_ID}.StartBedtimeStretches"


def launch_task(echo: Simulator, task_input: dict[str, Any] | None = None) -> Any:
    task = {"name": TASK, "version": "1", "input": task_input or {}}
    return echo.send(env.launch_request(task=task), new_session=True)


def test_the_routine_task_starts_the_stretches_in_the_usual_length(echo: Simulator) -> None:
    echo.say("ask cramp coach to start the full routine")
    echo.say("stop")
    turn = launch_task(echo)
    assert is_introduction(turn) and "full" in turn.speech and "9" in turn.speech
    assert not turn.ends_session and "Welcome" not in turn.speech
    first = echo.intent(Intent.YES)
    assert stretch_number(first) == 1
    assert TITLE.search(first.speech).group(2) == "9"  # type: ignore[union-attr]


def test_the_task_can_ask_for_a_length(echo: Simulator) -> None:
    turn = launch_task(echo, {"length": "short"})
    assert is_introduction(turn) and "short" in turn.speech
    first = echo.intent(Intent.YES)
    assert TITLE.search(first.speech).group(2) == "4"  # type: ignore[union-attr]


def test_a_plain_launch_from_a_routine_still_works(echo: Simulator) -> None:
    turn = echo.send(env.launch_request(), new_session=True)
    assert "not medical advice" in turn.speech and stretch_number(turn) is None


def test_another_skills_task_name_is_a_plain_launch(echo: Simulator) -> None:
    turn = echo.send(
        env.launch_request(task={"name": "other.Thing", "version": "1"}), new_session=True
    )
    assert stretch_number(turn) is None


def test_the_task_is_declared_in_the_manifest_and_the_package() -> None:
    manifest = json.loads((ROOT / "skill.json").read_text())["manifest"]
    assert {"name": "StartBedtimeStretches", "version": "1"} in manifest["apis"]["custom"]["tasks"]
    definition = json.loads((ROOT / "tasks" / "StartBedtimeStretches.1.json").read_text())
    assert definition["info"]["version"] == "1"
    assert definition["info"]["x-amzn-alexa-access-scope"] == "public"
    for locale in manifest["publishingInformation"]["locales"]:
        assert definition["info"]["x-amzn-display-details"][locale]["title"]
    assert "/StartBedtimeStretches" in definition["paths"]
    assert {"name": "alexa::alerts:reminders:skill:readwrite"} in manifest["permissions"]
