"""Markets written against another locale: a content folder with a locale.json and an
interaction model with `extends` hold only what differs from their base. The loader merges
base and overlay once per locale, on first use; each English market hears its own emergency
number first, its own services, spelling and times."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cramp_coach.config import Config
from cramp_coach.content import (
    LOCALE_FILE,
    RESPELLED,
    WORDS_FILES,
    ContentError,
    ContentLibrary,
    merge,
    parse,
    read_raw,
    read_structure,
    respell,
)
from cramp_coach.entry import handle_event
from cramp_coach.local import models
from cramp_coach.local.envelope import Device
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

from .helpers.clock import DAYTIME
from .helpers.paths import CONTENT, ROOT

OVERLAYS = sorted(p.parent.name for p in CONTENT.glob(f"*/{LOCALE_FILE}"))
MODEL_OVERLAYS = [m for m in models.locales() if models.extends(models.path_of(m))]


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def declared(locale: str) -> dict[str, Any]:
    data: dict[str, Any] = read(CONTENT / locale / LOCALE_FILE)
    return data


def inherited(locale: str) -> dict[str, Any]:
    """What the locale would say if its folder held nothing but its locale.json: its base's
    words, respelled."""
    base = read_raw(CONTENT, declared(locale)["extends"], read_structure(CONTENT))
    table = declared(locale).get("respell", {})
    return {
        name: respell(words, table) if name in RESPELLED else words
        for name, words in base.words.items()
    }


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Each place an overlay gives a value, and the value (an object is gone into)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "$schema":
                yield from leaves(item, (*path, key))
    else:
        yield path, value


def at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- A folder holds only what differs -----------------------------------------------------


def test_the_english_markets_are_written_against_en_us() -> None:
    assert OVERLAYS == ["en-AU", "en-CA", "en-GB", "en-IN"]
    assert all(declared(locale)["extends"] == "en-US" for locale in OVERLAYS)
    assert MODEL_OVERLAYS == OVERLAYS


def test_an_overlay_gives_only_what_differs_from_its_base(overlay: str) -> None:
    base = inherited(overlay)
    same = [
        (name, ".".join(path))
        for name in WORDS_FILES
        if (CONTENT / overlay / f"{name}.json").is_file()
        for path, value in leaves(read(CONTENT / overlay / f"{name}.json"))
        if at(base[name], path) == value
    ]
    assert same == []
    structure = read_structure(CONTENT)
    unchanged = [
        ".".join(path)
        for path, value in leaves(declared(overlay).get("structure", {}))
        if at(structure, path) == value and path[-1] not in ("reviewed", "next_review")
    ]
    assert unchanged == []


def test_every_respelling_changes_something_the_locale_inherits(overlay: str) -> None:
    base = read_raw(CONTENT, declared(overlay)["extends"], read_structure(CONTENT))
    text = json.dumps([base.words[name] for name in sorted(RESPELLED)])
    for word in declared(overlay).get("respell", {}):
        assert respell(text, {word: "\u2063"}) != text, f"{overlay}: nothing says {word!r}"


def test_a_topic_the_market_rewrites_records_its_own_review(overlay: str) -> None:
    answers = CONTENT / overlay / "answers.json"
    rewritten = set(read(answers)["topics"]) if answers.is_file() else set()
    topics = declared(overlay).get("structure", {}).get("topics", {})
    for key in rewritten | set(topics):
        assert {"reviewed", "next_review"} <= set(topics.get(key, {})), (overlay, key)


def test_a_source_only_the_market_cites_is_cited_named_and_checked(overlay: str) -> None:
    content = ContentLibrary(CONTENT).get(overlay)
    own = set(declared(overlay).get("structure", {}).get("sources", {}))
    cited = {s for topic in content.topics.values() for s in topic.sources}
    for key in own:
        source = content.sources[key]
        assert key in cited, f"{overlay}: {key} is cited by no topic"
        assert source.url and source.url.startswith("https://") and source.checked


# --- The loader ----------------------------------------------------------------------------


def test_merge_goes_into_objects_and_replaces_everything_else() -> None:
    base = {"a": {"say": ["one", "two"], "title": "T"}, "b": 1}
    assert merge(base, {"a": {"say": ["three", "four"]}, "c": 2}) == {
        "a": {"say": ["three", "four"], "title": "T"},
        "b": 1,
        "c": 2,
    }
    assert base == {"a": {"say": ["one", "two"], "title": "T"}, "b": 1}  # the base is kept


def test_respell_changes_whole_words_and_keeps_a_capital() -> None:
    table = {"toward": "towards", "doctor": "GP", "PM": "pm", "heating pad": "heat pad"}
    said = "Toward the doctor's; a doctorate, towardly. Ten PM, a heating pad. Doctor toward."
    assert respell({"x": [said]}, table) == {
        "x": ["Towards the GP's; a doctorate, towardly. Ten pm, a heat pad. GP towards."]
    }


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def declare(root: Path, locale: str, **changes: Any) -> None:
    path = root / locale / LOCALE_FILE
    path.write_text(json.dumps({**read(path), **changes}), encoding="utf-8")


def test_a_change_to_the_base_reaches_the_market_respelled(copy: Path) -> None:
    answers = copy / "en-US" / "answers.json"
    data = read(answers)
    data["topics"]["why"]["say"] = ["Lean toward the wall.", "Tell your doctor."]
    answers.write_text(json.dumps(data), encoding="utf-8")
    assert ContentLibrary(copy).get("en-GB").topics["why"].say == (
        "Lean towards the wall.",
        "Tell your GP.",
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"extends": "en-NZ"}, "extends 'en-NZ', which is no locale folder"),
        ({"extends": "en-GB"}, "extends a locale that extends it (en-GB -> en-GB)"),
        ({"extends": ""}, "needs `extends`"),
        ({"respell": {"toward": 1}}, "`respell` must map words to words"),
    ],
)
def test_the_loader_refuses_a_locale_it_cannot_build(
    copy: Path, change: dict[str, Any], problem: str
) -> None:
    declare(copy, "en-GB", **change)
    with pytest.raises(ContentError, match="en-GB") as caught:
        ContentLibrary(copy).get("en-GB")
    assert problem in str(caught.value)


def test_a_loop_of_locales_is_refused(copy: Path) -> None:
    declare(copy, "en-AU", extends="en-GB")
    declare(copy, "en-GB", extends="en-AU")
    with pytest.raises(ContentError, match="en-AU -> en-GB -> en-AU"):
        parse("en-AU", copy / "en-AU")


def test_a_market_can_extend_a_market(copy: Path) -> None:
    """en-AU written against en-GB would inherit en-GB's words and structure."""
    declare(copy, "en-AU", extends="en-GB")
    australian = ContentLibrary(copy).get("en-AU")
    assert "nhs_111" in australian.sources and "healthdirect_dvt" in australian.sources
    assert "000" in australian.topics["emergency"].say[0]
    assert australian.topics["see_doctor"].title == "When to see a GP"


def test_a_locale_without_a_folder_hears_its_languages_whole_locale_not_a_market() -> None:
    library = ContentLibrary(CONTENT)
    assert library.resolve("en-NZ") == "en-US"  # not en-AU's triple zero, nor en-GB's 111
    assert library.resolve("en-GB") == "en-GB" and library.resolve("en-IN") == "en-IN"


def test_a_cold_start_in_a_market_reads_its_base_and_its_overlay_only() -> None:
    """No other market's files, no schema, and no jsonschema: the base's five words files,
    the market's locale.json and overlays, and the shared structure."""
    probe = f"""
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from cramp_coach.content import ContentLibrary
library = ContentLibrary({str(CONTENT)!r})
library.get("en-GB")
library.get("en-GB")
root = {str(CONTENT)!r} + "/"
ours = sorted(p.removeprefix(root) for p in opened if p.startswith(root))
print(" ".join(ours), "jsonschema" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    *opened, loaded_jsonschema = result.stdout.split()
    own = sorted(f"en-GB/{p.name}" for p in (CONTENT / "en-GB").glob("*.json"))
    base = [f"en-US/{name}.json" for name in WORDS_FILES]
    assert sorted(opened) == sorted([*base, *own, "structure.json"])
    assert loaded_jsonschema == "False"


def test_the_base_is_read_once_for_every_market_that_extends_it() -> None:
    probe = f"""
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from cramp_coach.content import ContentLibrary
library = ContentLibrary({str(CONTENT)!r})
for locale in ("en-GB", "en-AU", "en-CA", "en-IN", "en-US"):
    library.get(locale)
print(sum("/en-US/" in p for p in opened))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [str(len(WORDS_FILES))]


# --- Each market hears its own numbers, services, spelling and times -----------------------

# market -> (what they hear the emergency line asked with, the number as written, as said)
EMERGENCY = {
    "en-GB": ("should i ring nine nine nine my chest hurts", "999", "nine nine nine"),
    "en-AU": ("i need an ambo my chest hurts", "000", "triple zero"),
    "en-CA": ("chest pain should i call nine one one", "9-1-1", "nine one one"),
    "en-IN": ("my chest is paining should i call one one two", "112", "one one two"),
    "en-US": ("my chest hurts", "911", "nine one one"),
}


@pytest.fixture
def market_echo(request: pytest.FixtureRequest, tmp_path: Path, library: ContentLibrary) -> Any:
    def echo(locale: str) -> Simulator:
        skill = build_skill(
            Config(), SqliteStore(tmp_path / f"{locale}.sqlite3"), content=library,
            rng=random.Random(7),
        )  # fmt: skip

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return handle_event(event, context, skill)

        resolver = Resolver.from_files(models.path_of(locale))
        return Simulator(handler, resolver, Device(locale=locale), clock=lambda: DAYTIME)

    return echo


@pytest.mark.parametrize("locale", sorted(EMERGENCY))
def test_chest_pain_names_the_markets_number_first_as_people_there_say_it(
    market_echo: Any, locale: str
) -> None:
    line, number, said = EMERGENCY[locale]
    turn = market_echo(locale).say(line)
    first_words = turn.speech.split()[:3]
    assert number in " ".join(first_words), turn.speech
    assert f'<sub alias="{said}">{number}</sub>' in turn.ssml
    others = {n for loc, (_, n, _) in EMERGENCY.items() if loc != locale}
    heard = [n for n in others if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", turn.speech)]
    assert heard == []


# market -> (a possible clot, said there; the help it must name)
CLOT = {
    "en-GB": ("my calf's swollen and hot should i go to a and e", ("111", "GP")),
    "en-AU": ("should i go to emergency with a swollen calf", ("doctor", "GP")),
    "en-CA": ("should i go to emerg with a swollen calf", ("doctor",)),
    "en-IN": ("my calf is swollen and paining should i go to hospital", ("doctor", "hospital")),
}


@pytest.mark.parametrize("locale", sorted(CLOT))
def test_a_possible_clot_says_dont_stretch_first_and_the_markets_help(
    market_echo: Any, library: ContentLibrary, locale: str
) -> None:
    line, helpers = CLOT[locale]
    turn = market_echo(locale).say(line)
    assert turn.speech.startswith(("Don't stretch", "Please don't stretch")), turn.speech
    assert any(h in turn.speech for h in helpers), turn.speech
    assert EMERGENCY[locale][1] in turn.speech


@pytest.mark.parametrize(
    ("locale", "evening", "spelled"),
    [
        ("en-US", "9:30 PM", "toward"),
        ("en-GB", "9:30 pm", "towards"),
        ("en-AU", "9:30 pm", "towards"),
        ("en-IN", "9:30 pm", "towards"),
        ("en-CA", "9:30 p.m.", "toward"),
    ],
)
def test_times_and_spelling_are_the_markets(
    library: ContentLibrary, locale: str, evening: str, spelled: str
) -> None:
    content = library.get(locale)
    assert content.time_of_day(21, 30) == evening
    assert f" {spelled} you" in content.topics["cramp_now"].say[0]


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en-GB", ("999", "NHS 111")),
        ("en-AU", ("000", "1800 022 222")),
        ("en-CA", ("9-1-1", "8-1-1")),
        ("en-IN", ("112", "108")),
    ],
)
def test_every_card_gives_the_markets_numbers(
    library: ContentLibrary, locale: str, words: tuple[str, ...]
) -> None:
    footer = library.get(locale).words["card_footer"]
    assert all(word in footer for word in words), footer


# --- Interaction models -----------------------------------------------------------------


@pytest.mark.parametrize("locale", MODEL_OVERLAYS)
def test_every_model_overlay_is_valid_against_its_schema(locale: str) -> None:
    data = read(models.path_of(locale))
    schema_path = (models.MODELS / data["$schema"]).resolve()
    assert schema_path == models.MODELS / "schema" / "overlay.schema.json"
    schema = read(schema_path)
    Draft202012Validator.check_schema(schema)
    assert [e.message for e in Draft202012Validator(schema).iter_errors(data)] == []


def overlay_on_us(**parts: Any) -> dict[str, Any]:
    return {"extends": "en-US", **parts}


@pytest.mark.parametrize(
    ("overlay", "problem"),
    [
        (
            overlay_on_us(intents={"CrampNowIntent": {"samples": ["{muscle}"]}}),
            "adds '{muscle}', which the base has already",
        ),
        (
            overlay_on_us(intents={"CrampNowIntent": {"without": ["never said by anyone"]}}),
            "leaves out 'never said by anyone', which the base lacks",
        ),
        (overlay_on_us(intents={"NoSuchIntent": {"samples": ["x"]}}), "is not in the base"),
        (
            overlay_on_us(types={"LEG_MUSCLE": {"CALF": {"synonyms": ["thigh"]}}}),
            "'thigh' already names a value",
        ),
        (
            overlay_on_us(types={"LEG_MUSCLE": {"ELBOW": {"synonyms": ["elbow"]}}}),
            "types.LEG_MUSCLE.ELBOW is not in the base",
        ),
    ],
)
def test_an_overlay_that_does_not_fit_its_base_is_refused(
    overlay: dict[str, Any], problem: str
) -> None:
    with pytest.raises(models.ModelError) as caught:
        models.apply(models.for_locale("en-US"), overlay)
    assert problem in str(caught.value)


def test_an_overlay_adds_and_leaves_out_samples_and_synonyms() -> None:
    base = models.for_locale("en-US")
    model = models.apply(
        base,
        overlay_on_us(
            intents={
                "CrampNowIntent": {
                    "samples": ["nerve pull"],
                    "without": ["help i have a charley horse"],
                }
            },
            types={"LEG_MUSCLE": {"HAMSTRING": {"synonyms": ["hammy"], "without": ["hamstrings"]}}},
        ),
    )
    language = model["interactionModel"]["languageModel"]
    cramp = next(i for i in language["intents"] if i["name"] == "CrampNowIntent")
    assert (
        "nerve pull" in cramp["samples"] and "help i have a charley horse" not in cramp["samples"]
    )
    muscle = next(t for t in language["types"] if t["name"] == "LEG_MUSCLE")
    hamstring = next(v for v in muscle["values"] if v["id"] == "HAMSTRING")
    assert hamstring["name"]["synonyms"][-1] == "hammy"
    assert "hamstrings" not in hamstring["name"]["synonyms"]
    assert base == models.for_locale("en-US")  # the base is kept


def test_a_loop_of_models_is_refused(tmp_path: Path) -> None:
    for locale, base in (("en-GB", "en-AU"), ("en-AU", "en-GB")):
        (tmp_path / f"{locale}.json").write_text(json.dumps({"extends": base}))
    with pytest.raises(models.ModelError, match="loop"):
        models.for_locale("en-GB", tmp_path)


def test_the_skill_package_gets_every_locales_whole_model(tmp_path: Path) -> None:
    from tools.package import skill_package

    skill_package(tmp_path / "skill-package")
    built = tmp_path / "skill-package" / "interactionModels" / "custom"
    assert sorted(p.stem for p in built.glob("*.json")) == models.locales()
    for locale in models.locales():
        model = read(built / f"{locale}.json")
        assert set(model) == {"interactionModel"}, locale
        assert model == models.for_locale(locale)
    british = read(built / "en-GB.json")["interactionModel"]["languageModel"]
    emergency = next(i for i in british["intents"] if i["name"] == "EmergencyIntent")
    assert "should i ring nine nine nine" in emergency["samples"]
    assert "my chest hurts" in emergency["samples"]  # and everything of en-US's
    assert (ROOT / "interaction_model" / "en-GB.json").stat().st_size < 0.1 * (
        ROOT / "interaction_model" / "en-US.json"
    ).stat().st_size
