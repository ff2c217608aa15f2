"""Deleting what the skill keeps about a person: by voice (after a yes), or when they disable
the skill (the AlexaSkillEvent.SkillDisabled event, subscribed in skill.json)."""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import session, state
from ..deps import Deps
from ..ids import user_id
from ..intents import Intent, Request
from ..questions import Action, Asked, Question
from ..respond import say_prompt
from .base import DepsIntentHandler, RedeliverEvent
from .lazy import Loaded

log = logging.getLogger(__name__)


def delete_person(handler_input: HandlerInput, deps: Deps) -> bool:
    """Delete what the store keeps of the person and what this process remembers of them.
    True when the store confirmed it; nothing is written for them later in this request."""
    if not state.delete(handler_input, deps.store):
        return False
    if deps.profiles is not None:
        deps.profiles.forget(handler_input)
    return True


class DeleteDataHandler(DepsIntentHandler):
    """ "Delete my data": ask first."""

    intents = (Intent.DELETE_DATA,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "confirm_delete", asking=Question.DELETE)


def privacy_actions(deps: Deps) -> dict[Action, Any]:
    """What a yes or no to "Delete everything?" means: either way the session ends."""

    def delete(handler_input: HandlerInput, _: Asked | None) -> Response:
        if not delete_person(handler_input, deps):
            return say_prompt(handler_input, deps, "delete_failed")
        attributes = session.attributes(handler_input)
        for key in list(attributes):  # nothing of the old state survives in the session either
            attributes.pop(key)
        return say_prompt(handler_input, deps, "deleted")

    return {
        Action.DELETE_DATA: delete,
        Action.KEEP_DATA: lambda handler_input, _: say_prompt(handler_input, deps, "kept"),
    }


class SkillDisabledHandler(AbstractRequestHandler):
    """The person disabled the skill: delete their data. Nothing is spoken for events. If the
    store cannot delete it, the event is not acknowledged, so that Alexa delivers it again."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type(Request.SKILL_DISABLED)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        response: Response = handler_input.response_builder.response
        if user_id(handler_input.request_envelope) is None:
            # Nobody is named, so nothing is kept to delete, and delivering it again cannot help.
            log.warning("skill disabled event without a user id: nothing to delete")
            return response
        if not delete_person(handler_input, self.deps):
            request = handler_input.request_envelope.request
            log.error(
                "skill disabled, but deleting the person's data failed (request %s, sent %s): "
                "not acknowledged, so Alexa will deliver the event again; check the store",
                getattr(request, "request_id", None),
                getattr(request, "timestamp", None),
            )
            raise RedeliverEvent("deletion failed")
        log.info("skill disabled: data deleted")
        return response


def privacy_handlers(deps: Deps) -> Loaded:
    """In dispatch order: the event, then the request."""
    return Loaded([SkillDisabledHandler(deps), DeleteDataHandler(deps)], privacy_actions(deps))
