"""What handlers share: matching intents by name, and the event that must come again."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name

from ..deps import Deps
from ..intents import Intent


class RedeliverEvent(Exception):
    """An event could not be done and must not be acknowledged: the error handler lets it
    through, so the invocation fails (Lambda reports an error, the web service answers 500) and
    Alexa delivers the event again, as it does with unacknowledged skill events."""


class IntentHandler(AbstractRequestHandler):
    """Handles the intents named in `intents`."""

    intents: tuple[Intent, ...] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.intents)


class DepsIntentHandler(IntentHandler):
    """An IntentHandler that answers from content with the skill's dependencies."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
