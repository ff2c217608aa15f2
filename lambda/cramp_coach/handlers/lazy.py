"""Handler groups that load their module only when a request could be theirs.

A skill used once or twice a night starts cold almost every time, and the mid-cramp answer
should not wait for the reminder and routine machinery to load. A `LazyGroup` stands in the
dispatch order exactly where its handlers would stand; it answers `can_handle` from a cheap
check of the request (its type, or its intent's name), and only when that could match does it
import and build its handlers and ask them, in their own order.

Every request type and intent name the group's handlers accept must be in its `keys`; a test
builds each group and checks that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

Loader = Callable[[], Sequence[AbstractRequestHandler]]
INTENT_REQUEST = "IntentRequest"


def request_key(handler_input: HandlerInput) -> str:
    """An IntentRequest's intent name; any other request's type."""
    request = handler_input.request_envelope.request
    kind = str(getattr(request, "object_type", "") or "")
    if kind == INTENT_REQUEST:
        return str(getattr(getattr(request, "intent", None), "name", "") or "")
    return kind


class LazyGroup(AbstractRequestHandler):
    """Handlers in dispatch order, imported on the first request whose key is in `keys`."""

    def __init__(
        self,
        keys: frozenset[str],
        load: Loader,
        *,
        also: Callable[[HandlerInput], bool] | None = None,
    ) -> None:
        self.keys = keys
        self.also = also  # a further cheap check, for keys shared with everyday requests
        self._load = load
        self._handlers: Sequence[AbstractRequestHandler] | None = None

    @property
    def handlers(self) -> Sequence[AbstractRequestHandler]:
        if self._handlers is None:  # a race only builds the same stateless handlers twice
            self._handlers = tuple(self._load())
        return self._handlers

    def _match(self, handler_input: HandlerInput) -> AbstractRequestHandler | None:
        if request_key(handler_input) not in self.keys:
            return None
        if self.also is not None and not self.also(handler_input):
            return None
        for handler in self.handlers:
            if handler.can_handle(handler_input=handler_input):
                return handler
        return None

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self._match(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        handler = self._match(handler_input)
        if handler is None:  # can_handle said yes, and the request has not changed since
            raise LookupError("no handler in the group matches")
        response: Response = handler.handle(handler_input)  # type: ignore[assignment]
        return response
