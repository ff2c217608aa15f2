"""The self-hosted web service: only verified Alexa requests for this skill reach a handler.

A certificate authority made by the tests signs requests exactly as Alexa does; each tampering
case must get HTTP 400 with no handler run."""

from __future__ import annotations

import base64
import io
import json
import logging
import random
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.local import envelope as env
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore
from cramp_coach.web.app import ConfigurationError, create_app
from cramp_coach.web.oscrypto_compat import FAULTY, FIXED, repaired
from cramp_coach.web.verifier import AlexaRequestVerifier, check_cert_url
from tools.pki import CERT_URL, Authority, Chain

from .helpers.certhost import CertHost
from .helpers.dispatches import Dispatches

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture(scope="module")
def chain(authority: Authority) -> Chain:
    return authority.chain()


class Service:
    def __init__(
        self,
        tmp_path: Path,
        library: ContentLibrary,
        chains: dict[str, bytes],
        roots: list[Any],
        fetch: Callable[[str], bytes] | None = None,
    ) -> None:
        config = Config(skill_id=SKILL_ID)
        skill = build_skill(
            config, SqliteStore(tmp_path / "web.sqlite3"), content=library, rng=random.Random(1)
        )
        self.dispatches = Dispatches()
        skill.request_dispatcher.request_interceptors.append(self.dispatches)
        self.now = datetime.now(UTC)
        verifier = AlexaRequestVerifier(
            SKILL_ID,
            trusted_roots=roots,
            fetch=fetch or (lambda url: chains[url]),
            clock=lambda: self.now,
        )
        self.app = create_app(config, skill=skill, verifiers=[verifier])
        self.client = self.app.test_client()

    def body(
        self, *, skill_id: str = SKILL_ID, stamp: datetime | None = None, kind: str = "launch"
    ) -> bytes:
        device = env.Device(skill_id=skill_id, api_endpoint="https://127.0.0.1:9")
        request = env.launch_request(now=stamp or self.now)
        if kind == "event":
            request = {
                "type": "AlexaSkillEvent.SkillDisabled",
                "requestId": "amzn1.echo-api.request.e",
                "timestamp": env.timestamp(stamp or self.now),
                "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
            }
            return json.dumps(env.envelope(request, device, None)).encode()
        return json.dumps(env.envelope(request, device, env.Session())).encode()

    def post(self, body: bytes, headers: dict[str, str]) -> Any:
        return self.client.post(
            "/", data=body, headers={"Content-Type": "application/json", **headers}
        )


@pytest.fixture
def service(tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain) -> Service:
    return Service(tmp_path, library, {CERT_URL: chain.pem}, [authority.root])


def signed(chain: Chain, body: bytes, url: str = CERT_URL) -> dict[str, str]:
    return {"SignatureCertChainUrl": url, "Signature-256": chain.sign(body)}


def test_a_signed_request_is_answered(service: Service, chain: Chain) -> None:
    body = service.body()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated cryptography attributes on the way
        response = service.post(body, signed(chain, body))
    assert response.status_code == 200
    assert "not medical advice" in response.get_json()["response"]["outputSpeech"]["ssml"]
    assert service.dispatches.count == 1


def refused(service: Service, body: bytes, headers: dict[str, str]) -> None:
    response = service.post(body, headers)
    assert response.status_code == 400, response.data
    assert "error" in response.get_json()
    assert service.dispatches.count == 0, "a handler ran for a refused request"


def test_a_body_changed_by_one_byte(service: Service, chain: Chain) -> None:
    body = service.body()
    headers = signed(chain, body)
    tampered = bytearray(body)
    index = body.index(b"LaunchRequest") + 1
    tampered[index] ^= 0x01  # "LaunchRequest" -> "L`unchRequest"
    refused(service, bytes(tampered), headers)


@pytest.mark.parametrize("missing", ["SignatureCertChainUrl", "Signature-256", "both"])
def test_missing_headers(service: Service, chain: Chain, missing: str) -> None:
    body = service.body()
    headers = signed(chain, body)
    for name in list(headers):
        if missing in (name, "both"):
            del headers[name]
    refused(service, body, headers)


def test_only_the_retired_sha1_signature_header(service: Service, chain: Chain) -> None:
    body = service.body()
    refused(service, body, {"SignatureCertChainUrl": CERT_URL, "Signature": chain.sign(body)})


@pytest.mark.parametrize("signature", ["not base64!!", "AAAA====extra", "", "\u00e9\u00e9"])
def test_malformed_base64_is_a_400_not_a_500(
    service: Service, chain: Chain, signature: str
) -> None:
    body = service.body()
    refused(service, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": signature})


def test_a_signature_by_another_key(service: Service, authority: Authority) -> None:
    body = service.body()
    other = authority.chain()  # a valid chain, but not the one the URL serves
    refused(service, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": other.sign(body)})


BAD_URLS = [
    "http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
    "https://notamazon.com/echo.api/echo-api-cert-test.pem",
    "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert-test.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-test.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert-test.pem",
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert-test.pem",
    "https://s3.amazonaws.com/echo.api/%2E%2E/invalid.path/echo-api-cert-test.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert-test.pem",
    "https://s3.amazonaws.com:bad/echo.api/echo-api-cert-test.pem",
    "https://someone@s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
    "https://someone:secret@s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
    "https://@s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_cert_url_rules(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain, url: str
) -> None:
    # The chain is even served at the bad URL: the URL rules alone must refuse it.
    service = Service(tmp_path, library, {url: chain.pem, CERT_URL: chain.pem}, [authority.root])
    body = service.body()
    refused(service, body, signed(chain, body, url))


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "HTTPS://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    ],
)
def test_cert_urls_that_are_allowed(url: str) -> None:
    check_cert_url(url)  # raises if refused


@pytest.mark.parametrize(
    ("label", "make"),
    [
        (
            "expired",
            lambda a: a.chain(not_before=timedelta(days=-60), not_after=timedelta(days=-1)),
        ),
        (
            "not yet valid",
            lambda a: a.chain(not_before=timedelta(days=1), not_after=timedelta(days=60)),
        ),
        ("wrong name", lambda a: a.chain(dns_name="echo-api.example.com")),
        ("untrusted root", lambda a: Authority("Someone Else").chain()),
    ],
)
def test_certificate_problems(
    tmp_path: Path,
    library: ContentLibrary,
    authority: Authority,
    label: str,
    make: Callable[[Authority], Chain],
) -> None:
    bad = make(authority)
    service = Service(tmp_path, library, {CERT_URL: bad.pem}, [authority.root])
    body = service.body()
    refused(service, body, signed(bad, body))


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-151, False), (151, False), (-149, True), (149, True)]
)
def test_timestamp_tolerance(service: Service, chain: Chain, offset: int, accepted: bool) -> None:
    body = service.body(stamp=service.now + timedelta(seconds=offset))
    response = service.post(body, signed(chain, body))
    assert response.status_code == (200 if accepted else 400)
    assert service.dispatches.count == (1 if accepted else 0)


@pytest.mark.parametrize(("offset", "accepted"), [(-3599, True), (-3601, False)])
def test_skill_events_may_be_an_hour_old(
    service: Service, chain: Chain, offset: int, accepted: bool
) -> None:
    body = service.body(stamp=service.now + timedelta(seconds=offset), kind="event")
    response = service.post(body, signed(chain, body))
    assert response.status_code == (200 if accepted else 400)


def test_a_foreign_skill_id(service: Service, chain: Chain) -> None:
    body = service.body(skill_id="amzn1.ask.skill.someone-else")
    refused(service, body, signed(chain, body))


@pytest.mark.parametrize(
    "raw", [b"", b"not json", b"\xff\xfe\x00", b"[]", b'{"request": 1}', b"null"]
)
def test_bodies_that_are_not_alexa_requests(service: Service, raw: bytes) -> None:
    refused(service, raw, {"SignatureCertChainUrl": CERT_URL, "Signature-256": "AAAA"})


def test_get_is_not_allowed_and_health_answers(service: Service) -> None:
    assert service.client.get("/").status_code == 405
    health = service.client.get("/health")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}


def test_verification_needs_a_skill_id(library: ContentLibrary, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        create_app(Config(state_path=str(tmp_path / "x.sqlite3")))


def test_the_insecure_local_flag_warns_and_still_checks_the_skill(
    tmp_path: Path, library: ContentLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    config = Config(
        skill_id=SKILL_ID, insecure_local_dev=True, state_path=str(tmp_path / "i.sqlite3")
    )
    app = create_app(config)
    assert "REQUEST VERIFICATION IS OFF" in caplog.text
    client = app.test_client()
    device = env.Device(skill_id=SKILL_ID, api_endpoint="https://127.0.0.1:9")
    ok = client.post("/", json=env.envelope(env.launch_request(), device, env.Session()))
    assert ok.status_code == 200
    foreign = env.Device(skill_id="amzn1.ask.skill.other", api_endpoint="https://127.0.0.1:9")
    assert (
        client.post(
            "/", json=env.envelope(env.launch_request(), foreign, env.Session())
        ).status_code
        == 400
    )


# --- The oscrypto repair --------------------------------------------------------------------


def test_flask_ask_sdk_imports_on_this_openssl() -> None:
    import ssl

    import flask_ask_sdk.skill_adapter  # noqa: F401  (fails without the repair on 3.0.10+)

    assert ssl.OPENSSL_VERSION


def test_the_repair_fixes_only_the_faulty_expression() -> None:
    import re

    source = f"x = 1\nversion_match = {FAULTY}\ny = 2\n"
    fixed = repaired(source)
    assert fixed == f"x = 1\nversion_match = {FIXED}\ny = 2\n"
    assert repaired(fixed) is None  # a fixed oscrypto is left alone
    assert repaired("print('unrelated')") is None
    pattern = re.search(r"re\.search\('(.+)', version_string\)", FIXED).group(1)  # type: ignore[union-attr]
    pattern = pattern.replace("\\\\", "\\")
    for version, expected in [
        ("OpenSSL 3.0.19 27 Jan 2026", "3.0.19"),
        ("OpenSSL 1.1.1w  11 Sep 2023", "1.1.1w"),
        ("OpenSSL 3.0.2 15 Mar 2022", "3.0.2"),
    ]:
        assert re.search(pattern, version).group(1) == expected  # type: ignore[union-attr]


# --- Hostile clients ------------------------------------------------------------------------


class Endless(io.RawIOBase):
    """A request body of `size` bytes made as it is read, counting what the server takes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.taken)
        buffer[:count] = b" " * count
        self.taken += count
        return count


def refused_as_json(response: Any, status: int) -> None:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    assert "error" in response.get_json()


def test_a_body_declared_too_large_is_refused_unread(service: Service) -> None:
    body = Endless(5 * 1024 * 1024)
    response = service.client.post(
        "/",
        content_type="application/json",
        environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )
    refused_as_json(response, 413)
    assert body.taken == 0
    assert service.dispatches.count == 0


def test_a_chunked_body_is_read_no_further_than_the_cap(service: Service) -> None:
    from cramp_coach.web.app import MAX_BODY_BYTES

    body = Endless(5 * 1024 * 1024)  # no Content-Length, as a chunked request reaches the app
    response = service.client.post(
        "/",
        content_type="application/json",
        environ_overrides={
            "wsgi.input": body,
            "wsgi.input_terminated": True,  # as gunicorn says of the bodies it de-chunks
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )
    refused_as_json(response, 413)
    assert body.taken <= MAX_BODY_BYTES + 1
    assert service.dispatches.count == 0


@pytest.mark.parametrize("shape", ["arrays", "objects in an envelope"])
def test_deeply_nested_json_is_a_400_without_a_traceback(
    service: Service, chain: Chain, caplog: pytest.LogCaptureFixture, shape: str
) -> None:
    caplog.set_level(logging.DEBUG)
    if shape == "arrays":
        body = b"[" * 1000 + b"]" * 1000  # 2 KB
    else:
        envelope = json.loads(service.body())
        envelope["request"]["extra"] = "NEST"
        nested = '{"a":' * 1000 + "1" + "}" * 1000
        body = json.dumps(envelope).replace('"NEST"', nested).encode()
    refused_as_json(service.post(body, signed(chain, body)), 400)
    assert service.dispatches.count == 0
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


class CountingFetch:
    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.chain.pem


def test_stale_and_foreign_requests_fetch_no_certificate(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain
) -> None:
    fetch = CountingFetch(chain)
    service = Service(tmp_path, library, {}, [authority.root], fetch=fetch)
    for index in range(20):
        url = f"https://s3.amazonaws.com/echo.api/stale-{index}.pem"
        stale = service.body(stamp=service.now - timedelta(hours=1))
        refused(service, stale, signed(chain, stale, url))
        url = f"https://s3.amazonaws.com/echo.api/foreign-{index}.pem"
        foreign = service.body(skill_id="amzn1.ask.skill.someone-else")
        refused(service, foreign, signed(chain, foreign, url))
    assert fetch.urls == []
    body = service.body()  # and a good request still fetches, once
    assert service.post(body, signed(chain, body)).status_code == 200
    assert fetch.urls == [CERT_URL]


def test_a_signature_that_is_not_base64_fetches_no_certificate(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain
) -> None:
    fetch = CountingFetch(chain)
    service = Service(tmp_path, library, {}, [authority.root], fetch=fetch)
    body = service.body()
    refused(service, body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": "not base64!!"})
    assert fetch.urls == []


@pytest.fixture
def cert_host() -> Iterator[CertHost]:
    host = CertHost()
    yield host
    host.close()


def hosted(
    tmp_path: Path,
    library: ContentLibrary,
    authority: Authority,
    host: CertHost,
    deadline: float | None = None,
) -> Service:
    """A service fetching its chains from `host` with the real download code, within its
    default deadline or `deadline` seconds."""
    from cramp_coach.web.verifier import FETCH_DEADLINE, download

    within = FETCH_DEADLINE if deadline is None else deadline
    return Service(
        tmp_path,
        library,
        {},
        [authority.root],
        fetch=lambda url: download(host.local(url), deadline=within),
    )


def test_the_chain_is_cached_under_its_normalised_url(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain, cert_host: CertHost
) -> None:
    cert_host.chains["/echo.api/echo-api-cert-test.pem"] = chain.pem
    service = hosted(tmp_path, library, authority, cert_host)
    for url in [
        CERT_URL,
        CERT_URL + "?versionId=2",
        "HTTPS://S3.AMAZONAWS.COM:443/echo.api/../echo.api/echo-api-cert-test.pem#part",
        "https://s3.amazonaws.com/echo.api/%65cho-api-cert-test.pem",
    ]:
        body = service.body()
        assert service.post(body, signed(chain, body, url)).status_code == 200, url
    assert dict(cert_host.hits) == {"/echo.api/echo-api-cert-test.pem": 1}


def test_the_cache_holds_a_few_chains(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain, cert_host: CertHost
) -> None:
    service = hosted(tmp_path, library, authority, cert_host)
    paths = [f"/echo.api/cert-{index}.pem" for index in range(10)]
    for path in [*paths, paths[-1], paths[0]]:
        cert_host.chains[path] = chain.pem
        body = service.body()
        url = "https://s3.amazonaws.com" + path
        assert service.post(body, signed(chain, body, url)).status_code == 200
    assert cert_host.hits[paths[-1]] == 1  # the newest stayed
    assert cert_host.hits[paths[0]] == 2  # the oldest was let go, and fetched again


def test_a_failed_fetch_is_remembered_briefly(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain, cert_host: CertHost
) -> None:
    from cramp_coach.web.verifier import FAILURE_TTL

    service = hosted(tmp_path, library, authority, cert_host)  # nothing served: 404
    for _ in range(3):
        body = service.body()
        refused(service, body, signed(chain, body))
    assert cert_host.hits["/echo.api/echo-api-cert-test.pem"] == 1
    cert_host.chains["/echo.api/echo-api-cert-test.pem"] = chain.pem
    service.now += FAILURE_TTL + timedelta(seconds=1)
    body = service.body()
    assert service.post(body, signed(chain, body)).status_code == 200
    assert cert_host.hits["/echo.api/echo-api-cert-test.pem"] == 2


def test_a_dripping_certificate_host_is_given_up_on_at_the_deadline(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain, cert_host: CertHost
) -> None:
    # One byte every 0.05 s: each read is quick, the whole would take over 2 minutes.
    cert_host.chains["/echo.api/echo-api-cert-test.pem"] = chain.pem
    cert_host.drip["/echo.api/echo-api-cert-test.pem"] = 0.05
    service = hosted(tmp_path, library, authority, cert_host, deadline=0.3)
    body = service.body()
    began = time.monotonic()
    refused(service, body, signed(chain, body))
    assert time.monotonic() - began < 10  # the deadline is 0.3 s; generous for a busy machine


def test_a_certificate_over_the_size_cap_is_refused(
    tmp_path: Path, library: ContentLibrary, authority: Authority, chain: Chain, cert_host: CertHost
) -> None:
    from cramp_coach.web.verifier import MAX_CHAIN_BYTES

    cert_host.chains["/echo.api/echo-api-cert-test.pem"] = chain.pem + b"\n" * MAX_CHAIN_BYTES
    service = hosted(tmp_path, library, authority, cert_host)
    body = service.body()
    refused(service, body, signed(chain, body))


def test_the_trust_store_skips_a_root_it_cannot_load(
    tmp_path: Path,
    library: ContentLibrary,
    authority: Authority,
    chain: Chain,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from cryptography.hazmat.primitives import serialization

    from cramp_coach.web.verifier import load_roots

    other = Authority("Another Root")
    good = authority.root.public_bytes(serialization.Encoding.PEM)
    der = bytearray(other.root.public_bytes(serialization.Encoding.DER))
    broken = base64.encodebytes(bytes(der[: len(der) // 2])).decode()  # cut in half
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(
        other.root.public_bytes(serialization.Encoding.PEM)
        + f"-----BEGIN CERTIFICATE-----\n{broken}-----END CERTIFICATE-----\n".encode()
        + good
    )
    caplog.set_level(logging.WARNING)
    roots = load_roots(str(bundle))
    assert [root.subject for root in roots] == [other.root.subject, authority.root.subject]
    assert "root 2" in caplog.text and "skipped" in caplog.text
    assert load_roots(str(bundle)) is roots  # loaded once
    service = Service(tmp_path, library, {CERT_URL: chain.pem}, list(roots))
    body = service.body()
    assert service.post(body, signed(chain, body)).status_code == 200


def test_the_certifi_bundle_loads_once() -> None:
    from cramp_coach.web.verifier import certifi_roots

    roots = certifi_roots()
    assert len(roots) > 50
    assert certifi_roots() is roots


def test_other_http_errors_are_json_too(service: Service) -> None:
    refused_as_json(service.client.get("/"), 405)
    refused_as_json(service.client.get("/nowhere"), 404)


@pytest.mark.parametrize("extra", [0, 1])
def test_the_nesting_limit(service: Service, chain: Chain, extra: int) -> None:
    from cramp_coach.web.app import MAX_DEPTH, depth

    envelope = json.loads(service.body())
    envelope["request"]["extra"] = []
    nest = envelope["request"]["extra"]
    while depth(envelope) < MAX_DEPTH + extra:
        nest.append([])
        nest = nest[0]
    body = json.dumps(envelope).encode()
    response = service.post(body, signed(chain, body))
    assert response.status_code == (200 if extra == 0 else 400), response.data
