"""Only Alexa can talk to the self-hosted skill: request verification, behind the SDK's
AbstractVerifier interface, built on `cryptography`'s own X.509 path validation.

Why not the SDK's RequestVerifier: it validates the chain with certvalidator/oscrypto (which
cannot even load on current OpenSSL without a repair, see oscrypto_compat), turns a malformed
base64 signature into a 500 instead of a 400, and uses `cryptography` attributes that are
deprecated. This verifier checks everything Amazon requires and raises VerificationException
(HTTP 400) for every failure:

- the `SignatureCertChainUrl`: https, host s3.amazonaws.com (any case), port 443 if given,
  path starting /echo.api/ (case-sensitive) after decoding and normalising `..`;
- the certificate chain: within its validity dates now, subject alternative name
  echo-api.amazon.com, chaining to a trusted root (the certifi bundle unless given others);
- the `Signature-256` header: base64 RSA PKCS#1 v1.5 SHA-256 over the raw body (the retired
  SHA-1 `Signature` header alone is refused);
- the request timestamp: within 150 seconds of now (one hour for skill events);
- the skill ID, when one is configured.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import posixpath
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from . import oscrypto_compat

# ask_sdk_webservice_support.verifier imports certvalidator -> oscrypto, which needs the repair.
oscrypto_compat.install()

from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    VerificationException,
)
from cryptography import x509  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

__all__ = ["AbstractVerifier", "AlexaRequestVerifier", "SkillIdVerifier", "VerificationException"]

log = logging.getLogger(__name__)

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
CERT_NAME = "echo-api.amazon.com"
TOLERANCE = timedelta(seconds=150)
EVENT_TOLERANCE = timedelta(hours=1)  # skill events may be delivered late

Fetch = Callable[[str], bytes]


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """A header, whatever the case of its name (Flask's headers are already case-blind)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return str(value) if value is not None else None


def check_cert_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationException("certificate URL is malformed") from error
    if parts.scheme.lower() != "https":
        raise VerificationException("certificate URL is not https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationException("certificate URL has the wrong host")
    if port is not None and port != 443:
        raise VerificationException("certificate URL has the wrong port")
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise VerificationException("certificate URL has the wrong path")


def download(url: str) -> bytes:
    """Fetch a certificate chain (the default Fetch): a short timeout, a size limit."""
    from urllib.request import urlopen

    with urlopen(url, timeout=2.0) as response:
        data: bytes = response.read(65536)
        return data


def certifi_roots() -> list[x509.Certificate]:
    import certifi

    with open(certifi.where(), "rb") as handle:
        return x509.load_pem_x509_certificates(handle.read())


class AlexaRequestVerifier(AbstractVerifier):
    def __init__(
        self,
        skill_id: str | None,
        *,
        trusted_roots: Sequence[x509.Certificate] | None = None,
        fetch: Fetch = download,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.skill_id = skill_id
        self._roots = list(trusted_roots) if trusted_roots is not None else None
        self._fetch = fetch
        self._clock = clock
        self._chains: dict[str, list[x509.Certificate]] = {}
        self._lock = threading.Lock()

    # --- the interface the SDK calls ----------------------------------------------------------

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str | bytes,
        deserialized_request_env: Any = None,
    ) -> None:
        body = (
            serialized_request_env.encode("utf-8")
            if isinstance(serialized_request_env, str)
            else bytes(serialized_request_env)
        )
        url = header(headers, CERT_URL_HEADER)
        signature = header(headers, SIGNATURE_HEADER)
        if not url or not signature:
            raise VerificationException("signature headers missing")
        check_cert_url(url)
        now = self._clock()
        leaf = self._verified_leaf(url, now)
        try:
            raw_signature = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise VerificationException("signature is not base64") from error
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationException("certificate key is not RSA")
        try:
            key.verify(raw_signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise VerificationException("signature does not match the body") from error
        self._check_body(body, now)

    # --- the certificate chain ----------------------------------------------------------------

    def _roots_store(self) -> list[x509.Certificate]:
        if self._roots is None:
            self._roots = certifi_roots()
        return self._roots

    def _chain(self, url: str) -> list[x509.Certificate]:
        with self._lock:
            cached = self._chains.get(url)
        if cached is not None:
            return cached
        try:
            chain = x509.load_pem_x509_certificates(self._fetch(url))
        except Exception as error:  # unreachable, not PEM, empty
            raise VerificationException("certificate chain unavailable") from error
        with self._lock:
            self._chains[url] = chain
        return chain

    def _verified_leaf(self, url: str, now: datetime) -> x509.Certificate:
        from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

        chain = self._chain(url)
        leaf, intermediates = chain[0], chain[1:]
        try:
            verifier = (
                PolicyBuilder()
                .store(Store(self._roots_store()))
                .time(now)
                .build_server_verifier(x509.DNSName(CERT_NAME))
            )
            verifier.verify(leaf, intermediates)
        except (VerificationError, ValueError) as error:
            raise VerificationException(f"certificate chain rejected: {error}") from error
        return leaf

    # --- the body: timestamp and skill ----------------------------------------------------------

    def _check_body(self, body: bytes, now: datetime) -> None:
        try:
            envelope = json.loads(body)
            request = envelope["request"]
            stamp = datetime.fromisoformat(str(request["timestamp"]).replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError) as error:
            raise VerificationException("request has no readable timestamp") from error
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        kind = str(request.get("type", ""))
        tolerance = EVENT_TOLERANCE if kind.startswith("AlexaSkillEvent.") else TOLERANCE
        if abs(now - stamp) > tolerance:
            raise VerificationException("request timestamp out of tolerance")
        if self.skill_id is not None:
            application = ((envelope.get("context") or {}).get("System") or {}).get(
                "application"
            ) or {}
            if application.get("applicationId") != self.skill_id:
                raise VerificationException("request is for another skill")


class SkillIdVerifier(AbstractVerifier):
    """Without signature checks (local development only), still refuse other skills."""

    def __init__(self, skill_id: str | None) -> None:
        self.skill_id = skill_id

    def verify(
        self, headers: Any, serialized_request_env: Any, deserialized_request_env: Any
    ) -> None:
        if self.skill_id is None:
            return
        try:
            application = json.loads(serialized_request_env)["context"]["System"]["application"]
        except (ValueError, KeyError, TypeError) as error:
            raise VerificationException("request has no skill id") from error
        if application.get("applicationId") != self.skill_id:
            raise VerificationException("request is for another skill")
