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


OFF_TOPIC = [
    "what's the weather like tomorrow",
    "play some relaxing music",
    "how tall is mount everest",
    "order more paper towels",
    "what time is it in tokyo",
    "tell me a joke about cats",
    "turn off the bedroom lights",
    "who won the football last night",
]


def with_sensitivity(model: dict[str, Any], level: str | None) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(model))
    language = copy["interactionModel"]["languageModel"]
    language.pop("modelConfiguration", None)
    if level is not None:
        language["modelConfiguration"] = {"fallbackIntentSensitivity": {"level": level}}
    return copy


def test_the_fallback_sensitivity_is_read_from_the_model(model: dict[str, Any]) -> None:
    """The resolver behaves as Alexa does with the model's fallbackIntentSensitivity: the
    higher it is, the surer a line must be to reach an intent rather than the fallback."""
    from cramp_coach.local.resolver import SENSITIVITY, sensitivity

    assert sensitivity(with_sensitivity(model, None)) == "LOW"  # Alexa's default
    thresholds = [
        Resolver(with_sensitivity(model, level), {}).threshold
        for level in ("LOW", "MEDIUM", "HIGH")
    ]
    assert thresholds == sorted(thresholds) and len(set(thresholds)) == 3
    assert thresholds == [SENSITIVITY["LOW"], SENSITIVITY["MEDIUM"], SENSITIVITY["HIGH"]]


def test_a_higher_sensitivity_sends_more_unsure_lines_to_the_fallback(
    model: dict[str, Any],
) -> None:
    def fallbacks(level: str) -> int:
        resolver = Resolver(with_sensitivity(model, level), {})
        return sum(resolver.resolve(line).intent == FALLBACK for line in OFF_TOPIC)

    low, medium, high = (fallbacks(level) for level in ("LOW", "MEDIUM", "HIGH"))
    assert low <= medium <= high and high == len(OFF_TOPIC)
    # below its confidence, a line is the fallback, not the nearest wrong intent
    resolver = Resolver(with_sensitivity(model, "HIGH"), {})
    for line in OFF_TOPIC:
        resolution = resolver.resolve(line)
        assert resolution.intent == FALLBACK or resolution.score >= resolver.threshold, line


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("remind me at half eleven", "11:30"),  # British: half past eleven
        ("half ten", "10:30"),
        ("quarter past ten every night", "10:15"),
        ("quarter after ten", "10:15"),
        ("twenty to eleven", "10:40"),
        ("ten past ten", "10:10"),
        ("quarter to one", "12:45"),
        ("remind me at ten sharp every day", "10:00"),  # as people in India say it
        ("at 10 sharp", "10:00"),
        ("twenty five past nine pm", "21:25"),
    ],
)
def test_times_as_british_and_indian_speakers_say_them(said: str, value: str) -> None:
    from cramp_coach.local.times import find_time

    found = find_time(said)
    assert found is not None and found[1] == value, said


def test_half_an_hour_is_no_time_of_day() -> None:
    from cramp_coach.local.times import find_time

    assert find_time("in half an hour") is None
