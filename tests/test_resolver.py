"""The local resolver `make run` uses: people's own words reach the right intent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.intents import Intent
from cramp_coach.local.resolver import FALLBACK, Resolver, tokens

PARAPHRASES: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "data" / "paraphrases.json").read_text(encoding="utf-8")
)
CASES = [
    (FALLBACK if intent == "_fallback" else intent, line)
    for intent, lines in PARAPHRASES.items()
    for line in lines
]


def normalise(text: str) -> str:
    return " ".join(tokens(text))


def test_every_custom_intent_has_at_least_eight_evaluation_lines(model: dict[str, Any]) -> None:
    """Typed paraphrases here, spoken ones in tests/nlu/: together, every intent is covered."""
    from cramp_coach.local.nlu import load_locale

    custom = {
        i["name"]
        for i in model["interactionModel"]["languageModel"]["intents"]
        if not i["name"].startswith("AMAZON.")
    }
    spoken = [a.intent for a in load_locale("en-US")]
    for intent in custom:
        assert len(PARAPHRASES.get(intent, [])) + spoken.count(intent) >= 8, intent


def test_no_paraphrase_is_a_sample(model: dict[str, Any]) -> None:
    samples = {
        normalise(s)
        for i in model["interactionModel"]["languageModel"]["intents"]
        for s in i.get("samples", [])
    }
    copies = [line for _, line in CASES if normalise(line) in samples]
    assert copies == []


@pytest.mark.parametrize(("intent", "line"), CASES)
def test_paraphrase_resolves_to_its_intent(resolver: Resolver, intent: str, line: str) -> None:
    resolution = resolver.resolve(line)
    assert resolution.intent == intent, (line, resolver.explain(line))


@pytest.mark.parametrize(
    ("line", "value_id"),
    [
        ("my calf is cramping", "CALF"),
        ("ow my calves", "CALF"),
        ("help, my thigh's cramping up", "THIGH"),
        ("I've got a cramp in the back of my thigh", "HAMSTRING"),
        ("my foot is cramping!!", "FOOT"),
        ("I've got a charley horse in my quads", "THIGH"),
    ],
)
def test_muscle_slot_resolves_to_the_value_id(resolver: Resolver, line: str, value_id: str) -> None:
    resolution = resolver.resolve(line)
    assert resolution.intent == "CrampNowIntent"
    assert resolution.slots["muscle"].value_id == value_id


def test_an_unknown_muscle_fills_the_slot_without_a_match(resolver: Resolver) -> None:
    resolution = resolver.resolve("my elbow is cramping")
    assert resolution.intent == "CrampNowIntent"
    assert resolution.slots["muscle"].spoken == "elbow"
    assert resolution.slots["muscle"].value_id is None


def test_cramping_without_a_muscle_leaves_the_slot_empty(resolver: Resolver) -> None:
    resolution = resolver.resolve("I'm having a cramp, what do I do")
    assert resolution.intent == "CrampNowIntent"
    assert resolution.slots == {}


@pytest.mark.parametrize(
    ("line", "intent"),
    [
        ("yes", Intent.YES),
        ("yeah sure", Intent.YES),
        ("no thanks", Intent.NO),
        ("help", Intent.HELP),
        ("say that again", Intent.REPEAT),
        ("stop", Intent.STOP),
        ("cancel", Intent.CANCEL),
        ("", FALLBACK),
        ("?!", FALLBACK),
    ],
)
def test_built_in_phrases(resolver: Resolver, line: str, intent: str) -> None:
    assert resolver.resolve(line).intent == intent


def test_a_swollen_calf_is_a_red_flag_not_a_cramp(resolver: Resolver) -> None:
    for line in ("my calf is swollen and red", "one calf is hot and swollen", "my leg is swollen"):
        assert resolver.resolve(line).intent == "BloodClotIntent", line


def test_acronyms_spelled_the_alexa_way_match_typed_ones() -> None:
    assert tokens("is it a. l. s.") == tokens("is it ALS?")
