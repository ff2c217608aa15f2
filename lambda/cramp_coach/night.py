"""Knowing it is 3 a.m. where the person is, and speaking accordingly.

Alexa's requests carry a UTC timestamp but no time zone, so the device's zone comes from the
Alexa Settings API. It is looked up at most once a day per device and kept in the person's
persistent attributes (and, for a warm Lambda, in memory), so most requests cost nothing and a
slow or failing Settings API costs at most its short timeout: then the last known zone is used,
and with none known, day mode.

Between 22:00 and 07:00 local time the skill speaks softly (Alexa's whisper effect), uses the
shortest phrasing of each answer, drops follow-up offers, and skips welcome chatter. "Speak
normally" or "whisper" overrides the softness either way, and is remembered.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from . import ids, ssml, state

log = logging.getLogger(__name__)

NIGHT_STARTS, NIGHT_ENDS = 22, 7  # local hours: [22:00, 07:00)
# persistent: device hash -> {"zone": "Europe/London", "checked": "2026-11-27", "offsets": ...}
ZONES = "zones"
VOICE = "voice"  # persistent: "whisper" or "normal", when the person chose one
WHISPER, NORMAL = "whisper", "normal"
PREFERENCE_TTL = 600.0  # seconds a warm process trusts its memory of the voice preference
_NIGHT_KEY = "night"  # request attribute: this request's Mode, computed once


@dataclass(frozen=True, slots=True)
class Mode:
    night: bool = False  # brief: shortest phrasings, no offers, no chatter
    whisper: bool = False
    local: datetime | None = None  # the local time, when the zone is known


DAY = Mode()


OFFSETS_BEFORE, OFFSETS_AFTER = 86_400, 2 * 86_400  # seconds covered around a zone lookup


@dataclass(frozen=True, slots=True)
class Offsets:
    """A zone's UTC offsets over a few days, so that a request needs no time zone database
    (loading one is a few milliseconds of every cold start). Made when the zone is looked up,
    kept with it; outside the days it covers, the zone database is used after all."""

    changes: tuple[tuple[int, int], ...]  # (from this UTC epoch second, offset in seconds)
    until: int  # covers [changes[0][0], until)

    @classmethod
    def of(cls, zone: str, now: datetime) -> Offsets | None:
        from zoneinfo import ZoneInfo

        try:
            tz = ZoneInfo(zone)
        except (KeyError, ValueError):
            return None

        def offset(epoch: int) -> int:
            shift = datetime.fromtimestamp(epoch, UTC).astimezone(tz).utcoffset()
            return int(shift.total_seconds()) if shift is not None else 0

        start = int(now.timestamp()) - OFFSETS_BEFORE
        until = int(now.timestamp()) + OFFSETS_AFTER
        changes = [(start, offset(start))]
        hour = start
        while hour < until:  # zones change at most once in an hour: find each change exactly
            step = min(hour + 3600, until)
            if offset(step) != changes[-1][1]:
                low, high = hour, step
                while high - low > 1:
                    middle = (low + high) // 2
                    if offset(middle) == changes[-1][1]:
                        low = middle
                    else:
                        high = middle
                changes.append((high, offset(high)))
            hour = step
        return cls(tuple(changes), until)

    def local(self, utc: datetime) -> datetime | None:
        epoch = utc.timestamp()
        if not self.changes or not self.changes[0][0] <= epoch < self.until:
            return None
        seconds = next(offset for start, offset in reversed(self.changes) if start <= epoch)
        return utc.astimezone(timezone(timedelta(seconds=seconds)))

    def to_json(self) -> dict[str, Any]:
        return {"changes": [list(change) for change in self.changes], "until": self.until}

    @classmethod
    def from_json(cls, raw: Any) -> Offsets | None:
        try:
            changes = tuple((int(start), int(offset)) for start, offset in raw["changes"])
            return cls(changes, int(raw["until"])) if changes else None
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(slots=True)
class _Profile:
    zone: str | None
    zone_checked: str | None
    voice: str | None
    loaded: float
    offsets: Offsets | None = None


class NightWatch:
    """Per-process memory of each device's zone and each person's voice choice."""

    def __init__(self, store: Any = None, api_enabled: bool = True) -> None:
        self.store = store
        self.api_enabled = api_enabled
        self._profiles: dict[str, _Profile] = {}
        self._lock = threading.Lock()

    # --- identities ---------------------------------------------------------------------------

    @staticmethod
    def _ids(handler_input: HandlerInput) -> tuple[str, str]:
        envelope = handler_input.request_envelope
        return ids.user_id(envelope) or "", ids.device_id(envelope) or ""

    @staticmethod
    def device_key(device_id: str) -> str:
        """Devices are kept by a hash of their id, never the id itself."""
        return sha256_hex(device_id)[:16]

    # --- time ---------------------------------------------------------------------------------

    @staticmethod
    def utc_now(handler_input: HandlerInput) -> datetime:
        """When Alexa sent the request (its own timestamp), else now."""
        stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
        if isinstance(stamp, datetime):
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def zone(self, handler_input: HandlerInput) -> str | None:
        """The device's time zone name ("Europe/London"), when known."""
        return self._profile(handler_input).zone

    def local_now(self, handler_input: HandlerInput) -> datetime | None:
        profile = self._profile(handler_input)
        zone = profile.zone
        if not zone:
            return None
        utc = self.utc_now(handler_input)
        local = profile.offsets.local(utc) if profile.offsets is not None else None
        if local is not None:
            return local
        try:
            from zoneinfo import ZoneInfo

            return utc.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError) as error:  # an unknown or malformed zone name
            log.warning("unusable time zone: %s", type(error).__name__)
            return None

    def local_date(self, handler_input: HandlerInput) -> str:
        local = self.local_now(handler_input)
        return (local or self.utc_now(handler_input)).date().isoformat()

    def mode(self, handler_input: HandlerInput) -> Mode:
        """This request's mode (computed once per request)."""
        attributes = handler_input.attributes_manager.request_attributes
        cached = attributes.get(_NIGHT_KEY)
        if isinstance(cached, Mode):
            return cached
        profile = self._profile(handler_input)
        local = self.local_now(handler_input)
        night = local is not None and (local.hour >= NIGHT_STARTS or local.hour < NIGHT_ENDS)
        whisper = night if profile.voice not in (WHISPER, NORMAL) else profile.voice == WHISPER
        mode = Mode(night=night, whisper=whisper, local=local)
        attributes[_NIGHT_KEY] = mode
        return mode

    # --- the voice preference -------------------------------------------------------------------

    def set_voice(self, handler_input: HandlerInput, store: Any, voice: str) -> bool:
        saved = state.update(handler_input, store, lambda a: a.update({VOICE: voice}))
        with self._lock:
            profile = self._profiles.get(self._cache_key(handler_input))
            if profile is not None:
                profile.voice = voice
        handler_input.attributes_manager.request_attributes.pop(_NIGHT_KEY, None)
        return saved is not None

    # --- the profile: memory, then persistent attributes, then the Settings API -----------------

    def _cache_key(self, handler_input: HandlerInput) -> str:
        user, device = self._ids(handler_input)
        return f"{user}\n{device}"  # memory only, never stored or logged

    def _profile(self, handler_input: HandlerInput) -> _Profile:
        key = self._cache_key(handler_input)
        today = self.utc_now(handler_input).date().isoformat()
        with self._lock:
            profile = self._profiles.get(key)
        # Fresh: loaded recently, and the zone checked today (or not knowable just now: then
        # the Settings API is asked again only after the same wait, never on every request).
        if (
            profile is not None
            and time.monotonic() - profile.loaded < PREFERENCE_TTL
            and (profile.zone_checked == today or profile.zone is None)
        ):
            return profile
        profile = self._load(handler_input, today)
        if not state.deleted(handler_input):  # a deleted person is not remembered again
            with self._lock:
                self._profiles[key] = profile
        return profile

    def forget(self, handler_input: HandlerInput) -> None:
        """Drop everything this process remembers of the person (on every device of theirs)."""
        user, _ = self._ids(handler_input)
        with self._lock:
            for key in [key for key in self._profiles if key.split("\n", 1)[0] == user]:
                del self._profiles[key]

    def _load(self, handler_input: HandlerInput, today: str) -> _Profile:
        _, device = self._ids(handler_input)
        device_key = self.device_key(device) if device else ""
        attributes = state.load(handler_input) or {}
        known = (attributes.get(ZONES) or {}).get(device_key) or {}
        zone, checked = known.get("zone"), known.get("checked")
        offsets = Offsets.from_json(known.get("offsets"))
        voice = attributes.get(VOICE)
        if checked != today and device and self.api_enabled:
            fetched = self._fetch_zone(handler_input, device)
            if fetched:
                zone, checked = fetched, today
                offsets = Offsets.of(fetched, self.utc_now(handler_input))
                self._remember_zone(handler_input, device_key, fetched, today, offsets)
        return _Profile(zone, checked, voice, time.monotonic(), offsets)

    def _fetch_zone(self, handler_input: HandlerInput, device_id: str) -> str | None:
        factory = handler_input.service_client_factory
        if factory is None:
            return None
        try:
            zone = factory.get_ups_service().get_system_time_zone(device_id)
        except Exception as error:  # slow, failing or refusing: the answer must not wait
            log.info("time zone lookup failed: %s", type(error).__name__)
            return None
        return zone if isinstance(zone, str) and zone else None

    def _remember_zone(
        self,
        handler_input: HandlerInput,
        device_key: str,
        zone: str,
        today: str,
        offsets: Offsets | None,
    ) -> None:
        record: dict[str, Any] = {"zone": zone, "checked": today}
        if offsets is not None:
            record["offsets"] = offsets.to_json()

        def keep(attributes: dict[str, Any]) -> None:
            zones = dict(attributes.get(ZONES) or {})
            zones[device_key] = record
            # Keep the few most recently checked devices, not every device ever seen.
            newest = sorted(zones.items(), key=lambda kv: str(kv[1].get("checked")), reverse=True)
            attributes[ZONES] = dict(newest[:8])

        state.update(handler_input, self.store, keep)


def sha256_hex(text: str) -> str:
    """SHA-256 without importing hashlib, whose OpenSSL binding costs a cold start ~4 ms:
    CPython's built-in implementation (`_sha2` from 3.12, `_sha256` before)."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found]
        except ImportError:  # another Python: the public module
            from hashlib import sha256
    return str(sha256(text.encode()).hexdigest())


def whispered(speech: ssml.Speech) -> ssml.Speech:
    """Alexa's whisper: soft enough for a sleeping partner, still clear up close."""
    return ssml.Speech(('<amazon:effect name="whispered">', *speech.fragments, "</amazon:effect>"))
