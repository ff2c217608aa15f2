"""The lazily loaded handler groups: every intent their handlers accept is in their keys, no
name is in two groups, they stand in dispatch order where their handlers would, every yes or no
reaches the action its question means, and the configured log level is kept."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.handlers.lazy import LazyGroup
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.questions import MEANINGS, NOTHING_ASKED, PERFORMED_BY, Action, Group, Question
from cramp_coach.skill import (
    PRIVACY_KEYS,
    REMINDER_KEYS,
    ROUTINE_KEYS,
    SETTINGS_KEYS,
    TASK_KEYS,
    build_skill,
)
from cramp_coach.store import SqliteStore

ROOT = Path(__file__).resolve().parents[1]


def skill_and_groups(library: ContentLibrary, tmp_path: Path) -> tuple[Any, list[LazyGroup]]:
    """A skill on a fresh store, and its lazy groups in dispatch order (none loaded yet)."""
    skill = build_skill(
        Config(), SqliteStore(tmp_path / "s.sqlite3"), content=library, rng=random.Random(3)
    )
    chain = skill.request_dispatcher.request_mappers[0].request_handler_chains
    return skill, [c.request_handler for c in chain if isinstance(c.request_handler, LazyGroup)]


def groups(library: ContentLibrary, tmp_path: Path) -> list[LazyGroup]:
    return skill_and_groups(library, tmp_path)[1]


def accepted(handler: Any) -> tuple[str, ...]:
    """The intents a handler accepts by name, and the request types (a touch's UserEvent)."""
    return (*getattr(handler, "intents", ()), *getattr(handler, "requests", ()))


def test_every_intent_a_lazy_handler_accepts_is_in_its_group_keys(
    library: ContentLibrary, tmp_path: Path
) -> None:
    found = groups(library, tmp_path)
    assert [g.keys for g in found] == [
        TASK_KEYS,
        PRIVACY_KEYS,
        REMINDER_KEYS,
        ROUTINE_KEYS,
        SETTINGS_KEYS,
    ]
    for group in found:
        named = {name for h in group.loaded.handlers for name in accepted(h)}
        assert named <= group.keys, named - group.keys
    routine = found[3]
    every_routine_intent = {name for h in routine.loaded.handlers for name in accepted(h)}
    assert every_routine_intent == ROUTINE_KEYS  # nothing declared that no handler takes


def test_no_name_is_in_two_groups_and_yes_and_no_are_in_none() -> None:
    key_sets = [TASK_KEYS, PRIVACY_KEYS, REMINDER_KEYS, ROUTINE_KEYS, SETTINGS_KEYS]
    every = [name for keys in key_sets for name in keys]
    assert len(every) == len(set(every))
    assert Intent.YES not in every and Intent.NO not in every


def test_every_question_has_a_meaning_and_every_action_a_performer(
    library: ContentLibrary, tmp_path: Path
) -> None:
    assert set(MEANINGS) == set(Question)
    assert set(PERFORMED_BY) == set(Action)
    meant = {a for m in (*MEANINGS.values(), NOTHING_ASKED) for a in (m.yes, m.no)}
    assert meant == set(Action)  # no action that no answer (nor a yes to nothing) leads to
    found = groups(library, tmp_path)
    by_group = {Group.PRIVACY: found[1], Group.REMINDERS: found[2], Group.ROUTINE: found[3]}
    for action in Action:
        if action.group in by_group:
            assert action in by_group[action.group].actions(), action
    for group, lazy in by_group.items():
        assert all(PERFORMED_BY[a] == group for a in lazy.actions())


def test_a_yes_loads_only_the_group_whose_question_it_answers(
    library: ContentLibrary, tmp_path: Path
) -> None:
    from cramp_coach.entry import handle_event

    skill, lazy = skill_and_groups(library, tmp_path)
    why = env.envelope(env.intent_request("WhyCrampsIntent"), env.Device(), env.Session())
    answer = handle_event(why, None, skill)
    attributes = answer["sessionAttributes"]
    assert attributes["pending"]["kind"] == "topic"  # "shall I tell you more?"
    yes = env.envelope(
        env.intent_request(Intent.YES), env.Device(), env.Session(new=False, attributes=attributes)
    )
    handle_event(yes, None, skill)
    assert [g._loaded for g in lazy] == [None] * 5


def test_a_group_loads_nothing_for_requests_that_are_not_its_own(
    library: ContentLibrary, tmp_path: Path
) -> None:
    from cramp_coach.entry import handle_event

    skill, lazy = skill_and_groups(library, tmp_path)
    for intent in ("CrampNowIntent", Intent.STOP, Intent.REPEAT):
        event = env.envelope(env.intent_request(intent), env.Device(), env.Session())
        handle_event(event, None, skill)
    assert [g._loaded for g in lazy] == [None] * 5
    start = env.envelope(env.intent_request(Intent.START_ROUTINE), env.Device(), env.Session())
    result = handle_event(start, None, skill)
    assert "Ready" in result["response"]["outputSpeech"]["ssml"]
    assert [g._loaded is not None for g in lazy] == [False, False, False, True, False]


LOGS = r"""
import logging, sys
from cramp_coach.log_config import configure
configure(sys.argv[1])
log = logging.getLogger("cramp_coach.test")
log.info("an info line")
log.warning("a warning line %s", 7)
logging.getLogger("botocore.endpoint").debug("a body with the user id")
"""


def run_logs(level: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LOGS, level],
        capture_output=True,
        text=True,
        cwd=ROOT / "lambda",
        check=True,
    )


def test_the_configured_level_decides_what_is_logged() -> None:
    assert run_logs("WARNING").stderr == "WARNING cramp_coach.test a warning line 7\n"
    assert "INFO cramp_coach.test an info line" in run_logs("INFO").stderr
    assert "an info line" not in run_logs("warn").stderr
    assert run_logs("ERROR").stderr == ""
    assert "a body" not in run_logs("DEBUG").stderr  # botocore stays at WARNING
