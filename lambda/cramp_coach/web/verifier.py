"""Only Alexa can talk to the self-hosted skill: request verification, behind the SDK's
AbstractVerifier interface, built on `cryptography`'s own X.509 path validation.

Why not the SDK's RequestVerifier: it validates the chain with certvalidator/oscrypto (which
cannot even load on current OpenSSL without a repair, see oscrypto_compat), turns a malformed
base64 signature into a 500 instead of a 400, and uses `cryptography` attributes that are
deprecated. This verifier checks everything Amazon requires and raises VerificationException
(HTTP 400) for every failure, cheapest first, so that only a request that could be genuine
costs a certificate download:

1. both signature headers are present;
2. the request timestamp: within 150 seconds of now (one hour for skill events), read from the
   body (a rejection needs no trust; an accepted body is still checked against the signature);
3. the skill ID, when one is configured;
4. the `SignatureCertChainUrl`: https, host s3.amazonaws.com (any case), no user or password,
   port 443 if given, path starting /echo.api/ (case-sensitive) after decoding and normalising
   `..`; the `Signature-256` header is base64;
5. the certificate chain: within its validity dates now, subject alternative name
   echo-api.amazon.com, chaining to a trusted root (the certifi bundle unless given others);
6. the signature: RSA PKCS#1 v1.5 SHA-256 over the raw body (the retired SHA-1 `Signature`
   header alone is refused).

Chains are cached by their normalised URL (scheme, host and path; no query, fragment or port),
a few at a time, least recently used first out; a failed download is remembered for
FAILURE_TTL, so a broken URL costs one download, not one per request. A download has a total
deadline (not a per-read timeout) and a size cap. The trust store is loaded root by root,
once per process: a root that cannot be loaded is skipped and logged, not fatal.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import posixpath
import re
import socket
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

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
FETCH_DEADLINE = 2.0  # seconds for a whole certificate download: connect, headers and body
MAX_CHAIN_BYTES = 32 * 1024  # Alexa's chain is about 6 KB
CACHE_SIZE = 4  # chains kept; Alexa uses one URL at a time, a new one when it rotates
FAILURE_TTL = timedelta(seconds=30)  # how long a failed download is remembered

Fetch = Callable[[str], bytes]


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """A header, whatever the case of its name (Flask's headers are already case-blind)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return str(value) if value is not None else None


def check_cert_url(url: str) -> str:
    """The URL's rules; returns it normalised (https, the host, the decoded path), which is
    what is downloaded and the cache's key."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationException("certificate URL is malformed") from error
    if parts.scheme.lower() != "https":
        raise VerificationException("certificate URL is not https")
    if "@" in parts.netloc:
        raise VerificationException("certificate URL has a user name")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationException("certificate URL has the wrong host")
    if port is not None and port != 443:
        raise VerificationException("certificate URL has the wrong port")
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise VerificationException("certificate URL has the wrong path")
    return f"https://{CERT_HOST}{quote(path)}"


def download(url: str, *, deadline: float = FETCH_DEADLINE, limit: int = MAX_CHAIN_BYTES) -> bytes:
    """Fetch a certificate chain (the default Fetch) within `deadline` seconds in all, and at
    most `limit` bytes: a server that drips its answer is cut off at the deadline, one that
    sends more than `limit` is refused. Redirects are not followed."""
    import http.client

    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=deadline)
    late = threading.Event()
    opened: list[socket.socket] = []  # http.client lets go of its socket once it answers

    def cut_off() -> None:  # wakes a read blocked in the other thread; it then fails
        late.set()
        for sock in opened:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    timer = threading.Timer(deadline, cut_off)
    timer.daemon = True
    timer.start()
    try:
        connection.connect()
        opened.append(connection.sock)
        if late.is_set():
            raise TimeoutError
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        if response.status != 200:
            raise OSError(f"certificate host answered {response.status}")
        data = response.read(limit + 1)
    except OSError:
        if late.is_set():
            raise TimeoutError("certificate download passed its deadline") from None
        raise
    finally:
        timer.cancel()
        connection.close()
    if late.is_set():  # a read cut short can look like a short, complete answer
        raise TimeoutError("certificate download passed its deadline")
    if len(data) > limit:
        raise ValueError(f"certificate chain is over {limit} bytes")
    return data


PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


@cache
def load_roots(path: str) -> tuple[x509.Certificate, ...]:
    """The roots in a PEM bundle, loaded one by one, once per process and path: a root this
    `cryptography` refuses is skipped and logged instead of failing every request."""
    with open(path, "rb") as handle:
        blocks = PEM_BLOCK.findall(handle.read())
    roots = []
    for number, block in enumerate(blocks, start=1):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError as error:
                log.warning("trust store %s: root %d skipped: %s", path, number, error)
                continue
        for warning in caught:  # e.g. a negative serial number, refused by a later release
            log.info("trust store %s: root %d: %s", path, number, warning.message)
    if not roots:
        log.error("trust store %s has no root that loads: every request will be refused", path)
    return tuple(roots)


def certifi_roots() -> tuple[x509.Certificate, ...]:
    import certifi

    return load_roots(certifi.where())


@dataclass(frozen=True, slots=True)
class _Cached:
    chain: tuple[x509.Certificate, ...] | None  # None: the download failed
    failed_at: datetime | None = None


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
        self._store: Any = None
        self._fetch = fetch
        self._clock = clock
        self._chains: OrderedDict[str, _Cached] = OrderedDict()
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
        now = self._clock()
        self._check_body(body, now)
        key_url = check_cert_url(url)
        try:
            raw_signature = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise VerificationException("signature is not base64") from error
        leaf = self._verified_leaf(key_url, now)  # only now may a download happen
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationException("certificate key is not RSA")
        try:
            key.verify(raw_signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise VerificationException("signature does not match the body") from error

    # --- the certificate chain ----------------------------------------------------------------

    def _roots_store(self) -> Any:
        from cryptography.x509.verification import Store

        if self._store is None:
            roots = self._roots if self._roots is not None else certifi_roots()
            self._store = Store(list(roots))
        return self._store

    def _chain(self, url: str, now: datetime) -> tuple[x509.Certificate, ...]:
        with self._lock:
            cached = self._chains.get(url)
            if cached is not None:
                if cached.chain is not None:
                    self._chains.move_to_end(url)
                    return cached.chain
                if cached.failed_at is not None and now - cached.failed_at < FAILURE_TTL:
                    raise VerificationException("certificate chain unavailable (recently)")
        try:
            chain: tuple[x509.Certificate, ...] | None = tuple(
                x509.load_pem_x509_certificates(self._fetch(url))
            )
        except Exception as error:  # unreachable, too slow, too big, not PEM, empty
            log.warning("certificate chain download failed: %s", type(error).__name__)
            chain = None
        with self._lock:
            self._chains[url] = _Cached(chain, None if chain else now)
            self._chains.move_to_end(url)
            while len(self._chains) > CACHE_SIZE:
                self._chains.popitem(last=False)
        if not chain:
            raise VerificationException("certificate chain unavailable")
        return chain

    def _verified_leaf(self, url: str, now: datetime) -> x509.Certificate:
        from cryptography.x509.verification import PolicyBuilder, VerificationError

        chain = self._chain(url, now)
        leaf, intermediates = chain[0], list(chain[1:])
        try:
            verifier = (
                PolicyBuilder()
                .store(self._roots_store())
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
