"""Alexa's built-in conversation intents: help, repeat, yes and no, fallback, stop."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from .. import questions
from ..deps import Deps
from ..intents import Intent
from ..questions import Action, Asked, Group
from ..respond import repeat_last, say_prompt, say_topic
from .base import DepsIntentHandler
from .lazy import Perform


class HelpHandler(DepsIntentHandler):
    intents = (Intent.HELP,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "help")


class FallbackHandler(DepsIntentHandler):
    intents = (Intent.FALLBACK,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "fallback")


class StopHandler(DepsIntentHandler):
    """Stop, Cancel and Navigate Home all end the session with a short goodnight."""

    intents = (Intent.STOP, Intent.CANCEL, Intent.NAVIGATE_HOME)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "goodbye")


class RepeatHandler(DepsIntentHandler):
    intents = (Intent.REPEAT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        response = repeat_last(handler_input, self.deps)
        return response or say_prompt(handler_input, self.deps, "nothing_to_repeat")


def conversation_actions(deps: Deps) -> Mapping[Action, Perform]:
    """What a yes or no means when it answers an offer, or nothing at all."""

    def hear_topic(handler_input: HandlerInput, asked: Asked | None) -> Response:
        topics = deps.content_for(handler_input).topics
        topic = topics.get(str(asked.get("key"))) if asked is not None else None
        if topic is None:
            return say_prompt(handler_input, deps, "nothing_pending")
        return say_topic(handler_input, deps, topic)

    return MappingProxyType(
        {
            Action.HEAR_TOPIC: hear_topic,
            Action.DECLINE: lambda h, _: say_prompt(h, deps, "declined"),
            Action.NOTHING_PENDING: lambda h, _: say_prompt(h, deps, "nothing_pending"),
        }
    )


class YesNoHandler(DepsIntentHandler):
    """Every yes and every no: what it means comes from the question it answers
    (questions.MEANINGS), and the group that owns the action carries it out."""

    intents = (Intent.YES, Intent.NO)

    def __init__(
        self, deps: Deps, performers: Mapping[Group, Callable[[], Mapping[Action, Perform]]]
    ) -> None:
        super().__init__(deps)
        self.performers = performers

    def handle(self, handler_input: HandlerInput) -> Response:
        yes = bool(is_intent_name(Intent.YES)(handler_input))
        action, asked = questions.meaning(handler_input, yes)
        perform = self.performers[action.group]()[action]
        return perform(handler_input, asked)
