"""Alexa's built-in conversation intents: help, repeat, yes/no, fallback, stop."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..respond import content_for, pending, repeat_last, say_prompt, say_topic
from .base import DepsIntentHandler


class HelpHandler(DepsIntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "help")


class FallbackHandler(DepsIntentHandler):
    intents = ("AMAZON.FallbackIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "fallback")


class StopHandler(DepsIntentHandler):
    """Stop, Cancel and Navigate Home all end the session with a short goodnight."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "goodbye")


class RepeatHandler(DepsIntentHandler):
    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        response = repeat_last(handler_input, self.deps)
        return response or say_prompt(handler_input, self.deps, "nothing_to_repeat")


class YesHandler(DepsIntentHandler):
    """Yes accepts an offered topic. (Handlers for other questions are registered earlier.)"""

    intents = ("AMAZON.YesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        waiting = pending(handler_input)
        topics = content_for(handler_input, self.deps).topics
        topic = topics.get(waiting.get("key", "")) if waiting.get("kind") == "topic" else None
        if topic is None:
            return say_prompt(handler_input, self.deps, "nothing_pending")
        return say_topic(handler_input, self.deps, topic)


class NoHandler(DepsIntentHandler):
    """No declines the offer, or answers "anything else?": either way, a kind goodbye."""

    intents = ("AMAZON.NoIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "declined")
