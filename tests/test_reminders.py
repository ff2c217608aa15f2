"""Reminders end to end: the exact HTTP the SDK sends to a stand-in Alexa API on 127.0.0.1,
the permission conversation, and a spoken answer for every failure."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import Response

from cramp_coach.api_client import AlexaApiClient
from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.alexa_api import Failure, FakeAlexaApi, Recorded
from cramp_coach.local.simulator import Simulator
from cramp_coach.reminders import SCOPE, Schedule, bedtime
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

from .helpers.clock import DAYTIME

# 15:00 UTC is 10:00 in New York (the stand-in's default zone): the reminder's requestTime.
LOCAL_MORNING = "2026-11-27T10:00:00"
# Seconds a Reminders call may take here (in production: api_client.DEFAULT_TIMEOUT, 2.5), so
# the tests of a slow API wait that long, not the production timeout.
API_TIMEOUT = 1.0


@pytest.fixture
def skill(store: SqliteStore, library: ContentLibrary) -> CustomSkill:
    """conftest's skill, with an API client that gives a Reminders call API_TIMEOUT."""
    client = AlexaApiClient(timeout=API_TIMEOUT)
    return build_skill(Config(), store, content=library, rng=random.Random(7), api_client=client)


@pytest.fixture
def granted(echo: Simulator) -> Simulator:
    """A device where the person has already allowed reminders."""
    echo.device = env.Device(
        api_endpoint=echo.device.api_endpoint, granted_scopes=frozenset({SCOPE})
    )
    return echo


def reminder_posts(api: FakeAlexaApi) -> list[Recorded]:
    return api.calls("POST", "/v1/alerts/reminders")


# --- Create, read, update, delete: what goes over the wire ---------------------------------


def test_a_nightly_reminder_is_created_with_recurrence_rules(granted: Simulator, api: Any) -> None:
    turn = granted.say("ask cramp coach to remind me to stretch every night at ten pm")
    assert "every night at 10 PM" in turn.speech and turn.ends_session
    [call] = reminder_posts(api)
    assert call.method == "POST" and call.path == "/v1/alerts/reminders"
    assert call.headers["Authorization"] == "Bearer local-api-access-token"
    assert call.body == {
        "requestTime": LOCAL_MORNING,
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "timeZoneId": "America/New_York",
            "recurrence": {
                "startDateTime": "2026-11-27T00:00:00",
                "recurrenceRules": ["FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
            },
        },
        "alertInfo": {
            "spokenInfo": {
                "content": [
                    {
                        "locale": "en-US",
                        "text": call.body["alertInfo"]["spokenInfo"]["content"][0]["text"],
                        "ssml": call.body["alertInfo"]["spokenInfo"]["content"][0]["ssml"],
                    }
                ]
            }
        },
        "pushNotification": {"status": "ENABLED"},
    }
    text = call.body["alertInfo"]["spokenInfo"]["content"][0]["text"]
    assert "ask cramp coach to start my bedtime stretches" in text
    assert "freq" not in call.body["trigger"]["recurrence"]  # not the deprecated form
    assert "byDay" not in call.body["trigger"]["recurrence"]


def test_the_reminder_is_marked_with_the_devices_locale(
    granted: Simulator, api: Any, library: ContentLibrary
) -> None:
    """Alexa speaks the reminder's text whose locale is the device's: a device in a locale with
    no content folder of its own (en-NZ, answered in its language's words) gets its own."""
    granted.device = env.Device(
        api_endpoint=granted.device.api_endpoint,
        granted_scopes=granted.device.granted_scopes,
        locale="en-NZ",
    )
    words = library.get("en-NZ")
    assert words.locale != "en-NZ"
    turn = granted.say("ask cramp coach to remind me to stretch every night at ten pm")
    assert turn.request["request"]["locale"] == "en-NZ"
    assert words.time_of_day(22, 0) in turn.speech
    [call] = reminder_posts(api)
    [spoken] = call.body["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == "en-NZ" and spoken["text"] == words.words["reminder_text"]


def test_a_weekday_reminder_at_half_past_nine(granted: Simulator, api: Any) -> None:
    turn = granted.say("ask cramp coach to remind me to stretch every weekday at 9:30")
    assert "every weekday at 9:30 PM" in turn.speech
    [call] = reminder_posts(api)
    assert call.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=21;BYMINUTE=30;BYSECOND=0;INTERVAL=1"
    ]


def test_without_a_time_it_asks_for_one(granted: Simulator, api: Any) -> None:
    ask = granted.say("ask cramp coach to remind me to stretch every weekday")
    assert ask.speech.endswith("?") and not ask.ends_session and reminder_posts(api) == []
    done = granted.say("ten thirty pm")
    assert "every weekday at 10:30 PM" in done.speech
    assert (
        "BYHOUR=22;BYMINUTE=30"
        in reminder_posts(api)[0].body["trigger"]["recurrence"]["recurrenceRules"][0]
    )


def test_list_change_and_stop(granted: Simulator, api: Any) -> None:
    granted.say("ask cramp coach to remind me to stretch every night at ten")
    token = next(iter(api.reminders))
    api.clear()

    listed = granted.say("ask cramp coach what reminders do I have")
    assert "every night at 10 PM" in listed.speech
    [get] = api.calls()
    assert (get.method, get.path) == ("GET", "/v1/alerts/reminders")
    assert get.headers["Authorization"] == "Bearer local-api-access-token"
    api.clear()

    changed = granted.say("ask cramp coach to change it to ten thirty")
    assert "every night at 10:30 PM" in changed.speech
    get, put = api.calls()
    assert (put.method, put.path) == ("PUT", f"/v1/alerts/reminders/{token}")
    assert put.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=22;BYMINUTE=30;BYSECOND=0;INTERVAL=1"
    ]
    api.clear()

    stopped = granted.say("ask cramp coach to stop reminding me")
    assert stopped.speech and stopped.ends_session
    get, delete = api.calls()
    assert (delete.method, delete.path) == ("DELETE", f"/v1/alerts/reminders/{token}")
    assert api.reminders == {}
    assert "don't have any" in granted.say("ask cramp coach what reminders do I have").speech


def test_changing_a_reminder_that_does_not_exist_offers_to_set_one(
    granted: Simulator, api: Any
) -> None:
    turn = granted.say("ask cramp coach to change my reminder to ten")
    assert turn.speech.endswith("?") and not turn.ends_session
    assert "10 PM" in turn.speech
    granted.say("yes")
    assert len(reminder_posts(api)) == 1


# --- Asking for the permission by voice -----------------------------------------------------


def test_no_permission_asks_by_voice_first(echo: Simulator, api: Any) -> None:
    turn = echo.say("ask cramp coach to remind me to stretch every night at ten pm")
    [directive] = turn.directives
    assert directive["type"] == "Connections.SendRequest" and directive["name"] == "AskFor"
    assert directive["payload"] == {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "1",
        "permissionScope": SCOPE,
    }
    assert Schedule.from_token(directive["token"]) == Schedule(22, 0, "DAILY")
    assert turn.body["shouldEndSession"] is True
    assert reminder_posts(api) == []


def test_permission_accepted_creates_the_reminder(echo: Simulator, api: Any) -> None:
    echo.say("ask cramp coach to remind me to stretch every night at ten pm")
    turn = echo.say("yes")
    assert turn.request["request"]["type"] == "Connections.Response"
    assert "every night at 10 PM" in turn.speech
    assert len(reminder_posts(api)) == 1


def test_permission_denied(echo: Simulator, api: Any, content: Content) -> None:
    echo.say("ask cramp coach to remind me to stretch at ten pm")
    turn = echo.say("no")
    assert turn.speech in content.replies["reminder_denied"].say
    assert turn.ends_session and reminder_posts(api) == []


def test_permission_not_answered_falls_back_to_the_consent_card(
    echo: Simulator, api: Any, content: Content
) -> None:
    echo.say("ask cramp coach to remind me to stretch at ten pm")
    turn = echo.answer_consent("NOT_ANSWERED")
    assert turn.speech in content.replies["reminder_needs_permission"].say
    assert turn.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert reminder_posts(api) == []


def test_the_newer_session_resumed_form_of_the_answer(
    handler: Any, device: env.Device, api: Any
) -> None:
    request = {
        "type": "SessionResumedRequest",
        "requestId": "amzn1.echo-api.request.resumed",
        "timestamp": env.timestamp(DAYTIME),
        "locale": "en-US",
        "cause": {
            "type": "ConnectionCompleted",
            "token": Schedule(21, 0).to_token(),
            "status": {"code": "200", "message": "OK"},
            "result": {"permissionScope": SCOPE, "status": "ACCEPTED"},
        },
    }
    session = env.Session(new=False)
    response = handler(env.envelope(request, device, session), None)
    assert "9 PM" in response["response"]["outputSpeech"]["ssml"]
    assert len(reminder_posts(api)) == 1


# --- Every failure gets a clear spoken answer -------------------------------------------------

FAILURES = [
    (Failure(401, {"code": "UNAUTHORIZED", "message": "revoked"}), "reminder_needs_permission"),
    (Failure(403, {"code": "FORBIDDEN", "message": "no permission"}), "reminder_needs_permission"),
    (Failure(403, {"code": "MAX_REMINDERS_EXCEEDED", "message": "max"}), "reminder_max"),
    (Failure(403, {"code": "DEVICE_NOT_SUPPORTED", "message": "device"}), "reminder_device"),
    (Failure(400, {"code": "INVALID_TRIGGER", "message": "bad"}), "reminder_invalid"),
    (Failure(429, {"code": "TOO_MANY_REQUESTS", "message": "slow down"}), "reminder_unavailable"),
    (Failure(500, {"code": "INTERNAL_ERROR", "message": "oops"}), "reminder_unavailable"),
    (Failure(503, {}), "reminder_unavailable"),
    (Failure(200, {}, delay=API_TIMEOUT + 1), "reminder_unavailable"),  # slower than it waits
]


@pytest.mark.parametrize(("failure", "reply"), FAILURES)
def test_creating_fails_cleanly(
    granted: Simulator, api: Any, content: Content, failure: Failure, reply: str
) -> None:
    api.fail("POST", "/v1/alerts/reminders", failure)
    turn = granted.say("ask cramp coach to remind me to stretch at ten pm")
    assert turn.speech in content.replies[reply].say
    assert turn.ends_session
    if reply == "reminder_needs_permission":
        assert turn.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}


@pytest.mark.parametrize(("failure", "reply"), FAILURES[:1] + FAILURES[5:8])
@pytest.mark.parametrize(
    "line",
    [
        "what reminders do I have",
        "change it to ten thirty",
        "stop reminding me",
    ],
)
def test_reading_changing_and_stopping_fail_cleanly(
    granted: Simulator, api: Any, content: Content, failure: Failure, reply: str, line: str
) -> None:
    api.fail("GET", "/v1/alerts/reminders", failure)
    turn = granted.say("ask cramp coach " + line)
    assert turn.speech in content.replies[reply].say


def test_updating_and_deleting_fail_cleanly(granted: Simulator, api: Any, content: Content) -> None:
    granted.say("ask cramp coach to remind me to stretch at ten pm")
    api.fail("PUT", "/v1/alerts/reminders/", Failure(404, {"code": "NOT_FOUND", "message": "x"}))
    api.fail("DELETE", "/v1/alerts/reminders/", Failure(500, {}))
    changed = granted.say("ask cramp coach to change it to ten thirty")
    assert changed.speech in content.replies["reminder_invalid"].say
    stopped = granted.say("ask cramp coach to stop reminding me")
    assert stopped.speech in content.replies["reminder_unavailable"].say


def test_no_reminder_api_at_all(handler: Any, content: Content) -> None:
    device = env.Device(api_endpoint="https://127.0.0.1:9", granted_scopes=frozenset({SCOPE}))
    event = env.envelope(
        env.intent_request(
            Intent.SET_REMINDER,
            {"time": env.Slot("22:00", slot_type="AMAZON.TIME"), "frequency": None},
            now=DAYTIME,
        ),
        device,
        env.Session(),
    )
    speech = handler(event, None)["response"]["outputSpeech"]["ssml"]
    assert any(
        p.replace("'", "&apos;") in speech for p in content.replies["reminder_unavailable"].say
    )


# --- Reading times the bedtime way ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("22:00", (22, 0)),
        ("10:00", (22, 0)),  # "ten": a bedtime, not the morning
        ("09:30", (21, 30)),
        ("12:15", (12, 15)),
        ("00:30", (0, 30)),
        ("NI", (22, 0)),
        ("EV", (20, 0)),
        ("25:00", None),
        ("soon", None),
        (None, None),
    ],
)
def test_bedtime_reading_of_alexa_times(value: str | None, expected: Any) -> None:
    assert bedtime(value) == expected


def test_the_sdk_can_read_reminders_alexa_returns() -> None:
    """The repair for ask-sdk-model's missing module: a full reminder deserializes."""
    import json

    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model.services.reminder_management import GetRemindersResponse

    from cramp_coach.reminders import repair_sdk_model

    repair_sdk_model()

    body = {
        "totalCount": "1",
        "alerts": [
            {
                "alertToken": "t",
                "status": "ON",
                "trigger": {
                    "type": "SCHEDULED_ABSOLUTE",
                    "recurrence": {"recurrenceRules": ["FREQ=DAILY;BYHOUR=22"]},
                },
                "alertInfo": {"spokenInfo": {"content": [{"locale": "en-US", "text": "hi"}]}},
            }
        ],
    }
    parsed = DefaultSerializer().deserialize(json.dumps(body), GetRemindersResponse)
    assert parsed.alerts[0].alert_info.spoken_info.content[0].text == "hi"


def test_timestamps_are_the_request_s_own() -> None:
    assert env.timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


# --- Within Alexa's 8 seconds, whatever the API does ------------------------------------------


def on_lambda(skill: CustomSkill, seconds_left: float) -> Any:
    """A handler given Lambda's own context object (awslambdaric's), with `seconds_left` of the
    function's timeout at each request: the request's deadline comes from it."""
    from awslambdaric.lambda_context import LambdaContext

    def handle(event: dict[str, Any], _: Any) -> dict[str, Any]:
        ends = int((time.time() + seconds_left) * 1000)
        return handle_event(event, LambdaContext("invocation", None, None, ends), skill)

    return handle


def test_stopping_four_reminders_on_a_slow_api_answers_in_time_and_says_what_was_done(
    granted: Simulator, api: Any, content: Content, skill: CustomSkill
) -> None:
    """Each call takes just under its own timeout: deleting all four would take 4.5 timeouts.
    The answer is due in 2.5 timeouts (Lambda stops the function 1 s after that), so it comes
    in time, saying how many were stopped; asking again does the rest. (In production: 2.5 s
    calls, 12 s for all four, Alexa's 8 s.)"""
    for hour in ("eight", "nine", "ten", "eleven"):
        granted.say(f"ask cramp coach to remind me to stretch every night at {hour} pm")
    assert len(api.reminders) == 4
    lambda_time = 2.5 * API_TIMEOUT + 1.0  # deadline.MARGIN is kept back from it
    granted.handler = on_lambda(skill, lambda_time)
    slow = API_TIMEOUT - 0.1
    api.slow("GET", "/v1/alerts/reminders", slow)
    api.slow("DELETE", "/v1/alerts/reminders/", slow)
    began = time.monotonic()
    turn = granted.say("ask cramp coach to stop reminding me")
    seconds = time.monotonic() - began
    assert seconds < 8.0, seconds
    assert seconds < lambda_time, seconds
    left = len(api.reminders)
    assert 0 < left < 4
    fill = {"stopped": str(4 - left), "total": "4"}
    assert turn.speech in [p.format_map(fill) for p in content.replies["reminder_deleted_some"].say]
    assert turn.ends_session
    api.clear()
    again = granted.say("ask cramp coach to stop reminding me")
    assert again.speech in content.replies["reminder_deleted"].say
    assert api.reminders == {}


# --- A bug is not an outage ------------------------------------------------------------------


def list_reminders_with(configuration: Any, library: Any) -> Response:
    """ "What reminders do I have", answered by the reminder handlers with this API setup."""
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from ask_sdk_model.services import ServiceClientFactory

    from cramp_coach.deps import Deps
    from cramp_coach.handlers.reminders import ListRemindersHandler, Reminders

    device = env.Device(api_endpoint=configuration.api_endpoint, granted_scopes=frozenset({SCOPE}))
    event = env.envelope(env.intent_request(Intent.LIST_REMINDERS, now=DAYTIME), device)
    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    handler_input = HandlerInput(
        request_envelope=envelope,
        attributes_manager=AttributesManager(request_envelope=envelope),
        service_client_factory=ServiceClientFactory(configuration),
    )
    response: Response = ListRemindersHandler(Reminders(Deps(library))).handle(handler_input)
    return response


def test_an_api_outage_is_spoken_but_a_bug_reaches_the_error_handler(
    api: Any, library: Any, content: Content
) -> None:
    """Only the SDK's service and client errors mean "reminders are unavailable"; a coding
    error (here, an API configuration without a serializer) is not hidden behind that reply."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model.services import ApiConfiguration
    from ask_sdk_model.ui import SsmlOutputSpeech

    from cramp_coach.api_client import AlexaApiClient

    api.fail("GET", "/v1/alerts/reminders", Failure(503, {}))
    working = ApiConfiguration(DefaultSerializer(), AlexaApiClient(), "token", api.endpoint)
    speech = list_reminders_with(working, library).output_speech
    assert isinstance(speech, SsmlOutputSpeech) and speech.ssml is not None
    spoken = speech.ssml
    assert any(
        p.replace("'", "&apos;") in spoken for p in content.replies["reminder_unavailable"].say
    )
    broken = ApiConfiguration(None, AlexaApiClient(), "token", api.endpoint)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Serializer is None"):
        list_reminders_with(broken, library)
