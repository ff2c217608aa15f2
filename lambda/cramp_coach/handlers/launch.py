"""Opening the skill."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import person, returning, state
from ..deps import Deps
from ..intents import Request
from ..questions import Question
from ..respond import say_prompt


class LaunchHandler(AbstractRequestHandler):
    """First use: welcome with the one-sentence disclaimer. Back after a long absence: a
    welcome back with the disclaimer again (returning.py). Otherwise: a short hello, an offer
    to finish an unfinished routine, or a note that tonight's stretches are done."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type(Request.LAUNCH)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        attributes = state.load(handler_input)
        if attributes is None:  # unknown person (store unavailable): disclaimer, to be safe
            return say_prompt(handler_input, self.deps, "launch_first")
        today = person.of(handler_input).today
        first = returning.first_visit(attributes)
        due = returning.disclaimer_due(attributes, today)
        if returning.visit_is_news(attributes, today):  # at most one write a day
            state.update(handler_input, self.deps.store, lambda a: returning.record_visit(a, today))
        if first:
            return say_prompt(handler_input, self.deps, "launch_first")
        if due:
            return say_prompt(handler_input, self.deps, "launch_long_absence")
        saved = attributes.get(state.ROUTINE)
        if saved:  # offer to finish an unfinished routine
            offer = self._offer_resume(handler_input, saved)
            if offer is not None:
                return offer
        if attributes.get(state.LAST_FINISHED) == today:
            return say_prompt(handler_input, self.deps, "launch_done_today")
        return say_prompt(handler_input, self.deps, "launch")

    def _offer_resume(self, handler_input: HandlerInput, saved: Any) -> Response | None:
        from ..routine import Progress  # only for people with a routine to finish

        routine = self.deps.content_for(handler_input).routine
        progress = Progress.from_json(saved, routine)
        if progress is None or progress.remaining(routine) <= 0:
            return None
        fill = {
            "length": routine.lengths[progress.length].name,
            "left": str(progress.remaining(routine)),
        }
        return say_prompt(handler_input, self.deps, "offer_resume", fill, asking=Question.RESUME)
