"""The same skill, served by Flask through flask-ask-sdk's SkillAdapter.

    gunicorn --bind 127.0.0.1:8080 --workers 2 'cramp_coach.web.app:create_app()'

Request verification is on unless CRAMP_COACH_INSECURE_LOCAL_DEV=1 (then a warning is logged at
every start), and SKILL_ID is required with it on. Every request that is not a verified Alexa
request for this skill gets a clean HTTP 400 with a JSON reason, and no handler runs; a request
the skill answers gets 200 and the skill's response. GET /health says whether it is up.

Hostile bodies are refused before they cost anything: a body over MAX_BODY_BYTES gets 413 (a
declared Content-Length is refused unread; a chunked body is read no further than the cap + 1
byte), a body not fully sent within BODY_DEADLINE gets 408, and JSON nested deeper than
MAX_DEPTH gets 400. Every error, Flask's own included, is JSON; no traceback reaches a client
or the log.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from ask_sdk_core.skill import CustomSkill

from ..config import Config
from . import oscrypto_compat
from .verifier import AbstractVerifier  # (installs the oscrypto repair first)

log = logging.getLogger("cramp_coach.web")

MAX_BODY_BYTES = 64 * 1024  # Alexa's requests are a few KB
MAX_DEPTH = 64  # Alexa's deepest (APL's components on screen) are far shallower
BODY_DEADLINE = 5.0  # seconds for a client to send the whole body
READ_SIZE = 16 * 1024


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


def depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


class BodyTooLarge(Exception):
    pass


def read_body(stream: Any, sock: Any, deadline: float = BODY_DEADLINE) -> bytes:
    """At most MAX_BODY_BYTES + 1 bytes of a request body, within `deadline` seconds in all.

    `sock` is the client's socket when the server offers it (gunicorn does): each read may
    wait only for what is left of the deadline, so a client that stops half-way through its
    body holds a thread for that long at most. TimeoutError when it runs out."""
    end = time.monotonic() + deadline
    previous = sock.gettimeout() if sock is not None else None
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= MAX_BODY_BYTES:
            if sock is not None:
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError("request body too slow")
                sock.settimeout(left)
            chunk = stream.read(min(READ_SIZE, MAX_BODY_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        if sock is not None:
            sock.settimeout(previous)
    if size > MAX_BODY_BYTES:
        raise BodyTooLarge
    return b"".join(chunks)


def create_app(
    config: Config | None = None,
    *,
    skill: CustomSkill | None = None,
    verifiers: list[AbstractVerifier] | None = None,
    body_deadline: float = BODY_DEADLINE,
) -> Any:
    """The Flask app; `body_deadline`: seconds a client has to send a whole body (gunicorn
    passes literal arguments: 'cramp_coach.web.app:create_app(body_deadline=0.5)')."""
    oscrypto_compat.install()
    from ask_sdk_core.exceptions import AskSdkException
    from ask_sdk_webservice_support.verifier import VerificationException
    from flask import Flask, Response, request
    from flask_ask_sdk.skill_adapter import SkillAdapter
    from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

    from ..log_config import configure as configure_logging
    from .verifier import AlexaRequestVerifier, SkillIdVerifier

    config = config or Config.from_env()
    configure_logging(config.log_level)
    if skill is None:
        from ..skill import build_skill
        from ..store import open_store

        skill = build_skill(config, open_store(config))
    if config.metrics:  # the same EMF lines as on Lambda, on stdout; loaded before any request
        from ..metrics import load_serializer

        load_serializer()
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
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # The SDK's own verifiers need oscrypto and turn bad base64 into a 500: ours replace them.
    app.config["ASK_SDK_VERIFY_SIGNATURE"] = False
    app.config["ASK_SDK_VERIFY_TIMESTAMP"] = False

    def reject(status: int, reason: str) -> Response:
        return Response(json.dumps({"error": reason}), status=status, mimetype="application/json")

    def too_large() -> Response:
        return reject(413, f"body is over {MAX_BODY_BYTES} bytes")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, RequestEntityTooLarge):
            return too_large()
        return reject(error.code or 500, (error.name or "error").lower())

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:  # a bug: said in one line, no traceback
        log.error("request failed: %s", type(error).__name__)
        return reject(500, "internal error")

    class Adapter(SkillAdapter):  # type: ignore[misc]
        """SkillAdapter, with every bad request answered by a 400 before any handler runs."""

        def dispatch_request(self) -> Response:
            declared = request.content_length
            if declared is not None and declared > MAX_BODY_BYTES:
                return too_large()
            try:
                raw = read_body(
                    request.stream, request.environ.get("gunicorn.socket"), body_deadline
                )
            except (BodyTooLarge, RequestEntityTooLarge):
                return too_large()
            except TimeoutError:
                return reject(408, "request body not sent in time")
            except ClientDisconnected as error:  # werkzeug's word for a read that failed
                if isinstance(error.__context__, TimeoutError):
                    return reject(408, "request body not sent in time")
                return reject(400, "request body ended early")
            try:
                body = raw.decode("utf-8")
                event = json.loads(body)
            except (UnicodeDecodeError, ValueError):
                return reject(400, "body is not JSON")
            except RecursionError:
                return reject(400, "body is nested too deeply")
            if depth(event) > MAX_DEPTH:
                return reject(400, "body is nested too deeply")
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
