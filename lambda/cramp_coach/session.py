"""The session attributes the skill keeps: each name declared once, the shape it may have, and
a safe way to reach them.

A session's attributes come back from the device with every request: they are input, not
memory, and anyone can forge them. Each is checked on the way in (skill.SessionCheck); one of
the wrong shape, or not ours, is dropped, never trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

LAST = "last"  # what was said last: reply key, kind and the phrasing indexes used
HEARD = "heard"  # reply key -> index of the phrasing heard last
PENDING = "pending"  # the question a yes (or no) answers: {"kind": ..., ...}
LAST_SOURCES = "sources"  # source keys of the last answer
ROUTINE = "routine"  # the routine's Progress while it runs in this session
MISSES = "misses"  # how many turns in a row the skill did not understand
SAFETY_NET = "safety_net"  # True once a miss or an error has said the emergency line

_SCALARS = (str, int, float, bool, type(None))


def _flat(value: Any) -> bool:
    """A JSON object of plain values, the shape most session attributes have."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, _SCALARS) for k, v in value.items()
    )


def _said(value: Any) -> bool:
    fill = value.get("fill") if isinstance(value, dict) else None
    rest = {k: v for k, v in value.items() if k != "fill"} if isinstance(value, dict) else None
    return _flat(rest) and (fill is None or _flat(fill))


def _index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


SCHEMA: Mapping[str, Callable[[Any], bool]] = MappingProxyType(
    {
        LAST: _said,
        HEARD: lambda v: isinstance(v, dict) and all(_index(i) for i in v.values()),
        PENDING: lambda v: _flat(v) and isinstance(v.get("kind"), str),
        LAST_SOURCES: lambda v: isinstance(v, list) and all(isinstance(k, str) for k in v),
        ROUTINE: lambda v: _flat(v) and isinstance(v.get("length"), str),
        MISSES: lambda v: _index(v) and 0 < v < 10,
        SAFETY_NET: lambda v: v is True,
    }
)


def drop_forged(attributes: dict[str, Any]) -> list[str]:
    """Remove every session attribute SCHEMA does not accept; returns the names of ours that
    were dropped (others' names are not returned: they could be anything)."""
    dropped: list[str] = []
    for name in list(attributes):
        check = SCHEMA.get(name)
        if check is None or not check(attributes[name]):
            del attributes[name]
            if check is not None:
                dropped.append(name)
    return dropped


def attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes, or a throwaway dict for requests that have no session."""
    if handler_input.request_envelope.session is None:
        return {}
    current: dict[str, Any] | None = handler_input.attributes_manager.session_attributes
    if current is None:
        current = {}
        handler_input.attributes_manager.session_attributes = current
    return current
