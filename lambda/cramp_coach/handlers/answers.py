"""The answers: every topic in content/, reached by its intent (and slot value), and where
the last one came from."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import memory, session, slots
from ..content import Content
from ..context import Place, say_here, where
from ..deps import Deps
from ..intents import Intent
from ..respond import STRETCH, last_said, say_prompt, say_topic
from .base import DepsIntentHandler
from .conversation import miss


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
            return miss(handler_input, self.deps)
        response = say_topic(handler_input, self.deps, topic)
        memory.remember(handler_input, self.deps)  # for "repeat" in a minute, one-shot
        return response


class SourceHandler(DepsIntentHandler):
    """'Where is that from?': names the sources of the last answer (in this session, or given
    a few minutes ago), or of the routine's stretches; whatever was pending stays pending."""

    intents = (Intent.SOURCE,)

    def sources(self, handler_input: HandlerInput, content: Content) -> tuple[str, ...]:
        last = last_said(handler_input)
        in_routine = session.attributes(handler_input).get(session.ROUTINE) is not None
        if last is not None and (last.kind == STRETCH or (in_routine and not last.topic)):
            return content.routine.sources  # what the stretches are based on
        kept = session.attributes(handler_input).get(session.LAST_SOURCES)
        if kept:
            return tuple(kept)
        recalled = memory.recall(handler_input, self.deps.store)
        topic = content.topics.get(recalled.key) if recalled is not None else None
        return topic.sources if topic is not None else ()

    def handle(self, handler_input: HandlerInput) -> Response:
        content = self.deps.content_for(handler_input)
        keys = self.sources(handler_input, content)
        names = list(dict.fromkeys(content.sources[k].spoken for k in keys if k in content.sources))
        key, fill = "source_general", None
        if names:
            key, fill = "source_of_last", {"sources": content.spoken_list(names)}
        here = where(handler_input, self.deps)
        if here.place is Place.NOWHERE:
            return say_prompt(handler_input, self.deps, key, fill)
        return say_here(handler_input, self.deps, here, key, fill=fill)
