"""No locale misses anything another has: every content key (topics, replies, words, the
routine's cues, words, lengths and stretches, night phrasings, questions) and every intent of
the interaction model (with its slots and slot values, and samples for each of the skill's own
intents) is in every locale, and every intent the code handles or the content answers is in
every locale's model. What belongs to one market is left to it: its sources and its numbers
(each locale has its emergency number, and says every number digit by digit). The check is
shown failing on a copy of the content and of a model with one thing taken out."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.content import Content, ContentError, ContentLibrary
from cramp_coach.intents import Intent

from .helpers.locales import LOCALES, model
from .helpers.paths import CONTENT

Keys = dict[str, set[str]]


def content_keys(content: Content) -> Keys:
    """Every key a locale's content gives, by where it is."""
    routine = content.routine
    return {
        "topics": set(content.topics),
        "topics with night phrasings": {k for k, t in content.topics.items() if t.night},
        "replies": set(content.replies),
        "replies with night phrasings": {k for k, r in content.replies.items() if r.night},
        "replies that ask": {k for k, r in content.replies.items() if r.asks},
        "words": set(content.words),
        "routine.cues": set(routine.cues),
        "routine.words": set(routine.words),
        "routine.lengths": set(routine.lengths),
        "routine.steps": {
            f"{length.key}:{step.stretch.key}:{step.side}"
            for length in routine.lengths.values()
            for step in length.steps
        },
    }


def model_keys(data: Mapping[str, Any]) -> Keys:
    """Every intent, slot and slot value of an interaction model."""
    language = data["interactionModel"]["languageModel"]
    intents = language["intents"]
    return {
        "intents": {i["name"] for i in intents},
        "own intents with samples": {
            i["name"] for i in intents if i.get("samples") and not i["name"].startswith("AMAZON.")
        },
        "slots": {
            f"{i['name']}.{s['name']}:{s['type']}" for i in intents for s in i.get("slots", [])
        },
        "slot values": {
            f"{t['name']}.{v.get('id', v['name']['value'])}"
            for t in language.get("types", [])
            for v in t["values"]
        },
    }


def gaps(keys: Mapping[str, Keys]) -> list[str]:
    """What a locale lacks that another locale has: '<locale>: <where>: <key>'."""
    found: list[str] = []
    places = {place for by_place in keys.values() for place in by_place}
    for place in sorted(places):
        every = set().union(*(by_place.get(place, set()) for by_place in keys.values()))
        for locale, by_place in sorted(keys.items()):
            found += [f"{locale}: {place}: {k}" for k in sorted(every - by_place.get(place, set()))]
    return found


def content_gaps(root: Path, locales: list[str]) -> list[str]:
    library = ContentLibrary(root)
    keys: dict[str, Keys] = {}
    problems: list[str] = []
    for locale in locales:
        try:
            content = library.get(locale)
        except ContentError as error:  # a key the loader requires: it refuses the locale
            problems.append(f"{locale}: {error}")
            continue
        if content.locale != locale:
            problems.append(f"{locale}: answered from {content.locale}'s words")
            continue
        keys[locale] = content_keys(content)
    return problems + gaps(keys)


def model_gaps(
    models: Mapping[str, Mapping[str, Any]], answered: Mapping[str, set[str]]
) -> list[str]:
    """`answered`: per locale, the intents its content answers, with every intent in the code."""
    problems = gaps({locale: model_keys(data) for locale, data in models.items()})
    for locale, data in sorted(models.items()):
        missing = answered[locale] - model_keys(data)["intents"]
        problems += [f"{locale}: intents: {name} (handled, not in the model)" for name in missing]
    return problems


def unsaid(content: Content) -> set[str]:
    """The locale's numbers that have no spoken form (Alexa would read them as amounts)."""
    return {n for n in content.numbers.values() if n not in content.spoken_as}


def handled(content: Content) -> set[str]:
    return {intent.value for intent in Intent} | set(content.answer_intents)


# --- The repository's locales ----------------------------------------------------------------


def test_no_locale_misses_a_content_key() -> None:
    assert content_gaps(CONTENT, LOCALES) == []


def test_no_locale_misses_an_intent_a_slot_or_a_slot_value(library: ContentLibrary) -> None:
    models = {locale: model(locale) for locale in LOCALES}
    answered = {locale: handled(library.get(locale)) for locale in LOCALES}
    assert model_gaps(models, answered) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_emergency_and_advice_number_is_said_the_way_people_there_say_it(
    library: ContentLibrary, locale: str
) -> None:
    """A number is read digit by digit ("nine one one"), not as an amount."""
    content = library.get(locale)
    assert "emergency_number" in content.numbers
    assert unsaid(content) == set()


# --- The checks fail when something is missing -------------------------------------------------


@pytest.fixture
def two_locales(tmp_path: Path) -> Path:
    """content/ with en-US and a copy of it under another locale's name."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root, ignore=shutil.ignore_patterns("schema"))
    for extra in (p for p in root.iterdir() if p.is_dir() and p.name != "en-US"):
        shutil.rmtree(extra)
    shutil.copytree(root / "en-US", root / "en-GB")
    return root


def edit(path: Path, change: Callable[[Any], Any]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_two_whole_locales_have_no_gaps(two_locales: Path) -> None:
    assert content_gaps(two_locales, ["en-US", "en-GB"]) == []


@pytest.mark.parametrize(
    ("file", "change", "reported"),
    [
        ("prompts", lambda d: d["replies"].pop("goodbye_night"), "en-GB: replies: goodbye_night"),
        (
            "answers",
            lambda d: d["topics"]["cramp_now_foot"].pop("night"),
            "en-GB: topics with night phrasings: cramp_now_foot",
        ),
        ("prompts", lambda d: d["replies"].pop("help"), "en-GB: content/en-GB is invalid"),
        ("reminders", lambda d: d["replies"].pop("reminder_set"), "reminder_set"),
        ("routine", lambda d: d["cues"].pop("ten_more"), "ten_more"),
        ("answers", lambda d: d["topics"].pop("why"), "topics.why: no words in en-GB"),
    ],
)
def test_a_key_missing_in_one_locale_is_reported(
    two_locales: Path, file: str, change: Callable[[Any], Any], reported: str
) -> None:
    edit(two_locales / "en-GB" / f"{file}.json", change)
    problems = "\n".join(content_gaps(two_locales, ["en-US", "en-GB"]))
    assert reported in problems


def test_a_number_without_its_spoken_form_is_reported(two_locales: Path) -> None:
    edit(two_locales / "en-GB" / "prompts.json", lambda d: d.pop("spoken_as"))
    assert unsaid(ContentLibrary(two_locales).get("en-GB")) == {"911"}


def test_a_locale_answered_in_another_locales_words_is_reported(two_locales: Path) -> None:
    assert content_gaps(two_locales, ["en-GB", "en-AU"]) == ["en-AU: answered from en-GB's words"]


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda m: m["intents"].pop(), "en-GB: intents: MovedIntent"),
        (lambda m: m["intents"][0].update(samples=[]), "own intents with samples: WhyCrampsIntent"),
        (lambda m: m["types"][0]["values"].pop(0), "en-GB: slot values: LEG_MUSCLE.CALF"),
        (
            lambda m: next(i for i in m["intents"] if i["name"] == "DoseIntent").pop("slots"),
            "en-GB: slots: DoseIntent.supplement:SUPPLEMENT",
        ),
    ],
)
def test_an_intent_slot_or_value_missing_in_one_locale_is_reported(
    library: ContentLibrary, change: Callable[[Any], Any], reported: str
) -> None:
    reference = model("en-US")
    broken = json.loads(json.dumps(reference))
    change(broken["interactionModel"]["languageModel"])
    answered = handled(library.get("en-US"))
    problems = model_gaps(
        {"en-US": reference, "en-GB": broken}, {"en-US": answered, "en-GB": answered}
    )
    assert reported in "\n".join(problems)


def test_an_intent_the_code_handles_but_no_model_has_is_reported(library: ContentLibrary) -> None:
    answered = handled(library.get("en-US")) | {"StretchCoachIntent"}
    problems = model_gaps({"en-US": model("en-US")}, {"en-US": answered})
    assert problems == ["en-US: intents: StretchCoachIntent (handled, not in the model)"]
