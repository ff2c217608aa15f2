"""The bedtime reminder: when it rings, how it repeats, and how Alexa's Reminders API is asked.

Recurring reminders use the current recurrence form (`recurrenceRules` RRULE strings with a
`startDateTime`, and the device's `timeZoneId`), not the deprecated `freq`/`byDay` fields.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
# AMAZON.TIME's words for parts of the day, as bedtime hours.
PARTS_OF_DAY = {"NI": (22, 0), "EV": (20, 0), "AF": (15, 0), "MO": (9, 0)}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


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
    schedule: Schedule, content: Content, local_now: datetime, time_zone: str | None
) -> Any:
    """The SDK's ReminderRequest for this schedule (its models are imported only here)."""
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
    start = naive.replace(hour=0, minute=0, second=0)
    text = content.words["reminder_text"]
    return ReminderRequest(
        request_time=naive,
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            time_zone_id=time_zone,
            recurrence=Recurrence(start_date_time=start, recurrence_rules=[schedule.rule()]),
        ),
        alert_info=AlertInfo(
            spoken_info=SpokenInfo(
                content=[SpokenText(locale=content.locale, text=text, ssml=ssml.text(text).ssml())]
            )
        ),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def schedule_of(reminder: Any) -> Schedule | None:
    """Read back our schedule from a reminder the API returned (an SDK object)."""
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
    return None


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
