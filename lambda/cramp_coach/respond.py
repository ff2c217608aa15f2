"""Turning a content reply into an Alexa response: the one path every answer takes.

It picks a phrasing (never the one this person just heard), adds the follow-up offer, keeps the
session open exactly when the reply asks a question, adds the card, records the question a yes
or no would answer, and remembers what was said so Repeat and "where is that from?" can refer
back to it. At night (or when the person asked for it) it is whispered, except what must be
heard: an urgent red flag (a topic marked `urgent`) and the safety line said `aloud` before a
reply are spoken in a normal voice at any hour, whatever the voice setting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from . import metrics, person, session, ssml
from .cards import answer_card
from .content import Content, Reply
from .deps import Deps
from .phrasing import brief, pick_index
from .questions import Question, ask

if TYPE_CHECKING:
    from .screens import Screen

NO_FILL: Mapping[str, str] = MappingProxyType({})
STRETCH = "stretch"  # Said.kind of a routine step (the routine repeats it itself)


@dataclass(frozen=True, slots=True)
class Said:
    """What was said last: which phrasings of which reply, so the same words can be said again
    (`kind` "topic" or "reply"), or that it was a stretch of the routine (STRETCH)."""

    key: str
    kind: str = "reply"
    say: int = 0
    ask: int | None = None
    reprompt: int | None = None
    fill: Mapping[str, str] = field(default_factory=lambda: NO_FILL)
    brief: bool = False  # said the night way: its night phrasing, no offer

    @property
    def topic(self) -> bool:
        return self.kind == "topic"

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "say": self.say,
            "ask": self.ask,
            "reprompt": self.reprompt,
            "fill": dict(self.fill),
            "brief": self.brief,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Said | None:
        try:
            return cls(
                key=str(raw["key"]),
                kind=str(raw["kind"]),
                say=int(raw["say"]),
                ask=None if raw.get("ask") is None else int(raw["ask"]),
                reprompt=None if raw.get("reprompt") is None else int(raw["reprompt"]),
                fill={str(k): str(v) for k, v in (raw.get("fill") or {}).items()},
                brief=bool(raw.get("brief", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def last_said(handler_input: HandlerInput) -> Said | None:
    return Said.from_json(session.attributes(handler_input).get(session.LAST))


def speak(
    handler_input: HandlerInput,
    speech: ssml.Speech,
    reprompt: ssml.Speech | None,
    *,
    said: Said,
    question: Question | None = None,
    card: SimpleCard | None = None,
    sources: tuple[str, ...] | None = None,
    screen: Callable[[], Screen] | None = None,
    urgent: bool = False,
    aloud: ssml.Speech = ssml.NOTHING,
    **question_data: Any,
) -> Response:
    """The response, and what the session remembers of it: what was said, the question a yes
    or no will answer (None: none), and the sources of an answer. A question with a reprompt
    keeps the session open; anything else ends it. On a device with a screen, `screen` gives
    what it shows (only asked for there: a speaker never builds one). `urgent` speech is never
    whispered; `aloud` comes first, never whispered either."""
    attributes = session.attributes(handler_input)
    attributes[session.LAST] = said.to_json()
    ask(handler_input, question, **question_data)
    if sources is not None:
        attributes[session.LAST_SOURCES] = list(sources)
    if person.of(handler_input).mode.whisper and not urgent:
        speech = ssml.whispered(speech)
        reprompt = ssml.whispered(reprompt) if reprompt is not None else None
    speech = aloud + speech
    builder = handler_input.response_builder
    builder.speak(speech.ssml())
    if reprompt is not None:
        builder.ask(reprompt.ssml())
    builder.set_should_end_session(reprompt is None)
    if card is not None:
        builder.set_card(card)
    apl = _apl(handler_input) if screen is not None else None
    if screen is not None and apl is not None:
        from . import screens  # a device with a screen: nothing of it on a speaker's cold start

        if screens.runs(apl):
            for directive in screens.directives(screen(), person.of(handler_input).mode.night):
                builder.add_directive(directive)
    response: Response = builder.response
    return response


def _apl(handler_input: HandlerInput) -> Any:
    """The device's Alexa.Presentation.APL interface: None on a device without a screen."""
    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl
    except AttributeError:  # an envelope without context, system or device
        return None


def _render(content: Content, reply: Reply, said: Said) -> tuple[ssml.Speech, ssml.Speech | None]:
    phrasings = brief(reply) if said.brief else reply.say
    words = phrasings[said.say % len(phrasings)]
    if said.fill:
        words = words.format_map(dict(said.fill))
    speech = ssml.text(words, content.spoken_as)
    if reply.offer is not None and (said.brief or said.ask is None):
        return speech, None  # at night an answer closes the session: no offer
    if reply.offer is not None:
        speech = speech + ssml.text(reply.offer.ask[(said.ask or 0) % len(reply.offer.ask)])
        return speech, ssml.text(
            reply.offer.reprompt[(said.reprompt or 0) % len(reply.offer.reprompt)]
        )
    if reply.reprompt:
        return speech, ssml.text(reply.reprompt[(said.reprompt or 0) % len(reply.reprompt)])
    return speech, None


def _offered(reply: Reply, said: Said) -> tuple[Question | None, dict[str, str]]:
    """The question an offer asks, if the reply was said with its offer."""
    if reply.offer is None or said.brief or said.ask is None:
        return None, {}
    if reply.offer.yes is not None:
        return Question.TOPIC, {"key": reply.offer.yes}
    return Question(str(reply.offer.action)), {}


def _say_again(
    handler_input: HandlerInput,
    deps: Deps,
    content: Content,
    reply: Reply,
    said: Said,
    aloud: ssml.Speech = ssml.NOTHING,
) -> Response:
    speech, reprompt = _render(content, reply, said)
    question, data = _offered(reply, said)
    shown = said.topic and reply.title is not None
    card = answer_card(content, reply, speech) if shown else None
    sources = reply.sources if said.topic else None
    screen = (lambda: _answer_screen(content, reply, deps)) if shown else None
    urgent = said.topic and reply.urgent
    return speak(
        handler_input, speech, reprompt, said=said, question=question, card=card,
        sources=sources, screen=screen, urgent=urgent, aloud=aloud, **data,
    )  # fmt: skip


def _answer_screen(content: Content, reply: Reply, deps: Deps) -> Screen:
    from . import screens

    return screens.answer(content, reply, deps.content.root)


def say(
    handler_input: HandlerInput,
    deps: Deps,
    reply: Reply,
    *,
    topic: bool = False,
    fill: Mapping[str, str] | None = None,
    aloud: ssml.Speech = ssml.NOTHING,
) -> Response:
    """Speak one reply (a topic answer or a prompt), choosing fresh phrasings; `aloud` first."""
    content = deps.content_for(handler_input)
    kind = "topic" if topic else "reply"
    if topic and person.of(handler_input).mode.night:
        index = pick_index(handler_input, reply.key + ".night", len(brief(reply)), deps.rng)
        said = Said(reply.key, kind, index, fill=dict(fill or {}), brief=True)
        return _say_again(handler_input, deps, content, reply, said, aloud)
    ask_index = reprompt = None
    if reply.offer is not None:
        ask_index = pick_index(handler_input, reply.key + ".ask", len(reply.offer.ask), deps.rng)
        reprompt = pick_index(
            handler_input, reply.key + ".reprompt", len(reply.offer.reprompt), deps.rng
        )
    elif reply.reprompt:
        reprompt = pick_index(handler_input, reply.key + ".reprompt", len(reply.reprompt), deps.rng)
    said = Said(
        key=reply.key,
        kind=kind,
        say=pick_index(handler_input, reply.key, len(reply.say), deps.rng),
        ask=ask_index,
        reprompt=reprompt,
        fill=dict(fill or {}),
    )
    return _say_again(handler_input, deps, content, reply, said, aloud)


def say_prompt(
    handler_input: HandlerInput,
    deps: Deps,
    key: str,
    fill: Mapping[str, str] | None = None,
    *,
    asking: Question | None = None,
    aloud: ssml.Speech = ssml.NOTHING,
    **question_data: Any,
) -> Response:
    """Speak a prompt; `asking` names the question it asks, that a yes or no will answer;
    `aloud` is said first, in a normal voice."""
    content = deps.content_for(handler_input)
    someone = person.of(handler_input)
    night_key, evening_key = key + "_night", key + "_evening"
    if night_key in content.replies and someone.mode.night:
        key = night_key  # no welcome chatter at night
    elif evening_key in content.replies and someone.evening:
        key = evening_key  # a sign-off before bed says good night; by day it does not
    response = say(handler_input, deps, content.replies[key], fill=fill, aloud=aloud)
    if asking is not None:
        ask(handler_input, asking, **question_data)
    return response


def say_topic(handler_input: HandlerInput, deps: Deps, reply: Reply) -> Response:
    metrics.topic(handler_input, reply.key, reply.intent or "")
    return say(handler_input, deps, reply, topic=True)


def say_in_full(handler_input: HandlerInput, deps: Deps, reply: Reply) -> Response:
    """A topic's full answer, at night too (asked for: "tell me more" after the brief one); at
    night still without its offer, so the session closes."""
    if not person.of(handler_input).mode.night:
        return say_topic(handler_input, deps, reply)
    said = Said(reply.key, "topic", pick_index(handler_input, reply.key, len(reply.say), deps.rng))
    return _say_again(handler_input, deps, deps.content_for(handler_input), reply, said)


def _reply_of(content: Content, said: Said | None) -> Reply | None:
    if said is None or said.kind == STRETCH:
        return None
    return (content.topics if said.topic else content.replies).get(said.key)


def say_again(handler_input: HandlerInput, deps: Deps, said: Said | None) -> Response | None:
    """Say exactly these words again (None: they are not a reply the content has)."""
    content = deps.content_for(handler_input)
    reply = _reply_of(content, said)
    if reply is None or said is None:
        return None
    return _say_again(handler_input, deps, content, reply, said)


def repeat_last(handler_input: HandlerInput, deps: Deps) -> Response | None:
    """Say exactly what was said last, or None if no reply was said in this session."""
    return say_again(handler_input, deps, last_said(handler_input))


def reprompt_of(handler_input: HandlerInput, deps: Deps) -> ssml.Speech | None:
    """What the reply said last waits for, in the words of its reprompt (its offer's, or its
    own): None when it waits for nothing, or was a stretch (the routine words its own)."""
    said = last_said(handler_input)
    content = deps.content_for(handler_input)
    reply = _reply_of(content, said)
    if reply is None or said is None:
        return None
    return _render(content, reply, said)[1]
