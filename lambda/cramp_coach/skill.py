"""The one factory that assembles the skill from its handlers."""

from __future__ import annotations

import logging

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.services import ApiClient

from . import deadline
from .api_client import AlexaApiClient
from .config import Config
from .content import ContentLibrary
from .handlers.answers import AnswerHandler, SourceHandler
from .handlers.conversation import (
    FallbackHandler,
    HelpHandler,
    NoHandler,
    RepeatHandler,
    StopHandler,
    YesHandler,
)
from .handlers.launch import LaunchHandler
from .handlers.lazy import LazyGroup
from .handlers.lifecycle import ErrorHandler, SessionEndedHandler, UnhandledHandler
from .night import NightWatch
from .respond import Chooser, Deps, OsChooser, drop_forged
from .tolerant import TolerantSerializer

log = logging.getLogger("cramp_coach.requests")


class StartClock(AbstractRequestInterceptor):
    """First of all: this request's deadline, from Lambda's remaining time when there is one."""

    def process(self, handler_input: HandlerInput) -> None:
        clock = deadline.begin(handler_input)
        log.debug("answer due in %.2f s", clock.remaining())


class SessionCheck(AbstractRequestInterceptor):
    """Session attributes are input: each is checked against respond.SESSION_SCHEMA before any
    handler reads it, and a forged one is dropped (its name logged, never its value)."""

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        manager = handler_input.attributes_manager
        attributes = manager.session_attributes
        if not isinstance(attributes, dict):
            manager.session_attributes = {}
            return
        for name in drop_forged(attributes):
            log.warning("session attribute dropped: %s", name)


class RequestLog(AbstractRequestInterceptor):
    """One line per request: its type, intent and locale. Never user ids, words or slot values."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        log.debug(
            "request %s%s locale=%s",
            getattr(request, "object_type", "?"),
            f" intent={intent}" if intent else "",
            getattr(request, "locale", None),
        )


YES_NO = ("AMAZON.YesIntent", "AMAZON.NoIntent")
# What each lazily loaded group of handlers can answer (tests check these against the handlers).
REMINDER_KEYS = frozenset(
    {
        "SetReminderIntent",
        "ListRemindersIntent",
        "ChangeReminderIntent",
        "CancelReminderIntent",
        "Connections.Response",  # the answer to asking for the reminders permission
        "SessionResumedRequest",  # the same answer, in its newer form
        *YES_NO,  # "shall I set one?"
    }
)
PRIVACY_KEYS = frozenset({"AlexaSkillEvent.SkillDisabled", "DeleteDataIntent", *YES_NO})
VOICE_KEYS = frozenset({"VoiceIntent"})
ROUTINE_KEYS = frozenset(
    {
        "StartRoutineIntent",
        "ResumeRoutineIntent",
        "RoutineStatusIntent",
        "SkipIntent",
        "AMAZON.NextIntent",
        "AMAZON.PreviousIntent",
        "AMAZON.RepeatIntent",
        "AMAZON.PauseIntent",
        "AMAZON.ResumeIntent",
        "AMAZON.StartOverIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        *YES_NO,
    }
)


def launched_by_task(handler_input: HandlerInput) -> bool:
    return getattr(handler_input.request_envelope.request, "task", None) is not None


def task_group(deps: Deps) -> LazyGroup:
    """A launch by an Alexa Routine's custom task: straight into the stretches."""

    def load() -> list[AbstractRequestHandler]:
        from .handlers.routine import RoutineFlow, TaskLaunchHandler

        return [TaskLaunchHandler(RoutineFlow(deps))]

    return LazyGroup(frozenset({"LaunchRequest"}), load, also=launched_by_task)


def routine_group(deps: Deps) -> LazyGroup:
    def load() -> list[AbstractRequestHandler]:
        from .handlers.routine import RoutineFlow, routine_handlers

        return routine_handlers(RoutineFlow(deps))

    return LazyGroup(ROUTINE_KEYS, load)


def reminder_group(deps: Deps) -> LazyGroup:
    def load() -> list[AbstractRequestHandler]:
        from .handlers.reminders import reminder_handlers

        return reminder_handlers(deps)

    return LazyGroup(REMINDER_KEYS, load)


def privacy_group(deps: Deps) -> LazyGroup:
    """Deleting the person's data: asked for, confirmed, or the skill disabled."""

    def load() -> list[AbstractRequestHandler]:
        from .handlers.privacy import privacy_handlers

        return privacy_handlers(deps)

    return LazyGroup(PRIVACY_KEYS, load)


def voice_group(deps: Deps) -> LazyGroup:
    def load() -> list[AbstractRequestHandler]:
        from .handlers.voice import VoiceHandler

        return [VoiceHandler(deps)]

    return LazyGroup(VOICE_KEYS, load)


def build_skill(
    config: Config,
    store: AbstractPersistenceAdapter | None,
    *,
    content: ContentLibrary | None = None,
    rng: Chooser | None = None,
    api_client: ApiClient | None = None,
) -> CustomSkill:
    """Assemble Cramp Coach. `store` holds per-user attributes (None: run without state);
    `api_client` calls Alexa's service APIs (default: the SDK's client, with timeouts)."""
    deps = Deps(
        content=content or ContentLibrary(default_locale=config.default_locale),
        store=store,
        rng=rng or OsChooser(),
        night=NightWatch(store),
    )
    builder = CustomSkillBuilder(
        persistence_adapter=store,  # type: ignore[arg-type]
        api_client=api_client or AlexaApiClient(),
    )
    builder.skill_id = config.skill_id  # type: ignore[assignment]
    for handler in (
        task_group(deps),  # launched by an Alexa Routine: straight into the stretches
        LaunchHandler(deps),
        privacy_group(deps),  # its yes/no answers "are you sure?" before any generic yes/no
        reminder_group(deps),  # reminders and routine load only when a request could be theirs
        routine_group(deps),
        voice_group(deps),
        AnswerHandler(deps),
        SourceHandler(deps),
        HelpHandler(deps),
        RepeatHandler(deps),
        YesHandler(deps),
        NoHandler(deps),
        StopHandler(deps),
        FallbackHandler(deps),
        SessionEndedHandler(),
        UnhandledHandler(deps),  # last: catches whatever nobody else handles
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(ErrorHandler(deps))
    for interceptor in (StartClock(), SessionCheck(), RequestLog()):
        builder.add_global_request_interceptor(interceptor)
    skill: CustomSkill = builder.create()
    skill.serializer = TolerantSerializer()  # reads request values this SDK model doesn't know
    return skill
