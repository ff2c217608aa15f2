"""skill.json: published in the six markets, each locale with its own listing (the health
disclaimer and that market's emergency number in its language, example phrases that work),
content and model; the category and the privacy fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.local.locales import AlexaWords, model_path

from .helpers.locales import LOCALES, MARKETS, PENDING, local_time, resolver, speaker

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = sorted(MARKETS)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "skill.json").read_text(encoding="utf-8"))["manifest"]
    return data


def listing(manifest: dict[str, Any], locale: str) -> dict[str, Any]:
    info: dict[str, Any] = manifest["publishingInformation"]["locales"][locale]
    return info


def test_the_skill_is_published_in_the_six_markets_and_no_other(manifest: dict[str, Any]) -> None:
    publishing = manifest["publishingInformation"]
    assert sorted(publishing["locales"]) == PUBLISHED
    assert publishing["isAvailableWorldwide"] is False  # elsewhere, other numbers apply
    assert sorted(publishing["distributionCountries"]) == sorted(
        MARKETS[locale]["country"] for locale in PUBLISHED
    )
    assert sorted(manifest["privacyAndCompliance"]["locales"]) == PUBLISHED
    assert set(LOCALES) <= set(PUBLISHED)  # every locale the skill speaks is published


@pytest.mark.parametrize("locale", PUBLISHED)
def test_every_published_locale_has_its_own_content_and_model(locale: str) -> None:
    if locale in PENDING:
        pytest.skip(f"{locale}: its content and model land with another branch of issue 14")
    assert (ROOT / "content" / locale).is_dir() and locale in LOCALES
    assert model_path(locale).is_file()


def test_pending_locales_are_only_the_ones_still_to_land() -> None:
    landed = {locale for locale in PENDING if (ROOT / "content" / locale).is_dir()}
    assert landed == set(), f"remove {sorted(landed)} from tests/helpers/locales.py PENDING"


@pytest.mark.parametrize("locale", PUBLISHED)
def test_the_description_carries_the_disclaimer_and_the_markets_number(
    manifest: dict[str, Any], locale: str
) -> None:
    info, market = listing(manifest, locale), MARKETS[locale]
    description = info["description"]
    for words in market["listing"]:
        assert words in description, f"{locale}: {words!r}"
    disclaimer = description.split("\n\n")[-1]  # the last paragraph, where people look for it
    for number in (market["emergency"], *market.get("advice", [])):
        assert number in disclaimer, f"{locale}: {number}"
    assert len(info["summary"]) <= 160 and info["name"]
    assert 1 <= len(info["keywords"]) <= 30 and len(set(info["keywords"])) == len(info["keywords"])
    assert 1 <= len(info["examplePhrases"]) <= 3
    for phrase in info["examplePhrases"]:
        assert phrase.startswith("Alexa, ")


def test_the_german_listing_speaks_to_the_person_as_du(manifest: dict[str, Any]) -> None:
    german = listing(manifest, "de-DE")
    text = " ".join([german["summary"], german["description"]])
    assert " dir " in text and " du " in text
    assert not {" Sie ", " Ihnen ", " Ihr ", " Ihre "} & {f" {w} " for w in text.split()}


def test_category_and_privacy(manifest: dict[str, Any]) -> None:
    assert manifest["publishingInformation"]["category"] == "HEALTH_AND_FITNESS"
    privacy = manifest["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is False
    assert privacy["isChildDirected"] is False
    assert privacy["allowsPurchases"] is False
    assert privacy["containsAds"] is False
    for locale in manifest["publishingInformation"]["locales"]:
        assert privacy["locales"][locale]["privacyPolicyUrl"].startswith("https://")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_example_phrases_work_in_their_locale(
    manifest: dict[str, Any], handler: Any, api: Any, library: Any, locale: str
) -> None:
    """Each phrase names the skill by the locale's invocation name and is understood: it opens
    the skill, or reaches an intent that is not the fallback, and is answered in the locale."""
    name = resolver(locale).invocation_name
    alexa = AlexaWords.of(locale)
    for phrase in listing(manifest, locale)["examplePhrases"]:
        assert name in phrase.lower(), phrase
        echo = speaker(handler, api, locale, local_time(locale, 15))
        turn = echo.say(phrase)
        heard = turn.resolution.intent if turn.resolution else turn.request["request"]["type"]
        assert heard not in {"AMAZON.FallbackIntent", None}, phrase
        assert turn.speech and turn.request["request"]["locale"] == locale, phrase
        assert alexa.request_after(phrase.removeprefix("Alexa, "), name) is not None or (
            alexa.opens(phrase.lower().removeprefix("alexa, "), name)
        ), phrase
