"""Counting the requests that reach the skill's handlers (a request interceptor)."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput


class Dispatches(AbstractRequestInterceptor):
    """A request interceptor that counts how many requests reached the skill's handlers."""

    def __init__(self) -> None:
        self.count = 0

    def process(self, handler_input: HandlerInput) -> None:
        self.count += 1
