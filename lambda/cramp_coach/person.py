"""This request's person: their local time, local date and night mode, worked out once per
request by a request interceptor (as the SDK's samples do for the locale)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from . import clock
from .intents import SPOKEN
from .night import DAY, Mode, is_evening, mode_for
from .profiles import Profiles

_KEY = "person"  # request attribute: this request's Person


@dataclass(frozen=True, slots=True)
class Person:
    utc: datetime  # when Alexa sent the request
    local: datetime | None = None  # the same moment on the person's clock, when it is known
    zone: str | None = None  # the device's time zone name, when known
    mode: Mode = DAY

    @property
    def evening(self) -> bool:
        """18:00 to 22:00 on the person's clock: good night fits a sign-off, not yet night mode."""
        return is_evening(self.local)

    @property
    def today(self) -> str:
        """The person's local date (UTC when their time zone is unknown), as ISO text."""
        return (self.local or self.utc).date().isoformat()


def work_out(handler_input: HandlerInput, profiles: Profiles | None) -> Person:
    utc = clock.utc_now(handler_input)
    if profiles is None:
        return Person(utc)
    profile = profiles.get(handler_input)
    local = clock.in_zone(utc, profile.zone)
    zone = profile.zone if local is not None else None
    return Person(utc, local, zone, mode_for(local, profile.voice))


class PersonContext(AbstractRequestInterceptor):
    """Before any handler of a spoken request: who is speaking, when, and how to answer."""

    def __init__(self, profiles: Profiles | None) -> None:
        self.profiles = profiles

    def process(self, handler_input: HandlerInput) -> None:
        kind = getattr(handler_input.request_envelope.request, "object_type", None)
        if kind in SPOKEN:  # events (skill disabled, session ended) need no person
            refresh(handler_input, self.profiles)


def refresh(handler_input: HandlerInput, profiles: Profiles | None) -> Person:
    """Work the person out (again: after they changed their voice or moved)."""
    person = work_out(handler_input, profiles)
    handler_input.attributes_manager.request_attributes[_KEY] = person
    return person


def of(handler_input: HandlerInput) -> Person:
    """This request's person; for a request the interceptor skipped, the UTC clock in day mode."""
    person = handler_input.attributes_manager.request_attributes.get(_KEY)
    return person if isinstance(person, Person) else Person(clock.utc_now(handler_input))
