"""Bedtime reminders by voice: set, list, change and stop them (Alexa Reminders API), asking
for the reminders permission by voice first (the AskFor connection) and falling back to the
consent card.

A reminder is set the way it was asked for: every night (or weekday, or weekend) at a time,
once on a day ("tomorrow at ten"), or once after a while ("in an hour"). One that an existing
reminder already covers is not set twice; "change it" with several reminders asks which one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import deadline, metrics, person, slots
from ..api_client import call_timeout, service_errors
from ..deps import Deps
from ..ids import permissions_of
from ..intents import Intent, Request, Slot
from ..metrics import Metric
from ..questions import Action, Asked, Question, asked
from ..reminders import (
    RULES,
    SCOPE,
    Later,
    Once,
    Schedule,
    When,
    bedtime,
    covers,
    from_token,
    order,
    problem,
    read_day,
    read_duration,
    reminder_request,
    repair_sdk_model,
    schedule_of,
    spoken,
)
from ..respond import say_prompt
from .base import IntentHandler
from .lazy import Loaded

log = logging.getLogger(__name__)
SERVICE_ERRORS = service_errors()


def consent_card() -> Any:
    from ask_sdk_model.ui import AskForPermissionsConsentCard

    return AskForPermissionsConsentCard(permissions=[SCOPE])


def has_permission(handler_input: HandlerInput) -> bool:
    permissions = permissions_of(handler_input.request_envelope)
    if permissions is None:
        return False
    scope = (permissions.scopes or {}).get(SCOPE)
    if scope is not None and scope.status is not None:
        return str(getattr(scope.status, "value", scope.status)) == "GRANTED"
    return bool(permissions.consent_token)


Found = list[tuple[When, Any]]  # our reminders, read back, each with the API's alert


class Reminders:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _service(self, handler_input: HandlerInput) -> Any:
        repair_sdk_model()
        factory = handler_input.service_client_factory
        if factory is None:  # the request carried no API endpoint or token
            from ask_sdk_core.exceptions import ApiClientException

            raise ApiClientException("no Alexa API client for this request")
        return factory.get_reminder_management_service()

    def _ours(self, handler_input: HandlerInput) -> list[Any]:
        response = self._service(handler_input).get_reminders()
        alerts = getattr(response, "alerts", None) or []
        return [a for a in alerts if str(getattr(a.status, "value", a.status)) != "COMPLETED"]

    def found(self, handler_input: HandlerInput, default: When | None = None) -> Found:
        """Our reminders, read back and in the order they are spoken (one that cannot be read
        back counts as `default`, or is left out)."""
        zone = person.of(handler_input).zone
        found: Found = []
        for alert in self._ours(handler_input):
            when = schedule_of(alert, zone) or default
            if when is not None:
                found.append((when, alert))
        return sorted(found, key=lambda pair: order(pair[0]))

    def now(self, handler_input: HandlerInput) -> datetime:
        someone = person.of(handler_input)
        return someone.local or someone.utc

    def _fill(self, handler_input: HandlerInput, when: When) -> dict[str, str]:
        return when.fill(self.deps.content_for(handler_input), self.now(handler_input))

    def _request(self, handler_input: HandlerInput, when: When) -> Any:
        content = self.deps.content_for(handler_input)
        zone = person.of(handler_input).zone
        locale = getattr(handler_input.request_envelope.request, "locale", None)
        return reminder_request(when, content, self.now(handler_input), zone, locale)

    def spoken_list(self, handler_input: HandlerInput, found: Found) -> dict[str, str]:
        content = self.deps.content_for(handler_input)
        now = self.now(handler_input)
        items = [spoken(when, content, now) for when, _ in found]
        return {"count": str(len(items)), "list": content.spoken_list(items)}

    def failed(self, handler_input: HandlerInput, error: Exception) -> Response:
        key = problem(error)
        log.warning(
            "reminders API failed: %s %s", type(error).__name__, getattr(error, "status_code", "")
        )
        if key == "reminder_needs_permission":
            return self.needs_permission(handler_input)
        return say_prompt(handler_input, self.deps, key)

    def needs_permission(self, handler_input: HandlerInput) -> Response:
        """Say so, and send the consent card to the Alexa app."""
        response = say_prompt(handler_input, self.deps, "reminder_needs_permission")
        handler_input.response_builder.set_card(consent_card())
        return response

    def ask_permission(self, handler_input: HandlerInput, when: When) -> Response:
        """Alexa asks the person for the permission; the answer comes back as a
        Connections.Response (or SessionResumedRequest) carrying this token."""
        from ask_sdk_model.interfaces.connections import SendRequestDirective

        builder = handler_input.response_builder
        builder.add_directive(
            SendRequestDirective(
                name="AskFor",
                payload={
                    "@type": "AskForPermissionsConsentRequest",
                    "@version": "1",
                    "permissionScope": SCOPE,
                },
                token=when.to_token(),
            )
        )
        builder.set_should_end_session(True)
        response: Response = builder.response
        return response

    def create(self, handler_input: HandlerInput, when: When) -> Response:
        """Set the reminder, unless one the person has already rings whenever it would."""
        try:
            same = next((w for w, _ in self.found(handler_input) if covers(w, when)), None)
            if same is None:
                self._service(handler_input).create_reminder(self._request(handler_input, when))
        except SERVICE_ERRORS as error:
            return self.failed(handler_input, error)
        if same is not None:
            content = self.deps.content_for(handler_input)
            item = spoken(same, content, self.now(handler_input))
            return say_prompt(handler_input, self.deps, "reminder_exists", {"item": item})
        metrics.count(handler_input, Metric.REMINDER_CREATED)
        key = "reminder_set" if isinstance(when, Schedule) else "reminder_set_once"
        return say_prompt(handler_input, self.deps, key, self._fill(handler_input, when))

    def set(self, handler_input: HandlerInput, when: When) -> Response:
        if not has_permission(handler_input):
            return self.ask_permission(handler_input, when)
        return self.create(handler_input, when)

    def ask_time(self, handler_input: HandlerInput, key: str, **data: Any) -> Response:
        """Ask for the time (again); the answer is read with what was said so far (`data`)."""
        return say_prompt(handler_input, self.deps, key, asking=Question.REMINDER_TIME, **data)

    def change(
        self,
        handler_input: HandlerInput,
        hour: int,
        minute: int,
        picked: Callable[[Found], tuple[When, Any] | None],
    ) -> Response:
        """Move the reminder `picked` names (or the only one) to hour:minute, keeping how it
        repeats; with several and none named, ask which."""
        try:
            found = self.found(handler_input, default=Schedule(hour, minute))
        except SERVICE_ERRORS as error:
            return self.failed(handler_input, error)
        if not found:
            schedule = Schedule(hour, minute)
            return say_prompt(
                handler_input,
                self.deps,
                "reminder_none_to_change",
                self._fill(handler_input, schedule),
                asking=Question.CREATE_REMINDER,
                token=schedule.to_token(),
            )
        target = found[0] if len(found) == 1 else picked(found)
        if target is None:
            return self.ask_which(handler_input, hour, minute, found)
        current, alert = target
        moved = current.at_time(hour, minute, self.now(handler_input))
        try:
            self._service(handler_input).update_reminder(
                alert.alert_token, self._request(handler_input, moved)
            )
        except SERVICE_ERRORS as error:
            return self.failed(handler_input, error)
        metrics.count(handler_input, Metric.REMINDER_CHANGED)
        return say_prompt(
            handler_input, self.deps, "reminder_changed", self._fill(handler_input, moved)
        )

    def ask_which(
        self, handler_input: HandlerInput, hour: int, minute: int, found: Found
    ) -> Response:
        content = self.deps.content_for(handler_input)
        fill = {**self.spoken_list(handler_input, found), "time": content.time_of_day(hour, minute)}
        return say_prompt(
            handler_input,
            self.deps,
            "reminder_which",
            fill,
            asking=Question.WHICH_REMINDER,
            hour=hour,
            minute=minute,
        )


def named(
    choice: str | None, frequency: str | None, at: tuple[int, int] | None
) -> Callable[[Found], tuple[When, Any] | None]:
    """Which of the reminders the person named: "the first one" (`choice`: 1, 2, 3 or LAST),
    "the weekend one" (`frequency`), "the ten o'clock one" (`at`); None if that names no one
    reminder."""

    def pick(found: Found) -> tuple[When, Any] | None:
        if choice == "LAST":
            return found[-1]
        if choice is not None and choice.isdigit():
            index = int(choice) - 1
            return found[index] if 0 <= index < len(found) else None
        matches = found
        if frequency in RULES:
            matches = [p for p in found if getattr(p[0], "frequency", None) == frequency]
        elif at is not None:
            matches = [
                p
                for p in found
                if (getattr(p[0], "hour", None), getattr(p[0], "minute", None)) == at
            ]
        else:
            return None
        return matches[0] if len(matches) == 1 else None

    return pick


class _ReminderHandler(IntentHandler):
    def __init__(self, reminders: Reminders) -> None:
        self.reminders = reminders


def pending_time(waiting: Asked | None) -> tuple[int, int] | None:
    """The new time a "which one?" question carries (session data is input: checked)."""
    try:
        hour, minute = int(waiting.get("hour")), int(waiting.get("minute"))  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError):
        return None
    return (hour, minute) if 0 <= hour < 24 and 0 <= minute < 60 else None


class ChooseReminderHandler(_ReminderHandler):
    """The answer to "Which one shall I move?": "the first one", "the weekend one", "the ten
    o'clock one", "change the first one to eleven" (heard as a reminder request). A request
    for another reminder ("tomorrow at ten", "in an hour") is not an answer: it is set."""

    intents = (Intent.SET_REMINDER, Intent.CHANGE_REMINDER)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        waiting = asked(handler_input)
        if waiting is None or waiting.question != Question.WHICH_REMINDER:
            return False
        if is_intent_name(Intent.SET_REMINDER)(handler_input):
            return not (
                slots.heard(handler_input, Slot.DATE) or slots.heard(handler_input, Slot.DURATION)
            )
        return super().can_handle(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        time = pending_time(asked(handler_input))
        if time is None:
            return self.reminders.ask_time(handler_input, "reminder_ask_change_time", change=True)
        resolved = slots.resolved(handler_input)
        choice, frequency = resolved.get(Slot.CHOICE), resolved.get(Slot.FREQUENCY)
        heard = bedtime(slots.heard(handler_input, Slot.TIME))
        if heard is not None and (choice is not None or frequency in RULES):
            time, heard = heard, None  # "the first one, to eleven": the time is the new one
        return self.reminders.change(handler_input, *time, named(choice, frequency, heard))


class SetReminderHandler(_ReminderHandler):
    """ "Remind me to stretch every night at ten PM", "tomorrow at ten", "in an hour" (or a
    time alone, after being asked)."""

    intents = (Intent.SET_REMINDER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        waiting = asked(handler_input)
        pending = (
            waiting if waiting is not None and waiting.question == Question.REMINDER_TIME else None
        )
        time = bedtime(slots.heard(handler_input, Slot.TIME))
        if pending is not None and pending.get("change") and time is not None:
            return self.reminders.change(handler_input, *time, named(None, None, None))
        frequency = slots.resolved(handler_input).get(Slot.FREQUENCY)
        if frequency not in RULES:  # none said now: what was said before "what time?", if any
            frequency = pending.get("frequency") if pending is not None else None
        frequency = frequency if frequency in RULES else None
        heard_day = slots.heard(handler_input, Slot.DATE)
        heard_while = slots.heard(handler_input, Slot.DURATION)
        day = read_day(heard_day) or read_day(pending.get("day") if pending else None)
        seconds = read_duration(heard_while)
        if (heard_day and read_day(heard_day) is None) or (heard_while and seconds is None):
            return self.reminders.ask_time(handler_input, "reminder_ask_when")
        if seconds is not None:
            return self.reminders.set(handler_input, Later(seconds))
        known = {"frequency": frequency, "day": day.isoformat() if day else None}
        if time is None:
            key = "reminder_ask_time_again" if pending is not None else "reminder_ask_time"
            return self.reminders.ask_time(
                handler_input, key, change=bool(pending and pending.get("change")), **known
            )
        if day is not None and frequency is None:
            once = Once(day, *time)
            now = self.reminders.now(handler_input)
            if once.passed(now):
                still = day.isoformat() if day >= now.date() else None
                return self.reminders.ask_time(handler_input, "reminder_time_passed", day=still)
            return self.reminders.set(handler_input, once)
        return self.reminders.set(handler_input, Schedule(*time, frequency or "DAILY"))


class PermissionAnswerHandler(_ReminderHandler):
    """Alexa's answer to the AskFor request: accepted, denied, or not answered."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        if is_request_type(Request.CONNECTIONS_RESPONSE)(handler_input):
            return getattr(request, "name", None) == "AskFor"
        return bool(is_request_type(Request.SESSION_RESUMED)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        if is_request_type(Request.SESSION_RESUMED)(handler_input):
            cause = getattr(request, "cause", None)
            token = getattr(cause, "token", None)
            result = getattr(cause, "result", None) or {}
            status = result.get("status") if isinstance(result, dict) else None
        else:
            token = getattr(request, "token", None)
            payload = getattr(request, "payload", None) or {}
            status = payload.get("status")
        when = from_token(token)
        deps = self.reminders.deps
        if status == "ACCEPTED" and when is not None:
            return self.reminders.create(handler_input, when)
        if status == "DENIED":
            metrics.count(handler_input, Metric.REMINDER_REFUSED)
            return say_prompt(handler_input, deps, "reminder_denied")
        # Not answered (or no usable answer): the consent card in the Alexa app instead.
        return self.reminders.needs_permission(handler_input)


class ListRemindersHandler(_ReminderHandler):
    intents = (Intent.LIST_REMINDERS,)

    def handle(self, handler_input: HandlerInput) -> Response:
        deps = self.reminders.deps
        try:
            found = self.reminders.found(handler_input)
        except SERVICE_ERRORS as error:
            return self.reminders.failed(handler_input, error)
        if not found:
            return say_prompt(handler_input, deps, "reminder_none")
        key = "reminder_list" if len(found) == 1 else "reminder_list_many"
        return say_prompt(
            handler_input, deps, key, self.reminders.spoken_list(handler_input, found)
        )


class ChangeReminderHandler(_ReminderHandler):
    """ "Change it to ten thirty": moves the skill's reminder, keeping how it repeats ("change
    the weekend one to ten" names which, when there are several)."""

    intents = (Intent.CHANGE_REMINDER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        time = bedtime(slots.heard(handler_input, Slot.TIME))
        if time is None:
            return self.reminders.ask_time(handler_input, "reminder_ask_change_time", change=True)
        resolved = slots.resolved(handler_input)
        pick = named(resolved.get(Slot.CHOICE), resolved.get(Slot.FREQUENCY), None)
        return self.reminders.change(handler_input, *time, pick)


class CancelReminderHandler(_ReminderHandler):
    """ "Stop reminding me": deletes the skill's reminders, one API call each, for as long as a
    whole call still fits before the answer is due; then says how many it stopped."""

    intents = (Intent.CANCEL_REMINDER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        deps = self.reminders.deps
        try:
            alerts = self.reminders._ours(handler_input)
            if not alerts:
                return say_prompt(handler_input, deps, "reminder_none_to_cancel")
            service = self.reminders._service(handler_input)
        except SERVICE_ERRORS as error:
            return self.reminders.failed(handler_input, error)
        clock = deadline.of(handler_input)
        stopped = 0
        for alert in alerts:
            if not clock.allows(call_timeout(handler_input)):  # a call that might not finish
                log.warning("reminders: out of time after %d of %d", stopped, len(alerts))
                break
            try:
                service.delete_reminder(alert.alert_token)
            except SERVICE_ERRORS as error:
                if stopped == 0:
                    return self.reminders.failed(handler_input, error)
                log.warning("reminders API failed: %s", type(error).__name__)
                break
            stopped += 1
        if stopped == len(alerts):
            return say_prompt(handler_input, deps, "reminder_deleted")
        if stopped == 0:
            return say_prompt(handler_input, deps, "reminder_unavailable")
        fill = {"stopped": str(stopped), "total": str(len(alerts))}
        return say_prompt(handler_input, deps, "reminder_deleted_some", fill)


def reminder_actions(reminders: Reminders) -> dict[Action, Any]:
    """What a yes or a no means to the reminder questions (see questions.MEANINGS)."""
    deps = reminders.deps

    def create(handler_input: HandlerInput, waiting: Asked | None) -> Response:
        when = from_token(waiting.get("token") if waiting is not None else None)
        if when is None:
            return say_prompt(handler_input, deps, "declined")
        return reminders.set(handler_input, when)

    def ask_time(handler_input: HandlerInput, waiting: Asked | None) -> Response:
        data = dict(waiting.data) if waiting is not None else {}
        return reminders.ask_time(handler_input, "reminder_ask_time_again", **data)

    def ask_which(handler_input: HandlerInput, waiting: Asked | None) -> Response:
        time = pending_time(waiting)
        if time is None:
            return reminders.ask_time(handler_input, "reminder_ask_change_time", change=True)
        return reminders.change(handler_input, *time, named(None, None, None))

    def keep(handler_input: HandlerInput, waiting: Asked | None) -> Response:
        changing = waiting is not None and (
            waiting.question == Question.WHICH_REMINDER or bool(waiting.get("change"))
        )
        return say_prompt(
            handler_input, deps, "reminder_unchanged" if changing else "reminder_not_set"
        )

    return {
        Action.CREATE_REMINDER: create,
        Action.ASK_REMINDER_TIME: ask_time,
        Action.ASK_WHICH_REMINDER: ask_which,
        Action.KEEP_REMINDERS: keep,
    }


def reminder_handlers(deps: Deps) -> Loaded:
    reminders = Reminders(deps)
    handlers = [
        PermissionAnswerHandler(reminders),
        ChooseReminderHandler(reminders),  # first: an answer to "which one?"
        SetReminderHandler(reminders),
        ListRemindersHandler(reminders),
        ChangeReminderHandler(reminders),
        CancelReminderHandler(reminders),
    ]
    return Loaded(handlers, reminder_actions(reminders))
