"""Opening the skill."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import state
from ..respond import Deps, say_prompt


class LaunchHandler(AbstractRequestHandler):
    """First use: welcome with the one-sentence disclaimer. Later: a short hello."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        attributes = state.load(handler_input)
        if attributes is not None and attributes.get(state.WELCOMED):
            return say_prompt(handler_input, self.deps, "launch")
        if attributes is not None:
            state.save(handler_input, {**attributes, state.WELCOMED: True})
        return say_prompt(handler_input, self.deps, "launch_first")
