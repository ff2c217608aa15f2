"""The answers: every topic in content/, reached by its intent (and slot value)."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Intent, IntentRequest, Response

from ..content import UNMATCHED
from ..respond import LAST_SOURCES, Deps, content_for, say_prompt, say_topic, session_attributes

SOURCE_INTENT = "SourceIntent"
ER_SUCCESS_MATCH = "ER_SUCCESS_MATCH"


def intent_of(handler_input: HandlerInput) -> Intent | None:
    request = handler_input.request_envelope.request
    return request.intent if isinstance(request, IntentRequest) else None


def resolved_slots(handler_input: HandlerInput) -> dict[str, str | None]:
    """Slot name -> the id of the value Alexa resolved, UNMATCHED, or None if not filled."""
    intent = intent_of(handler_input)
    slots: dict[str, Any] = (intent.slots if intent is not None else None) or {}
    result: dict[str, str | None] = {}
    for name, slot in slots.items():
        if slot is None or not (slot.value or "").strip():
            result[name] = None
            continue
        result[name] = UNMATCHED
        authorities = slot.resolutions.resolutions_per_authority if slot.resolutions else None
        for authority in authorities or []:
            code = authority.status.code if authority.status is not None else None
            # The StatusCode enum's value; compared as text so that requests without resolved
            # slots need not load the entity-resolution models.
            matched = getattr(code, "value", code) == ER_SUCCESS_MATCH
            if matched and authority.values:
                result[name] = authority.values[0].value.id
                break
    return result


class AnswerHandler(AbstractRequestHandler):
    """Answers every intent that content/ has a topic for."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        intent = intent_of(handler_input)
        return (
            intent is not None
            and intent.name in content_for(handler_input, self.deps).answer_intents
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        content = content_for(handler_input, self.deps)
        intent = intent_of(handler_input)
        topic = content.topic_for(
            intent.name or "" if intent else "", resolved_slots(handler_input)
        )
        if topic is None:  # an intent whose every topic needs a slot it did not get
            return say_prompt(handler_input, self.deps, "fallback")
        return say_topic(handler_input, self.deps, topic)


class SourceHandler(AbstractRequestHandler):
    """'Where is that from?': names the sources of the last answer in this session."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name(SOURCE_INTENT)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        content = content_for(handler_input, self.deps)
        keys = session_attributes(handler_input).get(LAST_SOURCES) or []
        names = [content.sources[k].spoken for k in keys if k in content.sources]
        if not names:
            return say_prompt(handler_input, self.deps, "source_general")
        fill = {"sources": content.spoken_list(names)}
        return say_prompt(handler_input, self.deps, "source_of_last", fill)
