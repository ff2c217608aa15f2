"""The bedtime reminder: when it rings, how it repeats, and how Alexa's Reminders API is asked.

A reminder rings at a time every night, weekday or weekend (`Schedule`), once at a time on one
day (`Once`: "tomorrow at ten"), or once after a while (`Later`: "in an hour"). Recurring
reminders use the current recurrence form (`recurrenceRules` RRULE strings with a
`startDateTime`, and the device's `timeZoneId`), not the deprecated `freq`/`byDay` fields; a
one-off at a time is SCHEDULED_ABSOLUTE with a `scheduledTime` and no recurrence, and one after a
while is SCHEDULED_RELATIVE with `offsetInSeconds` (Alexa Reminders API reference).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

from . import ssml
from .content import Content


def repair_sdk_model() -> None:
    """ask-sdk-model (1.82) types AlertInfo.spoken_info as
    `...reminder_management.alert_info_spoken_info.SpokenInfo`, a module it does not ship, so
    the SDK cannot read any reminder Alexa returns (GET /v1/alerts/reminders fails with a
    SerializationException). Alias the module to the one that holds SpokenInfo. Does nothing
    once the SDK ships the module (tests/test_reminders.py checks both). Called before the
    first Reminders API call, not at import: most requests never touch reminders."""
    import importlib
    import sys

    name = "ask_sdk_model.services.reminder_management.alert_info_spoken_info"
    try:
        importlib.import_module(name)
    except ImportError:
        from ask_sdk_model.services.reminder_management import spoken_info

        sys.modules[name] = spoken_info


SCOPE = "alexa::alerts:reminders:skill:readwrite"
RULES = {
    "DAILY": "FREQ=DAILY",
    "WEEKDAYS": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "WEEKENDS": "FREQ=WEEKLY;BYDAY=SA,SU",
}
# The weekdays (Monday 0) each recurrence rings on.
RINGS_ON = {"DAILY": frozenset(range(7)), "WEEKDAYS": frozenset(range(5)), "WEEKENDS": {5, 6}}
# AMAZON.TIME's words for parts of the day, as bedtime hours.
PARTS_OF_DAY = {"NI": (22, 0), "EV": (20, 0), "AF": (15, 0), "MO": (9, 0)}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DURATION = re.compile(
    r"^P(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?$"
)
_SECONDS = {"W": 604800, "D": 86400, "H": 3600, "M": 60, "S": 1}
# A reminder "in ..." rings at least a minute and at most a week from now.
SOONEST, LATEST = 60, 7 * 86400
LATE_HOURS = 5  # 00:00-04:59 is a late bedtime: it sorts after the evening


@dataclass(frozen=True, slots=True)
class Schedule:
    hour: int
    minute: int
    frequency: str = "DAILY"

    def rule(self) -> str:
        when = f"BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND=0"
        return f"{RULES[self.frequency]};{when};INTERVAL=1"

    def to_token(self) -> str:
        return json.dumps({"hour": self.hour, "minute": self.minute, "frequency": self.frequency})

    @classmethod
    def from_token(cls, token: Any) -> Schedule | None:
        try:
            raw = json.loads(token) if isinstance(token, str) else token
            schedule = cls(int(raw["hour"]), int(raw["minute"]), str(raw["frequency"]))
        except (TypeError, ValueError, KeyError):
            return None
        return schedule if schedule.valid() else None

    def valid(self) -> bool:
        return 0 <= self.hour < 24 and 0 <= self.minute < 60 and self.frequency in RULES

    def spoken_time(self, content: Content) -> str:
        return content.time_of_day(self.hour, self.minute)

    def spoken_when(self, content: Content) -> str:
        return content.words[self.frequency]

    def spoken(self, content: Content) -> str:
        """The reminder in a list: 'every night at 10 PM'."""
        return content.words["reminder_item"].format(
            when=self.spoken_when(content), time=self.spoken_time(content)
        )

    def fill(self, content: Content, local_now: datetime) -> dict[str, str]:
        return {"when": self.spoken_when(content), "time": self.spoken_time(content)}

    def at_time(self, hour: int, minute: int, local_now: datetime) -> Schedule:
        """The same reminder, moved to another time."""
        return Schedule(hour, minute, self.frequency)


@dataclass(frozen=True, slots=True)
class Once:
    """A reminder that rings once, at a time on one day (the person's local clock)."""

    day: date
    hour: int
    minute: int

    @property
    def moment(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, self.hour, self.minute)

    def to_token(self) -> str:
        return json.dumps({"day": self.day.isoformat(), "hour": self.hour, "minute": self.minute})

    def passed(self, local_now: datetime) -> bool:
        return self.moment <= local_now.replace(tzinfo=None)

    def fill(self, content: Content, local_now: datetime) -> dict[str, str]:
        """{when}: 'tonight', 'today', 'tomorrow' or 'on November 30'; {time}: '10 PM'."""
        ahead = (self.day - local_now.date()).days
        if ahead == 0:
            when = content.words["ONCE_TONIGHT" if self.hour >= 18 else "ONCE_TODAY"]
        elif ahead == 1:
            when = content.words["ONCE_TOMORROW"]
        else:
            month = content.months[self.day.month - 1]
            when = content.words["ONCE_ON"].format(month=month, day=self.day.day)
        return {"when": when, "time": content.time_of_day(self.hour, self.minute)}

    def spoken(self, content: Content, local_now: datetime) -> str:
        """The reminder in a list: 'once tomorrow at 10 PM'."""
        return content.words["ONCE_ITEM"].format_map(self.fill(content, local_now))

    def at_time(self, hour: int, minute: int, local_now: datetime) -> Once:
        return Once(self.day, hour, minute)


@dataclass(frozen=True, slots=True)
class Later:
    """A reminder that rings once, `seconds` after it is set."""

    seconds: int

    def to_token(self) -> str:
        return json.dumps({"after": self.seconds})

    def rings(self, local_now: datetime) -> Once:
        """When it will ring, on the local clock, to the nearest minute."""
        moment = local_now.replace(tzinfo=None) + timedelta(seconds=self.seconds + 30)
        return Once(moment.date(), moment.hour, moment.minute)

    def fill(self, content: Content, local_now: datetime) -> dict[str, str]:
        return self.rings(local_now).fill(content, local_now)

    def at_time(self, hour: int, minute: int, local_now: datetime) -> Once:
        """Moved to a time: once, at its next occurrence."""
        return next_at(hour, minute, local_now)


When: TypeAlias = Schedule | Once | Later


def next_at(hour: int, minute: int, local_now: datetime) -> Once:
    """Once, at the next time the clock shows hour:minute."""
    today = Once(local_now.date(), hour, minute)
    return today if not today.passed(local_now) else Once(today.day + timedelta(1), hour, minute)


def from_token(token: Any) -> When | None:
    """The reminder a token (`to_token`) describes; None for anything else."""
    try:
        raw = json.loads(token) if isinstance(token, str) else token
        if isinstance(raw, dict) and "after" in raw:
            later = Later(int(raw["after"]))
            return later if SOONEST <= later.seconds <= LATEST else None
        if isinstance(raw, dict) and "day" in raw:
            once = Once(date.fromisoformat(str(raw["day"])), int(raw["hour"]), int(raw["minute"]))
            return once if 0 <= once.hour < 24 and 0 <= once.minute < 60 else None
    except (TypeError, ValueError, KeyError):
        return None
    return Schedule.from_token(token)


def covers(existing: When, wanted: When) -> bool:
    """Whether `existing` already rings whenever `wanted` would (so setting it again would
    make a second, identical reminder). A reminder "in ..." is never the same as another."""
    if isinstance(wanted, Later) or isinstance(existing, Later):
        return False
    if (existing.hour, existing.minute) != (wanted.hour, wanted.minute):
        return False
    if isinstance(existing, Schedule) and isinstance(wanted, Schedule):
        return existing.frequency in (wanted.frequency, "DAILY")
    if isinstance(existing, Schedule) and isinstance(wanted, Once):
        return wanted.day.weekday() in RINGS_ON[existing.frequency]
    return existing == wanted


def order(when: When) -> tuple[Any, ...]:
    """Recurring reminders first, from the evening on; then one-offs, soonest first."""
    if isinstance(when, Schedule):
        late = when.hour < LATE_HOURS
        return (0, when.hour + 24 * late, when.minute, list(RULES).index(when.frequency))
    if isinstance(when, Once):
        return (1, when.moment.isoformat(), 0, 0)
    return (2, when.seconds, 0, 0)


def spoken(when: When, content: Content, local_now: datetime) -> str:
    """A reminder in a list: 'every night at 10 PM', 'tomorrow at 10 PM' (one "in a while",
    when the API did not say when it was set: 'a one-off reminder')."""
    if isinstance(when, Schedule):
        return when.spoken(content)
    if isinstance(when, Later):
        return content.words["LATER"]
    return when.spoken(content, local_now)


def read_day(value: str | None) -> date | None:
    """An AMAZON.DATE value that names one day ("2026-11-28"); None for a week, a weekend,
    a month or anything else ("2026-W48-WE", "PRESENT_REF")."""
    if not value or not _DATE.match(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def read_duration(value: str | None) -> int | None:
    """An AMAZON.DURATION value ("PT1H", "PT1H30M", "PT0.5H") in whole seconds, when it is a
    while a reminder can wait (a minute to a week); None otherwise."""
    match = _DURATION.match((value or "").strip().upper())
    if not match or not any(match.groupdict().values()):
        return None
    seconds = round(sum(float(v) * _SECONDS[k] for k, v in match.groupdict().items() if v))
    return seconds if SOONEST <= seconds <= LATEST else None


def bedtime(value: str | None) -> tuple[int, int] | None:
    """An AMAZON.TIME value as a bedtime: "10:00" (said as "ten") means 10 PM.

    Alexa resolves "ten" and "ten AM" alike to 10:00; nobody sets a bedtime stretch reminder for
    the morning, so 05:00-11:59 are read as evening. 00:00-04:59 stay (a late bedtime), as do
    12:00-23:59.
    """
    if not value:
        return None
    value = value.strip().upper()
    if value in PARTS_OF_DAY:
        return PARTS_OF_DAY[value]
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    if 5 <= hour < 12:
        hour += 12
    return hour, minute


def reminder_request(
    when: When,
    content: Content,
    local_now: datetime,
    time_zone: str | None,
    locale: str | None = None,
) -> Any:
    """The SDK's ReminderRequest for this reminder (its models are imported only here). Its
    text is in the content's words, marked with the request's `locale` (the device's: Alexa
    speaks the text whose locale is the device's), or the content's own when not given."""
    from ask_sdk_model.services.reminder_management import (
        AlertInfo,
        PushNotification,
        PushNotificationStatus,
        Recurrence,
        ReminderRequest,
        SpokenInfo,
        SpokenText,
        Trigger,
        TriggerType,
    )

    naive = local_now.replace(tzinfo=None, microsecond=0)
    if isinstance(when, Schedule):
        start = naive.replace(hour=0, minute=0, second=0)
        trigger = Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            time_zone_id=time_zone,
            recurrence=Recurrence(start_date_time=start, recurrence_rules=[when.rule()]),
        )
    elif isinstance(when, Once):
        trigger = Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=when.moment,
            time_zone_id=time_zone,
        )
    else:
        trigger = Trigger(
            object_type=TriggerType.SCHEDULED_RELATIVE, offset_in_seconds=when.seconds
        )
    text = content.words["reminder_text"]
    return ReminderRequest(
        request_time=naive,
        trigger=trigger,
        alert_info=AlertInfo(
            spoken_info=SpokenInfo(
                content=[
                    SpokenText(
                        locale=locale or content.locale, text=text, ssml=ssml.text(text).ssml()
                    )
                ]
            )
        ),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def schedule_of(reminder: Any, time_zone: str | None = None) -> When | None:
    """Read back our reminder from one the API returned (an SDK object): recurring, once at a
    time, or once after a while (placed on the clock from when it was created, if known)."""
    trigger = getattr(reminder, "trigger", None)
    recurrence = getattr(trigger, "recurrence", None)
    rules = getattr(recurrence, "recurrence_rules", None) or []
    for rule in rules:
        parts = dict(p.split("=", 1) for p in str(rule).strip(";").split(";") if "=" in p)
        try:
            hour, minute = int(parts["BYHOUR"]), int(parts.get("BYMINUTE", 0))
        except (KeyError, ValueError):
            continue
        days = parts.get("BYDAY", "")
        frequency = {"MO,TU,WE,TH,FR": "WEEKDAYS", "SA,SU": "WEEKENDS"}.get(days, "DAILY")
        return Schedule(hour, minute, frequency)
    scheduled = getattr(trigger, "scheduled_time", None)
    if isinstance(scheduled, datetime) and not rules:
        return Once(scheduled.date(), scheduled.hour, scheduled.minute)
    offset = getattr(trigger, "offset_in_seconds", None)
    if isinstance(offset, int) and offset > 0:
        created = getattr(reminder, "created_time", None)
        if isinstance(created, datetime) and time_zone:
            return _rings(created, offset, time_zone) or Later(offset)
        return Later(offset)
    return None


def _rings(created: datetime, offset: int, time_zone: str) -> Once | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    moment = created.replace(tzinfo=created.tzinfo or UTC) + timedelta(seconds=offset + 30)
    local = moment.astimezone(zone)
    return Once(local.date(), local.hour, local.minute)


def problem(error: Exception) -> str:
    """Which reply an API failure deserves."""
    status = getattr(error, "status_code", None)
    body = getattr(error, "body", None)
    code = str(getattr(body, "code", "") or "").upper()
    if status in (401, 403) and "MAX" in code:
        return "reminder_max"
    if status in (401, 403) and "DEVICE" in code:
        return "reminder_device"
    if status in (401, 403):
        return "reminder_needs_permission"
    if status in (400, 404, 409):
        return "reminder_invalid"
    return "reminder_unavailable"  # 429, 5xx, timeouts, connection failures
