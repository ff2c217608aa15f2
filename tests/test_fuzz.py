"""No input can break the skill: generated request envelopes on both entry points.

Every request type, known and unknown intents, missing / extra / wrong-typed fields, empty and
huge slot values, unicode and SSML/XML metacharacters, unknown locales, no session, no context,
enum values and request types the SDK model does not know, and hostile or forged session
attributes. Properties: nothing raises; every answer is a valid Alexa
response (well-formed SSML with Alexa's tags only, at most 8000 characters, a reprompt exactly
when the session stays open); events are never answered in words; nothing a person said, and
no user id, reaches the logs.

`make test` runs a short profile; `make fuzz` runs at least 10,000 envelopes per entry point
(HYPOTHESIS_PROFILE=fuzz) and reports the count.
"""

from __future__ import annotations

import json
import logging
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cramp_coach import ssml
from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore
from cramp_coach.web.app import create_app

from .helpers.fuzz_count import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
MODEL = json.loads((ROOT / "interaction_model" / "en-US.json").read_text())["interactionModel"][
    "languageModel"
]
SKILL_ID = "amzn1.ask.skill.fuzz"
CANARY_USER = "amzn1.ask.account.CANARYUSERIDXYZ"
CANARY_SLOT = "CANARYSLOTWORDS"

settings.register_profile(
    "default",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


RECORDER = Recorder()
logging.getLogger().addHandler(RECORDER)
logging.getLogger("cramp_coach").setLevel(logging.DEBUG)

_FOLDER = tempfile.TemporaryDirectory(prefix="cramp-coach-fuzz-")
_LIBRARY = ContentLibrary(ROOT / "content")
_CONFIG = Config(skill_id=SKILL_ID, insecure_local_dev=True)
SKILL = build_skill(
    _CONFIG,
    SqliteStore(Path(_FOLDER.name) / "fuzz.sqlite3"),
    content=_LIBRARY,
    rng=random.Random(9),
)
CLIENT = create_app(_CONFIG, skill=SKILL).test_client()

# --- Strategies -------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "<speak>",
            "</speak><audio src='https://evil.example/a.mp3'/>",
            "&amp;&lt;&#x27;",
            "]]><![CDATA[",
            "\u202e\u0000\ud7ff",
            "calf",
            "thigh",
            "ten pm",
            "22:00",
        ]
    ),
    st.just("x" * 5000),
    st.text(min_size=1, max_size=10).map(lambda t: CANARY_SLOT + t),
)
INTENTS = [intent["name"] for intent in MODEL["intents"]]
SLOTS = {
    intent["name"]: [s["name"] for s in intent.get("slots", [])] for intent in MODEL["intents"]
}
REQUEST_TYPES = [
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "CanFulfillIntentRequest",
    "SessionResumedRequest",
    "Connections.Response",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "System.ExceptionEncountered",
    "Display.ElementSelected",
    "AudioPlayer.PlaybackStarted",
    "Messaging.MessageReceived",
    # Types Alexa may add tomorrow: unknown to the SDK model
    "Alexa.Presentation.APLX.UserEvent",
    "Reminders.ReminderSnoozed",
    "AlexaSkillEvent.SkillPaused",
]
# Events: whatever else is wrong with them, they are never answered in words.
EVENTS = frozenset(
    {
        "SessionEndedRequest",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "System.ExceptionEncountered",
        "AudioPlayer.PlaybackStarted",
        "Messaging.MessageReceived",
    }
)
# Enum values the SDK model knows, and some it does not (yet).
CONFIRMATION = st.sampled_from(["NONE", "CONFIRMED", "DENIED", "PROBABLY", ""])
DIALOG_STATE = st.sampled_from(["STARTED", "IN_PROGRESS", "COMPLETED", "RESTARTED"])
ERROR_TYPE = st.sampled_from(["INVALID_RESPONSE", "INTERNAL_SERVICE_ERROR", "NEW_ERROR_TYPE"])


@st.composite
def slot(draw: st.DrawFn, name: str) -> Any:
    shape = draw(st.sampled_from(["filled", "matched", "empty", "garbage", "absent-value"]))
    if shape == "garbage":
        return draw(JSON)
    value = draw(NASTY_TEXT)
    result: dict[str, Any] = {"name": name, "confirmationStatus": draw(CONFIRMATION)}
    if shape == "absent-value":
        return result
    result["value"] = "" if shape == "empty" else value
    if shape == "matched":
        code = draw(
            st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT", "?"])
        )
        result["resolutions"] = {
            "resolutionsPerAuthority": [
                {
                    "authority": "amzn1.er-authority.echo-sdk.x.T",
                    "status": {"code": code},
                    "values": [
                        {
                            "value": {
                                "name": value,
                                "id": draw(
                                    st.sampled_from(
                                        [
                                            "CALF",
                                            "THIGH",
                                            "SHORT",
                                            "FULL",
                                            "WHISPER",
                                            "DAILY",
                                            value,
                                        ]
                                    )
                                ),
                            }
                        }
                    ],
                }
            ]
        }
    return result


@st.composite
def request(draw: st.DrawFn) -> dict[str, Any]:
    kind = (
        draw(st.sampled_from(REQUEST_TYPES))
        if draw(st.integers(0, 9))
        else draw(st.text(max_size=30))
    )
    if draw(st.booleans()):
        kind = "IntentRequest"  # the most common request, and the most varied
    body: dict[str, Any] = {
        "type": kind,
        "requestId": "amzn1.echo-api.request.fuzz",
        "timestamp": draw(st.sampled_from(["2026-11-27T07:30:00Z", "2026-11-27T15:00:00Z"]))
        if draw(st.integers(0, 9))
        else draw(st.sampled_from(["not a time", "2026-13-45T99:99:99Z", ""])),
        "locale": draw(st.sampled_from(["en-US", "en-GB", "de-DE", "xx-YY", "", "en"])),
    }
    if kind == "IntentRequest" or draw(st.booleans()):
        name = (
            draw(st.sampled_from(INTENTS))
            if draw(st.integers(0, 9))
            else draw(st.text(max_size=30))
        )
        intent: dict[str, Any] = {"name": name, "confirmationStatus": draw(CONFIRMATION)}
        if draw(st.booleans()):
            body["dialogState"] = draw(DIALOG_STATE)
        names = SLOTS.get(name, []) + draw(st.lists(st.text(min_size=1, max_size=8), max_size=2))
        if bool(names) or draw(st.booleans()):
            intent["slots"] = {n: draw(slot(n)) for n in names}
        body["intent"] = intent
    if kind == "SessionEndedRequest":
        body["reason"] = draw(
            st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS", "?"])
        )
        if draw(st.booleans()):
            body["error"] = {"type": draw(ERROR_TYPE), "message": draw(NASTY_TEXT)}
    if kind == "Connections.Response":
        body.update(
            name=draw(st.sampled_from(["AskFor", "Other"])),
            status={"code": "200"},
            payload={"status": draw(st.sampled_from(["ACCEPTED", "DENIED", "NOT_ANSWERED", "?"]))},
            token=draw(
                st.sampled_from(['{"hour": 22, "minute": 0, "frequency": "DAILY"}', "garbage", ""])
            ),
        )
    if kind == "LaunchRequest" and draw(st.booleans()):
        body["task"] = {
            "name": draw(st.sampled_from(["x.StartBedtimeStretches", "y.Other"])),
            "version": "1",
            "input": draw(JSON),
        }
    return body


ATTRIBUTES = st.fixed_dictionaries(
    {},
    optional={
        "pending": JSON
        | st.fixed_dictionaries(
            {
                "kind": st.sampled_from(
                    [
                        "topic",
                        "next",
                        "resume",
                        "delete",
                        "start_routine",
                        "reminder_time",
                        "create_reminder",
                        "?",
                    ]
                ),
                "key": st.text(max_size=10),
                "token": st.text(max_size=10),
            }
        ),
        "routine": JSON
        | st.fixed_dictionaries(
            {
                "length": st.sampled_from(["short", "full", "?"]),
                "position": st.integers(-3, 9) | st.text(max_size=3),
            }
        ),
        "last": JSON
        | st.fixed_dictionaries(
            {
                "key": st.sampled_from(["why", "help", "?"]),
                "topic": st.booleans(),
                "say": st.integers(-2, 5) | st.text(max_size=2),
                "kind": st.sampled_from(["stretch", "?"]),
            }
        ),
        "heard": JSON | st.dictionaries(st.text(max_size=8), JSON, max_size=3),
        "sources": JSON,
        "isAdmin": JSON,  # not ours at all
    },
)


@st.composite
def envelope(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(JSON)  # not an envelope at all
    user: dict[str, Any] = {"userId": draw(st.sampled_from([CANARY_USER, "", CANARY_USER + "2"]))}
    if draw(st.booleans()):
        user["permissions"] = draw(
            JSON
            | st.just(
                {
                    "consentToken": "t",
                    "scopes": {"alexa::alerts:reminders:skill:readwrite": {"status": "GRANTED"}},
                }
            )
        )
    system: dict[str, Any] = {
        "application": {
            "applicationId": draw(st.sampled_from([SKILL_ID, SKILL_ID, "amzn1.ask.skill.other"]))
        },
        "user": user,
        "device": {
            "deviceId": draw(st.sampled_from(["amzn1.ask.device.D", ""])),
            "supportedInterfaces": {},
        },
        # Only endpoints that fail at once: no test reaches out of this machine.
        "apiEndpoint": draw(st.sampled_from(["https://127.0.0.1:9", "not a url", ""])),
        "apiAccessToken": "token",
    }
    event: dict[str, Any] = {"version": "1.0", "request": draw(request())}
    if draw(st.integers(0, 12)) > 0:
        event["context"] = {"System": system} if draw(st.integers(0, 12)) > 0 else draw(JSON)
    if draw(st.booleans()):
        event["session"] = {
            "new": draw(st.booleans()),
            "sessionId": "amzn1.echo-api.session.fuzz",
            "application": {"applicationId": SKILL_ID},
            "attributes": draw(ATTRIBUTES) if draw(st.integers(0, 9)) else draw(JSON),
            "user": dict(user),
        }
    if draw(st.integers(0, 5)) == 0:  # extra or wrong-typed fields on top, now and then
        event[draw(st.sampled_from(["version", "request", "context", "session", "extra"]))] = draw(
            JSON
        )
    return event


# --- Properties -------------------------------------------------------------------------------


def check_response(result: Any) -> None:
    assert isinstance(result, dict) and isinstance(result.get("response"), dict), result
    response = result["response"]
    speech = (response.get("outputSpeech") or {}).get("ssml")
    reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    for document in (speech, reprompt):
        if document is not None:
            assert ssml.validate(document) == [], document
            assert CANARY_SLOT not in document  # what was heard is never read back
    assert (reprompt is not None) == (response.get("shouldEndSession") is False), response
    if reprompt is not None:
        assert speech is not None


def check_logs() -> None:
    text = "\n".join(RECORDER.lines)
    RECORDER.lines.clear()
    assert CANARY_USER not in text and CANARY_SLOT not in text


def is_event(event: Any) -> bool:
    request = event.get("request") if isinstance(event, dict) else None
    return isinstance(request, dict) and request.get("type") in EVENTS


@given(envelope())
def test_the_lambda_entry_point_never_breaks(event: Any) -> None:
    EXAMPLES["lambda"] += 1
    result = handle_event(event, None, SKILL)
    check_response(result)
    if is_event(event):
        assert "outputSpeech" not in result["response"], result
    check_logs()


@given(envelope())
def test_the_web_service_never_breaks(event: Any) -> None:
    EXAMPLES["web"] += 1
    answer = CLIENT.post("/", data=json.dumps(event), headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 400), answer.data
    if answer.status_code == 200:
        check_response(answer.get_json())
        if is_event(event):
            assert "outputSpeech" not in answer.get_json()["response"]
    check_logs()


@given(st.binary(max_size=300))
def test_the_web_service_takes_any_bytes(raw: bytes) -> None:
    EXAMPLES["web-bytes"] += 1
    answer = CLIENT.post("/", data=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 400)
