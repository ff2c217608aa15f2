"""Real Alexa request envelopes, built locally for the terminal chat and the tests.

The shapes follow Alexa's request JSON reference: a `session` (absent for skill events), a
`context.System` with application, user, device, apiEndpoint and apiAccessToken, and the
`request` itself. Slots carry entity resolutions exactly as Alexa sends them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0ac"


@dataclass(frozen=True, slots=True)
class Device:
    """Who is talking, on which device: the parts of an envelope that stay the same."""

    skill_id: str = LOCAL_SKILL_ID
    user_id: str = "amzn1.ask.account.LOCALUSER"
    device_id: str = "amzn1.ask.device.LOCALDEVICE"
    locale: str = "en-US"
    api_endpoint: str = "https://api.amazonalexa.com"
    api_access_token: str = "local-api-access-token"
    supported_interfaces: Mapping[str, Any] = field(default_factory=dict)
    granted_scopes: frozenset[str] = frozenset()  # e.g. the reminders read/write scope
    viewport: Viewport | None = None  # a device with a screen: what context.Viewport says


@dataclass(frozen=True, slots=True)
class Viewport:
    """A screen, as a device describes it in `context.Viewport` (pixels at `dpi`)."""

    shape: str  # "RECTANGLE" or "ROUND"
    pixel_width: int
    pixel_height: int
    dpi: int = 160

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": "HUB",
            "shape": self.shape,
            "pixelWidth": self.pixel_width,
            "pixelHeight": self.pixel_height,
            "currentPixelWidth": self.pixel_width,
            "currentPixelHeight": self.pixel_height,
            "dpi": self.dpi,
            "touch": ["SINGLE"],
            "keyboard": [],
        }


# The screens of the viewport profiles the skill declares (skill.json), by profile name.
SCREENS: Mapping[str, Viewport] = {
    "hubRoundSmall": Viewport("ROUND", 480, 480),  # Echo Spot
    "hubLandscapeSmall": Viewport("RECTANGLE", 960, 480),  # Echo Show 5
    "hubLandscapeMedium": Viewport("RECTANGLE", 1024, 600),  # Echo Show (2nd gen)
    "hubLandscapeLarge": Viewport("RECTANGLE", 1280, 800),  # Echo Show 8 and 10
    "hubLandscapeXLarge": Viewport("RECTANGLE", 1920, 1080),  # Echo Show 15
    "hubPortraitMedium": Viewport("RECTANGLE", 1080, 1920),  # Echo Show 15, upright
}
APL = "Alexa.Presentation.APL"


def with_screen(device: Device, profile: str, apl_version: str = "2023.3") -> Device:
    """The same device with a screen of this viewport profile, and an APL runtime."""
    interfaces = {**device.supported_interfaces, APL: {"runtime": {"maxVersion": apl_version}}}
    return replace(device, supported_interfaces=interfaces, viewport=SCREENS[profile])


@dataclass
class Session:
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Slot:
    """A slot as heard: the words, and the value id they resolved to (None: no match)."""

    value: str
    value_id: str | None = None
    value_name: str | None = None
    slot_type: str = ""


def timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _request_base(kind: str, locale: str, now: datetime | None) -> dict[str, Any]:
    return {
        "type": kind,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": timestamp(now),
        "locale": locale,
    }


def launch_request(
    locale: str = "en-US", now: datetime | None = None, task: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A LaunchRequest; `task` ({"name", "version", "input"}) when a custom task launched it."""
    request = _request_base("LaunchRequest", locale, now)
    if task is not None:
        request["task"] = dict(task)
    return request


def slot_json(name: str, slot: Slot | None, skill_id: str = LOCAL_SKILL_ID) -> dict[str, Any]:
    if slot is None:
        return {"name": name, "confirmationStatus": "NONE"}
    if slot.slot_type.startswith("AMAZON."):  # built-in types carry no entity resolutions
        return {"name": name, "value": slot.value, "confirmationStatus": "NONE", "source": "USER"}
    authority: dict[str, Any] = {
        "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{slot.slot_type}",
        "status": {"code": "ER_SUCCESS_MATCH" if slot.value_id else "ER_SUCCESS_NO_MATCH"},
    }
    if slot.value_id:
        authority["values"] = [
            {"value": {"name": slot.value_name or slot.value, "id": slot.value_id}}
        ]
    return {
        "name": name,
        "value": slot.value,
        "confirmationStatus": "NONE",
        "source": "USER",
        "resolutions": {"resolutionsPerAuthority": [authority]},
    }


def intent_request(
    name: str,
    slots: Mapping[str, Slot | None] | None = None,
    locale: str = "en-US",
    now: datetime | None = None,
    skill_id: str = LOCAL_SKILL_ID,
) -> dict[str, Any]:
    """An IntentRequest. Pass every slot the intent declares; None marks an unfilled one."""
    request = _request_base("IntentRequest", locale, now)
    intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = {n: slot_json(n, s, skill_id) for n, s in slots.items()}
    request["intent"] = intent
    return request


def session_ended_request(
    reason: str = "USER_INITIATED",
    error_type: str | None = None,
    message: str = "",
    locale: str = "en-US",
    now: datetime | None = None,
) -> dict[str, Any]:
    request = _request_base("SessionEndedRequest", locale, now)
    request["reason"] = reason
    if error_type:
        request["error"] = {"type": error_type, "message": message}
    return request


def connections_response(
    name: str,
    payload: Mapping[str, Any],
    token: str,
    locale: str = "en-US",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Alexa's answer to a Connections.SendRequest directive (for example AskFor)."""
    request = _request_base("Connections.Response", locale, now)
    request.update(
        {
            "status": {"code": "200", "message": "OK"},
            "name": name,
            "payload": dict(payload),
            "token": token,
        }
    )
    return request


def user_event(
    arguments: list[Any],
    token: str | None,
    locale: str = "en-US",
    now: datetime | None = None,
) -> dict[str, Any]:
    """A touch on a screen: an APL document's SendEvent, with its arguments."""
    request = _request_base("Alexa.Presentation.APL.UserEvent", locale, now)
    request.update(
        {
            "token": token or "",
            "arguments": list(arguments),
            "source": {"type": "TouchWrapper", "handler": "Press", "id": ""},
        }
    )
    return request


def envelope(
    request: Mapping[str, Any],
    device: Device = Device(),
    session: Session | None = None,
    shown: str | None = None,
) -> dict[str, Any]:
    """Wrap a request for this device; `session=None` makes an out-of-session request;
    `shown` is the token of the APL document on the device's screen."""
    user: dict[str, Any] = {"userId": device.user_id}
    if device.granted_scopes:
        user["permissions"] = {
            "consentToken": device.api_access_token,
            "scopes": {scope: {"status": "GRANTED"} for scope in sorted(device.granted_scopes)},
        }
    system: dict[str, Any] = {
        "application": {"applicationId": device.skill_id},
        "user": user,
        "device": {
            "deviceId": device.device_id,
            "supportedInterfaces": dict(device.supported_interfaces),
        },
        "apiEndpoint": device.api_endpoint,
        "apiAccessToken": device.api_access_token,
    }
    context: dict[str, Any] = {"System": system}
    if device.viewport is not None:
        context["Viewport"] = device.viewport.to_json()
        if shown is not None:
            context[APL] = {"token": shown, "version": "AplRenderer-1"}
    result: dict[str, Any] = {"version": "1.0", "context": context, "request": dict(request)}
    if session is not None:
        result["session"] = {
            "new": session.new,
            "sessionId": session.session_id,
            "application": {"applicationId": device.skill_id},
            "attributes": dict(session.attributes),
            "user": dict(user),
        }
    return result
