"""Reading the guided routine's turns: which stretch a turn presents, and whether it is the
routine's introduction."""

from __future__ import annotations

import re

from cramp_coach.local.simulator import Turn
from cramp_coach.questions import Question
from cramp_coach.session import PENDING

TITLE = re.compile(r"(?:Stretch|Number) (\d+) of (\d+)")


def stretch_number(turn: Turn) -> int | None:
    match = TITLE.search(turn.speech)
    return int(match.group(1)) if match else None


def is_introduction(turn: Turn) -> bool:
    """The routine's first turn: safety notes and "Ready?", no stretch yet."""
    return (
        stretch_number(turn) is None
        and "breathe normally" in turn.speech.lower()
        and turn.speech.endswith("?")
        and not turn.ends_session
    )


def asks_continue_or_restart(turn: Turn) -> bool:
    """ "Pick up at stretch N, or start over?": asked when starting with a routine unfinished."""
    pending = turn.attributes.get(PENDING) or {}
    return pending.get("kind") == Question.CONTINUE_OR_RESTART and not turn.ends_session
