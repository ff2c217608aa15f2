"""The answers: every topic in content/, reached by its intent (and slot value), and where
the last one came from."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import session, slots
from ..deps import Deps
from ..intents import Intent
from ..respond import say_prompt, say_topic
from .base import DepsIntentHandler


class AnswerHandler(AbstractRequestHandler):
    """Answers every intent that content/ has a topic for."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def can_handle(self, handler_input: HandlerInput) -> bool:
        intent = slots.intent_of(handler_input)
        return (
            intent is not None
            and intent.name in self.deps.content_for(handler_input).answer_intents
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        content = self.deps.content_for(handler_input)
        intent = slots.intent_of(handler_input)
        name = (intent.name or "") if intent is not None else ""
        topic = content.topic_for(name, slots.resolved(handler_input))
        if topic is None:  # an intent whose every topic needs a slot it did not get
            return say_prompt(handler_input, self.deps, "fallback")
        return say_topic(handler_input, self.deps, topic)


class SourceHandler(DepsIntentHandler):
    """'Where is that from?': names the sources of the last answer in this session."""

    intents = (Intent.SOURCE,)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = self.deps.content_for(handler_input)
        keys = session.attributes(handler_input).get(session.LAST_SOURCES) or []
        names = [content.sources[k].spoken for k in keys if k in content.sources]
        if not names:
            return say_prompt(handler_input, self.deps, "source_general")
        fill = {"sources": content.spoken_list(names)}
        return say_prompt(handler_input, self.deps, "source_of_last", fill)
