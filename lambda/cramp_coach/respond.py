"""Turning a content reply into an Alexa response: the one path every answer takes.

It picks a phrasing (never the one this person just heard), adds the follow-up offer, keeps the
session open exactly when the reply asks a question, builds the card, and remembers what was
said so Repeat, Yes/No and "where is that from?" can refer back to it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from . import ssml
from .content import Content, ContentLibrary, Reply
from .night import DAY, Mode, NightWatch, whispered

# Session attribute names, each declared once, with what it may hold (SESSION_SCHEMA).
LAST = "last"  # what was said last: reply key, kind and the phrasing indexes used
HEARD = "heard"  # reply key -> index of the phrasing heard last
PENDING = "pending"  # what a yes (or no) answers: {"kind": ..., ...}
LAST_SOURCES = "sources"  # source keys of the last answer
ROUTINE = "routine"  # the routine's Progress while it runs in this session

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


# A session's attributes come back from the device with every request: they are input, not
# memory, and anyone can forge them. Each is checked on the way in (skill.SessionCheck); one
# of the wrong shape, or not ours, is dropped, never trusted.
SESSION_SCHEMA: Mapping[str, Callable[[Any], bool]] = MappingProxyType(
    {
        LAST: _said,
        HEARD: lambda v: isinstance(v, dict) and all(_index(i) for i in v.values()),
        PENDING: lambda v: _flat(v) and isinstance(v.get("kind"), str),
        LAST_SOURCES: lambda v: isinstance(v, list) and all(isinstance(k, str) for k in v),
        ROUTINE: lambda v: _flat(v) and isinstance(v.get("length"), str),
    }
)


def drop_forged(attributes: dict[str, Any]) -> list[str]:
    """Remove every session attribute SESSION_SCHEMA does not accept; returns the names of
    ours that were dropped (others' names are not returned: they could be anything)."""
    dropped: list[str] = []
    for name in list(attributes):
        check = SESSION_SCHEMA.get(name)
        if check is None or not check(attributes[name]):
            del attributes[name]
            if check is not None:
                dropped.append(name)
    return dropped


T = TypeVar("T")


class Chooser(Protocol):
    """What picks among phrasings: `random.Random` in tests (seeded), `OsChooser` otherwise."""

    def choice(self, seq: Sequence[T]) -> T: ...


class OsChooser:
    """Picks a phrasing from the OS's random bytes: all a phrasing needs, without loading
    `random` (and its seeding) on every cold start."""

    def choice(self, seq: Sequence[T]) -> T:
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[int.from_bytes(os.urandom(4), "big") % len(seq)]


@dataclass(slots=True)
class Deps:
    """What handlers need besides the request: passed in, so tests can choose them."""

    content: ContentLibrary
    store: AbstractPersistenceAdapter | None = None
    rng: Chooser = field(default_factory=OsChooser)
    night: NightWatch | None = None

    def mode(self, handler_input: HandlerInput) -> Mode:
        return self.night.mode(handler_input) if self.night is not None else DAY

    def today(self, handler_input: HandlerInput) -> str:
        """The person's local date (UTC when their time zone is unknown)."""
        if self.night is not None:
            return self.night.local_date(handler_input)
        return NightWatch.utc_now(handler_input).date().isoformat()


def session_attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes, or a throwaway dict for requests that have no session."""
    if handler_input.request_envelope.session is None:
        return {}
    attributes: dict[str, Any] | None = handler_input.attributes_manager.session_attributes
    if attributes is None:
        attributes = {}
        handler_input.attributes_manager.session_attributes = attributes
    return attributes


def content_for(handler_input: HandlerInput, deps: Deps) -> Content:
    return deps.content.get(getattr(handler_input.request_envelope.request, "locale", None))


def _pick(session: dict[str, Any], key: str, count: int, rng: Chooser) -> int:
    """A phrasing index, never the one heard last for this key in this session."""
    heard = session.setdefault(HEARD, {})
    last = heard.get(key)
    choices = [i for i in range(count) if i != last] or [0]
    index = rng.choice(choices)
    heard[key] = index
    return index


def picker(handler_input: HandlerInput, deps: Deps) -> Callable[[str, tuple[str, ...]], str]:
    """Choose among phrasings by key, never repeating the one heard last in this session."""
    session = session_attributes(handler_input)

    def pick(key: str, options: tuple[str, ...]) -> str:
        return options[_pick(session, "cue." + key, len(options), deps.rng)]

    return pick


def pending(handler_input: HandlerInput) -> dict[str, Any]:
    """What the last question was about ({} when nothing is waiting for a yes or no)."""
    value = session_attributes(handler_input).get(PENDING)
    return value if isinstance(value, dict) else {}


def set_pending(handler_input: HandlerInput, kind: str | None, **data: Any) -> None:
    session = session_attributes(handler_input)
    if kind is None:
        session.pop(PENDING, None)
    else:
        session[PENDING] = {"kind": kind, **data}


def respond(
    handler_input: HandlerInput,
    deps: Deps,
    speech: ssml.Speech,
    reprompt: ssml.Speech | None,
    card: SimpleCard | None = None,
) -> Response:
    """The response: a question with a reprompt keeps the session open; anything else ends it.
    At night (or when the person asked for it) everything is whispered."""
    if deps.mode(handler_input).whisper:
        speech = whispered(speech)
        reprompt = whispered(reprompt) if reprompt is not None else None
    builder = handler_input.response_builder
    builder.speak(speech.ssml())
    if reprompt is not None:
        builder.ask(reprompt.ssml())
    builder.set_should_end_session(reprompt is None)
    if card is not None:
        builder.set_card(card)
    response: Response = builder.response
    return response


NO_FILL: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Said:
    """Which phrasings of a reply were used, so the exact words can be said again."""

    key: str
    topic: bool
    say: int
    ask: int | None = None
    reprompt: int | None = None
    fill: Mapping[str, str] = field(default_factory=lambda: NO_FILL)
    brief: bool = False  # said the night way: its night phrasing, no offer

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "topic": self.topic,
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
                topic=bool(raw["topic"]),
                say=int(raw["say"]),
                ask=None if raw.get("ask") is None else int(raw["ask"]),
                reprompt=None if raw.get("reprompt") is None else int(raw["reprompt"]),
                fill={str(k): str(v) for k, v in (raw.get("fill") or {}).items()},
                brief=bool(raw.get("brief", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


def brief_phrasings(reply: Reply) -> tuple[str, ...]:
    """At night: the reply's night phrasings, else its shortest one."""
    if reply.night:
        return reply.night
    return (min(reply.say, key=lambda p: len(p.split())),)


def _render(content: Content, reply: Reply, said: Said) -> tuple[ssml.Speech, ssml.Speech | None]:
    phrasings = brief_phrasings(reply) if said.brief else reply.say
    words = phrasings[said.say % len(phrasings)]
    if said.fill:
        words = words.format_map(dict(said.fill))
    speech = ssml.text(words, content.spoken_as)
    reprompt: ssml.Speech | None = None
    if said.brief and reply.offer is not None:
        return speech, None  # at night an answer closes the session: no offer
    if reply.offer is not None:
        speech = speech + ssml.text(reply.offer.ask[(said.ask or 0) % len(reply.offer.ask)])
        reprompt = ssml.text(reply.offer.reprompt[(said.reprompt or 0) % len(reply.offer.reprompt)])
    elif reply.reprompt:
        reprompt = ssml.text(reply.reprompt[(said.reprompt or 0) % len(reply.reprompt)])
    return speech, reprompt


def _card_text(content: Content, reply: Reply, speech: ssml.Speech) -> str:
    lines = [ssml.to_plain_text(speech.ssml()), ""]
    lines += [content.source_line(key, link=True) for key in reply.sources]
    reviewed = content.reviewed_line(reply)
    lines += ["", *([reviewed] if reviewed else []), content.words["card_footer"]]
    return "\n".join(lines)


def _build(
    handler_input: HandlerInput,
    deps: Deps,
    content: Content,
    reply: Reply,
    said: Said,
) -> Response:
    session = session_attributes(handler_input)
    speech, reprompt = _render(content, reply, said)
    card = None
    if said.topic and reply.title:
        card = SimpleCard(title=reply.title, content=_card_text(content, reply, speech))
    session[LAST] = said.to_json()
    offer = reply.offer if not said.brief else None
    if offer is not None and offer.yes is not None:
        set_pending(handler_input, "topic", key=offer.yes)
    elif offer is not None:
        set_pending(handler_input, offer.action)
    else:
        set_pending(handler_input, None)
    if said.topic:
        session[LAST_SOURCES] = list(reply.sources)
    return respond(handler_input, deps, speech, reprompt, card)


def say(
    handler_input: HandlerInput,
    deps: Deps,
    reply: Reply,
    *,
    topic: bool = False,
    fill: Mapping[str, str] | None = None,
) -> Response:
    """Speak one reply (a topic answer or a prompt), choosing fresh phrasings."""
    content = content_for(handler_input, deps)
    session = session_attributes(handler_input)
    brief = topic and deps.mode(handler_input).night
    if brief:
        phrasings = brief_phrasings(reply)
        said = Said(
            key=reply.key,
            topic=topic,
            say=_pick(session, reply.key + ".night", len(phrasings), deps.rng),
            fill=dict(fill or {}),
            brief=True,
        )
        return _build(handler_input, deps, content, reply, said)
    ask = reprompt = None
    if reply.offer is not None:
        ask = _pick(session, reply.key + ".ask", len(reply.offer.ask), deps.rng)
        reprompt = _pick(session, reply.key + ".reprompt", len(reply.offer.reprompt), deps.rng)
    elif reply.reprompt:
        reprompt = _pick(session, reply.key + ".reprompt", len(reply.reprompt), deps.rng)
    said = Said(
        key=reply.key,
        topic=topic,
        say=_pick(session, reply.key, len(reply.say), deps.rng),
        ask=ask,
        reprompt=reprompt,
        fill=dict(fill or {}),
    )
    return _build(handler_input, deps, content, reply, said)


def say_prompt(
    handler_input: HandlerInput,
    deps: Deps,
    key: str,
    fill: Mapping[str, str] | None = None,
    *,
    waiting_for: str | None = None,
) -> Response:
    """Speak a prompt; `waiting_for` names what a following yes or no will answer."""
    content = content_for(handler_input, deps)
    night_key = key + "_night"
    if night_key in content.replies and deps.mode(handler_input).night:
        key = night_key  # no welcome chatter at night
    response = say(handler_input, deps, content.replies[key], fill=fill)
    if waiting_for is not None:
        set_pending(handler_input, waiting_for)
    return response


def say_topic(handler_input: HandlerInput, deps: Deps, reply: Reply) -> Response:
    return say(handler_input, deps, reply, topic=True)


def repeat_last(handler_input: HandlerInput, deps: Deps) -> Response | None:
    """Say exactly what was said last, or None if nothing was said in this session."""
    session = session_attributes(handler_input)
    said = Said.from_json(session.get(LAST))
    if said is None:
        return None
    content = content_for(handler_input, deps)
    reply = (content.topics if said.topic else content.replies).get(said.key)
    if reply is None:
        return None
    return _build(handler_input, deps, content, reply, said)
