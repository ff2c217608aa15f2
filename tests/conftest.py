"""Shared fixtures: a real skill on a real embedded store, and a simulated Echo to talk to it."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.skill import CustomSkill

from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.local.envelope import Device
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore
from tools.dynalite import DYNALITE, Dynalite

from .helpers.clock import DAYTIME
from .helpers.fuzz_count import EXAMPLES
from .helpers.paths import CONTENT, MODEL_PATH


@pytest.fixture(scope="session")
def model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    return Resolver.from_files(MODEL_PATH)


@pytest.fixture(scope="session")
def library() -> ContentLibrary:
    return ContentLibrary(CONTENT)


@pytest.fixture(scope="session")
def content(library: ContentLibrary) -> Content:
    return library.get("en-US")


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "state.sqlite3")


@pytest.fixture
def skill(store: SqliteStore, library: ContentLibrary) -> CustomSkill:
    return build_skill(Config(), store, content=library, rng=random.Random(7))


@pytest.fixture
def handler(skill: CustomSkill) -> Any:
    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_event(event, context, skill)

    return handle


@pytest.fixture(scope="session")
def alexa_api() -> Any:
    """The stand-in for Alexa's service APIs (HTTPS on 127.0.0.1), trusted by the SDK client."""
    from cramp_coach.local.alexa_api import FakeAlexaApi

    api = FakeAlexaApi(time_zone="America/New_York")
    names = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")  # requests, and the standard library
    previous = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, api.ca_file))
    yield api
    api.close()
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def api(alexa_api: Any) -> Any:
    """The stand-in API, with no requests, reminders or failures left from other tests."""
    alexa_api.clear()
    alexa_api.reminders.clear()
    alexa_api.time_zone = "America/New_York"
    alexa_api.time_zones.clear()
    return alexa_api


@pytest.fixture
def device(api: Any) -> Device:
    return Device(api_endpoint=api.endpoint)


@pytest.fixture
def echo(handler: Any, resolver: Resolver, device: Device, api: Any) -> Simulator:
    """An Echo device in the bedroom, talking to the skill (in the daytime), in the time zone
    the stand-in API gives the device."""
    return Simulator(handler, resolver, device, clock=lambda: DAYTIME, zone=lambda: api.time_zone)


@pytest.fixture(scope="session")
def dynalite() -> Any:
    if not DYNALITE.exists():
        pytest.skip("dynalite is not installed: run `make test` (it runs npm ci)")
    server = Dynalite()
    yield server
    server.stop()


@pytest.fixture
def dynamo_store(dynalite: Dynalite) -> Any:
    from cramp_coach.store.dynamodb import open_dynamodb

    client = dynalite.client()
    return open_dynamodb(dynalite.create_table(client), client)


@pytest.fixture(params=["sqlite", "dynamodb"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The same contract, on both stores."""
    if request.param == "sqlite":
        return SqliteStore(tmp_path / "contract.sqlite3")
    return request.getfixturevalue("dynamo_store")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A test worker (pytest-xdist) hands its fuzz count to the process that reports."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["fuzz_examples"] = dict(EXAMPLES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The reporting process adds up the counts of its test workers."""
    EXAMPLES.update(getattr(node, "workeroutput", {}).get("fuzz_examples", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many generated envelopes the fuzz tests sent (make fuzz shows the count)."""
    if EXAMPLES:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(EXAMPLES.items()))
        total = sum(EXAMPLES.values())
        terminalreporter.write_line(f"fuzz: {total} generated requests ({counts})")
