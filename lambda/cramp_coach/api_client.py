"""The HTTP client for Alexa's service APIs (Reminders, Settings), used by the SDK's service
client factory.

It is the SDK's DefaultApiClient (requests) with two changes: it is imported on the first call,
not when the skill is built (requests costs a cold start ~100 ms that most requests never need),
and every call has a timeout. The Settings API answers a question the skill can live without
(the device's time zone), so it gets a few hundred milliseconds; the Reminders API gets longer.
"""

from __future__ import annotations

import functools
from typing import Any

from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

SETTINGS_TIMEOUT = 0.3  # seconds, connect and read
DEFAULT_TIMEOUT = 2.5


def timeout_for(url: str) -> float:
    return SETTINGS_TIMEOUT if "/settings/" in url else DEFAULT_TIMEOUT


class AlexaApiClient(ApiClient):
    def __init__(self) -> None:
        self._client: Any = None

    def _build(self) -> Any:
        from ask_sdk_core.api_client import DefaultApiClient

        class TimedApiClient(DefaultApiClient):
            def _resolve_method(self, request: ApiClientRequest) -> Any:
                method = super()._resolve_method(request)
                return functools.partial(method, timeout=timeout_for(request.url or ""))

        return TimedApiClient()

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        if self._client is None:
            self._client = self._build()
        response: ApiClientResponse = self._client.invoke(request)
        return response
