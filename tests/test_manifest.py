"""skill.json: the health disclaimer, category, privacy fields, and a model for every locale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "skill.json").read_text(encoding="utf-8"))["manifest"]
    return data


def test_every_locale_has_an_interaction_model_and_content(manifest: dict[str, Any]) -> None:
    for locale in manifest["publishingInformation"]["locales"]:
        assert (ROOT / "interaction_model" / f"{locale}.json").is_file(), locale
        content_locales = {p.name for p in (ROOT / "content").iterdir()}
        assert locale in content_locales or locale.split("-")[0] in {
            c.split("-")[0] for c in content_locales
        }


def test_description_carries_the_health_disclaimer(manifest: dict[str, Any]) -> None:
    for info in manifest["publishingInformation"]["locales"].values():
        description = info["description"]
        assert "not medical advice" in description
        assert (
            "not a substitute for professional medical advice, diagnosis or treatment"
            in description
        )
        assert "emergency" in description
        assert len(info["summary"]) <= 160
        assert 1 <= len(info["examplePhrases"]) <= 3
        for phrase in info["examplePhrases"]:
            assert phrase.startswith("Alexa, ") and "cramp coach" in phrase


def test_category_and_privacy(manifest: dict[str, Any]) -> None:
    assert manifest["publishingInformation"]["category"] == "HEALTH_AND_FITNESS"
    privacy = manifest["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is False
    assert privacy["isChildDirected"] is False
    assert privacy["allowsPurchases"] is False
    assert privacy["containsAds"] is False
    for locale in manifest["publishingInformation"]["locales"]:
        assert privacy["locales"][locale]["privacyPolicyUrl"].startswith("https://")


def test_the_example_phrases_resolve_locally(manifest: dict[str, Any], echo: Any) -> None:
    for phrase in manifest["publishingInformation"]["locales"]["en-US"]["examplePhrases"]:
        turn = echo.say(phrase)
        assert turn.speech and "Sorry" not in turn.speech, phrase
