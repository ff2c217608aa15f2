"""Alexa's built-in conversation intents: help, repeat, yes and no, fallback, stop; and the
skill's own "hang on" and "tell me more".

Help, a miss, a hold and Repeat answer for where the person is (context.py): inside the
routine or with a question waiting they say again what is pending, and keep it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from .. import memory, metrics, questions, session, ssml
from ..context import Place, say_here, where, words
from ..deps import Deps
from ..intents import Intent
from ..metrics import Metric
from ..questions import Action, Asked, Group
from ..respond import last_said, say_again, say_in_full, say_prompt, say_topic
from .base import DepsIntentHandler
from .lazy import Perform

MISSED = "missed"  # request attribute: this turn was not understood, so the run of misses goes on
LAST_MISS = 3  # the miss that ends the session, saying how to come back
HOLD_MS = 20_000  # "hang on": this long a silence before the skill asks again


def safety_net(handler_input: HandlerInput, deps: Deps) -> ssml.Speech:
    """The emergency line, once a session, for the first reply that did not understand (or
    failed): AMAZON.FallbackIntent carries no words, so a person in danger whose words were
    missed lands there. Chest pain, a stroke or a swollen, hot leg: the market's number (brief
    at night, said in a normal voice). Nothing the second time."""
    attributes = session.attributes(handler_input)
    if attributes.get(session.SAFETY_NET):
        return ssml.NOTHING
    attributes[session.SAFETY_NET] = True
    return words(handler_input, deps, "safety_net")[0]


def miss(handler_input: HandlerInput, deps: Deps) -> Response:
    """A turn the skill did not understand. The first miss says again what is pending (or, with
    nothing pending, what can be asked); the second names the choices; the third ends, saying
    how to come back. At night each is brief and names the mid-cramp phrase. The session's
    first miss begins with the safety net."""
    attributes = session.attributes(handler_input)
    net = safety_net(handler_input, deps)
    count = int(attributes.get(session.MISSES, 0)) + 1
    handler_input.attributes_manager.request_attributes[MISSED] = True
    here = where(handler_input, deps)
    metrics.fallback(handler_input, here.place)
    if count >= LAST_MISS:
        attributes.pop(session.MISSES, None)
        if here.place is Place.ROUTINE:  # the place is saved after every stretch
            metrics.count(handler_input, Metric.ROUTINE_ABANDONED)
            attributes.pop(session.ROUTINE, None)
            return say_prompt(handler_input, deps, "fallback_end_routine", aloud=net)
        return say_prompt(handler_input, deps, "fallback_end", aloud=net)
    attributes[session.MISSES] = count
    if here.place is Place.NOWHERE:
        key = "fallback" if count == 1 else "fallback_again"
        return say_prompt(handler_input, deps, key, aloud=net)
    if count == 1:
        return say_here(handler_input, deps, here, "fallback_pending", aloud=net)
    if here.place is Place.ROUTINE:
        key = "fallback_again_routine"
        return say_here(handler_input, deps, here, key, restate=False, aloud=net)
    key = "fallback_again_time" if here.place is Place.TIME else "fallback_again_answer"
    return say_here(handler_input, deps, here, key, aloud=net)


class MissCount(AbstractResponseInterceptor):
    """A turn that was understood ends a run of misses."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        if not handler_input.attributes_manager.request_attributes.get(MISSED):
            session.attributes(handler_input).pop(session.MISSES, None)


class HelpHandler(DepsIntentHandler):
    """What can be said here: inside the routine, the routine's commands."""

    intents = (Intent.HELP,)

    def handle(self, handler_input: HandlerInput) -> Response:
        here = where(handler_input, self.deps)
        if here.place is Place.ROUTINE:
            return say_here(handler_input, self.deps, here, "help_routine", restate=False)
        if here.place is Place.NOWHERE:
            return say_prompt(handler_input, self.deps, "help")
        return say_here(handler_input, self.deps, here, "help_pending")


class FallbackHandler(DepsIntentHandler):
    intents = (Intent.FALLBACK,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return miss(handler_input, self.deps)


class HoldHandler(DepsIntentHandler):
    """ "Hang on", "wait", "one moment": for someone getting onto the floor mid-stretch. A
    silence, then what is pending again; the session stays open a while, the place is kept,
    and the reprompt says how to stop for longer."""

    intents = (Intent.HOLD,)

    def handle(self, handler_input: HandlerInput) -> Response:
        here = where(handler_input, self.deps)
        silence = ssml.pause(HOLD_MS)
        if here.place is Place.ROUTINE:
            still_there = words(handler_input, self.deps, "hold_still_there")[0]
            return say_here(
                handler_input, self.deps, here, "hold", then=silence, reprompt=still_there
            )
        if here.place is Place.NOWHERE:
            ready, again = words(handler_input, self.deps, "hold_ready")
            return say_here(
                handler_input, self.deps, here, "hold", then=silence + ready, reprompt=again
            )
        return say_here(handler_input, self.deps, here, "hold", then=silence)


class StopHandler(DepsIntentHandler):
    """Stop, Cancel and Navigate Home all end the session with a short goodnight."""

    intents = (Intent.STOP, Intent.CANCEL, Intent.NAVIGATE_HOME)

    def handle(self, handler_input: HandlerInput) -> Response:
        return say_prompt(handler_input, self.deps, "goodbye")


class RepeatHandler(DepsIntentHandler):
    """The last real answer again: the one in this session, what is pending, or the answer
    given a few minutes ago (memory.py), as a one-shot after its session ended."""

    intents = (Intent.REPEAT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = last_said(handler_input)
        waiting = questions.asked(handler_input)
        if said is not None and (said.topic or waiting is not None):
            response = say_again(handler_input, self.deps, said)
            if response is not None:
                if waiting is not None and questions.asked(handler_input) is None:
                    questions.ask(handler_input, waiting.question, **waiting.data)  # still waits
                return response
        recalled = memory.recall(handler_input, self.deps.store)
        response = say_again(handler_input, self.deps, recalled) or say_again(
            handler_input, self.deps, said
        )
        return response or say_prompt(handler_input, self.deps, "nothing_to_repeat")


class MoreHandler(DepsIntentHandler):
    """ "Tell me more" about the last answer (in this session, or a few minutes ago): what its
    offer leads to, or its full words after the one-breath night answer."""

    intents = (Intent.MORE,)

    def handle(self, handler_input: HandlerInput) -> Response:
        deps = self.deps
        here = where(handler_input, deps)
        said = last_said(handler_input)
        if (said is None or not said.topic) and here.place is Place.NOWHERE:
            said = memory.recall(handler_input, deps.store)
        topics = deps.content_for(handler_input).topics
        topic = topics.get(said.key) if said is not None and said.topic else None
        if topic is None:
            if here.place is Place.ROUTINE:
                return say_here(handler_input, deps, here, "help_routine", restate=False)
            if here.place is Place.NOWHERE:
                return say_prompt(handler_input, deps, "more_nothing")
            return say_here(handler_input, deps, here, "no_more")
        following = topics.get(topic.offer.yes or "") if topic.offer is not None else None
        if following is not None:
            response = say_topic(handler_input, deps, following)
        elif said is not None and said.brief:
            response = say_in_full(handler_input, deps, topic)
        elif here.place is Place.NOWHERE:
            return say_prompt(handler_input, deps, "more_none")
        else:
            return say_here(handler_input, deps, here, "no_more")
        memory.remember(handler_input, deps)
        return response


def conversation_actions(deps: Deps) -> Mapping[Action, Perform]:
    """What a yes or no means when it answers an offer, or nothing at all."""

    def hear_topic(handler_input: HandlerInput, asked: Asked | None) -> Response:
        topics = deps.content_for(handler_input).topics
        topic = topics.get(str(asked.get("key"))) if asked is not None else None
        if topic is None:
            return say_prompt(handler_input, deps, "nothing_pending")
        response = say_topic(handler_input, deps, topic)
        memory.remember(handler_input, deps)
        return response

    return MappingProxyType(
        {
            Action.HEAR_TOPIC: hear_topic,
            Action.DECLINE: lambda h, _: say_prompt(h, deps, "declined"),
            Action.NOTHING_PENDING: lambda h, _: say_prompt(h, deps, "nothing_pending"),
        }
    )


class YesNoHandler(DepsIntentHandler):
    """Every yes and every no: what it means comes from the question it answers
    (questions.MEANINGS), and the group that owns the action carries it out."""

    intents = (Intent.YES, Intent.NO)

    def __init__(
        self, deps: Deps, performers: Mapping[Group, Callable[[], Mapping[Action, Perform]]]
    ) -> None:
        super().__init__(deps)
        self.performers = performers

    def handle(self, handler_input: HandlerInput) -> Response:
        yes = bool(is_intent_name(Intent.YES)(handler_input))
        action, asked = questions.meaning(handler_input, yes)
        perform = self.performers[action.group]()[action]
        return perform(handler_input, asked)
