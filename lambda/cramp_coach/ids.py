"""Who and where a request comes from, read safely from any envelope (some lack a context)."""

from __future__ import annotations

from typing import Any

from ask_sdk_model import RequestEnvelope


def system_of(envelope: RequestEnvelope) -> Any:
    context = envelope.context
    return context.system if context is not None else None


def user_id(envelope: RequestEnvelope) -> str | None:
    user = getattr(system_of(envelope), "user", None)
    value = getattr(user, "user_id", None)
    return str(value) if value else None


def device_id(envelope: RequestEnvelope) -> str | None:
    device = getattr(system_of(envelope), "device", None)
    value = getattr(device, "device_id", None)
    return str(value) if value else None


def permissions_of(envelope: RequestEnvelope) -> Any:
    return getattr(getattr(system_of(envelope), "user", None), "permissions", None)
