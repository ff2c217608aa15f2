"""The second NLU judge (cramp_coach.local.judge): a classifier trained on nothing but the built
model, beside the resolver the models are tuned against. It hears the obvious line of each
group in English and German, sends off-topic lines to AMAZON.FallbackIntent, honours the
model's fallbackIntentSensitivity, and reports as `make nlu` does. Each judge is built once
(a few seconds: it is trained and calibrated on the model)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.intents import Intent
from cramp_coach.local.judge import Judge, examples, main, normalise, sensitivity

from .helpers.paths import ROOT

FRIDAY = date(2026, 12, 4)
# One obvious line per group (red flags, mid-cramp, questions, negative), heard as
# (intent, slots); none of them is a sample.
OBVIOUS = {
    "en-US": [
        ("my chest hurts and i can't breathe", "EmergencyIntent", {}),
        ("my calf is cramping right now", "CrampNowIntent", {"muscle": "calf"}),
        ("how much magnesium should i take", "DoseIntent", {"supplement": "magnesium"}),
        ("what's the weather in paris", Intent.FALLBACK, {}),
    ],
    "de-DE": [
        ("ich habe schmerzen in der brust und bekomme keine luft", "EmergencyIntent", {}),
        ("meine wade krampft gerade", "CrampNowIntent", {"muscle": "wade"}),
        ("wie viel magnesium soll ich nehmen", "DoseIntent", {"supplement": "magnesium"}),
        ("wie ist das wetter in paris", Intent.FALLBACK, {}),
    ],
}
OFF_TOPIC = [
    "what's the weather in paris",
    "what's the capital of france",
    "order a pizza",
    "play some jazz",
    "how tall is mount everest",
    "add milk to my shopping list",
    "who won the football last night",
    "tell me a joke",
    "my car won't start",
    "how do i get red wine out of the carpet",
]


def model_path(locale: str) -> Path:
    return ROOT / "interaction_model" / f"{locale}.json"


@pytest.fixture(scope="module")
def judges() -> dict[str, Judge]:
    """The judge of each locale's model, as it is (no sensitivity set: LOW)."""
    return {locale: Judge.from_model(model_path(locale)) for locale in OBVIOUS}


@pytest.fixture(scope="module")
def sensitive(tmp_path_factory: pytest.TempPathFactory) -> Judge:
    """The judge of a copy of the en-US model with fallbackIntentSensitivity HIGH."""
    model: dict[str, Any] = json.loads(model_path("en-US").read_text(encoding="utf-8"))
    language = model["interactionModel"]["languageModel"]
    language["modelConfiguration"] = {"fallbackIntentSensitivity": {"level": "HIGH"}}
    path = tmp_path_factory.mktemp("model") / "en-US.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    return Judge.from_model(path)


@pytest.mark.parametrize("locale", sorted(OBVIOUS))
def test_the_obvious_line_of_each_group_is_heard(judges: dict[str, Judge], locale: str) -> None:
    heard = [judges[locale].hear(line, FRIDAY) for line, _, _ in OBVIOUS[locale]]
    assert heard == [(intent, slots) for _, intent, slots in OBVIOUS[locale]]


def test_the_weather_in_paris_is_no_question_for_the_skill(judges: dict[str, Judge]) -> None:
    assert judges["en-US"].hear("what's the weather in paris") == (Intent.FALLBACK, {})


def test_a_higher_sensitivity_sends_at_least_as_many_off_topic_lines_to_the_fallback(
    judges: dict[str, Judge], sensitive: Judge
) -> None:
    low = judges["en-US"]
    assert (low.level, sensitive.level) == ("LOW", "HIGH")
    assert sensitive.threshold > low.threshold

    def fallbacks(judge: Judge) -> list[str]:
        return [line for line in OFF_TOPIC if judge.hear(line)[0] == Intent.FALLBACK]

    assert set(fallbacks(low)) <= set(fallbacks(sensitive))
    assert len(fallbacks(low)) >= len(OFF_TOPIC) // 3


def test_the_sensitivity_is_read_from_the_model_and_low_when_absent() -> None:
    def level(config: Any) -> str:
        return sensitivity({"modelConfiguration": config} if config is not None else {})

    assert level(None) == "LOW"
    assert level({"fallbackIntentSensitivity": {"level": "MEDIUM"}}) == "MEDIUM"
    assert level({"fallbackIntentSensitivity": {"level": "high"}}) == "HIGH"
    assert level({"fallbackIntentSensitivity": {}}) == "LOW"


def test_it_learns_from_the_samples_with_their_slots_written_out() -> None:
    language = {
        "intents": [
            {"name": "AMAZON.StopIntent", "samples": []},
            {
                "name": "CrampNowIntent",
                "slots": [{"name": "muscle", "type": "LEG_MUSCLE"}],
                "samples": ["My {muscle} is cramping!", "ow"],
            },
        ],
        "types": [
            {
                "name": "LEG_MUSCLE",
                "values": [{"name": {"value": "calf", "synonyms": ["calves", "lower leg"]}}],
            }
        ],
    }
    trained = examples(language, {"AMAZON.StopIntent": ["stop"], "OtherIntent": ["x"]}, "en")
    assert {(e.text, e.intent) for e in trained} == {
        ("stop", "AMAZON.StopIntent"),
        ("my calf is cramping", "CrampNowIntent"),
        ("my calves is cramping", "CrampNowIntent"),
        ("my lower leg is cramping", "CrampNowIntent"),
        ("ow", "CrampNowIntent"),
    }
    assert normalise("Could it be a D. V. T.?") == "could it be a dvt"


def test_times_and_unlisted_words_fill_slots(judges: dict[str, Judge]) -> None:
    judge = judges["en-US"]
    slots = judge.slots("remind me to stretch every night at ten pm", "SetReminderIntent", FRIDAY)
    assert slots == {"frequency": "every night", "time": "22:00"}
    assert judge.slots("my shin is cramping", "CrampNowIntent", FRIDAY) == {"muscle": "shin"}
    assert judge.slots("ow cramp", "CrampNowIntent", FRIDAY) == {}


def test_the_command_line_prints_the_nlu_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A set's locale is its file's: de-DE lines are judged against the German model."""
    lines = tmp_path / "de-DE.jsonl"
    lines.write_text(
        "\n".join(
            json.dumps(
                {
                    "inputs": {"utterance": line},
                    "expected": [{"intent": {"name": intent, "slots": {}}}],
                }
            )
            for line, intent in [
                ("ich bekomme keine luft und meine brust tut weh", "EmergencyIntent"),
                ("hilft magnesium gegen krämpfe", "MagnesiumIntent"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["--set", str(lines)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("group        passed  total  accuracy")
    assert "red flags" in out and "questions" in out and "over-triggering" in out
    assert re.search(r"EmergencyIntent\s+1\s+1\n", out), out  # heard as the German says it
