"""End to end with an independent client: Bespoken's virtual-alexa (npm) talks to the served
skill over HTTP, building its requests from interaction_model/en-US.json. Verification is off
for this test only (virtual-alexa cannot sign like Alexa)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cramp_coach.config import Config
from cramp_coach.web.app import create_app

from .helpers.serving import serve_in_background

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "e2e" / "virtual_alexa_conversation.js"
SKILL_ID = "amzn1.ask.skill.virtual-alexa-e2e"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    config = Config(
        skill_id=SKILL_ID, insecure_local_dev=True, state_path=str(tmp_path / "served.sqlite3")
    )
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    serve_in_background(server)
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.mark.skipif(
    not (ROOT / "node_modules" / "virtual-alexa").exists() or shutil.which("node") is None,
    reason="virtual-alexa is not installed: run `make test` (it runs npm ci)",
)
def test_a_short_conversation_through_virtual_alexa(served: str) -> None:
    completed = subprocess.run(
        ["node", str(SCRIPT), served, str(ROOT / "interaction_model" / "en-US.json"), SKILL_ID],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    turns = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    assert [t["said"] for t in turns] == [
        "open cramp coach",
        "why do my calves cramp at night",
        "my calf is cramping",
        "open cramp coach",
        "stop",
    ]
    launch, why, cramp, again, stop = turns
    assert "not medical advice" in launch["ssml"] and launch["shouldEndSession"] is False
    assert "no clear" in why["ssml"]
    assert any(w in cramp["ssml"] for w in ("toes", "flex your foot")) and cramp["shouldEndSession"]
    assert "medical advice" not in again["ssml"]  # the disclaimer was remembered
    assert stop["shouldEndSession"] is True
