"""Reading an intent's slots: the id of the value Alexa resolved, or the words it heard."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentRequest

from .content import UNMATCHED

ER_SUCCESS_MATCH = "ER_SUCCESS_MATCH"


def intent_of(handler_input: HandlerInput) -> Intent | None:
    request = handler_input.request_envelope.request
    return request.intent if isinstance(request, IntentRequest) else None


def resolved(handler_input: HandlerInput) -> dict[str, str | None]:
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


def heard(handler_input: HandlerInput, name: str) -> str | None:
    """The slot's value as Alexa heard it (for AMAZON.TIME, the time it understood)."""
    intent = intent_of(handler_input)
    slot = (intent.slots or {}).get(name) if intent is not None else None
    return slot.value if slot is not None else None
