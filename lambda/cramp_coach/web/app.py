"""The same skill, served by Flask through flask-ask-sdk's SkillAdapter.

    gunicorn --bind 127.0.0.1:8080 --workers 2 'cramp_coach.web.app:create_app()'

Request verification is on unless CRAMP_COACH_INSECURE_LOCAL_DEV=1 (then a warning is logged at
every start), and SKILL_ID is required with it on. Every request that is not a verified Alexa
request for this skill gets a clean HTTP 400 with a JSON reason, and no handler runs; a request
the skill answers gets 200 and the skill's response. GET /health says whether it is up.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ask_sdk_core.skill import CustomSkill

from ..config import Config
from . import oscrypto_compat
from .verifier import AbstractVerifier  # (installs the oscrypto repair first)

log = logging.getLogger("cramp_coach.web")


class ConfigurationError(RuntimeError):
    pass


def looks_like_alexa(event: Any) -> bool:
    """The same minimal shape the Lambda entry point requires before handing a request on."""
    if not isinstance(event, dict):
        return False
    request, context = event.get("request"), event.get("context")
    return (
        isinstance(request, dict)
        and isinstance(request.get("type"), str)
        and isinstance(context, dict)
        and isinstance(context.get("System"), dict)
    )


def create_app(
    config: Config | None = None,
    *,
    skill: CustomSkill | None = None,
    verifiers: list[AbstractVerifier] | None = None,
) -> Any:
    oscrypto_compat.install()
    from ask_sdk_core.exceptions import AskSdkException
    from ask_sdk_webservice_support.verifier import VerificationException
    from flask import Flask, Response, request
    from flask_ask_sdk.skill_adapter import SkillAdapter

    from ..entry import configure_logging
    from .verifier import AlexaRequestVerifier, SkillIdVerifier

    config = config or Config.from_env()
    configure_logging(config.log_level)
    if skill is None:
        from ..skill import build_skill
        from ..store import open_store

        skill = build_skill(config, open_store(config))
    if verifiers is None:
        if config.insecure_local_dev:
            log.warning(
                "REQUEST VERIFICATION IS OFF (CRAMP_COACH_INSECURE_LOCAL_DEV=1): anyone who can "
                "reach this server can talk to the skill. Never run it like this on a network."
            )
            verifiers = [SkillIdVerifier(config.skill_id)]
        else:
            if not config.skill_id:
                raise ConfigurationError(
                    "SKILL_ID must be set to serve with request verification "
                    "(or set CRAMP_COACH_INSECURE_LOCAL_DEV=1 for local development)"
                )
            verifiers = [AlexaRequestVerifier(config.skill_id)]

    app = Flask("cramp_coach")
    # The SDK's own verifiers need oscrypto and turn bad base64 into a 500: ours replace them.
    app.config["ASK_SDK_VERIFY_SIGNATURE"] = False
    app.config["ASK_SDK_VERIFY_TIMESTAMP"] = False

    def reject(status: int, reason: str) -> Response:
        return Response(json.dumps({"error": reason}), status=status, mimetype="application/json")

    class Adapter(SkillAdapter):  # type: ignore[misc]
        """SkillAdapter, with every bad request answered by a 400 before any handler runs."""

        def dispatch_request(self) -> Response:
            raw = request.get_data(cache=False)
            try:
                body = raw.decode("utf-8")
                event = json.loads(body)
            except (UnicodeDecodeError, ValueError):
                return reject(400, "body is not JSON")
            if not looks_like_alexa(event):
                return reject(400, "not an Alexa request")
            try:
                answer = self._webservice_handler.verify_request_and_dispatch(
                    http_request_headers=request.headers, http_request_body=body
                )
            except VerificationException as error:
                log.warning("request refused: %s", error)
                return reject(400, "request failed verification")
            except AskSdkException as error:  # the SDK could not read the envelope
                log.warning("unreadable request: %s", type(error).__name__)
                return reject(400, "not a readable Alexa request")
            except Exception as error:  # handlers answer their own errors; this is a bug
                log.error("dispatch failed: %s", type(error).__name__)
                return reject(500, "internal error")
            return Response(json.dumps(answer), status=200, mimetype="application/json")

    adapter = Adapter(skill=skill, skill_id=config.skill_id or "", verifiers=verifiers, app=app)
    app.add_url_rule("/", "skill", adapter.dispatch_request, methods=["POST"])

    @app.get("/health")
    def health() -> Response:
        return Response(json.dumps({"status": "ok"}), mimetype="application/json")

    return app
