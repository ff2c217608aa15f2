"""Bedtime reminders by voice: set, list, change and stop them (Alexa Reminders API), asking
for the reminders permission by voice first (the AskFor connection) and falling back to the
consent card."""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .. import deadline, person, slots
from ..api_client import call_timeout, service_errors
from ..deps import Deps
from ..ids import permissions_of
from ..intents import Intent, Request, Slot
from ..questions import Action, Asked, Question, asked
from ..reminders import (
    SCOPE,
    Schedule,
    bedtime,
    problem,
    reminder_request,
    repair_sdk_model,
    schedule_of,
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

    def _fill(self, handler_input: HandlerInput, schedule: Schedule) -> dict[str, str]:
        content = self.deps.content_for(handler_input)
        return {"when": schedule.spoken_when(content), "time": schedule.spoken_time(content)}

    def _request(self, handler_input: HandlerInput, schedule: Schedule) -> Any:
        content = self.deps.content_for(handler_input)
        someone = person.of(handler_input)
        return reminder_request(schedule, content, someone.local or someone.utc, someone.zone)

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

    def ask_permission(self, handler_input: HandlerInput, schedule: Schedule) -> Response:
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
                token=schedule.to_token(),
            )
        )
        builder.set_should_end_session(True)
        response: Response = builder.response
        return response

    def create(self, handler_input: HandlerInput, schedule: Schedule) -> Response:
        try:
            self._service(handler_input).create_reminder(self._request(handler_input, schedule))
        except SERVICE_ERRORS as error:
            return self.failed(handler_input, error)
        return say_prompt(
            handler_input, self.deps, "reminder_set", self._fill(handler_input, schedule)
        )

    def set(self, handler_input: HandlerInput, schedule: Schedule) -> Response:
        if not has_permission(handler_input):
            return self.ask_permission(handler_input, schedule)
        return self.create(handler_input, schedule)


class _ReminderHandler(IntentHandler):
    def __init__(self, reminders: Reminders) -> None:
        self.reminders = reminders


class SetReminderHandler(_ReminderHandler):
    """ "Remind me to stretch every night at ten PM" (or a time alone, after being asked)."""

    intents = (Intent.SET_REMINDER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        waiting = asked(handler_input)
        frequency = slots.resolved(handler_input).get(Slot.FREQUENCY)
        if frequency not in ("DAILY", "WEEKDAYS", "WEEKENDS"):
            asked_time = waiting is not None and waiting.question == Question.REMINDER_TIME
            frequency = waiting.get("frequency") if asked_time and waiting else None
        time = bedtime(slots.heard(handler_input, Slot.TIME))
        if time is None:
            return say_prompt(
                handler_input,
                self.reminders.deps,
                "reminder_ask_time",
                asking=Question.REMINDER_TIME,
                frequency=frequency or "DAILY",
            )
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
        schedule = Schedule.from_token(token)
        deps = self.reminders.deps
        if status == "ACCEPTED" and schedule is not None:
            return self.reminders.create(handler_input, schedule)
        if status == "DENIED":
            return say_prompt(handler_input, deps, "reminder_denied")
        # Not answered (or no usable answer): the consent card in the Alexa app instead.
        return self.reminders.needs_permission(handler_input)


class ListRemindersHandler(_ReminderHandler):
    intents = (Intent.LIST_REMINDERS,)

    def handle(self, handler_input: HandlerInput) -> Response:
        deps = self.reminders.deps
        try:
            alerts = self.reminders._ours(handler_input)
        except SERVICE_ERRORS as error:
            return self.reminders.failed(handler_input, error)
        content = deps.content_for(handler_input)
        schedules = [s for s in (schedule_of(a) for a in alerts) if s is not None]
        if not schedules:
            return say_prompt(handler_input, deps, "reminder_none")
        items = [s.spoken(content) for s in schedules]
        key = "reminder_list" if len(items) == 1 else "reminder_list_many"
        fill = {"count": str(len(items)), "list": content.spoken_list(items)}
        return say_prompt(handler_input, deps, key, fill)


class ChangeReminderHandler(_ReminderHandler):
    """ "Change it to ten thirty": moves the skill's reminder, keeping how it repeats."""

    intents = (Intent.CHANGE_REMINDER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        deps = self.reminders.deps
        time = bedtime(slots.heard(handler_input, Slot.TIME))
        if time is None:
            return say_prompt(handler_input, deps, "reminder_ask_time")
        try:
            alerts = self.reminders._ours(handler_input)
        except SERVICE_ERRORS as error:
            return self.reminders.failed(handler_input, error)
        if not alerts:
            schedule = Schedule(*time)
            return say_prompt(
                handler_input,
                deps,
                "reminder_none_to_change",
                self.reminders._fill(handler_input, schedule),
                asking=Question.CREATE_REMINDER,
                token=schedule.to_token(),
            )
        current = schedule_of(alerts[0]) or Schedule(*time)
        schedule = Schedule(time[0], time[1], current.frequency)
        service = self.reminders._service(handler_input)
        try:
            service.update_reminder(
                alerts[0].alert_token, self.reminders._request(handler_input, schedule)
            )
        except SERVICE_ERRORS as error:
            return self.reminders.failed(handler_input, error)
        fill = self.reminders._fill(handler_input, schedule)
        return say_prompt(handler_input, deps, "reminder_changed", fill)


class CancelReminderHandler(_ReminderHandler):
    """ "Stop reminding me": deletes the skill's reminders, one API call each, for as long as a
    whole call still fits before the answer is due; then says how many it stopped."""

    intents = (Intent.CANCEL_REMINDER,)

    def handle(self, handler_input: HandlerInput) -> Response:
        deps = self.reminders.deps
        try:
            alerts = self.reminders._ours(handler_input)
            if not alerts:
                return say_prompt(handler_input, deps, "reminder_none")
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
    """What a yes to "Shall I set one?" means (see questions.MEANINGS)."""

    def create(handler_input: HandlerInput, waiting: Asked | None) -> Response:
        schedule = Schedule.from_token(waiting.get("token") if waiting is not None else None)
        if schedule is None:
            return say_prompt(handler_input, reminders.deps, "declined")
        return reminders.set(handler_input, schedule)

    return {Action.CREATE_REMINDER: create}


def reminder_handlers(deps: Deps) -> Loaded:
    reminders = Reminders(deps)
    handlers = [
        PermissionAnswerHandler(reminders),
        SetReminderHandler(reminders),
        ListRemindersHandler(reminders),
        ChangeReminderHandler(reminders),
        CancelReminderHandler(reminders),
    ]
    return Loaded(handlers, reminder_actions(reminders))
