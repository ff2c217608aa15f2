"""Requests Alexa will send tomorrow: values and request types the pinned SDK model does not
know, and session attributes nobody should trust.

Known requests with an unknown optional value are answered exactly as if the value were absent;
events get an empty response (Alexa speaks nothing for them); a request type the model does not
know gets the fallback inside a session the skill holds open, and silence anywhere else.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cramp_coach import ssml
from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

from .helpers.clock import DAYTIME
from .helpers.safety import after_the_safety_net

OFFLINE = env.Device(api_endpoint="https://127.0.0.1:9")  # refuses at once: day mode
SCOPE = "alexa::alerts:reminders:skill:readwrite"


def cramp() -> dict[str, Any]:
    return env.envelope(env.intent_request("CrampNowIntent", now=DAYTIME), OFFLINE, env.Session())


def start_short() -> dict[str, Any]:
    slot = env.Slot("short", "SHORT", "short", "ROUTINE_LENGTH")
    request = env.intent_request(Intent.START_ROUTINE, {"length": slot}, now=DAYTIME)
    return env.envelope(request, OFFLINE, env.Session())


def launch() -> dict[str, Any]:
    return env.envelope(env.launch_request(now=DAYTIME), OFFLINE, env.Session())


def ended() -> dict[str, Any]:
    event = env.envelope(env.session_ended_request(now=DAYTIME), OFFLINE, env.Session(new=False))
    event["request"]["error"] = {"type": "INVALID_RESPONSE", "message": "x"}
    return event


def resumed() -> dict[str, Any]:
    request = {
        "type": "SessionResumedRequest",
        "requestId": "amzn1.echo-api.request.resumed",
        "timestamp": env.timestamp(DAYTIME),
        "locale": "en-US",
        "cause": {"type": "ConnectionCompleted", "token": "t", "status": {"code": "200"}},
    }
    return env.envelope(request, OFFLINE, env.Session(new=False))


def event_of(kind: str, session: env.Session | None = None) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        request = env.launch_request(now=DAYTIME)
        request["type"] = kind
        return env.envelope(request, OFFLINE, session)

    return build


Path_ = tuple[str | int, ...]


def put(event: dict[str, Any], path: Path_, value: Any) -> None:
    node: Any = event
    for step in path[:-1]:
        if isinstance(node, dict) and step not in node:
            node[step] = {}
        node = node[step]
    node[path[-1]] = value


def remove(event: dict[str, Any], path: Path_) -> None:
    node: Any = event
    for step in path[:-1]:
        present = isinstance(node, dict) and step in node
        if not (present or (isinstance(node, list) and isinstance(step, int))):
            return
        node = node[step]
    if isinstance(node, dict):
        node.pop(path[-1], None)


INTENT = ("request", "intent")
LENGTH = (*INTENT, "slots", "length")
VIEWPORT = ("context", "Viewport")
SCOPES = ("context", "System", "user", "permissions", "scopes", SCOPE)
VIEWPORT_BASE = {"pixelWidth": 960, "pixelHeight": 480, "dpi": 160, "shape": "RECTANGLE"}

# (id, envelope, path, a value the model does not know): answered as if the value were absent.
AS_IF_ABSENT: list[tuple[str, Callable[[], dict[str, Any]], Path_, Any]] = [
    ("dialog-state", cramp, ("request", "dialogState"), "IN_A_NEW_STATE"),
    ("dialog-state-not-a-string", cramp, ("request", "dialogState"), {"x": 1}),
    ("intent-confirmation", cramp, (*INTENT, "confirmationStatus"), "PROBABLY"),
    ("intent-confirmation-list", cramp, (*INTENT, "confirmationStatus"), ["DENIED"]),
    ("slot-confirmation", start_short, (*LENGTH, "confirmationStatus"), "PROBABLY"),
    (
        "resolution-status",
        start_short,
        (*LENGTH, "resolutions", "resolutionsPerAuthority", 0, "status", "code"),
        "ER_SUCCESS_PARTIAL_MATCH",
    ),
    ("slot-value-type", start_short, (*LENGTH, "slotValue"), {"type": "Range", "from": 1}),
    ("slot-value-no-type", start_short, (*LENGTH, "slotValue"), {"value": "short"}),
    ("extra-slot-of-a-new-kind", cramp, (*INTENT, "slots", "x"), {"slotValue": {"type": "New"}}),
    ("slots-not-an-object", cramp, (*INTENT, "slots"), "garbage"),
    ("slot-not-an-object", cramp, (*INTENT, "slots", "leg"), 5),
    ("viewport-shape", launch, VIEWPORT, {**VIEWPORT_BASE, "shape": "HEXAGON"}),
    ("viewport-mode", launch, VIEWPORT, {**VIEWPORT_BASE, "mode": "HOLOGRAM"}),
    ("viewport-touch", launch, VIEWPORT, {**VIEWPORT_BASE, "touch": ["PINCH", "SINGLE"]}),
    ("viewport-keyboard", launch, VIEWPORT, {**VIEWPORT_BASE, "keyboard": ["BRAILLE"]}),
    ("viewport-video", launch, VIEWPORT, {**VIEWPORT_BASE, "video": {"codecs": ["H_999"]}}),
    ("viewport-dpi", launch, VIEWPORT, {**VIEWPORT_BASE, "dpi": "lots"}),
    ("viewports-type", launch, ("context", "Viewports"), [{"type": "HOLOGRAPHIC", "id": "x"}]),
    ("player-activity", launch, ("context", "AudioPlayer"), {"playerActivity": "REWINDING"}),
    (
        "location-status",
        launch,
        ("context", "Geolocation"),
        {"locationServices": {"status": "SLEEPING", "access": "MAYBE"}},
    ),
    ("permission-status", launch, SCOPES, {"status": "PENDING"}),
    (
        "session-permission-status",
        launch,
        ("session", "user", "permissions", "scopes", SCOPE),
        {"status": "PENDING"},
    ),
    ("resumed-cause", resumed, ("request", "cause"), {"type": "NewKindOfCause", "token": "t"}),
    ("session-attributes-list", cramp, ("session", "attributes"), [1, 2]),
    ("session-attributes-string", cramp, ("session", "attributes"), "forged"),
]

# (id, envelope, path, value): events, answered with an empty response.
EVENTS: list[tuple[str, Callable[[], dict[str, Any]], Path_, Any]] = [
    ("ended-error-type", ended, ("request", "error", "type"), "NEW_ERROR_TYPE"),
    ("ended-reason", ended, ("request", "reason"), "USER_FELL_ASLEEP"),
    ("ended-error-string", ended, ("request", "error"), "a string"),
    ("ended-error-type-list", ended, ("request", "error", "type"), ["INVALID_RESPONSE"]),
    ("ended-both", ended, ("request", "reason"), "NEW_REASON"),
]
UNKNOWN_EVENTS = [
    "AlexaSkillEvent.SkillPaused",
    "Reminders.ReminderSnoozed",
    "AudioPlayer.PlaybackRewound",
    "PlaybackController.ShuffleCommandIssued",
    "Messaging.MessageDeleted",
    "Alexa.Authorization.Revoke",
    "Alexa.DataStore.NewEvent",
    "Dialog.NewInputKind",
    "Alexa.Presentation.APL.NewEvent",
    "System.NewEvent",
    "Alexa.Smart.Thing",
    "x",
]
UNKNOWN_NEW_SESSION = ["CanFulfillIntentRequestV2", "Alexa.NewLaunch", "LaunchRequest2"]
UNKNOWN_IN_SESSION = [
    "Alexa.Presentation.APLT.UserEvent2",
    "Display.ElementTapped",
    "Alexa.Presentation.HTML.NewMessage",
    "Alexa.NewThing.UserEvent",
]
SHAPES = (
    len(AS_IF_ABSENT)
    + len(EVENTS)
    + len(UNKNOWN_EVENTS)
    + len(UNKNOWN_NEW_SESSION)
    + len(UNKNOWN_IN_SESSION)
)


def fresh_skill(folder: Path, library: ContentLibrary) -> Any:
    skill = build_skill(
        Config(), SqliteStore(folder / "state.sqlite3"), content=library, rng=random.Random(5)
    )
    return lambda event: handle_event(event, None, skill)


def without_agent(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "userAgent"}


def test_there_are_at_least_forty_shapes() -> None:
    assert SHAPES >= 40


@pytest.mark.parametrize(
    ("build", "path", "value"),
    [case[1:] for case in AS_IF_ABSENT],
    ids=[case[0] for case in AS_IF_ABSENT],
)
def test_an_unknown_value_is_read_as_if_it_were_absent(
    build: Callable[[], dict[str, Any]],
    path: Path_,
    value: Any,
    tmp_path: Path,
    library: ContentLibrary,
) -> None:
    plain, odd = build(), build()
    remove(plain, path)
    put(odd, path, value)
    expected = fresh_skill(tmp_path / "plain", library)(plain)
    answer = fresh_skill(tmp_path / "odd", library)(odd)
    assert "outputSpeech" in expected["response"]  # the plain request is answered in words
    assert without_agent(answer) == without_agent(expected)


@pytest.mark.parametrize(
    ("build", "path", "value"), [case[1:] for case in EVENTS], ids=[case[0] for case in EVENTS]
)
def test_an_event_with_an_unknown_value_gets_an_empty_response(
    build: Callable[[], dict[str, Any]], path: Path_, value: Any, handler: Any
) -> None:
    event = build()
    put(event, path, value)
    assert handler(event, None)["response"] == {}


@pytest.mark.parametrize("kind", UNKNOWN_EVENTS)
def test_an_unknown_request_type_outside_a_session_is_answered_silently(
    kind: str, handler: Any
) -> None:
    assert handler(event_of(kind)(), None)["response"] == {}


@pytest.mark.parametrize("kind", UNKNOWN_NEW_SESSION)
def test_an_unknown_request_type_opening_a_session_is_answered_silently(
    kind: str, handler: Any
) -> None:
    assert handler(event_of(kind, env.Session(new=True))(), None)["response"] == {}


@pytest.mark.parametrize("kind", UNKNOWN_IN_SESSION)
def test_an_unknown_request_type_in_an_open_session_gets_the_fallback(
    kind: str, handler: Any, content: Content
) -> None:
    response = handler(event_of(kind, env.Session(new=False))(), None)["response"]
    speech = ssml.to_plain_text(response["outputSpeech"]["ssml"])
    assert after_the_safety_net(content, speech) in content.replies["fallback"].say
    assert response["shouldEndSession"] is False and response["reprompt"]


# --- Forged session attributes ------------------------------------------------------------

FORGED: list[tuple[str, str, dict[str, Any]]] = [
    ("heard-a-string", Intent.HELP, {"heard": "x"}),
    ("heard-a-list", Intent.HELP, {"heard": [1, 2]}),
    ("heard-not-indexes", Intent.HELP, {"heard": {"cue.x": "one"}}),
    (
        "last-fill-not-an-object",
        Intent.REPEAT,
        {"last": {"key": "help", "topic": False, "say": 0, "fill": "x"}},
    ),
    ("pending-key-a-list", Intent.YES, {"pending": {"kind": "topic", "key": ["why"]}}),
    ("sources-a-number", Intent.SOURCE, {"sources": 5}),
    ("sources-objects", Intent.SOURCE, {"sources": [{"a": 1}]}),
    ("routine-a-string", Intent.NEXT, {"routine": "full"}),
    ("routine-nested", Intent.NEXT, {"routine": {"length": "full", "position": [1]}}),
    ("not-ours", Intent.HELP, {"isAdmin": True}),
]


@pytest.mark.parametrize(
    ("intent", "attributes"), [case[1:] for case in FORGED], ids=[case[0] for case in FORGED]
)
def test_a_forged_session_attribute_is_dropped_not_trusted(
    intent: str, attributes: dict[str, Any], handler: Any, content: Content
) -> None:
    session = env.Session(new=False, attributes=copy.deepcopy(attributes))
    event = env.envelope(env.intent_request(intent, now=DAYTIME), OFFLINE, session)
    result = handler(event, None)
    speech = ssml.to_plain_text(result["response"]["outputSpeech"]["ssml"])
    assert speech not in content.replies["error"].say  # answered, not apologised for
    kept = result.get("sessionAttributes") or {}
    for name, value in attributes.items():
        assert kept.get(name) != value
        if name == "heard":
            assert all(isinstance(i, int) for i in kept.get("heard", {}).values())


def test_a_dropped_attribute_is_logged_by_name_only(
    handler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    session = env.Session(new=False, attributes={"heard": "amzn1.ask.account.FORGEDUSER"})
    handler(env.envelope(env.intent_request(Intent.HELP), OFFLINE, session), None)
    assert "session attribute dropped: heard" in caplog.text
    assert "FORGEDUSER" not in caplog.text
