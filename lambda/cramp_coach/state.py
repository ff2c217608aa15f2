"""Per-user persistent state, read and written through the SDK's AttributesManager.

Only what the skill needs to behave well is kept (for example whether the person has heard the
disclaimer); never anything about their health. A failing store never fails a request: reads
fall back to "nothing known" and writes are dropped, each logged without user identifiers.
"""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

log = logging.getLogger(__name__)

WELCOMED = "welcomed"  # True once the first-use disclaimer has been heard


def load(handler_input: HandlerInput) -> dict[str, Any] | None:
    """The person's persistent attributes, or None when the store cannot be read."""
    try:
        attributes: dict[str, Any] = handler_input.attributes_manager.persistent_attributes
    except Exception as error:  # the store is optional to every answer
        log.warning("state read failed: %s", type(error).__name__)
        return None
    return attributes


def save(handler_input: HandlerInput, attributes: dict[str, Any]) -> bool:
    try:
        handler_input.attributes_manager.persistent_attributes = attributes
        handler_input.attributes_manager.save_persistent_attributes()
    except Exception as error:
        log.warning("state write failed: %s", type(error).__name__)
        return False
    return True
