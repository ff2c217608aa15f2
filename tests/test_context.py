"""Off script and back in one turn: help, misses, "hang on", yes in other words, repeat, "tell
me more" and "where is that from?" answer for where the person is (inside the routine, with a
question waiting, or nowhere in particular), by day and at night; and the last answer is kept a
few minutes in the store, for one-shots after its session ended, in a new process too."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.intents import Intent
from cramp_coach.local.envelope import Device
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.skill import build_skill
from cramp_coach.ssml import break_milliseconds

from .helpers.clock import DAYTIME
from .helpers.routine_turns import is_introduction, stretch_number
from .helpers.safety import after_the_safety_net
from .helpers.stored import saved

NIGHT = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)  # 02:30 in New York
WHISPER = '<amazon:effect name="whispered">'


def at(echo: Simulator, when: datetime) -> Simulator:
    echo.clock = lambda: when
    return echo


def new_process(store: Any, library: ContentLibrary, resolver: Resolver, echo: Simulator) -> Any:
    """Another process on the same store (as another Lambda instance): nothing in memory."""
    skill = build_skill(Config(), store, content=library, rng=random.Random(11))
    return Simulator(
        lambda e, c: handle_event(e, c, skill), resolver, echo.device, clock=echo.clock
    )


def said_one_of(speech: str, options: tuple[str, ...]) -> bool:
    return any(option in speech for option in options)


def replies(content: Content, key: str) -> tuple[str, ...]:
    return content.replies[key].say


def next_cues(content: Content) -> tuple[str, ...]:
    return content.routine.cues["next_reprompt"]


def into_the_routine(echo: Simulator) -> Turn:
    """The stretches started, and the first one done: "Ready for the next one?" waits."""
    assert is_introduction(echo.say("ask cramp coach to start my bedtime stretches"))
    first = echo.say("yes")
    assert stretch_number(first) == 1
    return first


def silence_ms(ssml: str) -> float:
    import re

    return sum(break_milliseconds(v) or 0 for v in re.findall(r'<break time="([^"]+)"', ssml))


# --- Yes, in other words ------------------------------------------------------------------


@pytest.mark.parametrize("line", ["ok", "okay", "sure", "go on", "yeah", "okay then"])
def test_ok_and_its_kin_answer_ready_for_the_next_one(echo: Simulator, line: str) -> None:
    into_the_routine(echo)
    turn = echo.say(line)
    assert turn.request["request"]["intent"]["name"] == Intent.YES
    assert stretch_number(turn) == 2


@pytest.mark.parametrize("line", ["ok", "sure", "go on", "yeah"])
def test_ok_and_its_kin_take_up_an_offer(echo: Simulator, content: Content, line: str) -> None:
    echo.say("why do my calves cramp at night")
    tips = echo.say(line)
    assert said_one_of(tips.speech, content.topics["prevention"].say)


def test_ok_with_nothing_asked_says_so_and_listens(echo: Simulator, content: Content) -> None:
    echo.launch()
    turn = echo.say("okay")
    assert turn.speech in replies(content, "nothing_pending") and not turn.ends_session


# --- Help where the person is -------------------------------------------------------------


def test_help_inside_the_routine_lists_its_commands_and_keeps_the_place(
    echo: Simulator, content: Content
) -> None:
    into_the_routine(echo)
    helped = echo.say("help")
    assert helped.speech in replies(content, "help_routine")
    for command in ("next", "repeat", "skip", "pause"):
        assert command in helped.speech
    assert helped.reprompt in content.replies["help_routine"].reprompt
    assert helped.attributes["pending"] == {"kind": "next"} and not helped.ends_session
    again = echo.say("repeat")  # the stretch, not the help
    assert stretch_number(again) == 1
    assert stretch_number(echo.say("next")) == 2


def test_help_inside_the_routine_at_night_is_short_and_whispered(
    echo: Simulator, content: Content
) -> None:
    at(echo, NIGHT)
    into_the_routine(echo)
    helped = echo.say("help")
    assert helped.speech in replies(content, "help_routine_night")
    assert WHISPER in helped.ssml and WHISPER in helped.reprompt_ssml
    assert len(helped.speech.split()) < min(
        len(p.split()) for p in replies(content, "help_routine")
    )
    assert stretch_number(echo.say("yes")) == 2


def test_help_with_an_offer_waiting_says_it_again_and_keeps_it(
    echo: Simulator, content: Content
) -> None:
    why = echo.say("why do my calves cramp at night")
    helped = echo.say("help")
    assert said_one_of(helped.speech, replies(content, "help_pending"))
    assert helped.speech.endswith(helped.reprompt)  # what waits, said again
    assert helped.reprompt == why.reprompt and not helped.ends_session
    assert said_one_of(echo.say("yes").speech, content.topics["prevention"].say)


def test_help_with_nothing_waiting_is_the_menu(echo: Simulator, content: Content) -> None:
    echo.launch()
    assert echo.say("help").speech in replies(content, "help")


# --- Misses ---------------------------------------------------------------------------------


def test_a_miss_inside_the_routine_says_next_or_pause_and_keeps_the_reprompt(
    echo: Simulator, content: Content
) -> None:
    into_the_routine(echo)
    turn = echo.say("what's the weather like tomorrow")
    assert turn.request["request"]["intent"]["name"] == Intent.FALLBACK
    assert said_one_of(turn.speech, replies(content, "fallback_pending"))
    assert said_one_of(turn.speech, next_cues(content)) and turn.reprompt in next_cues(content)
    assert turn.attributes["pending"] == {"kind": "next"} and "routine" in turn.attributes
    assert stretch_number(echo.say("ok")) == 2


def test_misses_in_the_routine_escalate_then_end_keeping_the_place(
    echo: Simulator, content: Content
) -> None:
    into_the_routine(echo)
    first = echo.say("what's the weather like tomorrow")
    second = echo.say("play some music")
    assert second.speech in replies(content, "fallback_again_routine")
    assert all(choice in second.speech for choice in ("next", "repeat", "pause"))
    assert not second.ends_session and second.reprompt
    third = echo.say("what's the weather like tomorrow")
    assert third.speech in replies(content, "fallback_end_routine") and third.ends_session
    assert "continue my stretches" in third.speech and "Good night" not in third.speech
    assert first.speech != second.speech != third.speech
    back = echo.say("ask cramp coach to continue my stretches")
    assert stretch_number(back) == 2


def test_misses_with_nothing_waiting_escalate_to_choices_then_a_polite_end(
    echo: Simulator, content: Content
) -> None:
    echo.launch()
    first = echo.say("what's the weather like tomorrow")
    assert after_the_safety_net(content, first.speech) in replies(content, "fallback")
    second = echo.say("play some music")
    assert second.speech in replies(content, "fallback_again")
    assert "I have a cramp" in second.speech and "start my stretches" in second.speech
    third = echo.say("what's the weather like tomorrow")
    assert third.speech in replies(content, "fallback_end") and third.ends_session
    assert "open cramp coach" in third.speech


def test_an_understood_turn_ends_a_run_of_misses(echo: Simulator, content: Content) -> None:
    echo.launch()
    echo.say("what's the weather like tomorrow")
    echo.say("play some music")
    assert "misses" not in echo.say("help").attributes
    turn = echo.say("what's the weather like tomorrow")
    assert turn.speech in replies(content, "fallback") and not turn.ends_session


def test_a_miss_at_night_is_brief_and_names_the_cramp_phrase(
    echo: Simulator, content: Content
) -> None:
    at(echo, NIGHT).say("open cramp coach")
    echo.say("stop")
    echo.say("open cramp coach")
    turn = echo.say("what's the weather like tomorrow")
    missed = after_the_safety_net(content, turn.speech, night=True)
    assert missed in replies(content, "fallback_night") and WHISPER in turn.ssml
    assert "I have a cramp" in turn.speech and not turn.ends_session
    assert len(missed.split()) < min(len(p.split()) for p in replies(content, "fallback"))
    second = echo.say("play some music")
    assert second.speech in replies(content, "fallback_again_night")
    third = echo.say("what's the weather like tomorrow")
    assert third.speech in replies(content, "fallback_end_night") and third.ends_session
    assert "I have a cramp" in third.speech


def test_a_miss_inside_the_routine_at_night_names_the_cramp_phrase_and_keeps_the_place(
    echo: Simulator, content: Content
) -> None:
    at(echo, NIGHT)
    into_the_routine(echo)
    turn = echo.say("what's the weather like tomorrow")
    assert said_one_of(turn.speech, replies(content, "fallback_pending_night"))
    assert "I have a cramp" in turn.speech and said_one_of(turn.speech, next_cues(content))
    assert stretch_number(echo.say("yeah")) == 2


def test_a_miss_with_a_question_waiting_asks_it_again(echo: Simulator, content: Content) -> None:
    echo.say("ask cramp coach to delete my data")
    turn = echo.say("what's the weather like tomorrow")
    assert said_one_of(turn.speech, replies(content, "fallback_pending"))
    assert turn.reprompt in content.replies["confirm_delete"].reprompt
    assert turn.speech.endswith(turn.reprompt) and turn.attributes["pending"] == {"kind": "delete"}
    second = echo.say("play some music")
    assert said_one_of(second.speech, replies(content, "fallback_again_answer"))
    assert echo.say("no").speech in replies(content, "kept")


def test_a_miss_while_a_reminder_waits_for_its_time_asks_for_the_time(
    echo: Simulator, content: Content
) -> None:
    asked = echo.say("remind me to do my stretches")
    assert asked.attributes["pending"]["kind"] == "reminder_time"
    turn = echo.say("what's the weather like tomorrow")
    assert turn.reprompt == asked.reprompt and turn.speech.endswith(asked.reprompt)
    assert turn.attributes["pending"] == asked.attributes["pending"]
    second = echo.say("play some music")
    assert said_one_of(second.speech, replies(content, "fallback_again_time"))


# --- Hang on --------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["hang on", "wait", "one moment", "hold on", "not yet"])
def test_hang_on_inside_the_routine_holds_the_place(
    echo: Simulator, content: Content, store: Any, line: str
) -> None:
    into_the_routine(echo)
    place = saved(store)["routine"]
    held = echo.say(line)
    assert held.request["request"]["intent"]["name"] == Intent.HOLD
    assert said_one_of(held.speech, replies(content, "hold"))
    assert silence_ms(held.ssml) >= 20_000  # time to get into position, the mic not yet open
    assert said_one_of(held.speech, next_cues(content))  # then the way on
    assert held.reprompt in replies(content, "hold_still_there") and "pause" in held.reprompt
    assert not held.ends_session and held.attributes["pending"] == {"kind": "next"}
    assert saved(store)["routine"] == place
    assert stretch_number(echo.say("next")) == 2


def test_hang_on_at_night_says_the_cramp_phrase(echo: Simulator, content: Content) -> None:
    at(echo, NIGHT)
    into_the_routine(echo)
    held = echo.say("hang on")
    assert said_one_of(held.speech, replies(content, "hold_night"))
    assert "I have a cramp" in held.speech and WHISPER in held.ssml
    assert stretch_number(echo.say("ok")) == 2


def test_hang_on_with_an_offer_waiting_keeps_it(echo: Simulator, content: Content) -> None:
    why = echo.say("why do my calves cramp at night")
    held = echo.say("wait a second")
    assert held.speech.endswith(why.reprompt) and held.reprompt == why.reprompt
    assert said_one_of(echo.say("yes").speech, content.topics["prevention"].say)


def test_hang_on_with_nothing_waiting_keeps_listening(echo: Simulator, content: Content) -> None:
    echo.launch()
    held = echo.say("hang on")
    assert said_one_of(held.speech, replies(content, "hold_ready"))
    assert held.reprompt in content.replies["hold_ready"].reprompt and not held.ends_session


# --- Repeat ---------------------------------------------------------------------------------


def test_repeat_keeps_the_question_of_the_reply_it_repeats(echo: Simulator) -> None:
    into_the_routine(echo)
    left = echo.say("how many are left")
    again = echo.say("say that again")
    assert again.ssml == left.ssml and again.attributes["pending"] == {"kind": "next"}
    assert stretch_number(echo.say("yes")) == 2


def test_repeat_one_shot_replays_the_one_shot_answer_of_a_moment_ago(echo: Simulator) -> None:
    answer = echo.say("ask cramp coach what do I do, my calf is cramping")
    assert answer.ends_session
    again = echo.say("ask cramp coach to repeat that")
    assert again.request["session"]["new"] is True
    assert again.ssml == answer.ssml and again.ends_session


def test_repeat_one_shot_at_night_replays_the_same_soft_words(echo: Simulator) -> None:
    answer = at(echo, NIGHT).say("ask cramp coach what do I do, my calf is cramping")
    again = echo.say("ask cramp coach to say that again")
    assert again.ssml == answer.ssml and WHISPER in again.ssml


def test_after_a_launch_repeat_replays_the_answer_of_a_moment_ago(echo: Simulator) -> None:
    answer = echo.say("ask cramp coach should I take magnesium")
    echo.say("open cramp coach")
    assert echo.say("repeat").ssml == answer.ssml


def test_a_new_process_on_the_same_store_repeats_the_answer(
    echo: Simulator, store: Any, library: ContentLibrary, resolver: Resolver
) -> None:
    answer = echo.say("ask cramp coach does pickle juice work")
    later = new_process(store, library, resolver, echo)
    assert later.say("ask cramp coach to repeat that").ssml == answer.ssml


def test_the_answer_is_kept_ten_minutes_then_forgotten(
    echo: Simulator, store: Any, content: Content
) -> None:
    answer = at(echo, DAYTIME).say("ask cramp coach should I take magnesium")
    assert saved(store)["recent"]["said"]["key"] == "magnesium"
    at(echo, DAYTIME + timedelta(minutes=9))
    assert echo.say("ask cramp coach to repeat that").ssml == answer.ssml
    at(echo, DAYTIME + timedelta(minutes=9 + 11))  # the repeat was not a new answer
    stale = echo.say("ask cramp coach to repeat that")
    assert stale.speech in replies(content, "nothing_to_repeat")
    assert "recent" not in saved(store)


def test_what_is_kept_is_which_answer_and_phrasing_nothing_said(
    echo: Simulator, store: Any
) -> None:
    echo.say("ask cramp coach why do my legs cramp at night when I'm lying in bed")
    recent = saved(store)["recent"]
    assert set(recent) == {"said", "at"}
    assert set(recent["said"]) == {"key", "kind", "say", "ask", "reprompt", "fill", "brief"}
    assert recent["said"]["fill"] == {} and recent["said"]["kind"] == "topic"
    assert "bed" not in str(recent) and "lying" not in str(recent)


@pytest.mark.parametrize(
    "line", ["my calf is swollen and red", "I'm pregnant and my legs cramp at night"]
)
def test_an_answer_that_tells_of_the_persons_health_is_not_kept(
    echo: Simulator, store: Any, content: Content, line: str
) -> None:
    echo.say("ask cramp coach should I take magnesium")
    answer = echo.say("ask cramp coach " + line)
    assert content.topics[str(answer.attributes.get("last", {}).get("key"))].private
    assert "recent" not in saved(store)  # and the older answer is forgotten with it
    again = echo.say("ask cramp coach to repeat that")
    assert again.speech in replies(content, "nothing_to_repeat")


def test_delete_my_data_deletes_the_kept_answer(
    echo: Simulator, store: Any, content: Content
) -> None:
    echo.say("ask cramp coach should I take magnesium")
    echo.say("ask cramp coach to delete my data")
    echo.say("yes")
    assert saved(store) == {}
    again = echo.say("ask cramp coach to repeat that")
    assert again.speech in replies(content, "nothing_to_repeat")


# --- Tell me more ---------------------------------------------------------------------------


def test_tell_me_more_one_shot_after_a_night_answer_gives_the_full_answer(
    echo: Simulator, content: Content
) -> None:
    brief = at(echo, NIGHT).say("ask cramp coach what do I do, my calf is cramping")
    assert brief.speech in content.topics["cramp_now"].night
    more = echo.say("ask cramp coach to tell me more")
    assert more.request["request"]["intent"]["name"] == Intent.MORE
    assert more.speech in content.topics["cramp_now"].say and WHISPER in more.ssml
    assert more.ends_session and not more.reprompt  # no offer at night


def test_tell_me_more_after_an_answer_with_a_follow_up_gives_it(
    echo: Simulator, content: Content
) -> None:
    echo.say("why do my calves cramp at night")
    echo.say("no thanks")  # the session ends
    more = echo.say("ask cramp coach to tell me more")
    assert said_one_of(more.speech, content.topics["prevention"].say)


def test_tell_me_more_when_there_is_no_more(echo: Simulator, content: Content) -> None:
    echo.say("ask cramp coach does pickle juice work")
    more = echo.say("ask cramp coach to tell me more")
    assert more.speech in replies(content, "more_none") and not more.ends_session


def test_tell_me_more_with_nothing_said(echo: Simulator, content: Content) -> None:
    assert echo.say("ask cramp coach to tell me more").speech in replies(content, "more_nothing")


# --- Where is that from? --------------------------------------------------------------------


def sources_of(content: Content, keys: tuple[str, ...]) -> str:
    return content.spoken_list(list(dict.fromkeys(content.sources[k].spoken for k in keys)))


def test_where_is_that_from_inside_a_session_keeps_the_offer_it_interrupted(
    echo: Simulator, content: Content
) -> None:
    why = echo.say("why do my calves cramp at night")
    source = echo.say("where is that from?")
    assert sources_of(content, content.topics["why"].sources) in source.speech
    assert source.speech.endswith(why.reprompt) and source.reprompt == why.reprompt
    assert not source.ends_session and source.attributes["pending"] == why.attributes["pending"]
    assert said_one_of(echo.say("yes").speech, content.topics["prevention"].say)


def test_where_is_that_from_one_shot_names_the_sources_of_the_last_answer(
    echo: Simulator, store: Any, library: ContentLibrary, resolver: Resolver, content: Content
) -> None:
    echo.say("ask cramp coach what do I do, my calf is cramping")
    later = new_process(store, library, resolver, echo)
    source = later.say("ask cramp coach where is that from")
    assert sources_of(content, content.topics["cramp_now"].sources) in source.speech
    assert "Alexa app" not in source.speech and source.ends_session


def test_where_is_that_from_inside_the_routine_names_the_routines_sources(
    echo: Simulator, content: Content
) -> None:
    into_the_routine(echo)
    source = echo.say("where is that from")
    assert sources_of(content, content.routine.sources) in source.speech
    assert said_one_of(source.speech, next_cues(content)) and not source.ends_session
    assert stretch_number(echo.say("next")) == 2


# --- The same on DynamoDB -------------------------------------------------------------------


def test_the_kept_answer_on_dynamodb_across_processes(
    dynamo_store: Any, library: ContentLibrary, resolver: Resolver, api: Any
) -> None:
    device = Device(api_endpoint=api.endpoint, user_id="amzn1.ask.account.DYNAMO")
    first = build_skill(Config(), dynamo_store, content=library, rng=random.Random(5))
    echo = Simulator(lambda e, c: handle_event(e, c, first), resolver, device, clock=lambda: NIGHT)
    answer = echo.say("ask cramp coach what do I do, my calf is cramping")
    later = new_process(dynamo_store, library, resolver, echo)
    assert later.say("ask cramp coach to repeat that").ssml == answer.ssml
    source = later.say("ask cramp coach where is that from")
    assert "Alexa app" not in source.speech


def test_where_was_i_inside_the_routine_says_what_is_left_and_waits(
    echo: Simulator, content: Content
) -> None:
    into_the_routine(echo)
    turn = echo.say("where was I")
    assert turn.request["request"]["intent"]["name"] == Intent.ROUTINE_STATUS
    assert "3" in turn.speech and turn.speech.endswith("Ready for the next one?")
    assert turn.attributes["pending"] == {"kind": "next"}
    assert stretch_number(echo.say("sure")) == 2


def test_tell_me_more_inside_the_routine_names_its_commands(
    echo: Simulator, content: Content
) -> None:
    into_the_routine(echo)
    turn = echo.say("tell me more")
    assert turn.speech in replies(content, "help_routine") and not turn.ends_session
    assert stretch_number(echo.say("next")) == 2


@pytest.mark.parametrize("line", ["huh?", "say what?", "come again?"])
def test_a_bare_huh_mid_routine_repeats_the_stretch_and_keeps_the_routine(
    echo: Simulator, line: str
) -> None:
    """Half asleep on the floor: "huh?" is a repeat, never a new cramp."""
    into_the_routine(echo)
    again = echo.say(line)
    assert again.resolution is not None and again.resolution.intent == Intent.REPEAT
    assert stretch_number(again) == 1 and "wall calf stretch, right leg" in again.speech
    assert not again.ends_session and stretch_number(echo.say("next")) == 2


@pytest.mark.parametrize("line", ["leave me alone", "quiet please", "i'm going back to bed"])
def test_a_night_dismissal_ends_the_session_without_urgent_advice(
    echo: Simulator, content: Content, line: str
) -> None:
    at(echo, NIGHT).say("open cramp coach")
    turn = echo.say(line)
    assert turn.ends_session, turn.speech
    assert "urgent" not in turn.speech.lower() and "911" not in turn.speech
