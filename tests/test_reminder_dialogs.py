"""Reminders that do what was said, as conversations against the stand-in Reminders API: the
same reminder twice is not made twice, one-off requests make one-off reminders, "change it"
with several asks which, an answer that is no time gets a helpful question again, and the
sign-offs fit the time of day and what just happened. By day and at night, in one session and
across sessions (a new skill process on the same store and the same Alexa account)."""

from __future__ import annotations

import json
import random
import ssl
import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.local import envelope as env
from cramp_coach.local.alexa_api import FakeAlexaApi, Recorded
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.reminders import SCOPE, Later, Once, Schedule, from_token, read_duration
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

# The stand-in API puts the device in New York; the conftest clock is 10:00 there, a Friday.
TODAY, TOMORROW = "2026-11-27", "2026-11-28"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


AFTERNOON = utc(27, 20)  # 3 PM in New York
EVENING = utc(28, 1)  # 8 PM on the 27th in New York
LATE = utc(28, 4, 30)  # 11:30 PM on the 27th in New York: night mode


@pytest.fixture
def granted(echo: Simulator) -> Simulator:
    """A device where the person has already allowed reminders."""
    echo.device = env.Device(
        api_endpoint=echo.device.api_endpoint, granted_scopes=frozenset({SCOPE})
    )
    return echo


def at(echo: Simulator, moment: datetime) -> Simulator:
    echo.clock = lambda: moment
    return echo


def posts(api: FakeAlexaApi) -> list[Recorded]:
    return api.calls("POST", "/v1/alerts/reminders")


def puts(api: FakeAlexaApi) -> list[Recorded]:
    return api.calls("PUT", "/v1/alerts/reminders/")


def said(turn: Turn, content: Content, key: str, **fill: str) -> bool:
    """The turn said one of the reply's phrasings (filled in), and nothing else."""
    return turn.speech in [p.format_map(fill) for p in content.replies[key].say]


def ask(echo: Simulator, line: str) -> Turn:
    return echo.say("ask cramp coach " + line)


# --- The same reminder twice ------------------------------------------------------------------


def test_the_same_nightly_reminder_twice_is_set_once(
    granted: Simulator, api: Any, content: Content
) -> None:
    ask(granted, "to remind me to stretch every night at ten")
    again = ask(granted, "to remind me to stretch every night at ten pm")
    assert said(again, content, "reminder_exists", item="every night at 10 PM")
    assert again.ends_session
    assert len(posts(api)) == 1 and len(api.reminders) == 1


def test_a_nightly_reminder_already_covers_weekdays_and_tomorrow_at_the_same_time(
    granted: Simulator, api: Any, content: Content
) -> None:
    ask(granted, "to remind me to stretch every night at ten")
    weekdays = ask(granted, "to remind me to stretch every weekday at ten")
    tomorrow = ask(granted, "to remind me to stretch tomorrow at ten")
    for turn in (weekdays, tomorrow):
        assert said(turn, content, "reminder_exists", item="every night at 10 PM"), turn.speech
    once = ask(granted, "to remind me to stretch tomorrow at nine")
    twice = ask(granted, "to remind me to stretch tomorrow at nine pm")
    assert said(twice, content, "reminder_exists", item="once tomorrow at 9 PM"), twice.speech
    assert once.speech != twice.speech
    assert len(api.reminders) == 2


def test_another_time_or_a_weekend_one_beside_a_weekday_one_is_a_new_reminder(
    granted: Simulator, api: Any
) -> None:
    ask(granted, "to remind me to stretch every weekday at ten")
    ask(granted, "to remind me to stretch every weekend at ten")
    ask(granted, "to remind me to stretch every weekday at nine thirty")
    assert len(api.reminders) == 3


def test_the_same_reminder_from_a_new_process_on_the_same_store_is_not_made_twice(
    granted: Simulator,
    api: Any,
    content: Content,
    library: ContentLibrary,
    resolver: Resolver,
    tmp_path: Path,
) -> None:
    ask(granted, "to remind me to stretch every night at ten")
    store = SqliteStore(tmp_path / "state.sqlite3")  # the file conftest's store uses
    skill = build_skill(Config(), store, content=library, rng=random.Random(3))
    later = Simulator(
        lambda event, context: handle_event(event, context, skill),
        resolver,
        granted.device,
        clock=lambda: AFTERNOON,
        zone=lambda: api.time_zone,
    )
    turn = ask(later, "to remind me to stretch every night at ten")
    assert said(turn, content, "reminder_exists", item="every night at 10 PM")
    assert len(api.reminders) == 1


# --- One-off requests make one-off reminders ---------------------------------------------------


def test_tomorrow_at_ten_is_one_reminder_tomorrow_not_a_daily_one(
    granted: Simulator, api: Any, content: Content
) -> None:
    turn = ask(granted, "to remind me to stretch tomorrow at ten")
    assert said(turn, content, "reminder_set_once", when="tomorrow", time="10 PM")
    [call] = posts(api)
    assert call.body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": f"{TOMORROW}T22:00:00",
        "timeZoneId": "America/New_York",
    }
    assert "recurrence" not in call.body["trigger"]


def test_tonight_at_ten_is_one_reminder_tonight(
    granted: Simulator, api: Any, content: Content
) -> None:
    turn = ask(granted, "to remind me to stretch tonight at ten")
    assert said(turn, content, "reminder_set_once", when="tonight", time="10 PM")
    assert posts(api)[0].body["trigger"]["scheduledTime"] == f"{TODAY}T22:00:00"


def test_in_an_hour_is_a_relative_reminder(granted: Simulator, api: Any, content: Content) -> None:
    turn = ask(at(granted, AFTERNOON), "to remind me to stretch in an hour")
    assert said(turn, content, "reminder_set_once", when="today", time="4 PM")
    [call] = posts(api)
    assert call.body["trigger"] == {"type": "SCHEDULED_RELATIVE", "offsetInSeconds": 3600}


def test_in_half_an_hour_at_night_is_said_softly_and_rings_tomorrow_by_the_clock(
    granted: Simulator, api: Any, content: Content
) -> None:
    turn = ask(at(granted, LATE), "to remind me to stretch in half an hour")
    assert said(turn, content, "reminder_set_once", when="tomorrow", time="12 AM")
    assert "<amazon:effect" in turn.ssml  # whispered at night
    assert posts(api)[0].body["trigger"]["offsetInSeconds"] == 1800


def test_a_day_first_then_the_time_when_asked(
    granted: Simulator, api: Any, content: Content
) -> None:
    question = ask(granted, "to remind me to stretch tomorrow")
    assert not question.ends_session and posts(api) == []
    done = granted.say("ten thirty")
    assert said(done, content, "reminder_set_once", when="tomorrow", time="10:30 PM")
    assert posts(api)[0].body["trigger"]["scheduledTime"] == f"{TOMORROW}T22:30:00"


def test_a_time_tonight_that_has_passed_is_asked_again_at_night(
    granted: Simulator, api: Any, content: Content
) -> None:
    turn = ask(at(granted, LATE), "to remind me to stretch tonight at ten")
    assert said(turn, content, "reminder_time_passed")
    assert not turn.ends_session and turn.reprompt and posts(api) == []
    done = granted.say("eleven forty five")
    assert said(done, content, "reminder_set_once", when="tonight", time="11:45 PM")
    assert posts(api)[0].body["trigger"]["scheduledTime"] == f"{TODAY}T23:45:00"


def test_a_week_or_a_weekend_is_no_one_day_so_it_asks_when(
    granted: Simulator, api: Any, content: Content
) -> None:
    turn = granted.intent(
        "SetReminderIntent",
        {
            "time": env.Slot("22:00", slot_type="AMAZON.TIME"),
            "date": env.Slot("2026-W48-WE", slot_type="AMAZON.DATE"),
        },
        new_session=True,
    )
    assert said(turn, content, "reminder_ask_when") and not turn.ends_session
    done = granted.say("every night at ten")
    assert said(done, content, "reminder_set", when="every night", time="10 PM")


def test_recurring_requests_still_make_recurring_reminders(granted: Simulator, api: Any) -> None:
    ask(granted, "to remind me to stretch every weekend at nine")
    rules = posts(api)[0].body["trigger"]["recurrence"]["recurrenceRules"]
    assert rules == ["FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1"]


def test_a_one_off_asked_for_without_permission_is_set_once_it_is_given(
    echo: Simulator, api: Any, content: Content
) -> None:
    asked = ask(echo, "to remind me to stretch tomorrow at ten")
    [directive] = asked.directives
    assert from_token(directive["token"]) == Once(date(2026, 11, 28), 22, 0)
    turn = echo.say("yes")
    assert said(turn, content, "reminder_set_once", when="tomorrow", time="10 PM")
    assert posts(api)[0].body["trigger"]["scheduledTime"] == f"{TOMORROW}T22:00:00"


def test_one_offs_are_listed_with_their_day(granted: Simulator, api: Any, content: Content) -> None:
    ask(granted, "to remind me to stretch tomorrow at ten")
    ask(granted, "to remind me to stretch in two hours")
    ask(granted, "to remind me to stretch every night at nine")
    turn = ask(granted, "what reminders do I have")
    items = "every night at 9 PM, once today at 12 PM and once tomorrow at 10 PM"
    assert said(turn, content, "reminder_list_many", count="3", list=items), turn.speech


# --- An answer that is no time ------------------------------------------------------------------


def test_whenever_i_go_to_bed_gets_a_helpful_question_not_the_fallback(
    granted: Simulator, api: Any, content: Content
) -> None:
    granted.say("open cramp coach")
    ask_time = granted.say("remind me to stretch every weekday")
    assert said(ask_time, content, "reminder_ask_time")
    vague = granted.say("whenever I go to bed")
    assert said(vague, content, "reminder_ask_time_again")
    assert not vague.ends_session and vague.reprompt
    done = granted.say("about half past ten")
    assert said(done, content, "reminder_set", when="every weekday", time="10:30 PM")


def test_yes_to_what_time_asks_again_and_no_sets_nothing(
    granted: Simulator, api: Any, content: Content
) -> None:
    ask(granted, "to remind me to stretch")
    again = granted.say("yes")
    assert said(again, content, "reminder_ask_time_again") and not again.ends_session
    no = granted.say("no")
    assert said(no, content, "reminder_not_set") and no.ends_session
    assert posts(api) == []


# --- "Change it" with several reminders asks which ----------------------------------------------


@pytest.fixture
def two(granted: Simulator, api: Any) -> Simulator:
    """Two reminders: every night at ten, and every weekend at nine."""
    ask(granted, "to remind me to stretch every night at ten")
    ask(granted, "to remind me to stretch every weekend at nine")
    api.clear()
    return granted


def token_of(api: FakeAlexaApi, rule_part: str) -> str:
    [token] = [
        t
        for t, r in api.reminders.items()
        if rule_part in r["trigger"].get("recurrence", {}).get("recurrenceRules", [""])[0]
    ]
    return token


@pytest.mark.parametrize("answer", ["the weekend one", "the first one", "the nine pm one"])
def test_change_it_with_two_reminders_asks_which_and_moves_that_one(
    two: Simulator, api: Any, content: Content, answer: str
) -> None:
    weekend = token_of(api, "BYDAY=SA,SU")
    question = ask(two, "to change it to ten thirty")
    items = "every weekend at 9 PM and every night at 10 PM"  # in the evening's order
    assert said(question, content, "reminder_which", count="2", list=items, time="10:30 PM")
    assert not question.ends_session and question.reprompt and puts(api) == []
    done = two.say(answer)
    assert said(done, content, "reminder_changed", when="every weekend", time="10:30 PM")
    [put] = puts(api)
    assert put.path.endswith(weekend)
    assert put.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=22;BYMINUTE=30;BYSECOND=0;INTERVAL=1"
    ]


def test_naming_the_one_to_change_needs_no_question(
    two: Simulator, api: Any, content: Content
) -> None:
    turn = ask(two, "to change the weekend one to ten thirty")
    assert said(turn, content, "reminder_changed", when="every weekend", time="10:30 PM")
    assert len(puts(api)) == 1


def test_an_answer_that_names_no_reminder_asks_again_and_no_keeps_them(
    two: Simulator, api: Any, content: Content
) -> None:
    ask(two, "to change it to ten thirty")
    again = two.say("the weekday one")
    assert again.speech.endswith("?") and not again.ends_session and puts(api) == []
    kept = two.say("no")
    assert said(kept, content, "reminder_unchanged") and kept.ends_session
    assert puts(api) == []


def test_the_answer_may_name_the_one_and_a_new_time(
    two: Simulator, api: Any, content: Content
) -> None:
    ask(two, "to change it to ten thirty")
    done = two.say("change the first one to eleven")
    assert said(done, content, "reminder_changed", when="every weekend", time="11 PM")
    assert (
        "BYHOUR=23;BYMINUTE=0" in puts(api)[0].body["trigger"]["recurrence"]["recurrenceRules"][0]
    )


def test_a_new_request_instead_of_an_answer_is_set_not_taken_for_one(
    two: Simulator, api: Any, content: Content
) -> None:
    ask(two, "to change it to ten thirty")
    turn = two.say("remind me to stretch tomorrow at ten")
    assert said(turn, content, "reminder_exists", item="every night at 10 PM")
    other = ask(two, "to change it to ten thirty")
    assert not other.ends_session
    done = two.say("remind me to stretch tomorrow at eleven")
    assert said(done, content, "reminder_set_once", when="tomorrow", time="11 PM")
    assert puts(api) == [] and len(posts(api)) == 1


def test_a_forged_which_question_moves_nothing(two: Simulator, api: Any, content: Content) -> None:
    ask(two, "to change it to ten thirty")
    assert two.session is not None
    two.session.attributes["pending"] = {"kind": "which_reminder", "hour": 99, "minute": 0}
    turn = two.say("the first one")
    assert said(turn, content, "reminder_ask_change_time") and puts(api) == []


def test_changing_a_one_off_keeps_it_one_off(
    granted: Simulator, api: Any, content: Content
) -> None:
    ask(granted, "to remind me to stretch tomorrow at ten")
    turn = ask(granted, "to move it to eleven")
    assert said(turn, content, "reminder_changed", when="tomorrow", time="11 PM")
    assert puts(api)[0].body["trigger"]["scheduledTime"] == f"{TOMORROW}T23:00:00"


def test_change_without_a_time_asks_for_one_and_moves_the_reminder(
    granted: Simulator, api: Any, content: Content
) -> None:
    ask(granted, "to remind me to stretch every night at ten")
    question = granted.intent("ChangeReminderIntent", new_session=True)
    assert said(question, content, "reminder_ask_change_time") and not question.ends_session
    done = granted.say("eleven")
    assert said(done, content, "reminder_changed", when="every night", time="11 PM")
    assert len(puts(api)) == 1 and len(posts(api)) == 1


# --- Wording that fits what just happened, and the time of day ------------------------------------


def test_after_stopping_them_none_is_not_none_yet(
    granted: Simulator, api: Any, content: Content
) -> None:
    ask(granted, "to remind me to stretch every night at ten")
    ask(granted, "to stop reminding me")
    listed = ask(granted, "what reminders do I have")
    assert said(listed, content, "reminder_none")
    assert "yet" not in listed.speech
    again = ask(granted, "to stop reminding me")
    assert said(again, content, "reminder_none_to_cancel")


@pytest.mark.parametrize(
    ("moment", "key"),
    [(AFTERNOON, "goodbye"), (EVENING, "goodbye_evening"), (LATE, "goodbye_night")],
)
def test_stop_says_goodbye_for_the_time_of_day(
    echo: Simulator, content: Content, moment: datetime, key: str
) -> None:
    at(echo, moment).say("open cramp coach")
    turn = echo.say("stop")
    assert said(turn, content, key) and turn.ends_session
    if key == "goodbye":
        assert "night" not in turn.speech.lower() and "sleep" not in turn.speech.lower()


@pytest.mark.parametrize(
    ("moment", "key"),
    [(AFTERNOON, "declined"), (EVENING, "declined_evening"), (LATE, "declined_night")],
)
def test_a_no_thanks_fits_the_time_of_day(
    echo: Simulator, content: Content, moment: datetime, key: str
) -> None:
    offer = ask(at(echo, moment), "to change my reminder to ten")  # "shall I set one?"
    assert not offer.ends_session
    turn = echo.say("no")
    assert said(turn, content, key)
    if key == "declined":
        assert "sleep" not in turn.speech.lower() and "night" not in turn.speech.lower()


@pytest.mark.parametrize(
    ("moment", "key"),
    [(AFTERNOON, "stopped"), (EVENING, "stopped_evening"), (LATE, "stopped_night")],
)
def test_stop_inside_the_routine_fits_the_time_of_day(
    echo: Simulator, content: Content, moment: datetime, key: str
) -> None:
    ask(at(echo, moment), "to start my bedtime stretches")
    turn = echo.say("stop")
    assert said(turn, content, key) and turn.ends_session


def test_no_good_night_by_day_in_any_day_phrasing(content: Content) -> None:
    for key in ("goodbye", "declined", "stopped"):
        for phrase in content.replies[key].say:
            assert "night" not in phrase.lower() and "sleep" not in phrase.lower(), phrase


# --- What Alexa hears, and what the stand-in API accepts ----------------------------------------


@pytest.mark.parametrize(
    ("line", "slots"),
    [
        ("remind me to stretch tomorrow at ten", {"date": TOMORROW, "time": "10:00"}),
        ("remind me to stretch tonight at ten", {"date": TODAY, "time": "10:00"}),
        ("remind me to stretch on monday at nine", {"date": "2026-11-30", "time": "09:00"}),
        ("remind me to stretch in an hour", {"duration": "PT1H"}),
        ("remind me in an hour and a half to do my stretches", {"duration": "PT1H30M"}),
        ("in twenty minutes", {"duration": "PT20M"}),
        ("remind me to stretch monday to friday at ten", {"time": "10:00", "frequency": None}),
    ],
)
def test_days_and_whiles_are_heard_as_alexa_reports_them(
    resolver: Resolver, line: str, slots: dict[str, str | None]
) -> None:
    heard = resolver.resolve(line, date(2026, 11, 27))
    assert heard.intent == "SetReminderIntent"
    for name, value in slots.items():
        if value is not None:
            assert heard.slots[name].spoken == value, (name, heard.slots)
    assert "date" not in heard.slots or "date" in slots


@pytest.mark.parametrize(
    "line",
    ["the cramp has lasted for an hour", "what's the weather tomorrow", "not tonight"],
)
def test_a_day_or_a_while_alone_makes_no_reminder(resolver: Resolver, line: str) -> None:
    assert resolver.resolve(line, date(2026, 11, 27)).intent != "SetReminderIntent"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("PT1H", 3600), ("PT1H30M", 5400), ("PT0.5H", 1800), ("P1D", 86400), ("PT10S", None)],
)
def test_reading_alexa_durations(value: str, seconds: int | None) -> None:
    assert read_duration(value) == seconds


def test_tokens_round_trip_every_kind_of_reminder() -> None:
    for when in (Schedule(22, 0, "WEEKENDS"), Once(date(2026, 11, 28), 22, 30), Later(3600)):
        assert from_token(when.to_token()) == when
    assert from_token('{"after": 5}') is None  # sooner than a reminder can be


@pytest.mark.parametrize(
    "trigger",
    [
        {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-28T22:00:00Z"},
        {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-26T22:00:00"},
        {"type": "SCHEDULED_RELATIVE", "offsetInSeconds": 0},
        {"type": "SCHEDULED_RELATIVE", "offsetInSeconds": 60, "scheduledTime": "x"},
        {"type": "SCHEDULED_ABSOLUTE"},
    ],
)
def test_the_stand_in_refuses_triggers_alexa_refuses(api: Any, trigger: dict[str, Any]) -> None:
    body = {"requestTime": "2026-11-27T10:00:00", "trigger": trigger}
    request = urllib.request.Request(
        api.endpoint + "/v1/alerts/reminders",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    context = ssl.create_default_context(cafile=api.ca_file)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=context, timeout=5)
    assert refused.value.code == 400
    code = json.loads(refused.value.read())["code"]
    assert code.startswith(("INVALID_TRIGGER", "PAST_SCHEDULED_TIME"))
    assert api.reminders == {}
