"""The bedtime stretching routine: progress, and each stretch rendered as timed speech.

The routine opens with an introduction of its own (the safety notes, time to get up slowly,
"Ready?"). Then each step, one stretch for one leg, is one response: its title and steps, a few
seconds to get into position, each hold paced with breaks (at most ten seconds each, chained)
and short cues ("ten more seconds", "and relax", "once more"), then either the question
"Ready for the next one?" or, after the last step, a good night. Cue phrasings are chosen by
the caller's `pick` so the person does not hear the same words every time.

A turn's `Form` says how much of it a returning person needs (returning.py): a stretch they
have completed a few times in its short form (the first such turn with how to hear the full
instructions), and for someone who has finished the routine before, the short introduction
and shorter questions. The holds, rests and repetitions are the same in every form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import ssml
from .content import Length, Routine, Step
from .ssml import Speech

# Pick one phrasing for a cue key (avoiding the one heard last).
Picker = Callable[[str, tuple[str, ...]], str]

SETTLE_MS = 4000  # after the steps: time to get into position before the first "Hold"
RESETTLE_MS = 1000  # after "once more": back into position before the next "Hold"
TEN_MORE_AT = 15  # holds at least this long get a "ten more seconds" cue


@dataclass(frozen=True, slots=True)
class Form:
    """How much a turn says, for how well the person knows the routine."""

    short: bool = False  # the stretch in its short form: the person has done it a few times
    hint: bool = False  # ... followed by how to hear the full instructions
    knows_flow: bool = False  # has finished the routine before: the short intro and questions


FULL = Form()


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a person is in a routine: `position` is the last stretch presented (-1: none)."""

    length: str
    position: int = -1

    def to_json(self) -> dict[str, Any]:
        return {"length": self.length, "position": self.position}

    @classmethod
    def from_json(cls, raw: Any, routine: Routine) -> Progress | None:
        if not isinstance(raw, Mapping):
            return None
        length, position = raw.get("length"), raw.get("position")
        if not isinstance(length, str) or length not in routine.lengths:
            return None
        if not isinstance(position, int) or isinstance(position, bool):
            return None
        count = len(routine.lengths[length].steps)
        if not -1 <= position < count:
            return None
        return cls(str(length), position)

    def remaining(self, routine: Routine) -> int:
        return len(routine.lengths[self.length].steps) - self.position - 1


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # "speech" or "hold"
    speech: Speech
    seconds: int = 0  # for holds: the hold time the content states


@dataclass(frozen=True, slots=True)
class StretchTurn:
    segments: tuple[Segment, ...]
    reprompt: Speech | None  # None after the last stretch: the session ends
    step: Step

    @property
    def speech(self) -> Speech:
        return ssml.join(s.speech for s in self.segments)

    @property
    def finished(self) -> bool:
        return self.reprompt is None


def _say(text: str, **values: Any) -> Speech:
    return ssml.text(text.format(**values) if values else text)


def hold(seconds: int, routine: Routine, pick: Picker) -> Speech:
    """Silence lasting `seconds` in all, with a "ten more seconds" cue inside longer holds."""
    if seconds < TEN_MORE_AT:
        return ssml.pause(seconds * 1000)
    cue = pick("ten_more", routine.cues["ten_more"])
    cue_ms = int(ssml.speaking_seconds(cue) * 1000)
    return ssml.pause((seconds - 10) * 1000) + ssml.text(cue) + ssml.pause(max(0, 10_000 - cue_ms))


def step_sentences(step: Step, routine: Routine) -> tuple[str, ...]:
    """The stretch's instructions for this step's leg."""
    word = routine.words.get(step.side, step.side) if step.side else ""
    return tuple(sentence.replace("{side}", word) for sentence in step.stretch.steps)


def short_sentence(step: Step, routine: Routine) -> str:
    """The stretch's short form for this step's leg."""
    word = routine.words.get(step.side, step.side) if step.side else ""
    return step.stretch.short.replace("{side}", word)


def _cue(form: Form, key: str) -> str:
    """The cue's short variant for a person who knows the flow."""
    return f"{key}_short" if form.knows_flow else key


def render_step(
    routine: Routine,
    length: Length,
    index: int,
    pick: Picker,
    preface: Speech = ssml.NOTHING,
    form: Form = FULL,
) -> StretchTurn:
    """One stretch of a routine, as timed speech, in the form the person needs."""
    step = length.steps[index]
    count = len(length.steps)
    segments: list[Segment] = []

    def speak(speech: Speech) -> None:
        segments.append(Segment("speech", speech))

    title = pick("title", routine.cues["title"])
    speak(preface + _say(title, number=index + 1, count=count, name=step.label))
    if form.short:
        instructions = _say(short_sentence(step, routine))
        if form.hint:
            instructions += _say(pick("explain_hint", routine.cues["explain_hint"]))
        speak(instructions)
    else:
        speak(ssml.join(ssml.text(sentence) for sentence in step_sentences(step, routine)))
    for rep in range(step.reps):
        if rep > 0:
            speak(
                _say(pick("relax", routine.cues["relax"]))
                + ssml.pause(step.rest * 1000)
                + _say(pick("again", routine.cues["again"]))
            )
        settle = SETTLE_MS if rep == 0 else RESETTLE_MS
        speak(ssml.pause(settle) + _say(pick("hold", routine.cues["hold"])))
        segments.append(Segment("hold", hold(step.hold, routine, pick), step.hold))
    speak(_say(pick("relax", routine.cues["relax"])))

    if index + 1 < count:
        following = length.steps[index + 1].label
        speak(_say(pick(_cue(form, "next"), routine.cues[_cue(form, "next")]), name=following))
        reprompt: Speech | None = next_reprompt(routine, pick, form)
    else:
        speak(_say(pick("finished", routine.cues["finished"])))
        reprompt = None
    return StretchTurn(tuple(segments), reprompt, step)


def next_reprompt(routine: Routine, pick: Picker, form: Form = FULL) -> Speech:
    """ "Ready for the next one?" again, when nothing was heard."""
    key = _cue(form, "next_reprompt")
    return _say(pick(key, routine.cues[key]))


def introduction(
    routine: Routine, length: Length, pick: Picker, form: Form = FULL
) -> tuple[Speech, Speech]:
    """The routine's opening turn: what it is, how to stay safe, the first stretch, "Ready?".
    Someone who knows the routine hears the same safety notes without the chatter."""
    intro, first = _cue(form, "intro"), _cue(form, "first")
    speech = _say(
        pick(intro, routine.cues[intro]),
        length=length.name,
        count=len(length.steps),
        about=length.about,
    ) + _say(pick(first, routine.cues[first]), name=length.steps[0].label)
    return speech, next_reprompt(routine, pick, form)
