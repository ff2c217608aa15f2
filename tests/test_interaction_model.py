"""The interaction model follows Alexa's rules and matches the handlers one to one, in every
locale (a market written as an overlay on another model is checked as the whole model Alexa
gets: interaction_model/<locale>.json through cramp_coach.local.models)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cramp_coach.config import Config
from cramp_coach.content import Content, ContentLibrary
from cramp_coach.handlers.lazy import LazyGroup
from cramp_coach.intents import Intent
from cramp_coach.local import models
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

REQUIRED_BUILT_INS = {
    Intent.HELP,
    Intent.STOP,
    Intent.CANCEL,
    Intent.FALLBACK,
    Intent.NAVIGATE_HOME,
    Intent.REPEAT,
    Intent.YES,
    Intent.NO,
}


@pytest.fixture(scope="module", params=models.locales())
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def model(locale: str) -> dict[str, Any]:
    """Each locale's whole model in turn (this module's checks hold in every locale)."""
    return models.for_locale(locale)


@pytest.fixture
def content(library: ContentLibrary, locale: str) -> Content:
    return library.get(locale)


def handled_in_code(library: ContentLibrary, tmp_path: Path) -> set[str]:
    """Every intent some registered handler names (the lazy groups' handlers included)."""
    skill = build_skill(Config(), SqliteStore(tmp_path / "s.sqlite3"), content=library)
    chain = skill.request_dispatcher.request_mappers[0].request_handler_chains
    handlers: list[Any] = []
    for link in chain:
        group = link.request_handler
        handlers += list(group.loaded.handlers) if isinstance(group, LazyGroup) else [group]
    return {name for handler in handlers for name in getattr(handler, "intents", ())}


SLOT_REF = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class Rules:
    """Alexa's rules for a language's model, in its words."""

    invocation_name: str  # ours, in this language
    # Alexa: lowercase letters (the language's own: ä, ö, ü, ß), spaces, apostrophes, periods
    # (in spelled-out acronyms), hyphens.
    sample_text: re.Pattern[str]
    # Words that start an invocation ("Alexa, ask cramp coach ..."): an invocation name may
    # hold none of them, and a sample may not start with one that would read as a new
    # invocation.
    launch_words: frozenset[str]
    invoking_words: frozenset[str]
    forbidden_in_name: frozenset[str] = frozenset(
        {"alexa", "amazon", "echo", "computer", "skill", "app"}
    )


RULES = {
    "en": Rules(
        "cramp coach",
        re.compile(r"^[a-z][a-z' .\-]*$"),
        frozenset(
            {"launch", "ask", "tell", "load", "begin", "enable", "open", "start", "play", "run"}
        ),
        frozenset({"ask", "tell", "open", "launch", "enable", "alexa"}),
    ),
    # Amazon's German launch phrases: "öffne ...", "starte ...", "frage ... nach ...",
    # "sage ...", "aktiviere ...".
    "de": Rules(
        "waden coach",
        re.compile(r"^[a-zäöüß][a-zäöüß' .\-]*$"),
        frozenset(
            {
                "öffne",
                "öffnen",
                "starte",
                "starten",
                "frag",
                "frage",
                "sag",
                "sage",
                "aktiviere",
                "lade",
                "beginne",
                "spiele",
                "spiel",
            }
        ),
        frozenset({"frag", "frage", "sag", "sage", "öffne", "öffnen", "aktiviere", "alexa"}),
    ),
}


@pytest.fixture
def rules(locale: str) -> Rules:
    return RULES[locale.split("-")[0]]


def language(model: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = model["interactionModel"]["languageModel"]
    return result


def custom_intents(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in language(model)["intents"] if not i["name"].startswith("AMAZON.")]


def test_invocation_name_follows_alexa_rules(model: dict[str, Any], rules: Rules) -> None:
    name = language(model)["invocationName"]
    assert name == rules.invocation_name
    words = name.split()
    assert len(words) >= 2
    assert rules.sample_text.fullmatch(name) and not re.search(r"[-\d]", name)
    assert not set(words) & (rules.launch_words | rules.forbidden_in_name)


def test_required_built_ins_are_present(model: dict[str, Any]) -> None:
    names = {i["name"] for i in language(model)["intents"]}
    assert names >= REQUIRED_BUILT_INS


def test_every_intent_has_a_handler_and_every_handled_intent_is_in_the_model(
    model: dict[str, Any], content: Content, library: ContentLibrary, tmp_path: Path
) -> None:
    in_model = {i["name"] for i in language(model)["intents"]}
    in_code = handled_in_code(library, tmp_path)
    assert in_code == {intent.value for intent in Intent}  # each declared once, each handled
    handled = content.answer_intents | in_code
    assert in_model - handled == set(), "intents nobody answers"
    assert handled - in_model == set(), "handlers for intents Alexa never sends"


def test_each_answer_intent_has_at_least_twelve_samples(model: dict[str, Any]) -> None:
    for intent in custom_intents(model):
        assert len(intent["samples"]) >= 12, intent["name"]


def test_samples_use_only_what_alexa_accepts(model: dict[str, Any], rules: Rules) -> None:
    for intent in language(model)["intents"]:
        for sample in intent.get("samples", []):
            text = SLOT_REF.sub("x", sample)
            assert rules.sample_text.match(text), f"{intent['name']}: {sample!r}"
            assert not re.search(r"\d", sample), f"digits in {sample!r}"
            assert sample == sample.strip() and "  " not in sample, f"spacing in {sample!r}"
            first = sample.split()[0]
            assert first not in rules.invoking_words, f"starts like an invocation: {sample!r}"


def test_the_rules_refuse_what_alexa_refuses() -> None:
    german = RULES["de"]
    assert german.sample_text.match("warum krampfen meine füße")
    assert not german.sample_text.match("Warum krampfen meine Füße?")
    assert not RULES["en"].sample_text.match("warum krampfen meine füße")
    assert "frag" in german.invoking_words and "öffne" in german.launch_words


def test_no_sample_belongs_to_two_intents_or_repeats(model: dict[str, Any]) -> None:
    owners: Counter[str] = Counter()
    for intent in language(model)["intents"]:
        samples = [" ".join(s.lower().split()) for s in intent.get("samples", [])]
        assert len(samples) == len(set(samples)), f"duplicate samples in {intent['name']}"
        owners.update(set(samples))
    assert [s for s, n in owners.items() if n > 1] == []


def test_every_slot_reference_is_declared_with_an_existing_type(model: dict[str, Any]) -> None:
    types = {t["name"] for t in language(model).get("types", [])}
    for intent in language(model)["intents"]:
        declared = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            for ref in SLOT_REF.findall(sample):
                assert ref in declared, f"{intent['name']}: {{{ref}}} is not declared"
        for slot_name, slot_type in declared.items():
            assert slot_type in types or slot_type.startswith("AMAZON."), slot_name
            used = any(f"{{{slot_name}}}" in s for s in intent.get("samples", []))
            assert used, f"slot {slot_name} appears in no sample"


def test_slot_values_and_synonyms_are_unique(model: dict[str, Any]) -> None:
    for slot_type in language(model).get("types", []):
        words: Counter[str] = Counter()
        for value in slot_type["values"]:
            assert value.get("id"), "every value needs an id the handlers can rely on"
            words.update([value["name"]["value"], *value["name"].get("synonyms", [])])
        assert [w for w, n in words.items() if n > 1] == [], slot_type["name"]


def test_slot_value_ids_are_the_ones_content_expects(
    model: dict[str, Any], content: Content
) -> None:
    ids = {v["id"] for t in language(model).get("types", []) for v in t["values"]}
    for topic in content.topics.values():
        for value in topic.when.values():
            assert value in ids or value == "OTHER", f"{topic.key} waits for unknown id {value}"
