"""The HTTP client for Alexa's service APIs (Reminders, Settings), used by the SDK's service
client factory.

Reminders calls go through the SDK's DefaultApiClient (requests), imported on the first such
call rather than when the skill is built, with a timeout added. The Settings API call (the
device's time zone) sits on the path of a person's first request of the day, often a cold
start in the middle of a cramp, so it uses the standard library's HTTP client instead: same
interface, no `requests` import (~100 ms here), and a few hundred milliseconds at most, because
the skill can live without the answer.

Every call's timeout is also held to the request's deadline (deadline.py): never past the
moment the answer is due. Both timeouts are the client's to set (tests pass short ones).

Certificates are verified against the system's trust store (SSL_CERT_FILE, if set, replaces it:
the local stand-in API uses that).
"""

from __future__ import annotations

import functools
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

from . import deadline

SETTINGS_TIMEOUT = 0.3  # seconds, connect and read
DEFAULT_TIMEOUT = 2.5


MIN_TIMEOUT = 0.05  # below this a call cannot answer: it is not made


def _out_of_time() -> Exception:
    from ask_sdk_core.exceptions import ApiClientException

    return ApiClientException("no time left before the answer is due")


class AlexaApiClient(ApiClient):
    """`timeout`: seconds a Reminders call may take; `settings_timeout`: a Settings API call."""

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT, settings_timeout: float = SETTINGS_TIMEOUT
    ) -> None:
        self.timeout = timeout
        self.settings_timeout = settings_timeout
        self._client: Any = None

    def timeout_for(self, url: str) -> float:
        """The call's own timeout, or the time left to this request's deadline when less."""
        own = self.settings_timeout if "/settings/" in url else self.timeout
        clock = deadline.current()
        return clock.timeout_for(own) if clock is not None else own

    def _build(self) -> Any:
        from ask_sdk_core.api_client import DefaultApiClient

        timeout_for = self.timeout_for

        class TimedApiClient(DefaultApiClient):
            def _resolve_method(self, request: ApiClientRequest) -> Any:
                method = super()._resolve_method(request)
                return functools.partial(method, timeout=timeout_for(request.url or ""))

        return TimedApiClient()

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url = request.url or ""
        if self.timeout_for(url) < MIN_TIMEOUT:
            raise _out_of_time()
        if "/settings/" in url:
            return stdlib_invoke(request, self.timeout_for(url))
        if self._client is None:
            self._client = self._build()
        response: ApiClientResponse = self._client.invoke(request)
        return response


def call_timeout(handler_input: HandlerInput) -> float:
    """How long one Reminders call may take with this request's API client."""
    configuration = getattr(handler_input.service_client_factory, "api_configuration", None)
    client = getattr(configuration, "api_client", None)
    return client.timeout if isinstance(client, AlexaApiClient) else DEFAULT_TIMEOUT


def service_errors() -> tuple[type[Exception], ...]:
    """What a failing service API call raises through the SDK: an error answer
    (ServiceException), no answer in time or no connection (ApiClientException), an answer the
    SDK cannot read (SerializationException). Anything else is a bug, for the error handler."""
    from ask_sdk_core.exceptions import ApiClientException, SerializationException
    from ask_sdk_model.services import ServiceException

    return (ServiceException, ApiClientException, SerializationException)


def tls_context() -> Any:
    """One TLS context per trust store and process: loading the store costs tens of
    milliseconds (urllib would load it again for every call). SSL_CERT_FILE and SSL_CERT_DIR,
    when set, choose the store, as they do for the standard library."""
    import os

    return _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _tls_context(cafile: str | None, capath: str | None) -> Any:
    import ssl

    return ssl.create_default_context(cafile=cafile, capath=capath)


def stdlib_invoke(request: ApiClientRequest, timeout: float) -> ApiClientResponse:
    """One API call with urllib, mapped to the SDK's ApiClient contract."""
    import json
    import urllib.error
    import urllib.request

    from ask_sdk_core.exceptions import ApiClientException

    url = request.url or ""
    if not url.lower().startswith("https://"):
        raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
    data = json.dumps(request.body).encode() if request.body is not None else None
    outgoing = urllib.request.Request(
        url, data=data, method=request.method or "GET", headers=dict(request.headers or [])
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout, context=tls_context()) as answer:
            status, headers, body = answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, list(error.headers.items()), error.read()
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, TLS failures
        raise ApiClientException(f"Error executing the request: {type(error).__name__}") from error
    return ApiClientResponse(
        headers=headers, status_code=status, body=body.decode("utf-8", errors="replace")
    )
