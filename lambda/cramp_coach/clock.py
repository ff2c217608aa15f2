"""The request's clock: when Alexa sent the request (UTC), and that moment in a time zone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ask_sdk_core.handler_input import HandlerInput

log = logging.getLogger(__name__)


def utc_now(handler_input: HandlerInput) -> datetime:
    """When Alexa sent the request (its own timestamp), else now."""
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return datetime.now(UTC)


def in_zone(utc: datetime, zone: str | None) -> datetime | None:
    """That moment on the clocks of a time zone ("Europe/London"); None for no or an unknown
    zone."""
    if not zone:
        return None
    try:
        return utc.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError) as error:  # an unknown or malformed zone name
        log.warning("unusable time zone: %s", type(error).__name__)
        return None
