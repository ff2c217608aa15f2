"""The edges of a session: its end, requests nobody else handles, and errors."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import metrics
from ..deps import Deps
from ..intents import SPOKEN, Request
from ..respond import say_prompt
from ..tolerant import UnknownRequest
from .base import RedeliverEvent
from .conversation import miss, safety_net

log = logging.getLogger(__name__)


class SessionEndedHandler(AbstractRequestHandler):
    """Alexa says the session is over (timeout, user exit or error). Nothing is spoken."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type(Request.SESSION_ENDED)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        metrics.session_ended(handler_input)  # a routine left unfinished: abandoned
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        if error is not None:
            log.warning(
                "session ended with error: %s",
                getattr(error.object_type, "value", error.object_type),
            )
        response: Response = handler_input.response_builder.response
        return response


def listening(handler_input: HandlerInput) -> bool:
    """The skill left this session open and waits for the person: the request came from them."""
    session = handler_input.request_envelope.session
    return session is not None and session.new is False


class UnhandledHandler(AbstractRequestHandler):
    """Registered last. Unknown intents get the fallback answer; other requests, silence.

    A request type this SDK model does not know (tolerant.UnknownRequest) gets the fallback too
    when it comes into a session the skill holds open, as touches and other things the person
    does on the device do; anything else is treated as an event and answered silently, since
    Alexa rejects speech in answer to events (AudioPlayer, skill and reminder events and the
    like arrive outside a session) and a new type could be one of them.
    """

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info("unhandled request: %s", getattr(request, "object_type", type(request).__name__))
        if is_request_type(Request.INTENT)(handler_input) or (
            isinstance(request, UnknownRequest) and listening(handler_input)
        ):
            return miss(handler_input, self.deps)
        response: Response = handler_input.response_builder.response
        return response


class ErrorHandler(AbstractExceptionHandler):
    """Anything that went wrong still gets a kind, useful spoken answer; never a stack trace."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return not isinstance(exception, RedeliverEvent)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # Frames only: an exception's message may quote what the person said.
        import traceback  # only when something went wrong

        frames = "".join(traceback.format_tb(exception.__traceback__))
        log.error("request failed: %s\n%s", type(exception).__name__, frames)
        metrics.failed(handler_input, exception)  # counted, and the request's line written
        builder = handler_input.response_builder
        request = handler_input.request_envelope.request
        if request is not None and request.object_type not in SPOKEN:
            response: Response = builder.response  # events and the like: Alexa speaks nothing
            return response
        try:
            net = safety_net(handler_input, self.deps)
            return say_prompt(handler_input, self.deps, "error", aloud=net)
        except Exception as second:  # content itself unavailable: end quietly rather than crash
            log.error("error reply failed: %s", type(second).__name__)
            builder.set_should_end_session(True)
            fallback: Response = builder.response
            return fallback
