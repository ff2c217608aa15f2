"""What handlers share: matching intents by name, and answering a pending yes/no question."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name

from ..respond import Deps, pending

YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"


class RedeliverEvent(Exception):
    """An event could not be done and must not be acknowledged: the error handler lets it
    through, so the invocation fails (Lambda reports an error, the web service answers 500) and
    Alexa delivers the event again, as it does with unacknowledged skill events."""


class IntentHandler(AbstractRequestHandler):
    """Handles the intents named in `intents`."""

    intents: tuple[str, ...] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.intents)


class DepsIntentHandler(IntentHandler):
    """An IntentHandler that answers from content with the skill's dependencies."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps


def said_yes(handler_input: HandlerInput) -> bool:
    return bool(is_intent_name(YES)(handler_input))


def answering(handler_input: HandlerInput, *kinds: str) -> bool:
    """A yes or a no to the question of one of these kinds that the skill just asked."""
    answered = is_intent_name(YES)(handler_input) or is_intent_name(NO)(handler_input)
    return bool(answered) and pending(handler_input).get("kind") in kinds
