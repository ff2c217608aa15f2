"""A person's settings and their devices' time zones: a small repository over the store, the
Alexa Settings API and a bounded in-memory cache.

Alexa's requests carry a UTC timestamp but no time zone, so a device's zone comes from the
Settings API. It is looked up at most once a week per device (a person who moves can say so,
and it is looked up at once) and kept in the person's persistent attributes, so the typical
cold start (someone who used the skill last night) costs no API call. A slow or failing Settings
API costs at most its short timeout: then the last known zone is used, and with none, day mode.
A warm process keeps the few hundred most recent people in memory for ten minutes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from . import clock, ids, state
from .api_client import service_errors

log = logging.getLogger(__name__)

# persistent: device hash -> {"zone": "Europe/London", "checked": "2026-11-27"}
ZONES = "zones"
VOICE = "voice"  # persistent: "whisper" or "normal", when the person chose one
ZONE_REFRESH = timedelta(days=7)  # a device's zone is looked up again after this
PREFERENCE_TTL = 600.0  # seconds a warm process trusts its memory of a person
CACHE_SIZE = 512  # people a warm process remembers at most
KEPT_DEVICES = 8  # devices' zones kept per person: the most recently checked


@dataclass(frozen=True, slots=True)
class Profile:
    zone: str | None = None  # the device's time zone name, when known
    checked: str | None = None  # the local date it was last looked up
    voice: str | None = None  # the voice the person chose, if any


def device_key(device_id: str) -> str:
    """Devices are kept by a hash of their id, never the id itself."""
    return hashlib.sha256(device_id.encode()).hexdigest()[:16]


def zone_is_stale(checked: str | None, today: str) -> bool:
    """True when the zone was never looked up, or last looked up ZONE_REFRESH ago or more."""
    try:
        return checked is None or date.fromisoformat(today) - date.fromisoformat(checked) >= (
            ZONE_REFRESH
        )
    except ValueError:  # a malformed stored date: look it up again
        return True


class Profiles:
    """Each person's profile on the device they speak to: from memory while fresh, else from
    the store, with the zone looked up again when it is a week old."""

    def __init__(
        self,
        store: Any = None,
        *,
        api_enabled: bool = True,
        ttl: float = PREFERENCE_TTL,
        size: int = CACHE_SIZE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.api_enabled = api_enabled
        self._ttl, self._size, self._monotonic = ttl, size, monotonic
        self._memory: OrderedDict[tuple[str, str], tuple[Profile, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, handler_input: HandlerInput) -> Profile:
        key = _key(handler_input)
        today = clock.utc_now(handler_input).date().isoformat()
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None:
                self._memory.move_to_end(key)
        # Fresh: loaded recently, and the zone not due (or not knowable just now: then the
        # Settings API is asked again only after the same wait, never on every request).
        if cached is not None and self._monotonic() - cached[1] < self._ttl:
            profile = cached[0]
            if profile.zone is None or not zone_is_stale(profile.checked, today):
                return profile
        profile, _ = self._load(handler_input, today, refresh=False)
        self._remember(handler_input, key, profile)
        return profile

    def relearn_zone(self, handler_input: HandlerInput) -> bool:
        """The person moved: look the device's zone up now, whatever is known. False when the
        Settings API could not say (the last known zone is kept)."""
        today = clock.utc_now(handler_input).date().isoformat()
        profile, looked_up = self._load(handler_input, today, refresh=True)
        self._remember(handler_input, _key(handler_input), profile)
        return looked_up

    def set_voice(self, handler_input: HandlerInput, voice: str) -> bool:
        """Remember the person's voice choice; False when the store could not keep it."""
        saved = state.update(handler_input, self.store, lambda a: a.update({VOICE: voice}))
        key = _key(handler_input)
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None:
                self._memory[key] = (replace(cached[0], voice=voice), cached[1])
        return saved is not None

    def forget(self, handler_input: HandlerInput) -> None:
        """Drop everything this process remembers of the person (on every device of theirs)."""
        user, _ = _key(handler_input)
        with self._lock:
            for key in [key for key in self._memory if key[0] == user]:
                del self._memory[key]

    def _remember(self, handler_input: HandlerInput, key: tuple[str, str], p: Profile) -> None:
        if state.deleted(handler_input):  # a deleted person is not remembered again
            return
        with self._lock:
            self._memory[key] = (p, self._monotonic())
            self._memory.move_to_end(key)
            while len(self._memory) > self._size:
                self._memory.popitem(last=False)

    def _load(
        self, handler_input: HandlerInput, today: str, *, refresh: bool
    ) -> tuple[Profile, bool]:
        """The stored profile, its zone looked up when due (or `refresh`); and whether the
        Settings API answered."""
        device = ids.device_id(handler_input.request_envelope) or ""
        attributes = state.load(handler_input) or {}
        zones = attributes.get(ZONES)
        known = (
            zones.get(device_key(device)) if isinstance(zones, dict) and device else None
        ) or {}
        zone, checked = known.get("zone"), known.get("checked")
        voice = attributes.get(VOICE)
        profile = Profile(
            zone if isinstance(zone, str) else None,
            checked if isinstance(checked, str) else None,
            voice if isinstance(voice, str) else None,
        )
        if device and self.api_enabled and (refresh or zone_is_stale(profile.checked, today)):
            fetched = _fetch_zone(handler_input, device)
            if fetched:
                profile = replace(profile, zone=fetched, checked=today)
                self._keep_zone(handler_input, device_key(device), fetched, today)
                return profile, True
        return profile, False

    def _keep_zone(self, handler_input: HandlerInput, device: str, zone: str, today: str) -> None:
        def keep(attributes: dict[str, Any]) -> None:
            zones = dict(attributes.get(ZONES) or {})
            zones[device] = {"zone": zone, "checked": today}
            newest = sorted(zones.items(), key=lambda kv: str(kv[1].get("checked")), reverse=True)
            attributes[ZONES] = dict(newest[:KEPT_DEVICES])

        state.update(handler_input, self.store, keep)


def _key(handler_input: HandlerInput) -> tuple[str, str]:
    """Memory only, never stored or logged."""
    envelope = handler_input.request_envelope
    return ids.user_id(envelope) or "", ids.device_id(envelope) or ""


def _fetch_zone(handler_input: HandlerInput, device_id: str) -> str | None:
    factory = handler_input.service_client_factory
    if factory is None:
        return None
    try:
        zone = factory.get_ups_service().get_system_time_zone(device_id)
    except service_errors() as error:  # slow, failing or refusing: the answer must not wait
        log.info("time zone lookup failed: %s", type(error).__name__)
        return None
    return zone if isinstance(zone, str) and zone else None
