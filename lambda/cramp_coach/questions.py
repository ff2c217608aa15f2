"""The yes/no protocol: every question the skill asks that a yes or a no can answer, and what
each answer means, in one table.

A reply that asks one of these questions records it in the session (`ask`); the next yes or
no is looked up here (`meaning`), and the handler group named by the action carries it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from . import session


class Question(StrEnum):
    TOPIC = "topic"  # "Shall I tell you ...?": an offered topic (data: key)
    START_ROUTINE = "start_routine"  # "Shall we do the stretches?"
    NEXT = "next"  # "Ready for the next one?"
    RESUME = "resume"  # "Continue where you left off?"
    DELETE = "delete"  # "Delete everything?"
    REMINDER_TIME = "reminder_time"  # "What time?" (data: frequency, day, change)
    CREATE_REMINDER = "create_reminder"  # "Shall I set one?" (data: token)
    # "Start my stretches" with a routine unfinished: "Pick up at stretch 3, or start over?"
    CONTINUE_OR_RESTART = "continue_or_restart"
    WHICH_REMINDER = "which_reminder"  # "Which one shall I move?" (data: hour, minute)


class Group(StrEnum):
    """Who carries an action out: a handler group (the last three load on demand)."""

    CONVERSATION = "conversation"
    ROUTINE = "routine"
    PRIVACY = "privacy"
    REMINDERS = "reminders"


class Action(StrEnum):
    HEAR_TOPIC = "hear_topic"
    DECLINE = "decline"  # a kind goodbye
    NOTHING_PENDING = "nothing_pending"  # a yes to nothing: say what can be asked
    START_ROUTINE = "start_routine"
    NEXT_STRETCH = "next_stretch"
    PAUSE_ROUTINE = "pause_routine"
    RESUME_ROUTINE = "resume_routine"
    DECLINE_ROUTINE = "decline_routine"  # the place is kept for another night
    RESTART_ROUTINE = "restart_routine"  # the unfinished one from its first stretch
    DELETE_DATA = "delete_data"
    KEEP_DATA = "keep_data"
    CREATE_REMINDER = "create_reminder"
    ASK_REMINDER_TIME = "ask_reminder_time"  # a yes is no time: ask for one again
    ASK_WHICH_REMINDER = "ask_which_reminder"  # a yes names no reminder: ask which again
    KEEP_REMINDERS = "keep_reminders"  # a no: nothing set, nothing changed

    @property
    def group(self) -> Group:
        return PERFORMED_BY[self]


PERFORMED_BY: Mapping[Action, Group] = MappingProxyType(
    {
        Action.HEAR_TOPIC: Group.CONVERSATION,
        Action.DECLINE: Group.CONVERSATION,
        Action.NOTHING_PENDING: Group.CONVERSATION,
        Action.START_ROUTINE: Group.ROUTINE,
        Action.NEXT_STRETCH: Group.ROUTINE,
        Action.PAUSE_ROUTINE: Group.ROUTINE,
        Action.RESUME_ROUTINE: Group.ROUTINE,
        Action.DECLINE_ROUTINE: Group.ROUTINE,
        Action.RESTART_ROUTINE: Group.ROUTINE,
        Action.DELETE_DATA: Group.PRIVACY,
        Action.KEEP_DATA: Group.PRIVACY,
        Action.CREATE_REMINDER: Group.REMINDERS,
        Action.ASK_REMINDER_TIME: Group.REMINDERS,
        Action.ASK_WHICH_REMINDER: Group.REMINDERS,
        Action.KEEP_REMINDERS: Group.REMINDERS,
    }
)


@dataclass(frozen=True, slots=True)
class Meaning:
    yes: Action
    no: Action


NOTHING_ASKED = Meaning(yes=Action.NOTHING_PENDING, no=Action.DECLINE)

MEANINGS: Mapping[Question, Meaning] = MappingProxyType(
    {
        Question.TOPIC: Meaning(yes=Action.HEAR_TOPIC, no=Action.DECLINE),
        Question.START_ROUTINE: Meaning(yes=Action.START_ROUTINE, no=Action.DECLINE),
        Question.NEXT: Meaning(yes=Action.NEXT_STRETCH, no=Action.PAUSE_ROUTINE),
        Question.RESUME: Meaning(yes=Action.RESUME_ROUTINE, no=Action.DECLINE_ROUTINE),
        Question.DELETE: Meaning(yes=Action.DELETE_DATA, no=Action.KEEP_DATA),
        Question.REMINDER_TIME: Meaning(yes=Action.ASK_REMINDER_TIME, no=Action.KEEP_REMINDERS),
        Question.CREATE_REMINDER: Meaning(yes=Action.CREATE_REMINDER, no=Action.DECLINE),
        # They asked to stretch: a no to picking up where they were is a no to that place.
        Question.CONTINUE_OR_RESTART: Meaning(yes=Action.RESUME_ROUTINE, no=Action.RESTART_ROUTINE),
        Question.WHICH_REMINDER: Meaning(yes=Action.ASK_WHICH_REMINDER, no=Action.KEEP_REMINDERS),
    }
)


@dataclass(frozen=True, slots=True)
class Asked:
    """The question waiting for an answer, with what it needs to carry the answer out."""

    question: Question
    data: Mapping[str, Any]

    def get(self, name: str) -> Any:
        return self.data.get(name)


def asked(handler_input: HandlerInput) -> Asked | None:
    """The question the skill asked last, if it still waits for an answer."""
    raw = session.attributes(handler_input).get(session.PENDING)
    if not isinstance(raw, dict):
        return None
    try:
        question = Question(str(raw.get("kind")))
    except ValueError:  # not a question this skill asks (an older skill's, or forged)
        return None
    return Asked(question, {k: v for k, v in raw.items() if k != "kind"})


def ask(handler_input: HandlerInput, question: Question | None, **data: Any) -> None:
    """Record the question just asked (None: nothing waits for a yes or no any more)."""
    attributes = session.attributes(handler_input)
    if question is None:
        attributes.pop(session.PENDING, None)
    else:
        attributes[session.PENDING] = {"kind": question.value, **data}


def meaning(handler_input: HandlerInput, yes: bool) -> tuple[Action, Asked | None]:
    """What this yes or no means, given the question it answers."""
    waiting = asked(handler_input)
    meant = MEANINGS[waiting.question] if waiting is not None else NOTHING_ASKED
    return (meant.yes if yes else meant.no), waiting
