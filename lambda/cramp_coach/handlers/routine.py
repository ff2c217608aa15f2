"""The guided bedtime stretching routine: start, next, previous, repeat, skip, pause, resume,
start over, stop, and "how many are left".

Starting gives the introduction (safety notes, time to get up slowly) and asks "Ready?"; each
yes or "next" then gives one stretch for one leg.

Progress lives in the session while the routine runs and is saved to the person's persistent
attributes after every stretch (one read, one write), so a pause, a stop, a dropped session or
a new day all resume from the same place.

Asked to start while a routine is unfinished, it asks once: pick up at stretch N, or start
over? An Alexa Routine's task picks up by default, and says so. Each completed stretch is
counted (returning.py), and a stretch done a few times is said in its short form; "explain"
says it again in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import clock, metrics, person, questions, returning, session, slots, ssml, state
from ..cards import stretch_card
from ..content import Content, Length, Routine
from ..deps import Deps
from ..intents import Intent, Request, Slot, Touch
from ..metrics import Metric
from ..phrasing import Picker, picker
from ..questions import Action, Question
from ..respond import STRETCH, Said, last_said, say_prompt, speak
from ..routine import (
    Form,
    Progress,
    StretchTurn,
    introduction,
    next_reprompt,
    render_step,
    short_sentence,
    step_sentences,
)
from .base import IntentHandler
from .lazy import Loaded, Perform

if TYPE_CHECKING:
    from ..screens import Screen

SAID_STRETCH = Said(key=STRETCH, kind=STRETCH)
HINTED = "hinted"  # in the session's routine: "say explain" has been said in this session
ASKED_ABOUT_PLACE = (Question.RESUME, Question.CONTINUE_OR_RESTART)  # asked once already


class RoutineFlow:
    """The routine's operations, shared by its handlers."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def routine(self, handler_input: HandlerInput) -> Routine:
        return self.deps.content_for(handler_input).routine

    def today(self, handler_input: HandlerInput) -> str:
        return person.of(handler_input).today

    def pick(self, handler_input: HandlerInput) -> Picker:
        return picker(handler_input, self.deps.rng)

    # --- where the person is ----------------------------------------------------------------

    def in_session(self, handler_input: HandlerInput) -> Progress | None:
        raw = session.attributes(handler_input).get(session.ROUTINE)
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

    def unfinished(self, handler_input: HandlerInput, length_key: str | None) -> Progress | None:
        """A routine left partway (a stretch done, some to come) that a start would throw
        away: the one asked for, or any when no length was named."""
        progress = self.current(handler_input)
        if progress is None or progress.position < 0:
            return None
        if length_key is not None and length_key != progress.length:
            return None  # another length asked for by name: that one starts
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
        *,
        explain: bool = False,
    ) -> Response:
        """Say stretch `index` (in short form if the person knows it, unless asked to
        `explain`), then save the place (or, after the last one, mark it done) and count the
        stretch as done once more when this was its last leg."""
        content = self.deps.content_for(handler_input)
        routine = content.routine
        length = routine.lengths[length_key]
        step = length.steps[index]
        known = state.load(handler_input) or {}
        in_session = session.attributes(handler_input).get(session.ROUTINE)
        hinted = isinstance(in_session, dict) and bool(in_session.get(HINTED))
        short = not explain and returning.familiar(known, step.stretch.key)
        form = Form(short=short, hint=short and not hinted, knows_flow=returning.knows_flow(known))
        turn = render_step(routine, length, index, self.pick(handler_input), preface, form)
        progress = Progress(length_key, index)
        today = self.today(handler_input)
        now = clock.utc_now(handler_input).isoformat(timespec="seconds")
        counts = not explain and returning.completes_stretch(step)

        def save(attributes: dict[str, Any]) -> None:
            if turn.finished:
                attributes.pop(state.ROUTINE, None)
                attributes[state.LAST_FINISHED] = today
            else:
                attributes[state.ROUTINE] = {**progress.to_json(), "updated": now}
            if counts:
                returning.count_completion(attributes, step.stretch.key)
            if returning.visit_is_news(attributes, today):
                returning.record_visit(attributes, today)

        state.update(handler_input, self.deps.store, save)
        attributes = session.attributes(handler_input)
        if turn.finished:
            metrics.count(handler_input, Metric.ROUTINE_COMPLETED)
            attributes.pop(session.ROUTINE, None)
        else:
            attributes[session.ROUTINE] = {**progress.to_json(), HINTED: hinted or short}
        sentences = step_sentences(turn.step, routine)
        said = short_sentence(turn.step, routine) if short else " ".join(sentences)
        position = (index + 1, len(length.steps))
        root = self.deps.content.root
        return speak(
            handler_input,
            turn.speech,
            turn.reprompt,
            said=SAID_STRETCH,
            question=None if turn.finished else Question.NEXT,
            card=stretch_card(content, turn.step, sentences),
            screen=lambda: stretch_screen(content, turn, position, said, root),
        )

    def start(
        self, handler_input: HandlerInput, length_key: str | None = None, remember: bool = True
    ) -> Response:
        """The introduction, then "Ready?": the place is saved before the first stretch. A
        length asked for by name becomes the person's preferred one (`remember`)."""
        routine = self.routine(handler_input)
        chosen = length_key or self.preferred_length(handler_input)
        length: Length = routine.lengths[chosen]
        pick = self.pick(handler_input)
        attributes = state.load(handler_input)
        form = Form(knows_flow=returning.knows_flow(attributes))
        speech, reprompt = introduction(routine, length, pick, form)
        speech = self.disclaimer(handler_input, attributes) + speech
        progress = Progress(chosen, -1)
        now = clock.utc_now(handler_input).isoformat(timespec="seconds")
        today = self.today(handler_input)

        def save(saved: dict[str, Any]) -> None:
            if returning.visit_is_news(saved, today):
                returning.record_visit(saved, today)
            if length_key and remember:
                saved[state.PREFERRED_LENGTH] = chosen
            saved[state.ROUTINE] = {**progress.to_json(), "updated": now}

        state.update(handler_input, self.deps.store, save)
        metrics.count(handler_input, Metric.ROUTINE_STARTED)
        session.attributes(handler_input)[session.ROUTINE] = progress.to_json()
        return speak(handler_input, speech, reprompt, said=SAID_STRETCH, question=Question.NEXT)

    def disclaimer(
        self, handler_input: HandlerInput, attributes: dict[str, Any] | None
    ) -> ssml.Speech:
        """The disclaimer, first, on a first use or after a long absence (returning.py)."""
        if not returning.disclaimer_due(attributes, self.today(handler_input)):
            return ssml.NOTHING
        routine = self.routine(handler_input)
        return ssml.text(self.pick(handler_input)("disclaimer", routine.cues["disclaimer"]))

    def ask_continue_or_restart(self, handler_input: HandlerInput, progress: Progress) -> Response:
        """Asked to start with a routine unfinished: pick up at the next stretch, or start over?"""
        length = self.routine(handler_input).lengths[progress.length]
        fill = {
            "length": length.name,
            "number": str(progress.position + 2),
            "count": str(len(length.steps)),
        }
        asking = Question.CONTINUE_OR_RESTART
        return say_prompt(handler_input, self.deps, "continue_or_restart", fill, asking=asking)

    def continue_by_default(self, handler_input: HandlerInput, progress: Progress) -> Response:
        """Started by an Alexa Routine with a routine unfinished: pick up where the person left
        off, say so and how to start over instead, and ask "Ready?"."""
        routine = self.routine(handler_input)
        length = routine.lengths[progress.length]
        pick = self.pick(handler_input)
        attributes = state.load(handler_input)
        speech = self.disclaimer(handler_input, attributes) + self.resume_check(handler_input)
        speech += ssml.text(
            pick("continued_by_default", routine.cues["continued_by_default"]).format(
                number=progress.position + 2,
                count=len(length.steps),
                name=length.steps[progress.position + 1].label,
            )
        )
        reprompt = next_reprompt(routine, pick, Form(knows_flow=returning.knows_flow(attributes)))
        today = self.today(handler_input)
        if attributes is not None and returning.visit_is_news(attributes, today):
            state.update(handler_input, self.deps.store, lambda a: returning.record_visit(a, today))
        metrics.count(handler_input, Metric.ROUTINE_RESUMED)
        session.attributes(handler_input)[session.ROUTINE] = progress.to_json()
        return speak(handler_input, speech, reprompt, said=SAID_STRETCH, question=Question.NEXT)

    def restart(self, handler_input: HandlerInput) -> Response:
        """The unfinished routine again from its introduction, in the same length."""
        progress = self.current(handler_input)
        return self.start(handler_input, progress.length if progress else None, remember=False)

    def not_running(self, handler_input: HandlerInput) -> Response:
        """No stretches to continue, or (the store failing) none that could be read: then say
        so, and offer nothing that would start afresh over the place that is kept."""
        if self.deps.store is not None and state.load(handler_input) is None:
            return say_prompt(handler_input, self.deps, "routine_unreadable")
        return say_prompt(handler_input, self.deps, "no_routine", asking=Question.START_ROUTINE)

    def next(self, handler_input: HandlerInput, preface: ssml.Speech = ssml.NOTHING) -> Response:
        """The next stretch. Picked up from the store (not this session's), it is a resume,
        however it was asked for: "continue", yes, next, or a touch on an old screen."""
        progress = self.current(handler_input)
        if progress is None:
            return self.not_running(handler_input)
        if self.in_session(handler_input) is None:
            metrics.count(handler_input, Metric.ROUTINE_RESUMED)
            preface += self.resume_check(handler_input)
        return self.present(handler_input, progress.length, progress.position + 1, preface)

    def resume_check(self, handler_input: HandlerInput) -> ssml.Speech:
        """The clot check, said again whenever stretches are picked up: nothing about health
        is stored, so a calf that swelled since (a clot answer minutes ago) is asked about."""
        cues = self.routine(handler_input).cues
        return ssml.text(self.pick(handler_input)("resume_check", cues["resume_check"]))

    def resume(self, handler_input: HandlerInput) -> Response:
        """Carry on: "welcome back" when the person opens the skill to do so, a plain "on we go"
        when they said yes to carrying on (the welcome, if any, was in that question)."""
        pick = self.pick(handler_input)
        routine = self.routine(handler_input)
        opened = bool(getattr(handler_input.request_envelope.session, "new", False))
        key = "resumed" if opened else "continuing"
        return self.next(handler_input, ssml.text(pick(key, routine.cues[key])))

    def pause(self, handler_input: HandlerInput, key: str = "paused") -> Response:
        """The place is already saved after every stretch: just say so and end the session."""
        metrics.count(handler_input, Metric.ROUTINE_ABANDONED)
        session.attributes(handler_input).pop(session.ROUTINE, None)
        return say_prompt(handler_input, self.deps, key)


def stretch_screen(
    content: Content, turn: StretchTurn, position: tuple[int, int], said: str, root: str
) -> Screen:
    """What a device with a screen shows of a stretch (only it imports screens)."""
    from .. import screens

    return screens.stretch(content, turn, position, said, root)


class _RoutineHandler(IntentHandler):
    def __init__(self, flow: RoutineFlow) -> None:
        self.flow = flow


class StartRoutineHandler(_RoutineHandler):
    """ "Start my bedtime stretches", optionally "the short one" / "the full one". With a
    routine unfinished it asks once whether to pick up there; asked to start again after that
    question (or after the launch's offer to continue), it starts over."""

    intents = (Intent.START_ROUTINE,)

    def handle(self, handler_input: HandlerInput) -> Response:
        value = slots.resolved(handler_input).get(Slot.LENGTH)
        routine = self.flow.routine(handler_input)
        length = value.lower() if value and value.lower() in routine.lengths else None
        unfinished = self.flow.unfinished(handler_input, length)
        waiting = questions.asked(handler_input)
        asked = waiting is not None and waiting.question in ASKED_ABOUT_PLACE
        if unfinished is not None and not asked:
            return self.flow.ask_continue_or_restart(handler_input, unfinished)
        return self.flow.start(handler_input, length)


class NextHandler(_RoutineHandler):
    intents = (Intent.NEXT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.flow.next(handler_input)


class PreviousHandler(_RoutineHandler):
    intents = (Intent.PREVIOUS,)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        if progress.position < 0:  # still at the introduction
            return self.flow.start(handler_input, progress.length, remember=False)
        if progress.position == 0:
            routine = self.flow.routine(handler_input)
            pick = self.flow.pick(handler_input)
            again = ssml.text(pick("first_again", routine.cues["first_again"]))
            return self.flow.present(handler_input, progress.length, 0, again)
        return self.flow.present(handler_input, progress.length, progress.position - 1)


class RepeatStretchHandler(_RoutineHandler):
    """Repeat, right after a stretch: do that stretch again."""

    intents = (Intent.REPEAT,)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and self.after_a_stretch(handler_input)

    def after_a_stretch(self, handler_input: HandlerInput) -> bool:
        last = last_said(handler_input)
        return (
            last is not None
            and last.kind == STRETCH
            and self.flow.in_session(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.in_session(handler_input)
        assert progress is not None  # checked in can_handle
        if progress.position < 0:  # still at the introduction
            return self.flow.start(handler_input, progress.length, remember=False)
        return self.flow.present(handler_input, progress.length, progress.position)


class ExplainHandler(_RoutineHandler):
    """ "Explain": the stretch just said (in short form), again with its full instructions."""

    intents = (Intent.EXPLAIN,)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.in_session(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        if progress.position < 0:  # still at the introduction: it is said in full
            return self.flow.start(handler_input, progress.length, remember=False)
        return self.flow.present(handler_input, progress.length, progress.position, explain=True)


class SkipHandler(_RoutineHandler):
    """Skip the stretch that comes next (the one the last question named)."""

    intents = (Intent.SKIP,)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        routine = self.flow.routine(handler_input)
        length = routine.lengths[progress.length]
        pick = self.flow.pick(handler_input)
        skipped = length.steps[progress.position + 1].label
        preface = ssml.text(pick("skipped", routine.cues["skipped"]).format(name=skipped))
        target = progress.position + 2
        if target < len(length.steps):
            return self.flow.present(handler_input, progress.length, target, preface)
        # Nothing after the skipped one: the routine is over for tonight, but not completed,
        # so it is not praised as if it were.
        finished = pick("skipped_last", routine.cues["skipped_last"])
        today = self.flow.today(handler_input)

        def done(attributes: dict[str, Any]) -> None:
            attributes.pop(state.ROUTINE, None)
            attributes[state.LAST_FINISHED] = today

        state.update(handler_input, self.flow.deps.store, done)
        session.attributes(handler_input).pop(session.ROUTINE, None)
        return speak(handler_input, preface + ssml.text(finished), None, said=SAID_STRETCH)


class PauseHandler(_RoutineHandler):
    intents = (Intent.PAUSE,)

    def handle(self, handler_input: HandlerInput) -> Response:
        if self.flow.in_session(handler_input) is None and self.flow.saved(handler_input) is None:
            return say_prompt(handler_input, self.flow.deps, "goodbye")
        return self.flow.pause(handler_input)


class StopRoutineHandler(_RoutineHandler):
    """Stop or cancel in the middle of a routine: the place is kept for next time."""

    intents = (Intent.STOP, Intent.CANCEL)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and self.flow.in_session(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.flow.pause(handler_input, "stopped")


class ResumeHandler(_RoutineHandler):
    """ "Continue my stretches", in this session or days later."""

    intents = (Intent.RESUME_ROUTINE, Intent.RESUME)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.flow.resume(handler_input)


class StartOverHandler(_RoutineHandler):
    intents = (Intent.START_OVER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        return self.flow.start(handler_input, progress.length if progress else None)


class HowManyLeftHandler(_RoutineHandler):
    intents = (Intent.ROUTINE_STATUS,)

    def handle(self, handler_input: HandlerInput) -> Response:
        progress = self.flow.current(handler_input)
        if progress is None:
            return self.flow.not_running(handler_input)
        content = self.flow.deps.content_for(handler_input)
        steps = content.routine.lengths[progress.length].steps[progress.position + 1 :]
        names = content.spoken_list(list(dict.fromkeys(s.stretch.name for s in steps)))
        session.attributes(handler_input)[session.ROUTINE] = progress.to_json()
        return say_prompt(
            handler_input,
            self.flow.deps,
            "left",
            {"left": str(len(steps)), "names": names},
            asking=Question.NEXT,
        )


class TouchHandler(AbstractRequestHandler):
    """A touch on the stretch screen's Next, Pause or Repeat (an APL UserEvent, its first
    argument an intents.Touch): the same handler as the spoken command does what it does."""

    requests = (Request.USER_EVENT,)

    def __init__(self, flow: RoutineFlow) -> None:
        self.flow = flow
        self.next = NextHandler(flow)
        self.pause = PauseHandler(flow)
        self.repeat = RepeatStretchHandler(flow)

    @staticmethod
    def touched(handler_input: HandlerInput) -> Touch | None:
        if not is_request_type(Request.USER_EVENT)(handler_input):
            return None
        arguments = getattr(handler_input.request_envelope.request, "arguments", None)
        first = arguments[0] if isinstance(arguments, list) and arguments else None
        try:
            return Touch(first) if isinstance(first, str) else None
        except ValueError:  # not one of our buttons
            return None

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.touched(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        touch = self.touched(handler_input)
        if touch is Touch.PAUSE:
            return self.pause.handle(handler_input)
        if touch is Touch.NEXT:
            return self.next.handle(handler_input)
        if self.repeat.after_a_stretch(handler_input):
            return self.repeat.handle(handler_input)
        progress = self.flow.current(handler_input)  # the session has ended since: the place
        if progress is None or progress.position < 0:
            return self.flow.next(handler_input)
        return self.flow.present(handler_input, progress.length, progress.position)


TASK_NAME = "StartBedtimeStretches"


class TaskLaunchHandler(_RoutineHandler):
    """Launched by an Alexa Routine's "Cramp Coach: start bedtime stretches" action (a custom
    task, declared in skill.json and tasks/): straight into the stretches."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        task = (
            getattr(request, "task", None)
            if is_request_type(Request.LAUNCH)(handler_input)
            else None
        )
        name = str(getattr(task, "name", "") or "")
        return name == TASK_NAME or name.endswith("." + TASK_NAME)

    def handle(self, handler_input: HandlerInput) -> Response:
        task = getattr(handler_input.request_envelope.request, "task", None)
        task_input = getattr(task, "input", None) or {}
        length = task_input.get("length") if isinstance(task_input, dict) else None
        routine = self.flow.routine(handler_input)
        chosen = length if length in routine.lengths else None
        unfinished = self.flow.unfinished(handler_input, chosen)
        if unfinished is not None:  # nobody is asked at a Routine's start: it carries on
            return self.flow.continue_by_default(handler_input, unfinished)
        return self.flow.start(handler_input, chosen)


def routine_actions(flow: RoutineFlow) -> Mapping[Action, Perform]:
    """What a yes or no to the routine's questions means (see questions.MEANINGS)."""
    return MappingProxyType(
        {
            Action.START_ROUTINE: lambda h, _: flow.start(h),
            Action.NEXT_STRETCH: lambda h, _: flow.next(h),
            Action.PAUSE_ROUTINE: lambda h, _: flow.pause(h),
            Action.RESUME_ROUTINE: lambda h, _: flow.resume(h),
            Action.DECLINE_ROUTINE: lambda h, _: say_prompt(h, flow.deps, "declined_routine"),
            Action.RESTART_ROUTINE: lambda h, _: flow.restart(h),
        }
    )


def routine_handlers(deps: Deps) -> Loaded:
    """In dispatch order: the ones that check session state come first."""
    flow = RoutineFlow(deps)
    handlers = [
        RepeatStretchHandler(flow),
        StopRoutineHandler(flow),
        StartRoutineHandler(flow),
        ExplainHandler(flow),
        NextHandler(flow),
        PreviousHandler(flow),
        SkipHandler(flow),
        PauseHandler(flow),
        ResumeHandler(flow),
        StartOverHandler(flow),
        HowManyLeftHandler(flow),
        TouchHandler(flow),
    ]
    return Loaded(handlers, routine_actions(flow))


def task_handlers(deps: Deps) -> Loaded:
    return Loaded([TaskLaunchHandler(RoutineFlow(deps))])
