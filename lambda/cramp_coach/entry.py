"""The Lambda entry point's machinery: build the skill once per process, answer events.

Nothing happens at import. The first event reads the configuration, opens the store (lazily:
no I/O until a handler needs state) and builds the skill; later events reuse it.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from .config import Config
from .log_config import configure as configure_logging

if TYPE_CHECKING:
    from .content import ContentLibrary

log = logging.getLogger("cramp_coach")
_skill: CustomSkill | None = None
_content: ContentLibrary | None = None


def content_library() -> ContentLibrary:
    """The process's content, in the configured default locale: each locale is parsed once,
    for the skill and for the apology to an unreadable request alike."""
    global _content
    if _content is None:
        from .content import ContentLibrary

        _content = ContentLibrary(default_locale=Config.from_env().default_locale)
    return _content


def skill() -> CustomSkill:
    global _skill
    if _skill is None:
        _skill = _build(Config.from_env(), content_library())
    return _skill


def _build(config: Config, content: ContentLibrary | None = None) -> CustomSkill:
    from .skill import build_skill
    from .store import open_store

    configure_logging(config.log_level)
    return build_skill(config, open_store(config), content=content)


# Loaded on demand by an on-demand cold start; loaded at init when Lambda initialises ahead.
DEMAND_LOADED = (
    "zoneinfo",  # a person whose time zone is known
    "urllib.request",  # the Settings API (once a week per device)
    "ssl",
    "ask_sdk_core.api_client",  # the Reminders API (requests)
    "ask_sdk_model.services.reminder_management",
    "ask_sdk_model.interfaces.connections",
    "ask_sdk_model.slu.entityresolution",
    "aws_lambda_powertools.metrics",  # the EMF serializer (metrics.py), with the first line
    "cramp_coach.screens",  # a device with a screen (respond.py)
    "ask_sdk_model.interfaces.alexa.presentation.apl",
)


def prepare_ahead() -> bool:
    """Under Lambda SnapStart or provisioned concurrency, Lambda initialises the function before
    any request arrives (and SnapStart snapshots the result), so the lazy loading that keeps an
    on-demand cold start short only moves work into the first answer. There, load everything at
    init instead: the skill with every handler group, the content, the store's client (no
    network: nothing is read), and the modules requests load on demand. Returns whether it did.
    """
    global _skill
    config = Config.from_env()
    if not config.initialise_ahead:
        return False
    import importlib

    from .handlers.lazy import LazyGroup
    from .store import LazyStore

    content = content_library()
    for locale in content.available():
        content.get(locale)
    _skill = _build(config, content)
    if isinstance(_skill.persistence_adapter, LazyStore):
        _ = _skill.persistence_adapter.store  # boto3 and its client
    for mapper in _skill.request_dispatcher.request_mappers:
        for chain in mapper.request_handler_chains:
            if isinstance(chain.request_handler, LazyGroup):
                _ = chain.request_handler.loaded
    for name in DEMAND_LOADED:
        importlib.import_module(name)
    from . import screens

    for document in screens.Document:
        screens.document(document, content.root)
    return True


def write_metrics_after_answers() -> bool:
    """On Lambda, initialised on demand: register the metrics extension, so that each
    request's EMF line is serialized once its answer has gone (afterwards.py). Initialised
    ahead, the serializer is loaded at init instead and a line costs a fraction of a millisecond
    (bench/README.md). Returns whether the extension runs."""
    config = Config.from_env()
    if not config.metrics or not config.runtime_api or config.initialise_ahead:
        return False
    from .afterwards import AFTERWARDS

    return AFTERWARDS.register(config.runtime_api)


def invocation_done() -> None:
    """The handler has returned: what it left for later goes to the extension (if it runs)."""
    from .afterwards import AFTERWARDS

    AFTERWARDS.done()


def unreadable_request_response(event: Any, content: ContentLibrary) -> dict[str, Any]:
    """A spoken apology for an envelope the SDK cannot read, in the request's language (for an
    event, an empty response: Alexa rejects speech there)."""
    from . import ssml
    from .intents import SPOKEN

    request = event.get("request") if isinstance(event, dict) else None
    kind = request.get("type") if isinstance(request, dict) else None
    if isinstance(kind, str) and kind not in SPOKEN:
        return {"version": "1.0", "response": {}}
    locale = request.get("locale") if isinstance(request, dict) else None
    words = content.get(locale if isinstance(locale, str) else None).replies["error"]
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": ssml.text(words.say[0]).ssml()},
            "shouldEndSession": True,
        },
    }


def handle_event(
    event: Any,
    context: Any,
    the_skill: CustomSkill | None = None,
    content: ContentLibrary | None = None,
) -> dict[str, Any]:
    """Answer one Alexa request envelope (a dict, as Lambda passes it). `context` is Lambda's
    context object (None outside Lambda): handlers see it, and take their deadline from it.
    `content` words the apology for an unreadable envelope (default: the process's)."""
    current = the_skill or skill()
    request = event.get("request") if isinstance(event, dict) else None
    system = event.get("context") if isinstance(event, dict) else None  # the envelope's
    if (
        not isinstance(request, dict)
        or not isinstance(request.get("type"), str)
        or not isinstance(system, dict)
        or not isinstance(system.get("System"), dict)
    ):
        log.warning("not an Alexa request envelope")
        return unreadable_request_response(event, content or content_library())
    try:
        envelope = current.serializer.deserialize(
            payload=json.dumps(event), obj_type=RequestEnvelope
        )
    except Exception as error:  # not an Alexa request at all: answer, don't crash
        log.warning("unreadable request: %s", type(error).__name__)
        return unreadable_request_response(event, content or content_library())
    try:
        response = current.invoke(request_envelope=envelope, context=context)
    except AskSdkException as error:  # a request for another skill: refused before any handler
        log.warning("request refused: %s", type(error).__name__)
        return {"version": "1.0", "response": {}}
    result: dict[str, Any] = current.serializer.serialize(response)  # type: ignore[assignment]
    return result
