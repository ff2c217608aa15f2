"""Where the person is in the conversation, so that help, a miss, a hold or "where is that
from?" can answer for that place and bring them back to it in one turn.

The place comes from the session: the routine under way (session.ROUTINE), or a question
waiting for its answer (questions.asked) with the reply that asked it (respond.last_said),
whose reprompt says again what is pending. A reply `here` keeps both: the question still
waits, and Repeat still repeats the stretch or the answer, not the aside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from . import person, questions, session, ssml
from .deps import Deps
from .phrasing import pick_index, picker
from .questions import Asked, Question
from .respond import Said, last_said, reprompt_of, speak


class Place(StrEnum):
    NOWHERE = "nowhere"  # nothing waits: the skill's own menu applies
    ROUTINE = "routine"  # the stretches are under way: next, repeat, skip or pause
    QUESTION = "question"  # a yes or no answers what was asked
    TIME = "time"  # a reminder waits for its time


@dataclass(frozen=True, slots=True)
class Here:
    place: Place
    asked: Asked | None = None  # the question that waits (the routine's: Question.NEXT)
    pending: ssml.Speech = ssml.NOTHING  # what waits, said again


def where(handler_input: HandlerInput, deps: Deps) -> Here:
    asked = questions.asked(handler_input)
    in_routine = session.attributes(handler_input).get(session.ROUTINE) is not None
    if in_routine and (asked is None or asked.question is Question.NEXT):
        cues = deps.content_for(handler_input).routine.cues
        cue = picker(handler_input, deps.rng)("next_reprompt", cues["next_reprompt"])
        return Here(Place.ROUTINE, asked or Asked(Question.NEXT, {}), ssml.text(cue))
    if asked is None:
        return Here(Place.NOWHERE)
    pending = reprompt_of(handler_input, deps)
    if pending is None:  # the question's words are not known: better to ask afresh
        return Here(Place.NOWHERE)
    place = Place.TIME if asked.question is Question.REMINDER_TIME else Place.QUESTION
    return Here(place, asked, pending)


def words(
    handler_input: HandlerInput, deps: Deps, key: str, fill: Mapping[str, str] | None = None
) -> tuple[ssml.Speech, ssml.Speech | None]:
    """One phrasing of a reply (its night one at night, when it has one), and of its reprompt."""
    content = deps.content_for(handler_input)
    if key + "_night" in content.replies and person.of(handler_input).mode.night:
        key += "_night"
    reply = content.replies[key]
    said = reply.say[pick_index(handler_input, key, len(reply.say), deps.rng)]
    speech = ssml.text(said.format_map(dict(fill)) if fill else said, content.spoken_as)
    if not reply.reprompt:
        return speech, None
    again = reply.reprompt[
        pick_index(handler_input, key + ".reprompt", len(reply.reprompt), deps.rng)
    ]
    return speech, ssml.text(again, content.spoken_as)


def say_here(
    handler_input: HandlerInput,
    deps: Deps,
    here: Here,
    key: str,
    *,
    fill: Mapping[str, str] | None = None,
    restate: bool = True,
    then: ssml.Speech = ssml.NOTHING,
    reprompt: ssml.Speech | None = None,
    aloud: ssml.Speech = ssml.NOTHING,
) -> Response:
    """Reply `key` where the person is: `aloud` (in a normal voice), its words, `then`, and
    (`restate`) what is pending, which stays pending. The reprompt is `reprompt`, else the
    reply's own, else what is pending."""
    speech, own = words(handler_input, deps, key, fill)
    speech += then
    if restate:
        speech += here.pending
    reprompt = reprompt or own
    said = last_said(handler_input) or Said(key=key)  # Repeat repeats what is pending
    asked = here.asked
    if asked is None:
        return speak(
            handler_input, speech, reprompt or here.pending or None, said=said, aloud=aloud
        )
    return speak(
        handler_input,
        speech,
        reprompt or here.pending,
        said=said,
        question=asked.question,
        aloud=aloud,
        **dict(asked.data),
    )
