"""Each request's deadline: Alexa waits about 8 s for an answer, whatever the services do.

A request starts its clock as it arrives: 8 s less a margin for saying what was done, or less
when Lambda would stop the function sooner (its context's remaining time). Every service call
takes min(its own timeout, the time left), and loops over calls stop while a whole call still
fits, so the person hears what was done rather than nothing.

The clock lives in the request attributes (for handlers) and in a context variable (for the
API client and the store's retries, which see no handler input). Every request sets it before
any handler runs, so a value left from an earlier request on the same thread is never read.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

ALEXA_WAITS = 8.0  # seconds Alexa waits for the skill's answer
MARGIN = 1.0  # kept back to build the answer and send it
_KEY = "deadline"  # request attribute
_CURRENT: ContextVar[Deadline | None] = ContextVar("cramp_coach_deadline", default=None)


@dataclass(frozen=True, slots=True)
class Deadline:
    ends: float  # time.monotonic() when the answer must be on its way

    @classmethod
    def start(cls, lambda_context: Any = None, now: float | None = None) -> Deadline:
        """The clock for a request arriving now; `lambda_context` is Lambda's context object."""
        now = time.monotonic() if now is None else now
        budget = ALEXA_WAITS - MARGIN
        remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
        if callable(remaining):  # Lambda's context: milliseconds until it stops the function
            budget = min(budget, float(remaining()) / 1000 - MARGIN)
        return cls(now + max(0.0, budget))

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def timeout_for(self, own: float) -> float:
        """A call's timeout: its own, or the time left when that is less."""
        return min(own, self.remaining())

    def allows(self, seconds: float) -> bool:
        """Whether something taking up to `seconds` still fits."""
        return self.remaining() >= seconds


def begin(handler_input: HandlerInput) -> Deadline:
    """Start this request's clock (from Lambda's context when there is one)."""
    deadline = Deadline.start(handler_input.context)
    handler_input.attributes_manager.request_attributes[_KEY] = deadline
    _CURRENT.set(deadline)
    return deadline


def of(handler_input: HandlerInput) -> Deadline:
    """This request's clock (started now if nothing started it)."""
    deadline = handler_input.attributes_manager.request_attributes.get(_KEY)
    return deadline if isinstance(deadline, Deadline) else begin(handler_input)


def current() -> Deadline | None:
    """The clock of the request being answered on this thread, for code without the request."""
    return _CURRENT.get()
