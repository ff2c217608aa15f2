"""Night mode: the device's time zone from the Settings API (exact HTTP, looked up weekly,
cached), the 22:00/07:00 edges across zones and daylight-saving changes, the mode as a pure
function, and how the skill speaks at night."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from cramp_coach.content import Content
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.alexa_api import Failure
from cramp_coach.local.simulator import Simulator
from cramp_coach.night import NORMAL, WHISPER, Mode, mode_for
from cramp_coach.profiles import zone_is_stale

from .helpers.stored import saved

ZONE_PATH = "/v2/devices/amzn1.ask.device.LOCALDEVICE/settings/System.timeZone"


def at(echo: Simulator, when: datetime) -> Simulator:
    echo.clock = lambda: when
    return echo


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def whispered(ssml: str) -> bool:
    return '<amazon:effect name="whispered">' in ssml


# --- The Settings API ---------------------------------------------------------------------


def test_the_time_zone_request_is_exactly_what_alexa_documents(echo: Simulator, api: Any) -> None:
    echo.say("ask cramp coach is it ALS")
    [call] = api.calls("GET", "/v2/devices/")
    assert call.path == ZONE_PATH
    assert call.headers["Authorization"] == "Bearer local-api-access-token"
    assert call.body is None


def test_the_zone_is_looked_up_once_a_week_per_device(
    echo: Simulator, api: Any, resolver: Any, store: Any, library: Any
) -> None:
    for _ in range(3):
        echo.say("ask cramp coach is it ALS")
    assert len(api.calls("GET", "/v2/devices/")) == 1
    at(echo, utc(2026, 11, 28, 15, 0)).say("ask cramp coach is it ALS")  # the next day
    # The typical cold start: last used the night before, by a process that has gone since.
    cold = fresh(store, library, resolver, echo, utc(2026, 12, 3, 7, 30))  # six days on
    assert whispered(cold.say("ask cramp coach what do I do, my calf is cramping").ssml)
    assert len(api.calls("GET", "/v2/devices/")) == 1
    fresh(store, library, resolver, echo, utc(2026, 12, 4, 15, 0)).say("ask cramp coach is it ALS")
    assert len(api.calls("GET", "/v2/devices/")) == 2  # a week on: looked up again


def fresh(store: Any, library: Any, resolver: Any, echo: Simulator, when: datetime) -> Simulator:
    """A new process on the same store: nothing remembered in memory."""
    from cramp_coach.config import Config
    from cramp_coach.entry import handle_event
    from cramp_coach.skill import build_skill

    skill = build_skill(Config(), store, content=library)
    return Simulator(lambda e, c: handle_event(e, c, skill), resolver, echo.device, lambda: when)


@pytest.mark.parametrize(
    ("checked", "today", "stale"),
    [
        (None, "2026-11-27", True),
        ("2026-11-27", "2026-11-27", False),
        ("2026-11-21", "2026-11-27", False),  # six days
        ("2026-11-20", "2026-11-27", True),  # seven
        ("yesterday", "2026-11-27", True),  # unreadable: look it up again
    ],
)
def test_a_zone_is_due_after_a_week(checked: str | None, today: str, stale: bool) -> None:
    assert zone_is_stale(checked, today) == stale


def test_each_device_has_its_own_zone(echo: Simulator, api: Any) -> None:
    api.time_zones["amzn1.ask.device.BEDROOM"] = "Asia/Tokyo"  # 00:00 there at 15:00 UTC
    bedroom = env.Device(api_endpoint=api.endpoint, device_id="amzn1.ask.device.BEDROOM")
    kitchen = echo.device
    echo.device = bedroom
    assert whispered(echo.say("ask cramp coach is it ALS").ssml)
    echo.device = kitchen
    assert not whispered(echo.say("ask cramp coach is it ALS").ssml)


def test_one_tls_context_serves_every_settings_api_call(echo: Simulator, api: Any) -> None:
    from cramp_coach import api_client

    api_client._tls_context.cache_clear()
    echo.say("ask cramp coach is it ALS")
    echo.device = env.Device(api_endpoint=api.endpoint, device_id="amzn1.ask.device.BEDROOM")
    echo.say("ask cramp coach is it ALS")
    assert len(api.calls("GET", "/v2/devices/")) == 2  # both over HTTPS, trusted
    info = api_client._tls_context.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # the trust store was loaded once


@pytest.mark.parametrize(
    "failure",
    [Failure(500, {}), Failure(403, {"code": "FORBIDDEN"}), Failure(200, {}, delay=2.0)],
)
def test_a_failing_or_slow_settings_api_costs_little_and_means_day_mode(
    echo: Simulator, api: Any, failure: Failure
) -> None:
    api.fail("GET", "/v2/devices/", failure)
    at(echo, utc(2026, 11, 27, 7, 30))  # 02:30 in New York, but the zone is unknown
    began = time.monotonic()
    turn = echo.say("ask cramp coach what do I do, my calf is cramping")
    elapsed = time.monotonic() - began
    assert not whispered(turn.ssml)
    assert elapsed < 1.5  # the Settings API gets a few hundred milliseconds, then is skipped


def test_the_last_known_zone_is_used_when_the_settings_api_fails(
    echo: Simulator, api: Any, skill: Any, resolver: Any, handler: Any
) -> None:
    echo.say("ask cramp coach is it ALS")  # learns America/New_York, saved with the person
    api.fail("GET", "/v2/devices/", Failure(500, {}))
    later = Simulator(handler, resolver, echo.device, clock=lambda: utc(2026, 11, 29, 7, 30))
    turn = later.say("ask cramp coach what do I do, my calf is cramping")
    assert whispered(turn.ssml)  # 02:30 in New York two days on: still known


# --- The 22:00 / 07:00 edges, around the world and across daylight saving -------------------

EDGES = [
    ("America/Los_Angeles", utc(2026, 11, 27, 5, 59), False),  # 21:59 PST
    ("America/Los_Angeles", utc(2026, 11, 27, 6, 0), True),  # 22:00 PST
    ("America/Los_Angeles", utc(2026, 11, 27, 14, 59), True),  # 06:59 PST
    ("America/Los_Angeles", utc(2026, 11, 27, 15, 0), False),  # 07:00 PST
    ("Europe/London", utc(2026, 11, 27, 21, 59), False),
    ("Europe/London", utc(2026, 11, 27, 22, 0), True),
    ("Asia/Tokyo", utc(2026, 11, 27, 12, 59), False),  # 21:59 JST
    ("Asia/Tokyo", utc(2026, 11, 27, 22, 0), False),  # 07:00 JST
    ("Asia/Tokyo", utc(2026, 11, 27, 21, 59), True),  # 06:59 JST
    ("Australia/Sydney", utc(2026, 11, 27, 11, 0), True),  # 22:00 AEDT (summer time)
    ("Asia/Kolkata", utc(2026, 11, 27, 16, 30), True),  # 22:00 IST, a half-hour zone
    ("Asia/Kolkata", utc(2026, 11, 27, 16, 29), False),
    # Daylight saving: the same UTC time is day on one side of the change and night on the other.
    ("Europe/London", utc(2026, 3, 28, 21, 30), False),  # 21:30 GMT
    ("Europe/London", utc(2026, 3, 29, 21, 30), True),  # 22:30 BST
    ("America/New_York", utc(2026, 10, 31, 11, 30), False),  # 07:30 EDT
    ("America/New_York", utc(2026, 11, 1, 11, 30), True),  # 06:30 EST
]


@pytest.mark.parametrize(("zone", "when", "night"), EDGES)
def test_night_begins_at_ten_and_ends_at_seven_local_time(
    echo: Simulator, api: Any, zone: str, when: datetime, night: bool
) -> None:
    api.time_zone = zone
    turn = at(echo, when).say("ask cramp coach what do I do, my calf is cramping")
    assert whispered(turn.ssml) == night


# --- Speaking at night ----------------------------------------------------------------------

NIGHT = utc(2026, 11, 27, 7, 30)  # 02:30 in New York


def test_the_mid_cramp_answer_at_half_past_two_is_whispered_and_one_breath(
    echo: Simulator, content: Content
) -> None:
    turn = at(echo, NIGHT).say("Alexa, ask cramp coach what do I do, my calf is cramping")
    assert whispered(turn.ssml) and whispered(turn.ssml.split("<speak>")[1])
    assert turn.speech in content.topics["cramp_now"].night
    instruction, escalation = turn.speech.split(". ", 1)  # one breath, then one safety line
    assert len(instruction.split()) <= 15 and len(turn.speech.split()) <= 30
    assert "ten minutes" in escalation and "urgent help" in escalation
    assert turn.speech.split()[0] in {"Straighten", "Leg", "Pull", "Keep"}
    assert turn.ends_session


def test_answers_at_night_are_short_and_close_the_session(
    echo: Simulator, content: Content
) -> None:
    turn = at(echo, NIGHT).say("ask cramp coach why do my calves cramp at night")
    shortest = min(content.topics["why"].say, key=lambda p: len(p.split()))
    assert turn.speech == shortest
    assert turn.ends_session and not turn.reprompt  # no offer at night
    assert "pending" not in turn.attributes


def test_repeat_at_night_says_the_same_soft_words(echo: Simulator) -> None:
    at(echo, NIGHT).say("open cramp coach")
    helped = echo.say("help")
    again = echo.say("say that again")
    assert whispered(again.ssml) and again.ssml == helped.ssml


def test_no_welcome_chatter_at_night(echo: Simulator, content: Content) -> None:
    at(echo, NIGHT).say("open cramp coach")
    echo.say("stop")
    turn = echo.say("open cramp coach")
    assert turn.speech in content.replies["launch_night"].say
    assert not turn.ends_session and turn.reprompt


def test_the_first_visit_at_night_still_hears_the_disclaimer(echo: Simulator) -> None:
    turn = at(echo, NIGHT).say("open cramp coach")
    assert "not medical advice" in turn.speech and whispered(turn.ssml)


def test_day_mode_is_unchanged(echo: Simulator, content: Content) -> None:
    turn = echo.say("ask cramp coach why do my calves cramp at night")
    assert not whispered(turn.ssml)
    assert turn.reprompt and not turn.ends_session  # the offer is still made by day


def test_speak_normally_is_remembered(echo: Simulator, handler: Any, resolver: Any) -> None:
    at(echo, NIGHT).say("ask cramp coach to speak normally")
    assert not whispered(echo.say("ask cramp coach what do I do, my calf is cramping").ssml)
    later = Simulator(handler, resolver, echo.device, clock=lambda: NIGHT)  # another process
    assert not whispered(later.say("ask cramp coach is it ALS").ssml)


def test_whisper_by_day_when_asked(echo: Simulator, content: Content) -> None:
    echo.say("ask cramp coach to whisper")
    turn = echo.say("ask cramp coach what do I do, my calf is cramping")
    assert whispered(turn.ssml)
    assert turn.speech in content.topics["cramp_now"].say  # the full day answer, just softer


def test_a_red_flag_is_said_aloud_even_to_someone_who_asked_to_whisper(
    echo: Simulator, content: Content
) -> None:
    """Whatever the voice setting: the number to call is heard."""
    echo.say("ask cramp coach to whisper")
    chest = echo.say("ask cramp coach what do I do, my chest hurts")
    assert chest.speech in content.topics["emergency"].say and not whispered(chest.ssml)
    assert whispered(echo.say("ask cramp coach is it ALS").ssml)  # everything else: softly


def test_the_routine_is_whispered_at_bedtime(echo: Simulator) -> None:
    turn = at(echo, utc(2026, 11, 28, 3, 30)).say("ask cramp coach to start my bedtime stretches")
    assert whispered(turn.ssml) and whispered(turn.reprompt_ssml)
    assert "Ready" in turn.speech and not turn.ends_session
    assert "1 of" in echo.say("yes").speech


def test_an_unknown_voice_is_not_taken_for_normal(echo: Simulator, content: Content) -> None:
    turn = echo.intent(Intent.VOICE, {"mode": env.Slot("sing", None, None, "VOICE_MODE")})
    assert turn.speech in content.replies["fallback"].say


# --- The mode, as a pure function of the local time and the voice chosen --------------------


@pytest.mark.parametrize(
    ("hour", "minute", "voice", "expected"),
    [
        (21, 59, None, Mode()),
        (22, 0, None, Mode(night=True, whisper=True)),
        (6, 59, None, Mode(night=True, whisper=True)),
        (7, 0, None, Mode()),
        (2, 30, NORMAL, Mode(night=True, whisper=False)),  # brief, but not whispered
        (15, 0, WHISPER, Mode(night=False, whisper=True)),
        (2, 30, "sing", Mode(night=True, whisper=True)),  # an unknown choice is no choice
    ],
)
def test_the_mode_follows_the_local_hour_and_the_voice_chosen(
    hour: int, minute: int, voice: str | None, expected: Mode
) -> None:
    assert mode_for(datetime(2026, 11, 27, hour, minute), voice) == expected


def test_an_unknown_time_is_day() -> None:
    assert mode_for(None, None) == Mode()
    assert mode_for(None, WHISPER) == Mode(whisper=True)


def test_the_zone_is_stored_by_device_hash_without_the_device_id(
    echo: Simulator, api: Any, store: Any
) -> None:
    api.time_zone = "Europe/London"
    at(echo, utc(2026, 3, 28, 12, 0)).say("ask cramp coach is it ALS")
    zones = saved(store)["zones"]
    [(key, record)] = zones.items()
    assert record == {"zone": "Europe/London", "checked": "2026-03-28"}
    assert echo.device.device_id not in str(zones) and len(key) == 16


def test_an_unknown_stored_zone_means_day_mode(echo: Simulator, api: Any) -> None:
    api.time_zone = "Mars/Olympus_Mons"
    turn = at(echo, NIGHT).say("ask cramp coach what do I do, my calf is cramping")
    assert not whispered(turn.ssml)


def test_night_after_a_clock_change_uses_the_stored_zone(
    echo: Simulator, api: Any, resolver: Any, handler: Any
) -> None:
    api.time_zone = "Europe/London"
    at(echo, utc(2026, 3, 28, 12, 0)).say("ask cramp coach is it ALS")  # learned before the change
    api.fail("GET", "/v2/devices/", Failure(500, {}))
    after = Simulator(handler, resolver, echo.device, clock=lambda: utc(2026, 3, 29, 21, 30))
    assert whispered(after.say("ask cramp coach what do I do, my calf is cramping").ssml)  # 22:30
    much_later = Simulator(handler, resolver, echo.device, clock=lambda: utc(2026, 4, 5, 21, 30))
    assert whispered(much_later.say("ask cramp coach what do I do, my calf is cramping").ssml)


def test_someone_who_moved_says_so_and_the_zone_is_looked_up_at_once(
    echo: Simulator, api: Any, content: Content
) -> None:
    assert not whispered(echo.say("ask cramp coach is it ALS").ssml)  # 10:00 in New York
    api.time_zone = "Asia/Tokyo"  # midnight there: they flew
    assert not whispered(echo.say("ask cramp coach is it ALS").ssml)  # looked up weekly
    moved = echo.say("ask cramp coach i've moved")
    assert moved.speech in content.replies["moved"].say and moved.ends_session
    assert len(api.calls("GET", "/v2/devices/")) == 2
    assert whispered(moved.ssml)  # already in the new place's night
    assert whispered(echo.say("ask cramp coach what do I do, my calf is cramping").ssml)


def test_a_move_that_cannot_be_checked_is_said_so(
    echo: Simulator, api: Any, content: Content
) -> None:
    echo.say("ask cramp coach is it ALS")
    api.fail("GET", "/v2/devices/", Failure(500, {}))
    turn = echo.say("ask cramp coach my time zone changed")
    assert turn.speech in content.replies["moved_unknown"].say and turn.ends_session
