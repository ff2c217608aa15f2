"""Handler groups that load their module only when a request could be theirs.

A skill used once or twice a night starts cold almost every time, and the mid-cramp answer
should not wait for the reminder and routine machinery to load (about 10 ms here, see
bench/README.md). A `LazyGroup` stands in the dispatch order exactly where its handlers would
stand; it answers `can_handle` from a cheap check of the request (its type, or its intent's
name), and only when that could match does it import and build its handlers and ask them, in
their own order. A yes or a no never loads a group unless the question it answers is the
group's (questions.py): yes and no are in no group's keys.

Each request type and intent name is in one group's keys at most; every one the group's
handlers accept must be there. A test builds each group and checks both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..intents import Request
from ..questions import Action, Asked

Perform = Callable[[HandlerInput, Asked | None], Response]  # carry out a yes or a no


@dataclass(frozen=True, slots=True)
class Loaded:
    handlers: Sequence[AbstractRequestHandler]  # in dispatch order
    actions: Mapping[Action, Perform] = field(default_factory=lambda: MappingProxyType({}))


Loader = Callable[[], Loaded]


def request_key(handler_input: HandlerInput) -> str:
    """An IntentRequest's intent name; any other request's type."""
    request = handler_input.request_envelope.request
    kind = str(getattr(request, "object_type", "") or "")
    if kind == Request.INTENT:
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
        self._loaded: Loaded | None = None

    @property
    def loaded(self) -> Loaded:
        if self._loaded is None:  # a race only builds the same stateless handlers twice
            self._loaded = self._load()
        return self._loaded

    def actions(self) -> Mapping[Action, Perform]:
        return self.loaded.actions

    def _match(self, handler_input: HandlerInput) -> AbstractRequestHandler | None:
        if request_key(handler_input) not in self.keys:
            return None
        if self.also is not None and not self.also(handler_input):
            return None
        for handler in self.loaded.handlers:
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
