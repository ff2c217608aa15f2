"""The guided bedtime routine, as conversations: every control at every position, both lengths,
pauses and resumes across sessions, and the timing of what is spoken."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cramp_coach import ssml
from cramp_coach.content import Content
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.routine import introduction, render_step
from cramp_coach.store import SqliteStore

from .helpers.routine_turns import (
    TITLE,
    asks_continue_or_restart,
    is_introduction,
    stretch_number,
)
from .helpers.stored import saved

HOLD_CUE = re.compile(r"\b(?:And hold|Hold)\.")  # content/en-US/routine.json cues.hold
LENGTHS = {"short": 4, "full": 9}  # steps: one stretch for one leg each


def length_slot(key: str) -> dict[str, env.Slot | None]:
    return {"length": env.Slot(key, key.upper(), key, "ROUTINE_LENGTH")}


def start(echo: Simulator, length: str) -> Turn:
    """Start the routine and say yes to "Ready?": stretch 1 is presented. (With one of that
    length left unfinished, starting asks whether to pick up there: "start over".)"""
    intro = echo.intent(Intent.START_ROUTINE, length_slot(length), new_session=True)
    if asks_continue_or_restart(intro):
        intro = echo.intent(Intent.START_OVER)
    assert is_introduction(intro), intro.speech
    turn = echo.intent(Intent.YES)
    assert stretch_number(turn) == 1
    return turn


def advance_to(echo: Simulator, length: str, position: int) -> Turn:
    """Start the routine and go on until stretch `position + 1` has been presented."""
    turn = start(echo, length)
    for _ in range(position):
        turn = echo.intent(Intent.NEXT)
    assert stretch_number(turn) == position + 1
    return turn


def replies(content: Content, key: str) -> tuple[str, ...]:
    return content.replies[key].say


# --- A whole routine -------------------------------------------------------------------------


@pytest.mark.parametrize("length", LENGTHS)
def test_a_whole_routine_from_start_to_good_night(
    echo: Simulator, store: SqliteStore, content: Content, length: str
) -> None:
    count = LENGTHS[length]
    intro = echo.intent(Intent.START_ROUTINE, length_slot(length), new_session=True)
    assert is_introduction(intro) and "stop if anything hurts" in intro.speech
    assert "swollen, red or hot" in intro.speech  # a possible clot: no stretching tonight
    assert re.search(r"[Gg]et up slowly|getting up", intro.speech)
    assert intro.reprompt and intro.card is None
    turn = echo.say("yes")
    for number in range(1, count + 1):
        assert stretch_number(turn) == number
        assert TITLE.search(turn.speech).group(2) == str(count)  # type: ignore[union-attr]
        assert turn.card is not None and "Source:" in turn.card["content"]
        if number < count:
            assert turn.speech.endswith("Ready for the next one?")
            assert turn.reprompt and not turn.ends_session
            turn = echo.say("yes")  # "yes", "next" and "done" all move on
        else:
            assert turn.ends_session and not turn.reprompt
            assert any(turn.speech.endswith(p) for p in content.routine.cues["finished"])
    state = saved(store)
    assert "routine" not in state
    assert state["last_finished"] == turn.request["request"]["timestamp"][:10]
    assert state["preferred_length"] == length


def test_next_done_and_ready_all_move_on(echo: Simulator) -> None:
    echo.intent(Intent.START_ROUTINE, length_slot("full"), new_session=True)
    assert stretch_number(echo.say("ready")) == 1
    assert stretch_number(echo.say("next")) == 2
    assert stretch_number(echo.say("I'm done")) == 3
    assert stretch_number(echo.say("ready")) == 4


def test_the_preferred_length_is_remembered(echo: Simulator) -> None:
    start(echo, "full")
    echo.intent(Intent.STOP)
    intro = echo.say("ask cramp coach to start my bedtime stretches")
    assert "full" in intro.speech and "9" in intro.speech
    assert TITLE.search(echo.say("yes").speech).group(2) == "9"  # type: ignore[union-attr]


def test_the_first_time_defaults_to_the_short_routine(echo: Simulator) -> None:
    intro = echo.say("ask cramp coach to start my bedtime stretches")
    assert "not medical advice" in intro.speech.split(".")[0]  # first use: the disclaimer first
    assert is_introduction(intro) and "short" in intro.speech
    assert TITLE.search(echo.say("yes").speech).group(2) == "4"  # type: ignore[union-attr]


def test_the_introduction_can_be_repeated_and_is_saved(echo: Simulator, store: SqliteStore) -> None:
    intro = echo.intent(Intent.START_ROUTINE, length_slot("short"), new_session=True)
    assert saved(store)["routine"]["position"] == -1  # "continue" later starts at stretch 1
    again = echo.intent(Intent.REPEAT)
    assert is_introduction(again) and again.speech != ""
    assert "medical advice" not in again.speech  # heard once already
    assert is_introduction(echo.intent(Intent.PREVIOUS))
    assert stretch_number(echo.intent(Intent.NEXT)) == 1
    assert intro.ssml != ""


def test_each_step_is_one_leg_and_names_it(echo: Simulator, content: Content) -> None:
    turn = start(echo, "short")
    assert "right leg" in turn.speech.split(".")[0] and "right foot" in turn.speech
    turn = echo.say("next")
    assert "left leg" in turn.speech.split(".")[0] and "left foot" in turn.speech
    assert len(HOLD_CUE.findall(turn.speech)) == 3  # three holds per leg, as in the 2012 trial


def test_the_disclaimer_is_not_repeated_once_heard(echo: Simulator) -> None:
    echo.say("open cramp coach")
    echo.say("stop")
    assert "medical advice" not in echo.say("ask cramp coach to start my stretches").speech


# --- Every control at every position ----------------------------------------------------------

CASES = [(length, position) for length, count in LENGTHS.items() for position in range(count - 1)]


@pytest.mark.parametrize(("length", "position"), CASES)
def test_next_and_yes(echo: Simulator, length: str, position: int) -> None:
    advance_to(echo, length, position)
    assert stretch_number(echo.intent(Intent.NEXT)) == position + 2
    advance_to(echo, length, position)
    assert stretch_number(echo.intent(Intent.YES)) == position + 2


@pytest.mark.parametrize(("length", "position"), CASES)
def test_previous(echo: Simulator, content: Content, length: str, position: int) -> None:
    advance_to(echo, length, position)
    turn = echo.intent(Intent.PREVIOUS)
    assert stretch_number(turn) == max(position, 1)
    if position == 0:
        assert any(turn.speech.startswith(p) for p in content.routine.cues["first_again"])
    assert not turn.ends_session


@pytest.mark.parametrize(("length", "position"), CASES)
def test_repeat_this_stretch(echo: Simulator, length: str, position: int) -> None:
    before = advance_to(echo, length, position)
    again = echo.intent(Intent.REPEAT)
    assert stretch_number(again) == position + 1
    assert len(HOLD_CUE.findall(before.speech)) == len(HOLD_CUE.findall(again.speech))


@pytest.mark.parametrize(("length", "position"), CASES)
def test_skip(
    echo: Simulator, store: SqliteStore, content: Content, length: str, position: int
) -> None:
    advance_to(echo, length, position)
    count = LENGTHS[length]
    skipped = content.routine.lengths[length].steps[position + 1].label
    turn = echo.intent(Intent.SKIP)
    assert skipped in turn.speech.split(".")[0]
    if position + 2 < count:
        assert stretch_number(turn) == position + 3
        assert turn.ends_session == (position + 3 == count)  # the last stretch says good night
    else:  # skipping the last one ends tonight's routine
        assert stretch_number(turn) is None and turn.ends_session
        assert "routine" not in saved(store) and "last_finished" in saved(store)


@pytest.mark.parametrize(("length", "position"), CASES)
@pytest.mark.parametrize("how", [Intent.PAUSE, Intent.NO])
def test_pause_saves_the_place_and_resume_continues_days_later(
    echo: Simulator, store: SqliteStore, content: Content, length: str, position: int, how: str
) -> None:
    advance_to(echo, length, position)
    turn = echo.intent(how)
    assert turn.speech in replies(content, "paused")
    assert turn.ends_session and not echo.in_session
    assert saved(store)["routine"]["position"] == position
    resumed = echo.say("Alexa, ask cramp coach to continue my stretches")
    assert resumed.request["session"]["new"] is True
    assert any(resumed.speech.startswith(p) for p in content.routine.cues["resumed"])
    assert stretch_number(resumed) == position + 2


@pytest.mark.parametrize(("length", "position"), CASES)
@pytest.mark.parametrize("how", [Intent.STOP, Intent.CANCEL])
def test_stop_and_cancel_save_the_place(
    echo: Simulator, store: SqliteStore, content: Content, length: str, position: int, how: str
) -> None:
    advance_to(echo, length, position)
    turn = echo.intent(how)
    assert turn.speech in replies(content, "stopped")
    assert turn.ends_session
    assert saved(store)["routine"] == {
        "length": length,
        "position": position,
        "updated": saved(store)["routine"]["updated"],
    }


@pytest.mark.parametrize(("length", "position"), CASES)
def test_resume_in_the_same_session(echo: Simulator, length: str, position: int) -> None:
    advance_to(echo, length, position)
    assert stretch_number(echo.intent(Intent.RESUME)) == position + 2


@pytest.mark.parametrize(("length", "position"), CASES)
def test_start_over(echo: Simulator, length: str, position: int) -> None:
    advance_to(echo, length, position)
    turn = echo.intent(Intent.START_OVER)
    assert is_introduction(turn) and str(LENGTHS[length]) in turn.speech
    assert stretch_number(echo.intent(Intent.YES)) == 1


@pytest.mark.parametrize(("length", "position"), CASES)
def test_how_many_are_left(echo: Simulator, content: Content, length: str, position: int) -> None:
    advance_to(echo, length, position)
    turn = echo.intent(Intent.ROUTINE_STATUS)
    left = LENGTHS[length] - position - 1
    assert str(left) in turn.speech
    for step in content.routine.lengths[length].steps[position + 1 :]:
        assert step.stretch.name in turn.speech
    assert turn.speech.endswith("?") and not turn.ends_session
    assert stretch_number(echo.intent(Intent.YES)) == position + 2


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize(
    "intent",
    [
        Intent.NEXT,
        Intent.PREVIOUS,
        Intent.SKIP,
        Intent.RESUME_ROUTINE,
        Intent.ROUTINE_STATUS,
    ],
)
def test_after_the_last_stretch_there_is_nothing_to_continue(
    echo: Simulator, content: Content, length: str, intent: str
) -> None:
    advance_to(echo, length, LENGTHS[length] - 1)
    assert not echo.in_session
    turn = echo.intent(intent)
    assert turn.speech in replies(content, "no_routine")
    assert is_introduction(echo.intent(Intent.YES))  # "yes" starts it again


@pytest.mark.parametrize("length", LENGTHS)
def test_after_the_last_stretch_start_over_begins_again(echo: Simulator, length: str) -> None:
    advance_to(echo, length, LENGTHS[length] - 1)
    assert is_introduction(echo.intent(Intent.START_OVER, new_session=True))


def test_no_to_start_the_routine(echo: Simulator, content: Content) -> None:
    echo.intent(Intent.NEXT)
    assert echo.intent(Intent.NO).speech in replies(content, "declined")


def test_pause_with_no_routine_just_says_goodbye(echo: Simulator, content: Content) -> None:
    assert echo.intent(Intent.PAUSE).speech in replies(content, "goodbye")


# --- Launch while a routine is unfinished -----------------------------------------------------


def test_launch_offers_to_continue_an_unfinished_routine(echo: Simulator, content: Content) -> None:
    echo.say("open cramp coach")
    echo.say("stop")
    advance_to(echo, "full", 1)
    echo.intent(Intent.PAUSE)
    offer = echo.say("open cramp coach")
    assert "7" in offer.speech and "full" in offer.speech  # seven of the full routine to go
    assert offer.speech.endswith("?") and not offer.ends_session
    assert stretch_number(echo.say("yes")) == 3


def test_launch_offer_declined_keeps_the_place(
    echo: Simulator, store: SqliteStore, content: Content
) -> None:
    echo.say("open cramp coach")
    echo.say("stop")
    advance_to(echo, "short", 0)
    echo.intent(Intent.PAUSE)
    echo.say("open cramp coach")
    turn = echo.say("no")
    assert turn.speech in replies(content, "declined_routine") and not turn.ends_session
    assert saved(store)["routine"]["position"] == 0


def test_launch_after_finishing_tonight(echo: Simulator, content: Content) -> None:
    echo.say("open cramp coach")
    echo.say("stop")
    advance_to(echo, "short", 3)
    assert echo.say("open cramp coach").speech in replies(content, "launch_done_today")


def test_prevention_tips_offer_the_stretches(echo: Simulator) -> None:
    echo.say("how can I prevent leg cramps")
    assert is_introduction(echo.say("yes"))


# --- Privacy ----------------------------------------------------------------------------------


ALLOWED_KEYS = {
    "welcomed",
    "routine",
    "preferred_length",
    "last_finished",
    "zones",  # device (hashed) -> its time zone, for night mode
    "voice",  # "whisper" or "normal", when the person chose
    "recent",  # the last answer, a few minutes (memory.py): never a private one
    "last_visit",  # the local date of the last launch or routine: the disclaimer's interval
    "familiar",  # stretch id -> times completed: the short form (counts only)
    "_version",
}


def test_nothing_about_health_is_ever_stored(
    echo: Simulator, store: SqliteStore, content: Content
) -> None:
    echo.say("open cramp coach")
    echo.say("should I take magnesium")
    for line in (
        "I'm pregnant and my legs cramp at night",
        "I have diabetes, do cramps get worse",
        "my calf is swollen",
    ):
        echo.say(line)
        recent = saved(store).get("recent")
        assert recent is None, (line, recent)  # a private answer is kept nowhere, nor one before
    echo.say("ask cramp coach should I take magnesium")
    advance_to(echo, "full", 2)
    echo.intent(Intent.PAUSE)
    attributes = saved(store)
    assert set(attributes) <= ALLOWED_KEYS
    assert set(attributes["routine"]) == {"length", "position", "updated"}
    assert not content.topics[attributes["recent"]["said"]["key"]].private
    assert attributes["familiar"] == {"wall_calf": 1}  # both legs of one stretch: a count
    assert attributes["last_visit"] == echo.history[-1].request["request"]["timestamp"][:10]


def test_delete_my_data_after_a_yes(echo: Simulator, store: SqliteStore, content: Content) -> None:
    advance_to(echo, "full", 1)
    echo.intent(Intent.PAUSE)
    ask = echo.say("ask cramp coach to delete my data")
    assert ask.speech in replies(content, "confirm_delete") and not ask.ends_session
    done = echo.say("yes")
    assert done.speech in replies(content, "deleted") and done.ends_session
    assert saved(store) == {}
    again = echo.say("ask cramp coach to delete my data")  # repeating it is fine
    assert echo.say("yes").speech in replies(content, "deleted")
    assert again.speech in replies(content, "confirm_delete")
    assert saved(store) == {}
    assert "not medical advice" in echo.say("open cramp coach").speech  # a fresh start


def test_delete_my_data_declined(echo: Simulator, store: SqliteStore, content: Content) -> None:
    advance_to(echo, "short", 0)
    echo.intent(Intent.PAUSE)
    echo.say("ask cramp coach to forget me")
    assert echo.say("no").speech in replies(content, "kept")
    assert saved(store)["routine"]["position"] == 0


def test_disabling_the_skill_deletes_the_data(
    handler: Any, echo: Simulator, store: SqliteStore
) -> None:
    advance_to(echo, "short", 0)
    echo.intent(Intent.PAUSE)
    event = {
        "type": "AlexaSkillEvent.SkillDisabled",
        "requestId": "amzn1.echo-api.request.disabled",
        "timestamp": env.timestamp(),
        "eventCreationTime": env.timestamp(),
        "eventPublishingTime": env.timestamp(),
        "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
    }
    for _ in range(2):  # Alexa may deliver an event more than once
        response = handler(env.envelope(event, env.Device(), session=None), None)
        assert "outputSpeech" not in response["response"]
        assert saved(store) == {}


# --- Timing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("choice", [0, 1])
def test_spoken_timing_matches_the_content(content: Content, length: str, choice: int) -> None:
    """Each turn fits Alexa's 90 s; the whole routine, introduction included, lasts what it says."""
    routine = content.routine
    spec = routine.lengths[length]

    def pick(key: str, options: tuple[str, ...]) -> str:
        return options[choice % len(options)]

    speech, _ = introduction(routine, spec, pick)
    opening = ssml.text(routine.cues["disclaimer"][choice]) + speech  # the first time
    total = ssml.estimate_seconds(opening.ssml())
    assert total <= 90
    for index, step in enumerate(spec.steps):
        turn = render_step(routine, spec, index, pick)
        document = turn.speech.ssml()
        assert ssml.validate(document) == []
        assert len(document) <= ssml.MAX_SPEECH_CHARS
        seconds = ssml.estimate_seconds(document)
        assert seconds <= 90, (step.label, seconds)
        holds = [s for s in turn.segments if s.kind == "hold"]
        assert len(holds) == step.reps
        for hold in holds:
            spoken = ssml.estimate_seconds(hold.speech.ssml())
            assert abs(spoken - step.hold) <= 0.15 * step.hold, (step.label, spoken)
        total += seconds
    assert abs(total - spec.seconds) <= 0.10 * spec.seconds, (length, total)


def test_the_routine_content_follows_the_public_guidance(content: Content) -> None:
    routine = content.routine
    stretches = {s.stretch.key: s.stretch for spec in routine.lengths.values() for s in spec.steps}
    assert 5 <= len(stretches) <= 7
    for spec in routine.lengths.values():
        for step in spec.steps:
            assert 10 <= step.hold <= 30  # NIA: hold each stretch 10 to 30 seconds
            assert 3 <= step.reps <= 5  # NIA: repeat 3 to 5 times
            assert step.stretch.sources
        sides = [step.side for step in spec.steps if step.stretch.sides]
        assert sides.count("right") == sides.count("left")  # both legs, always
    for intro in routine.cues["intro"]:
        lowered = intro.lower()
        assert "breathe normally" in lowered and "stop if anything hurts" in lowered
        assert "swollen, red or hot" in lowered and "today" in lowered
        assert "get up slowly" in lowered or "getting up" in lowered


def test_the_short_routine_is_the_2012_trials_protocol(content: Content) -> None:
    """Hallegraeff 2012: calf and hamstring, 10 s holds, three times each, 10 s rest, both legs."""
    steps = content.routine.lengths["short"].steps
    assert [s.stretch.key for s in steps] == ["wall_calf"] * 2 + ["hamstring"] * 2
    assert all((s.hold, s.reps, s.rest) == (10, 3, 10) for s in steps)


STANDING, SITTING, LYING = "stand", "sit", "lie"


def posture(step_text: str) -> str:
    lowered = step_text.lower()
    return LYING if "lie on" in lowered else SITTING if "sit" in lowered else STANDING


@pytest.mark.parametrize("length", LENGTHS)
def test_standing_stretches_come_before_sitting_and_lying_ones(
    content: Content, length: str
) -> None:
    """The routine ends in bed: once down, nobody is asked to stand up again."""
    order = [STANDING, SITTING, LYING]
    postures = [posture(s.stretch.steps[0]) for s in content.routine.lengths[length].steps]
    assert postures == sorted(postures, key=order.index), postures
    assert postures[-1] in (SITTING, LYING)
    first_standing = content.routine.lengths[length].steps[0].stretch.steps[0]
    assert "slowly" in first_standing


def test_each_hold_has_a_few_seconds_to_get_into_position(content: Content) -> None:
    routine = content.routine
    spec = routine.lengths["short"]
    turn = render_step(routine, spec, 0, lambda key, options: options[0])
    settle = re.search(r'<break time="(\d+)ms"/>\s*(?:And hold|Hold)\.', turn.speech.ssml())
    assert settle is not None and int(settle.group(1)) >= 3000
