"""The one factory that assembles the skill from its handlers."""

from __future__ import annotations

import logging
import random

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.services import ApiClient

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
from .handlers.lifecycle import ErrorHandler, SessionEndedHandler, UnhandledHandler
from .handlers.privacy import ConfirmDeleteHandler, DeleteDataHandler, SkillDisabledHandler
from .handlers.reminders import reminder_handlers
from .handlers.routine import RoutineFlow, TaskLaunchHandler, routine_handlers
from .handlers.voice import VoiceHandler
from .night import NightWatch
from .respond import Deps

log = logging.getLogger("cramp_coach.requests")


class RequestLog(AbstractRequestInterceptor):
    """One line per request: its type, intent and locale. Never user ids, words or slot values."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        log.info(
            "request %s%s locale=%s",
            getattr(request, "object_type", "?"),
            f" intent={intent}" if intent else "",
            getattr(request, "locale", None),
        )


def build_skill(
    config: Config,
    store: AbstractPersistenceAdapter | None,
    *,
    content: ContentLibrary | None = None,
    rng: random.Random | None = None,
    api_client: ApiClient | None = None,
) -> CustomSkill:
    """Assemble Cramp Coach. `store` holds per-user attributes (None: run without state);
    `api_client` calls Alexa's service APIs (default: the SDK's client, with timeouts)."""
    deps = Deps(
        content=content or ContentLibrary(default_locale=config.default_locale),
        store=store,
        rng=rng or random.Random(),
        night=NightWatch(store),
    )
    builder = CustomSkillBuilder(
        persistence_adapter=store,  # type: ignore[arg-type]
        api_client=api_client or AlexaApiClient(),
    )
    builder.skill_id = config.skill_id  # type: ignore[assignment]
    routine = RoutineFlow(deps)
    for handler in (
        TaskLaunchHandler(routine),  # launched by an Alexa Routine: straight into the stretches
        LaunchHandler(deps),
        SkillDisabledHandler(deps),
        ConfirmDeleteHandler(deps),  # answers to a pending question before generic yes/no
        *reminder_handlers(deps),
        *routine_handlers(routine),
        VoiceHandler(deps),
        DeleteDataHandler(deps),
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
    builder.add_global_request_interceptor(RequestLog())
    skill: CustomSkill = builder.create()
    return skill
