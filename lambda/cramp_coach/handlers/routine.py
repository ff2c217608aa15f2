"""The guided bedtime stretching routine: start, next, previous, repeat, skip, pause, resume,
start over, stop, and "how many are left".

Starting gives the introduction (safety notes, time to get up slowly) and asks "Ready?"; each
yes or "next" then gives one stretch for one leg.

Progress lives in the session while the routine runs and is saved to the person's persistent
attributes after every stretch (one read, one write), so a pause, a stop, a dropped session or
a new day all resume from the same place.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from .. import ssml, state
from ..content import Length, Routine
from ..night import NightWatch
from ..respond import (
    LAST,
    ROUTINE,
    Deps,
    content_for,
    pending,
    picker,
    respond,
    say_prompt,
    session_attributes,
    set_pending,
)
from ..routine import Progress, introduction, render_step, step_sentences
from .answers import resolved_slots
from .base import IntentHandler

LENGTH_SLOT = "length"


class RoutineFlow:
    """The routine's operations, shared by its handlers."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def routine(self, handler_input: HandlerInput) -> Routine:
        return content_for(handler_input, self.deps).routine

    def today(self, handler_input: HandlerInput) -> str:
        return self.deps.today(handler_input)

    # --- where the person is ----------------------------------------------------------------

    def in_session(self, handler_input: HandlerInput) -> Progress | None:
        raw = session_attributes(handler_input).get(ROUTINE)
        return Progress.from_json(raw, self.routine(handler_input))

    def saved(self, handler_input: HandlerInput) -> Progress | None:
        attributes = state.load(handler_input) or {}
        return Progress.from_json(attributes.get(state.ROUTINE), self.routine(handler_input))

    def current(self, handler_input: HandlerInput) -> Progress | None:
        """Where the person is, if a routine is under way with stretches still to come."""
        progress = self.in_session(handler_input) or self.saved(handler_input)
        if progress is None or progress.remaining(self.routine(handler_input)) <= 0:
            return None
        return progress

    def preferred_length(self, handler_input: HandlerInput) -> str:
        routine = self.routine(handler_input)
        preferred = (state.load(handler_input) or {}).get(state.PREFERRED_LENGTH)
        if isinstance(preferred, str) and preferred in routine.lengths:
            return preferred
        return routine.default_length

    # --- speaking a stretch -------------------------------------------------------------------

    def present(
        self,
        handler_input: HandlerInput,
        length_key: str,
        index: int,
        preface: ssml.Speech = ssml.NOTHING,
    ) -> Response:
        """Say stretch `index`, then save the place (or, after the last one, mark it done)."""
        content = content_for(handler_input, self.deps)
        routine = content.routine
        length = routine.lengths[length_key]
        turn = render_step(routine, length, index, picker(handler_input, self.deps), preface)
        session = session_attributes(handler_input)
        session[LAST] = {"kind": "stretch"}
        progress = Progress(length_key, index)
        today = self.today(handler_input)
        now = NightWatch.utc_now(handler_input).isoformat(timespec="seconds")

        def save(attributes: dict[str, Any]) -> None:
            if turn.finished:
                attributes.pop(state.ROUTINE, None)
                attributes[state.LAST_FINISHED] = today
            else:
                attributes[state.ROUTINE] = {**progress.to_json(), "updated": now}

        state.update(handler_input, self.deps.store, save)
        if turn.finished:
            session.pop(ROUTINE, None)
            set_pending(handler_input, None)
        else:
            session[ROUTINE] = progress.to_json()
            set_pending(handler_input, "next")
        stretch = turn.step.stretch
        sources = "\n".join(content.source_line(k) for k in stretch.sources)
        steps = " ".join(step_sentences(turn.step, routine))
        card = SimpleCard(
            title=turn.step.label[:1].upper() + turn.step.label[1:],
            content=f"{steps}\n\n{stretch.helps[:1].upper()}{stretch.helps[1:]}.\n{sources}\n\n"
            f"{content.words['card_footer']}",
        )
        return respond(handler_input, self.deps, turn.speech, turn.reprompt, card)

    def start(
        self, handler_input: HandlerInput, length_key: str | None = None, remember: bool = True
    ) -> Response:
        """The introduction, then "Ready?": the place is saved before the first stretch. A
        length asked for by name becomes the person's preferred one (`remember`)."""
        routine = self.routine(handler_input)
        chosen = length_key or self.preferred_length(handler_input)
        length: Length = routine.lengths[chosen]
        pick = picker(handler_input, self.deps)
        speech, reprompt = introduction(routine, length, pick)
        attributes = state.load(handler_input)
        first_use = attributes is None or not attributes.get(state.WELCOMED)
        if first_use:  # the routine is this person's first use: the disclaimer comes first
            speech = ssml.text(pick("disclaimer", routine.cues["disclaimer"])) + speech
        progress = Progress(chosen, -1)
        now = NightWatch.utc_now(handler_input).isoformat(timespec="seconds")

        def save(saved: dict[str, Any]) -> None:
            if first_use:
                saved[state.WELCOMED] = True
            if length_key and remember:
                saved[state.PREFERRED_LENGTH] = chosen
            saved[state.ROUTINE] = {**progress.to_json(), "updated": now}

        state.update(handler_input, self.deps.store, save)
        session = session_attributes(handler_input)
        session[ROUTINE] = progress.to_json()
        session[LAST] = {"kind": "stretch"}
        set_pending(handler_input, "next")
        return respond(handler_input, self.deps, speech, reprompt)

    def not_running(self, handler_input: HandlerInput) -> Response:
        """No stretches to continue, or (the store failing) none that could be read: then say
        so, and offer nothing that would start afresh over the place that is kept."""
        if self.deps.store is not None and state.load(handler_input) is None:
            return say_prompt(handler_input, self.deps, "routine_unreadable")
        return say_prompt(handler_input, self.deps, "no_routine", waiting_for="start_routine")

    def next(self, handler_input: HandlerInput, preface: ssml.Speech = ssml.NOTHING) -> Response:
        progress = self.current(handler_input)
        if progress is None:
            return self.not_running(handler_input)
        return self.present(handler_input, progress.length, progress.position + 1, preface)

    def resume(self, handler_input: HandlerInput) -> Response:
        pick = picker(handler_input, self.deps)
        routine = self.routine(handler_input)
        return self.next(handler_input, ssml.text(pick("resumed", routine.cues["resumed"])))

    def pause(self, handler_input: HandlerInput, key: str = "paused") -> Response:
        """The place is already saved after every stretch: just say so and end the session."""
        session_attributes(handler_input).pop(ROUTINE, None)
        return say_prompt(handler_input, self.deps, key)


class _RoutineHandler(IntentHandler):
    def __init__(self, flow: RoutineFlow) -> None:
        self.flow = flow


class StartRoutineHandler(_RoutineHandler):
    """ "Start my bedtime stretches", optionally "the short one" / "the full one"."""

    intents = ("StartRoutineIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        value = resolved_slots(handler_input).get(LENGTH_SLOT)
        routine = self.flow.routine(handler_input)
        length = value.lower() if value and value.lower() in routine.lengths else None
        return self.flow.start(handler_input, length)


class NextHandler(_RoutineHandler):
    intents = ("AMAZON.NextIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.flow.next(handler_input)


class PreviousHandler(_RoutineHandler):
    intents = ("AMAZON.PreviousIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        if progress.position < 0:  # still at the introduction
            return self.flow.start(handler_input, progress.length, remember=False)
        if progress.position == 0:
            routine = self.flow.routine(handler_input)
            pick = picker(handler_input, self.flow.deps)
            again = ssml.text(pick("first_again", routine.cues["first_again"]))
            return self.flow.present(handler_input, progress.length, 0, again)
        return self.flow.present(handler_input, progress.length, progress.position - 1)


class RepeatStretchHandler(_RoutineHandler):
    """Repeat, right after a stretch: do that stretch again."""

    intents = ("AMAZON.RepeatIntent",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        last = session_attributes(handler_input).get(LAST)
        return (
            super().can_handle(handler_input)
            and isinstance(last, dict)
            and last.get("kind") == "stretch"
            and self.flow.in_session(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.in_session(handler_input)
        assert progress is not None  # checked in can_handle
        if progress.position < 0:  # still at the introduction
            return self.flow.start(handler_input, progress.length, remember=False)
        return self.flow.present(handler_input, progress.length, progress.position)


class SkipHandler(_RoutineHandler):
    """Skip the stretch that comes next (the one the last question named)."""

    intents = ("SkipIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        routine = self.flow.routine(handler_input)
        length = routine.lengths[progress.length]
        pick = picker(handler_input, self.flow.deps)
        skipped = length.steps[progress.position + 1].label
        preface = ssml.text(pick("skipped", routine.cues["skipped"]).format(name=skipped))
        target = progress.position + 2
        if target < len(length.steps):
            return self.flow.present(handler_input, progress.length, target, preface)
        # Nothing after the skipped one: the routine is over for tonight.
        finished = pick("finished", routine.cues["finished"])
        today = self.flow.today(handler_input)

        def done(attributes: dict[str, Any]) -> None:
            attributes.pop(state.ROUTINE, None)
            attributes[state.LAST_FINISHED] = today

        state.update(handler_input, self.flow.deps.store, done)
        session_attributes(handler_input).pop(ROUTINE, None)
        set_pending(handler_input, None)
        return respond(handler_input, self.flow.deps, preface + ssml.text(finished), None)


class PauseHandler(_RoutineHandler):
    intents = ("AMAZON.PauseIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        if self.flow.in_session(handler_input) is None and self.flow.saved(handler_input) is None:
            return say_prompt(handler_input, self.flow.deps, "goodbye")
        return self.flow.pause(handler_input)


class StopRoutineHandler(_RoutineHandler):
    """Stop or cancel in the middle of a routine: the place is kept for next time."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and self.flow.in_session(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.flow.pause(handler_input, "stopped")


class ResumeHandler(_RoutineHandler):
    """ "Continue my stretches", in this session or days later."""

    intents = ("ResumeRoutineIntent", "AMAZON.ResumeIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.flow.resume(handler_input)


class StartOverHandler(_RoutineHandler):
    intents = ("AMAZON.StartOverIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        return self.flow.start(handler_input, progress.length if progress else None)


class HowManyLeftHandler(_RoutineHandler):
    intents = ("RoutineStatusIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        content = content_for(handler_input, self.flow.deps)
        steps = content.routine.lengths[progress.length].steps[progress.position + 1 :]
        names = content.spoken_list(list(dict.fromkeys(s.stretch.name for s in steps)))
        session_attributes(handler_input)[ROUTINE] = progress.to_json()
        return say_prompt(
            handler_input,
            self.flow.deps,
            "left",
            {"left": str(len(steps)), "names": names},
            waiting_for="next",
        )


class RoutineAnswerHandler(_RoutineHandler):
    """Yes or no to the routine's questions: ready for the next one, continue, start."""

    intents = ("AMAZON.YesIntent", "AMAZON.NoIntent")
    kinds = ("next", "resume", "start_routine")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            super().can_handle(handler_input) and pending(handler_input).get("kind") in self.kinds
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        kind = pending(handler_input).get("kind")
        yes = bool(is_intent_name("AMAZON.YesIntent")(handler_input))
        if kind == "next":
            return self.flow.next(handler_input) if yes else self.flow.pause(handler_input)
        if kind == "resume":
            if yes:
                return self.flow.resume(handler_input)
            return say_prompt(handler_input, self.flow.deps, "declined_routine")
        if yes:
            return self.flow.start(handler_input)
        return say_prompt(handler_input, self.flow.deps, "declined")


TASK_NAME = "StartBedtimeStretches"


class TaskLaunchHandler(_RoutineHandler):
    """Launched by an Alexa Routine's "Cramp Coach: start bedtime stretches" action (a custom
    task, declared in skill.json and tasks/): straight into the stretches."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        task = (
            getattr(request, "task", None)
            if is_request_type("LaunchRequest")(handler_input)
            else None
        )
        name = str(getattr(task, "name", "") or "")
        return name == TASK_NAME or name.endswith("." + TASK_NAME)

    def handle(self, handler_input: HandlerInput) -> Response:
        task = getattr(handler_input.request_envelope.request, "task", None)
        task_input = getattr(task, "input", None) or {}
        length = task_input.get("length") if isinstance(task_input, dict) else None
        routine = self.flow.routine(handler_input)
        return self.flow.start(handler_input, length if length in routine.lengths else None)


def routine_handlers(flow: RoutineFlow) -> list[AbstractRequestHandler]:
    """In dispatch order: the ones that check session state come first."""
    return [
        RoutineAnswerHandler(flow),
        RepeatStretchHandler(flow),
        StopRoutineHandler(flow),
        StartRoutineHandler(flow),
        NextHandler(flow),
        PreviousHandler(flow),
        SkipHandler(flow),
        PauseHandler(flow),
        ResumeHandler(flow),
        StartOverHandler(flow),
        HowManyLeftHandler(flow),
    ]
