"""Where the repository's files are, for tests that read them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL_PATH = ROOT / "interaction_model" / "en-US.json"
CONTENT = ROOT / "content"
