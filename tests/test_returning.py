"""A returning person: the routine respects where they are (continue or start over, an Alexa
Routine that carries on, one greeting, no praise for skipping the last stretch), and the skill
gets shorter as they learn it (the short greeting, the disclaimer again only after a long
absence, stretches in short form once done a few times, "explain", shorter questions). By day
and at night, in one session and across sessions, each night from a new process on the same
store."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cramp_coach import ssml
from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.returning import DISCLAIMER_AFTER_DAYS, FAMILIAR_AFTER
from cramp_coach.routine import (
    FULL,
    Form,
    introduction,
    render_step,
    short_sentence,
    step_sentences,
)
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

from .helpers.routine_turns import asks_continue_or_restart, is_introduction, stretch_number
from .helpers.stored import envelope_for, saved

HOLD_CUE = re.compile(r"\b(?:And hold|Hold)\.")  # content/en-US/routine.json cues.hold

# Times in New York (the stand-in Settings API's zone): 15:00 is day, 23:30 is night mode.
FIRST_DAY = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)  # 15:00 local
DAY, NIGHT = timedelta(hours=0), timedelta(hours=8, minutes=30)  # 15:00, 23:30 local
WHEN = {"day": DAY, "night": NIGHT}
SHORT_STEPS = 4  # the short routine: two stretches, one leg per step


def night_number(n: int, when: str = "day") -> datetime:
    return FIRST_DAY + timedelta(days=n) + WHEN[when]


def whispered(turn: Turn) -> bool:
    return '<amazon:effect name="whispered">' in turn.ssml


class Household:
    """One person's Echo, talking to a new process each time `later` is called: nothing of
    them is remembered in memory, only in the store."""

    def __init__(self, store: Any, library: ContentLibrary, resolver: Resolver, device: Any):
        self.store, self.library, self.resolver, self.device = store, library, resolver, device

    def at(self, when: datetime) -> Simulator:
        skill = build_skill(Config(), self.store, content=self.library)
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] = lambda e, c: handle_event(  # noqa: E731
            e, c, skill
        )
        return Simulator(handler, self.resolver, self.device, clock=lambda: when)


@pytest.fixture
def home(store: SqliteStore, library: ContentLibrary, resolver: Resolver, echo: Simulator) -> Any:
    return Household(store, library, resolver, echo.device)


def whole_short_routine(echo: Simulator) -> list[Turn]:
    """Start the short routine, say yes, and go on to the good night: the stretches' turns."""
    intro = echo.say("ask cramp coach to start my bedtime stretches")
    assert is_introduction(intro), intro.speech
    turns = [echo.say("yes")]
    while not turns[-1].ends_session:
        turns.append(echo.say("next"))
    assert [stretch_number(t) for t in turns] == [1, 2, 3, 4]
    return turns


def pause_at(echo: Simulator, position: int) -> None:
    """Start the full routine and pause after stretch `position + 1`."""
    intro = echo.say("ask cramp coach to start the full routine")
    assert is_introduction(intro), intro.speech
    turn = echo.say("yes")
    for _ in range(position):
        turn = echo.say("next")
    assert stretch_number(turn) == position + 1
    assert echo.say("pause").ends_session


# --- Starting with a routine unfinished ----------------------------------------------------


@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize(
    "phrase",
    [
        "ask cramp coach to start my stretches",
        "Alexa, ask cramp coach to start my bedtime stretches",  # the reminder's own words
    ],
)
def test_starting_with_a_routine_unfinished_asks_once_and_yes_carries_on(
    home: Household, content: Content, when: str, phrase: str
) -> None:
    pause_at(home.at(night_number(0, when)), 2)
    echo = home.at(night_number(1, when))  # the next night, another process
    question = echo.say(phrase)
    assert asks_continue_or_restart(question)
    assert "stretch 4 of 9" in question.speech and "start over" in question.speech
    assert len(question.speech.split()) <= 25 and question.reprompt
    assert whispered(question) == (when == "night")
    turn = echo.say("yes")
    assert stretch_number(turn) == 4
    assert not any(turn.speech.startswith(p) for p in content.routine.cues["resumed"])


@pytest.mark.parametrize(
    ("answer", "number"),
    [("continue", 4), ("carry on with my stretches", 4), ("start over", None), ("no", None)],
)
def test_the_question_is_answered_by_name_or_by_yes_and_no(
    home: Household, store: SqliteStore, answer: str, number: int | None
) -> None:
    pause_at(home.at(night_number(0)), 2)
    echo = home.at(night_number(1))
    assert asks_continue_or_restart(echo.say("ask cramp coach to start my stretches"))
    turn = echo.say(answer)
    if number is None:  # from the beginning, of the same length
        assert is_introduction(turn) and "9" in turn.speech
        assert saved(store)["routine"]["position"] == -1
        assert stretch_number(echo.say("yes")) == 1
    else:
        assert stretch_number(turn) == number


def test_asking_to_start_again_after_the_question_starts_over(home: Household) -> None:
    pause_at(home.at(night_number(0)), 1)
    echo = home.at(night_number(1))
    assert asks_continue_or_restart(echo.say("ask cramp coach to start my stretches"))
    again = echo.say("start my stretches")
    assert is_introduction(again)  # asked once: not a second time
    assert stretch_number(echo.say("yes")) == 1


def test_starting_after_the_launch_offer_starts_over(home: Household) -> None:
    pause_at(home.at(night_number(0)), 1)
    echo = home.at(night_number(1))
    offer = echo.say("open cramp coach")
    assert offer.speech.endswith("?") and "7" in offer.speech
    assert is_introduction(echo.say("start my stretches"))  # the offer was the one question


def test_naming_another_length_starts_that_one(home: Household) -> None:
    pause_at(home.at(night_number(0)), 2)
    echo = home.at(night_number(1))
    turn = echo.say("ask cramp coach to start the short routine")
    assert is_introduction(turn) and "short" in turn.speech


def test_only_the_introduction_heard_is_nothing_to_continue(home: Household) -> None:
    first = home.at(night_number(0))
    assert is_introduction(first.say("ask cramp coach to start my stretches"))
    first.say("stop")
    assert is_introduction(home.at(night_number(1)).say("ask cramp coach to start my stretches"))


def test_within_a_session_starting_asks_too(echo: Simulator) -> None:
    echo.say("ask cramp coach to start the full routine")
    echo.say("yes")
    echo.say("next")
    question = echo.say("start my stretches")
    assert asks_continue_or_restart(question) and "stretch 3 of 9" in question.speech
    assert stretch_number(echo.say("yes")) == 3


# --- An Alexa Routine carries on by default -------------------------------------------------


@pytest.mark.parametrize("when", WHEN)
def test_a_routine_task_carries_on_and_says_so(home: Household, when: str) -> None:
    pause_at(home.at(night_number(0, when)), 2)
    echo = home.at(night_number(1, when))
    turn = echo.run_routine()
    assert "stretch 4 of 9" in turn.speech and "start over" in turn.speech
    assert turn.speech.endswith("?") and turn.reprompt and not turn.ends_session
    assert "Welcome" not in turn.speech and stretch_number(turn) is None
    assert stretch_number(echo.say("yes")) == 4


def test_a_routine_task_carrying_on_can_start_over(home: Household) -> None:
    pause_at(home.at(night_number(0)), 2)
    echo = home.at(night_number(1))
    echo.run_routine()
    turn = echo.say("start over")
    assert is_introduction(turn) and "9" in turn.speech
    assert stretch_number(echo.say("yes")) == 1


def test_a_routine_task_with_nothing_unfinished_starts_as_before(home: Household) -> None:
    whole_short_routine(home.at(night_number(0)))
    assert is_introduction(home.at(night_number(1)).run_routine())


# --- One greeting ---------------------------------------------------------------------------


@pytest.mark.parametrize("when", WHEN)
def test_a_launch_offering_to_continue_greets_once(
    home: Household, content: Content, when: str
) -> None:
    home.at(night_number(0, when)).say("open cramp coach")
    pause_at(home.at(night_number(0, when)), 1)
    echo = home.at(night_number(1, when))
    offer = echo.say("open cramp coach")
    if when == "day":
        assert offer.speech.startswith(("Welcome back", "Hi again"))
    turn = echo.say("yes")
    assert stretch_number(turn) == 3
    greetings = ("Welcome", "Hi again", "welcome back")
    assert not any(g in turn.speech for g in greetings), turn.speech
    assert any(turn.speech.startswith(p) for p in content.routine.cues["continuing"])


def test_continue_my_stretches_in_a_new_session_still_welcomes_back(
    home: Household, content: Content
) -> None:
    pause_at(home.at(night_number(0)), 1)
    turn = home.at(night_number(1)).say("ask cramp coach to continue my stretches")
    assert any(turn.speech.startswith(p) for p in content.routine.cues["resumed"])
    assert stretch_number(turn) == 3


# --- Skipping the last stretch --------------------------------------------------------------


@pytest.mark.parametrize("when", WHEN)
def test_skipping_the_last_stretch_is_not_praised(
    home: Household, store: SqliteStore, content: Content, when: str
) -> None:
    echo = home.at(night_number(0, when))
    echo.say("ask cramp coach to start my stretches")
    for _ in range(3):
        echo.say("next")  # yes to "Ready?", then stretches 2 and 3
    turn = echo.say("skip")
    assert turn.ends_session and stretch_number(turn) is None
    assert not any(p in turn.speech for p in content.routine.cues["finished"])
    assert "well done" not in turn.speech.lower()
    assert any(p in turn.speech for p in content.routine.cues["skipped_last"])
    assert saved(store)["familiar"] == {"wall_calf": 1}  # the skipped leg finished nothing


# --- The disclaimer, and a short greeting ---------------------------------------------------


def disclaims(turn: Turn) -> bool:
    return "not medical advice" in turn.speech


@pytest.mark.parametrize("when", WHEN)
def test_the_disclaimer_on_a_first_visit_and_after_a_long_absence_only(
    home: Household, content: Content, when: str
) -> None:
    first = home.at(night_number(0, when)).say("open cramp coach")
    assert disclaims(first) and first.speech in content.replies["launch_first"].say
    for day in (1, 2, DISCLAIMER_AFTER_DAYS + 1):  # nightly, then a gap of one day short
        turn = home.at(night_number(day, when)).say("open cramp coach")
        assert not disclaims(turn), (day, turn.speech)
        assert len(turn.speech.split()) < len(first.speech.split()) // 2
    away = 2 * DISCLAIMER_AFTER_DAYS + 1  # thirty days without a visit
    back = home.at(night_number(away, when)).say("open cramp coach")
    assert disclaims(back) and back.speech in content.replies["launch_long_absence"].say
    assert not disclaims(home.at(night_number(away + 1, when)).say("open cramp coach"))


def test_the_routine_after_a_long_absence_disclaims_first(home: Household) -> None:
    first = home.at(night_number(0)).say("ask cramp coach to start my stretches")
    assert disclaims(first)
    home.at(night_number(1)).say("open cramp coach")
    assert not disclaims(home.at(night_number(2)).say("ask cramp coach to start my stretches"))
    later = home.at(night_number(2 + DISCLAIMER_AFTER_DAYS))
    turn = later.say("ask cramp coach to start my stretches")
    assert turn.speech.split(".")[0].endswith("not medical advice")
    assert is_introduction(turn)


def test_a_returning_launch_writes_the_visit_once_a_day(home: Household, store: Any) -> None:
    home.at(night_number(0)).say("open cramp coach")
    version = saved(store)["_version"]
    for _ in range(3):
        home.at(night_number(0) + timedelta(minutes=5)).say("open cramp coach")
    assert saved(store)["_version"] == version  # the same day: read only
    home.at(night_number(1)).say("open cramp coach")
    assert saved(store)["_version"] == version + 1
    assert saved(store)["last_visit"] == "2026-11-03"  # the local date


# --- Stretches in short form ---------------------------------------------------------------


def full_form(turn: Turn, content: Content, number: int) -> bool:
    step = content.routine.lengths["short"].steps[number - 1]
    return all(s in turn.speech for s in step_sentences(step, content.routine))


def short_form(turn: Turn, content: Content, number: int) -> bool:
    step = content.routine.lengths["short"].steps[number - 1]
    return short_sentence(step, content.routine) in turn.speech and not full_form(
        turn, content, number
    )


def hints(turn: Turn, content: Content) -> bool:
    return any(p in turn.speech for p in content.routine.cues["explain_hint"])


@pytest.mark.parametrize("when", WHEN)
def test_stretches_taper_to_a_short_form_once_done_a_few_times(
    home: Household, store: SqliteStore, content: Content, when: str
) -> None:
    for night in range(FAMILIAR_AFTER):
        turns = whole_short_routine(home.at(night_number(night, when)))
        assert all(full_form(t, content, n) for n, t in enumerate(turns, 1)), night
    assert saved(store)["familiar"] == {"wall_calf": FAMILIAR_AFTER, "hamstring": FAMILIAR_AFTER}
    turns = whole_short_routine(home.at(night_number(FAMILIAR_AFTER, when)))
    assert all(short_form(t, content, n) for n, t in enumerate(turns, 1))
    assert [hints(t, content) for t in turns] == [True, False, False, False]  # once a session
    assert all(len(HOLD_CUE.findall(t.speech)) == 3 for t in turns)  # three holds, still
    assert whispered(turns[0]) == (when == "night")


def test_explain_says_the_stretch_again_in_full(home: Household, content: Content) -> None:
    for night in range(FAMILIAR_AFTER):
        whole_short_routine(home.at(night_number(night)))
    echo = home.at(night_number(FAMILIAR_AFTER))
    echo.say("ask cramp coach to start my stretches")
    echo.say("yes")
    second = echo.say("next")
    assert short_form(second, content, 2)
    full = echo.say("explain")
    assert stretch_number(full) == 2 and full_form(full, content, 2)
    assert len(HOLD_CUE.findall(full.speech)) == len(HOLD_CUE.findall(second.speech)) == 3
    assert short_form(echo.say("next"), content, 3)  # the next one stays short


def test_explain_outside_the_routine_offers_it(echo: Simulator, content: Content) -> None:
    turn = echo.say("explain")
    assert turn.speech in content.replies["no_routine"].say and not turn.ends_session


def test_explain_at_the_introduction_says_it_again(echo: Simulator) -> None:
    echo.say("ask cramp coach to start my stretches")
    assert is_introduction(echo.say("explain"))


def test_deleting_my_data_forgets_the_counts(
    home: Household, store: SqliteStore, content: Content
) -> None:
    for night in range(FAMILIAR_AFTER):
        whole_short_routine(home.at(night_number(night)))
    echo = home.at(night_number(FAMILIAR_AFTER))
    echo.say("ask cramp coach to delete my data")
    echo.say("yes")
    assert saved(store) == {}
    assert disclaims(home.at(night_number(FAMILIAR_AFTER + 1)).say("open cramp coach"))
    turns = whole_short_routine(home.at(night_number(FAMILIAR_AFTER + 1)))
    assert all(full_form(t, content, n) for n, t in enumerate(turns, 1))


# --- Knowing the flow: the short introduction and questions ---------------------------------


def test_after_one_whole_routine_the_intro_and_reprompts_shorten(
    home: Household, content: Content
) -> None:
    echo = home.at(night_number(0))
    intro = echo.say("ask cramp coach to start my stretches")
    step = echo.say("yes")
    assert step.reprompt in content.routine.cues["next_reprompt"]
    while not step.ends_session:
        step = echo.say("next")
    echo = home.at(night_number(1))
    again = echo.say("ask cramp coach to start my stretches")
    assert is_introduction(again) and "swollen, red or hot" in again.speech.lower()  # safety
    assert "not medical advice" in intro.speech and "not medical advice" not in again.speech
    assert len(again.speech.split()) < 0.6 * len(intro.speech.split())
    assert again.reprompt in content.routine.cues["next_reprompt_short"]
    step = echo.say("yes")
    assert step.reprompt in content.routine.cues["next_reprompt_short"]
    assert len(step.reprompt.split()) < 8


# --- Speech, measured -----------------------------------------------------------------------


@pytest.mark.parametrize("length", ["short", "full"])
def test_the_short_form_is_shorter_and_holds_just_as_long(content: Content, length: str) -> None:
    routine = content.routine
    spec = routine.lengths[length]

    def pick(key: str, options: tuple[str, ...]) -> str:
        return options[0]

    familiar = Form(short=True, knows_flow=True)
    opening, _ = introduction(routine, spec, pick)
    short_opening, _ = introduction(routine, spec, pick, familiar)
    assert ssml.estimate_seconds(short_opening.ssml()) < ssml.estimate_seconds(opening.ssml()) - 5
    for index in range(len(spec.steps)):
        full = render_step(routine, spec, index, pick, form=FULL)
        short = render_step(routine, spec, index, pick, form=familiar)
        assert ssml.validate(short.speech.ssml()) == []
        saved_s = ssml.estimate_seconds(full.speech.ssml()) - ssml.estimate_seconds(
            short.speech.ssml()
        )
        assert saved_s >= 3, (index, saved_s)
        holds = [s.speech.ssml() for s in full.segments if s.kind == "hold"]
        assert holds == [s.speech.ssml() for s in short.segments if s.kind == "hold"]


def test_every_short_form_is_one_short_sentence(content: Content) -> None:
    for spec in content.routine.lengths.values():
        for step in spec.steps:
            sentence = short_sentence(step, content.routine)
            assert "{" not in sentence and len(sentence.split()) <= 12, sentence
            assert len(sentence.split()) < len(" ".join(step.stretch.steps).split()) / 2
    first = next(iter(content.routine.lengths.values())).steps[0]
    assert "slowly" in first.stretch.short  # getting up at night: slowly, in short form too


def test_the_short_introduction_keeps_every_safety_note(content: Content) -> None:
    for intro in content.routine.cues["intro_short"]:
        lowered = intro.lower()
        assert "breathe normally" in lowered and "stop if anything hurts" in lowered
        assert "swollen, red or hot" in lowered and "today" in lowered
        assert "get up slowly" in lowered or "getting up" in lowered


def test_the_disclaimer_after_a_long_absence_says_what_the_first_one_says(
    content: Content,
) -> None:
    for phrase in content.replies["launch_long_absence"].say:
        assert "not medical advice" in phrase and "I have a cramp" in phrase


def test_a_stale_or_odd_visit_date_is_read_safely(home: Household, store: SqliteStore) -> None:
    home.at(night_number(0)).say("open cramp coach")
    attributes = store.get_attributes(envelope_for(home.device.user_id))
    attributes["last_visit"] = "not a date"
    attributes["familiar"] = {"wall_calf": "many", "hamstring": True}
    store.save_attributes(envelope_for(home.device.user_id), attributes)
    launch = home.at(night_number(1)).say("open cramp coach")
    assert "not medical advice" not in launch.speech and launch.reprompt
    turns = whole_short_routine(home.at(night_number(2)))
    assert stretch_number(turns[0]) == 1
    assert saved(store)["familiar"] == {"wall_calf": 1, "hamstring": 1}
    assert saved(store)["last_visit"] == "2026-11-04"
