"""The one factory that assembles the skill from its handlers."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.services import ApiClient

from . import deadline, metrics, session
from .api_client import AlexaApiClient
from .config import Config
from .content import ContentLibrary
from .deps import Chooser, Deps
from .handlers.answers import AnswerHandler, SourceHandler
from .handlers.conversation import (
    FallbackHandler,
    HelpHandler,
    HoldHandler,
    MissCount,
    MoreHandler,
    RepeatHandler,
    StopHandler,
    YesNoHandler,
    conversation_actions,
)
from .handlers.launch import LaunchHandler
from .handlers.lazy import LazyGroup, Loaded, Perform
from .handlers.lifecycle import ErrorHandler, SessionEndedHandler, UnhandledHandler
from .intents import Intent, Request
from .person import PersonContext
from .profiles import Profiles
from .questions import Action, Group
from .tolerant import TolerantSerializer

log = logging.getLogger("cramp_coach.requests")


class StartClock(AbstractRequestInterceptor):
    """First of all: this request's deadline, from Lambda's remaining time when there is one."""

    def process(self, handler_input: HandlerInput) -> None:
        clock = deadline.begin(handler_input)
        log.debug("answer due in %.2f s", clock.remaining())


class SessionCheck(AbstractRequestInterceptor):
    """Session attributes are input: each is checked against session.SCHEMA before any handler
    reads it, and a forged one is dropped (its name logged, never its value)."""

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        manager = handler_input.attributes_manager
        attributes = manager.session_attributes
        if not isinstance(attributes, dict):
            manager.session_attributes = {}
            return
        for name in session.drop_forged(attributes):
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


# What each lazily loaded group of handlers answers (a test checks these against the handlers,
# and that no name is in two groups). Yes and no are in none: questions.py routes them.
REMINDER_KEYS = frozenset(
    {
        Intent.SET_REMINDER,
        Intent.LIST_REMINDERS,
        Intent.CHANGE_REMINDER,
        Intent.CANCEL_REMINDER,
        Request.CONNECTIONS_RESPONSE,  # the answer to asking for the reminders permission
        Request.SESSION_RESUMED,  # the same answer, in its newer form
    }
)
PRIVACY_KEYS = frozenset({Request.SKILL_DISABLED, Intent.DELETE_DATA})
SETTINGS_KEYS = frozenset({Intent.VOICE, Intent.MOVED})
ROUTINE_KEYS = frozenset(
    {
        Intent.START_ROUTINE,
        Intent.RESUME_ROUTINE,
        Intent.ROUTINE_STATUS,
        Intent.SKIP,
        Intent.EXPLAIN,
        Intent.NEXT,
        Intent.PREVIOUS,
        Intent.PAUSE,
        Intent.RESUME,
        Intent.START_OVER,
        Intent.REPEAT,  # these three only inside a routine
        Intent.STOP,
        Intent.CANCEL,
        Request.USER_EVENT,  # a touch on the stretch screen's Next, Pause or Repeat
    }
)
TASK_KEYS = frozenset({Request.LAUNCH})  # only a launch by an Alexa Routine's task
EVERYDAY = frozenset({Intent.REPEAT, Intent.STOP, Intent.CANCEL})  # the routine's only in one


def in_routine(handler_input: HandlerInput) -> bool:
    """A routine is running in this session, or the intent is the routine's own."""
    name = getattr(getattr(handler_input.request_envelope.request, "intent", None), "name", None)
    return name not in EVERYDAY or bool(session.attributes(handler_input).get(session.ROUTINE))


def launched_by_task(handler_input: HandlerInput) -> bool:
    return getattr(handler_input.request_envelope.request, "task", None) is not None


def _routine(deps: Deps) -> Loaded:
    from .handlers.routine import routine_handlers

    return routine_handlers(deps)


def _task(deps: Deps) -> Loaded:
    from .handlers.routine import task_handlers

    return task_handlers(deps)


def _reminders(deps: Deps) -> Loaded:
    from .handlers.reminders import reminder_handlers

    return reminder_handlers(deps)


def _privacy(deps: Deps) -> Loaded:
    from .handlers.privacy import privacy_handlers

    return privacy_handlers(deps)


def _settings(deps: Deps) -> Loaded:
    from .handlers.settings import settings_handlers

    return settings_handlers(deps)


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
    profiles = Profiles(store)
    deps = Deps(
        content=content or ContentLibrary(default_locale=config.default_locale),
        store=store,
        rng=rng or random.SystemRandom(),
        profiles=profiles,
    )
    task = LazyGroup(TASK_KEYS, lambda: _task(deps), also=launched_by_task)
    privacy = LazyGroup(PRIVACY_KEYS, lambda: _privacy(deps))
    reminders = LazyGroup(REMINDER_KEYS, lambda: _reminders(deps))
    routine = LazyGroup(ROUTINE_KEYS, lambda: _routine(deps), also=in_routine)
    settings = LazyGroup(SETTINGS_KEYS, lambda: _settings(deps))
    conversation = conversation_actions(deps)
    performers: Mapping[Group, Callable[[], Mapping[Action, Perform]]] = {
        Group.CONVERSATION: lambda: conversation,
        Group.ROUTINE: routine.actions,
        Group.PRIVACY: privacy.actions,
        Group.REMINDERS: reminders.actions,
    }
    builder = CustomSkillBuilder(
        persistence_adapter=store,  # type: ignore[arg-type]
        api_client=api_client or AlexaApiClient(),
    )
    builder.skill_id = config.skill_id  # type: ignore[assignment]
    for handler in (
        task,  # launched by an Alexa Routine: straight into the stretches
        LaunchHandler(deps),
        YesNoHandler(deps, performers),  # what a yes or no means: questions.MEANINGS
        privacy,  # these groups load only when a request could be theirs
        reminders,
        routine,
        settings,
        AnswerHandler(deps),
        SourceHandler(deps),
        HelpHandler(deps),
        RepeatHandler(deps),
        HoldHandler(deps),
        MoreHandler(deps),
        StopHandler(deps),
        FallbackHandler(deps),
        SessionEndedHandler(),
        UnhandledHandler(deps),  # last: catches whatever nobody else handles
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(ErrorHandler(deps))
    builder.add_global_response_interceptor(MissCount())  # an understood turn ends the misses
    builder.add_global_response_interceptor(metrics.Write())  # last: the request's EMF line
    writer = metrics.Writer(
        config, deps.content.available, lambda h: deps.content_for(h).answer_intents
    )
    begin = metrics.Begin(writer)
    for interceptor in (begin, StartClock(), SessionCheck(), PersonContext(profiles), RequestLog()):
        builder.add_global_request_interceptor(interceptor)
    skill: CustomSkill = builder.create()
    skill.serializer = TolerantSerializer()  # reads request values this SDK model doesn't know
    return skill
