"""Choosing a phrasing: at random, but never the one this person heard last in this session."""

from __future__ import annotations

from collections.abc import Callable

from ask_sdk_core.handler_input import HandlerInput

from . import session
from .content import Reply
from .deps import Chooser

Picker = Callable[[str, tuple[str, ...]], str]  # a cue key and its phrasings -> one of them


def pick_index(handler_input: HandlerInput, key: str, count: int, rng: Chooser) -> int:
    """A phrasing index for `key`, never the one heard last for it in this session."""
    heard = session.attributes(handler_input).setdefault(session.HEARD, {})
    last = heard.get(key)
    choices = [i for i in range(count) if i != last] or [0]
    index = rng.choice(choices)
    heard[key] = index
    return index


def picker(handler_input: HandlerInput, rng: Chooser) -> Picker:
    """Choose among a cue's phrasings by its key."""

    def pick(key: str, options: tuple[str, ...]) -> str:
        return options[pick_index(handler_input, "cue." + key, len(options), rng)]

    return pick


def brief(reply: Reply) -> tuple[str, ...]:
    """At night: the reply's night phrasings, else its shortest one."""
    if reply.night:
        return reply.night
    return (min(reply.say, key=lambda p: len(p.split())),)
