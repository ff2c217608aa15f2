"""Shared fixtures: a real skill on a real embedded store, and a simulated Echo to talk to it."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime
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

from .dynamo import DYNALITE, Dynalite

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "interaction_model" / "en-US.json"


@pytest.fixture(scope="session")
def model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    return Resolver.from_files(MODEL_PATH)


@pytest.fixture(scope="session")
def library() -> ContentLibrary:
    return ContentLibrary(ROOT / "content")


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


# Mid-morning in New York: day mode, unless a test sets the clock to the night.
DAYTIME = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


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
def echo(handler: Any, resolver: Resolver, device: Device) -> Simulator:
    """An Echo device in the bedroom, talking to the skill (in the daytime)."""
    return Simulator(handler, resolver, device, clock=lambda: DAYTIME)


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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many generated envelopes the fuzz tests sent (make fuzz shows the count)."""
    from . import test_fuzz

    if test_fuzz.EXAMPLES:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(test_fuzz.EXAMPLES.items()))
        total = sum(test_fuzz.EXAMPLES.values())
        terminalreporter.write_line(f"fuzz: {total} generated requests ({counts})")
