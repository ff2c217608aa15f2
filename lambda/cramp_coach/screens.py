"""What an Echo Show shows: an answer, a stretch with its countdown, or a red flag's number.

Only a device that declares `Alexa.Presentation.APL`, with a runtime that reads the documents'
APL version, gets a screen; every other device keeps today's card. The documents are JSON files
in content/apl/ (the layout for each viewport profile is decided inside them, with
alexa-viewport-profiles), read once per process when the first screen is shown and never on a
request from a device without one. Every word on a screen comes from the locale's content;
this module only puts them into each document's datasource, `payload`:

- `payload.theme.night`: the night theme (near-black, dim grey) instead of the calm day one;
- `payload.answer`: title, the key action (the topic's `screen` words), sources, review date;
- `payload.call.number`: a red flag's number to call (the topic's `call` words), alone;
- `payload.stretch`: where it is ("2 of 6"), its name, its steps as said, the hold's length,
  and the words of the Next, Pause and Repeat buttons (their touches: intents.Touch).

The stretch's countdown is bound to APL's `elapsedTime`; each hold restarts it through an
ExecuteCommands directive sent with the document (an Idle until the hold begins, then a
SetValue of the countdown's `holdStart`), timed on the speech as it is estimated to be said.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import ssml
from .content import Content, Reply

if TYPE_CHECKING:
    from ask_sdk_model.directive import Directive

    from .routine import StretchTurn

APL_VERSION = (2023, 3)  # the documents' "version": a runtime that reads it gets a screen
DATASOURCE = "payload"
COUNTDOWN = "countdown"  # the countdown's component id in stretch.json
HOLD_START = "holdStart"  # its binding: elapsedTime when the current hold began (-1: none yet)
FOLDER = "apl"  # content/apl/


class Document(StrEnum):
    ANSWER = "answer"
    STRETCH = "stretch"
    RED_FLAG = "red_flag"

    @property
    def token(self) -> str:
        return f"cramp-coach-{self.value}"


@dataclass(frozen=True, slots=True)
class Hold:
    start_ms: int  # how far into the turn's speech the hold begins
    length_ms: int


@dataclass(frozen=True, slots=True)
class Screen:
    """One document and the datasource section it binds (beside the theme)."""

    document: Document
    data: Mapping[str, Any]
    root: str  # the content folder its document is read from (content/apl/ in it)
    holds: tuple[Hold, ...] = field(default=())


def _version(text: Any) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return ()


def runs(apl: Any) -> bool:
    """The device's APL interface (`get_supported_interfaces(...).alexa_presentation_apl`, not
    None) has a runtime that reads documents of the version these are written in."""
    runtime = getattr(apl, "runtime", None)
    return _version(getattr(runtime, "max_version", None)) >= APL_VERSION


@cache
def document(name: Document, root: str) -> Mapping[str, Any]:
    """A document from content/apl/, read once per process."""
    with open(os.path.join(root, FOLDER, f"{name.value}.json"), encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file)
    return MappingProxyType(loaded)


def answer(content: Content, reply: Reply, root: str) -> Screen:
    """A topic's screen: a red flag's number alone, or the answer's title and key action."""
    if reply.call:
        return Screen(Document.RED_FLAG, {"call": {"number": reply.call}}, root)
    return Screen(
        Document.ANSWER,
        {
            "answer": {
                "title": reply.title or "",
                "action": reply.screen or reply.title or "",
                "sources": [content.source_line(key) for key in reply.sources],
                "reviewed": content.reviewed_line(reply) or "",
            }
        },
        root,
    )


def holds(turn: StretchTurn) -> tuple[Hold, ...]:
    """When each hold of a stretch begins, on the turn's speech as estimated."""
    found: list[Hold] = []
    elapsed = 0.0
    for segment in turn.segments:
        seconds = ssml.estimate_seconds(segment.speech.ssml())
        if segment.kind == "hold":
            found.append(Hold(round(elapsed * 1000), segment.seconds * 1000))
        elapsed += seconds
    return tuple(found)


def stretch(
    content: Content,
    turn: StretchTurn,
    position: tuple[int, int],
    instructions: str,
    root: str,
) -> Screen:
    """A stretch's screen: step `number` of `count` (`position`), its steps as said."""
    words = content.words
    number, count = position
    return Screen(
        Document.STRETCH,
        {
            "stretch": {
                "position": words["screen_step"].format(number=number, count=count),
                "name": turn.step.title,
                "instructions": instructions,
                "holdMs": turn.step.hold * 1000,
                "next": words["screen_next"],
                "pause": words["screen_pause"],
                "repeat": words["screen_repeat"],
            }
        },
        root,
        holds(turn),
    )


def datasources(screen: Screen, night: bool) -> dict[str, Any]:
    return {DATASOURCE: {"theme": {"night": night}, **screen.data}}


def directives(screen: Screen, night: bool) -> list[Directive]:
    """The document with its datasource, and for a stretch the commands that restart the
    countdown as each hold begins."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import (
        ExecuteCommandsDirective,
        IdleCommand,
        RenderDocumentDirective,
        SequentialCommand,
        SetValueCommand,
    )

    token = screen.document.token
    shown: list[Directive] = [
        RenderDocumentDirective(
            token=token,
            document=dict(document(screen.document, screen.root)),
            datasources=datasources(screen, night),
        )
    ]
    if screen.holds:
        commands: list[Any] = []
        at = 0
        for hold in screen.holds:
            commands.append(IdleCommand(delay=max(0, hold.start_ms - at)))
            commands.append(
                SetValueCommand(
                    component_id=COUNTDOWN, object_property=HOLD_START, value="${elapsedTime}"
                )
            )
            at = hold.start_ms
        shown.append(
            ExecuteCommandsDirective(commands=[SequentialCommand(commands=commands)], token=token)
        )
    return shown
