"""The content's shape: one structure every locale shares, words per locale under the same ids,
each file valid against the JSON Schema its `$schema` names, and the keys the loader requires
derived from those schemas."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from cramp_coach import content_keys
from cramp_coach.content import (
    LOCALE_FILE,
    ContentError,
    ContentLibrary,
    parse,
    read_raw,
    read_structure,
)

from .helpers.locales import NOT_LOCALES

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SCHEMA = CONTENT / "schema"
OVERLAY_SCHEMA = SCHEMA / "overlay"
WORDS_FILES = ("answers", "prompts", "reminders", "routine", "sources")
LOCALES = sorted(p.name for p in CONTENT.iterdir() if p.is_dir() and p.name not in NOT_LOCALES)
# A locale that extends another (its locale.json) holds only the words files that differ.
OVERLAYS = [locale for locale in LOCALES if (CONTENT / locale / LOCALE_FILE).is_file()]
CONTENT_FILES = [CONTENT / "structure.json"] + [
    path
    for locale in LOCALES
    for name in (*WORDS_FILES, "locale")
    if (path := CONTENT / locale / f"{name}.json").is_file()
]


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def registry(schema_dir: Path = SCHEMA) -> Registry[Any]:
    """Every schema under its file URI, so that `common.schema.json#/...` resolves the way an
    editor resolves it: relative to the schema that refers to it."""
    return Registry().with_resources(
        (path.resolve().as_uri(), Resource.from_contents(read(path)))
        for path in schema_dir.rglob("*.schema.json")
    )


def validator(schema_path: Path) -> Draft202012Validator:
    schema = {**read(schema_path), "$id": schema_path.resolve().as_uri()}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry(SCHEMA))


def errors(data: Any, kind: str, schema_dir: Path = SCHEMA) -> list[str]:
    found = validator(schema_dir / f"{kind}.schema.json").iter_errors(data)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found)


def schema_of(path: Path) -> Path:
    """The schema a content file must name: a locale that extends another gives overlays (but
    its locale.json is a kind of its own)."""
    overlay = path.parent.name in OVERLAYS and path.stem != "locale"
    return (OVERLAY_SCHEMA if overlay else SCHEMA) / f"{path.stem}.schema.json"


def content_tools() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "content_keys_tool", ROOT / "tools" / "content_keys.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Every file is valid against the schema it names ------------------------------------------


def test_every_locale_folder_is_a_locale_the_loader_offers() -> None:
    assert LOCALES and set(LOCALES) == ContentLibrary(CONTENT).available()


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(CONTENT)))
def test_every_content_file_names_its_schema_and_is_valid(path: Path) -> None:
    data = read(path)
    named = (path.parent / data["$schema"]).resolve()
    assert named == schema_of(path).resolve(), data["$schema"]
    assert errors(data, path.stem, named.parent) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_what_the_loader_merges_is_valid_against_the_full_schemas(locale: str) -> None:
    """An overlay on its base makes a whole locale: each words file, and the structure."""
    raw = read_raw(CONTENT, locale, read_structure(CONTENT))
    assert errors(dict(raw.structure), "structure") == []
    for name, words in raw.words.items():
        assert errors(dict(words), name) == [], name


def test_the_schemas_are_valid_json_schema_draft_2020_12() -> None:
    for path in SCHEMA.rglob("*.schema.json"):
        schema = read(path)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        Draft202012Validator.check_schema(schema)


def test_the_schemas_keep_structure_out_of_the_words_and_words_out_of_the_structure() -> None:
    structure = read(CONTENT / "structure.json")
    answers = read(CONTENT / "en-US" / "answers.json")
    words = json.loads(json.dumps(answers))
    words["topics"]["why"]["intent"] = "WhyCrampsIntent"
    assert any("'intent' was unexpected" in e for e in errors(words, "answers"))
    words = json.loads(json.dumps(answers))
    words["topics"]["why"]["offer"]["yes"] = "prevention"
    assert any("'yes' was unexpected" in e for e in errors(words, "answers"))
    shaped = json.loads(json.dumps(structure))
    shaped["topics"]["why"]["say"] = ["Words.", "More words."]
    assert any("'say' was unexpected" in e for e in errors(shaped, "structure"))
    shaped = json.loads(json.dumps(structure))
    shaped["routine"]["lengths"]["short"]["stretches"][0]["hold"] = 90
    assert any("90 is greater than the maximum of 60" in e for e in errors(shaped, "structure"))


def test_the_schemas_hold_the_words_to_the_keys_the_code_asks_for() -> None:
    prompts = read(CONTENT / "en-US" / "prompts.json")
    words = json.loads(json.dumps(prompts))
    del words["replies"]["help"]["reprompt"]  # help asks: it must keep listening
    assert any("'reprompt' is a required property" in e for e in errors(words, "prompts"))
    words = json.loads(json.dumps(prompts))
    words["replies"]["helpp"] = words["replies"].pop("help")
    found = errors(words, "prompts")
    assert any("'help' is a required property" in e for e in found)
    assert any("'helpp' was unexpected" in e for e in found)
    words = json.loads(json.dumps(prompts))
    words["replies"]["goodbye"]["say"] = ["Only <emphasis>one</emphasis> way."]
    found = errors(words, "prompts")
    assert any("is too short" in e for e in found) and any("does not match" in e for e in found)


# --- Every locale gives words for exactly the structure's ids ---------------------------------


def id_sets(locale: str) -> dict[str, tuple[set[str], set[str]]]:
    """What the structure names, and what the locale gives words for, place by place."""
    raw = read_raw(CONTENT, locale, read_structure(CONTENT))
    structure, words = raw.structure, raw.words
    routine = words["routine"]
    return {
        "topics": (set(structure["topics"]), set(words["answers"]["topics"])),
        "sources": (set(structure["sources"]), set(words["sources"]["sources"])),
        "stretches": (set(structure["routine"]["stretches"]), set(routine["stretches"])),
        "lengths": (set(structure["routine"]["lengths"]), set(routine["lengths"])),
        "sides": (
            {side for s in structure["routine"]["stretches"].values() for side in s["sides"]},
            set(routine["words"]) - {"side_step", "side_title"},
        ),
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_words_for_each_id_in_the_structure_and_no_other(locale: str) -> None:
    for place, (structure, words) in id_sets(locale).items():
        assert structure - words == set(), f"{place}: no words in {locale}"
        assert words - structure == set(), f"{place}: words in {locale} for no structure"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of content/ to break."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def edit(path: Path, change: Any) -> None:
    data = read(path)
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def problems(root: Path, locale: str = "en-US") -> str:
    with pytest.raises(ContentError) as caught:
        parse(locale, root / locale)
    return str(caught.value)


def test_the_loader_refuses_words_missing_for_an_id(copy: Path) -> None:
    edit(copy / "en-US" / "answers.json", lambda d: d["topics"].pop("pickle_juice"))
    edit(copy / "en-US" / "routine.json", lambda d: d["stretches"].pop("thigh"))
    found = problems(copy)
    assert "topics.pickle_juice: no words in en-US/answers.json" in found
    assert "routine.stretches.thigh: no words in en-US/routine.json" in found


def test_the_loader_refuses_words_for_an_id_the_structure_lacks(copy: Path) -> None:
    edit(copy / "en-US" / "sources.json", lambda d: d["sources"].update(blog={"spoken": "a blog"}))
    found = problems(copy)
    assert "sources.blog: words in en-US/sources.json for an id structure.json does not" in found


def test_the_loader_refuses_a_key_given_in_both(copy: Path) -> None:
    edit(copy / "en-US" / "answers.json", lambda d: d["topics"]["why"].update(sources=["aafp"]))
    edit(copy / "en-US" / "answers.json", lambda d: d["topics"]["why"]["offer"].update(yes="why"))
    found = problems(copy)
    assert "topics.why.sources: given both in structure.json and in the words" in found
    assert "topics.why.offer.yes: given both" in found


def test_the_loader_requires_the_keys_the_schema_requires(copy: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["replies"]["error"], data["words"]["list_last"], data["time"]["periods"]
        data["replies"]["help"].pop("reprompt")
        data["replies"]["farewell"] = data["replies"]["goodbye"]

    edit(copy / "en-US" / "prompts.json", drop)
    edit(copy / "en-US" / "routine.json", lambda d: d["cues"].pop("ten_more"))
    found = problems(copy)
    for problem in (
        "prompts.replies.error: missing",
        "prompts.replies.farewell: unknown",
        "prompts.words.list_last: missing",
        "prompts.time.periods: missing",
        "replies.help: must ask a question",
        "routine.cues.ten_more: missing",
    ):
        assert problem in found


def test_the_loader_checks_the_locale_formats(copy: Path) -> None:
    def formats(data: dict[str, Any]) -> None:
        data["time"]["hours"] = data["time"]["hours"][:12]
        data["time"]["with_minutes"] = "{hour}:{minutes:02d} {period}"
        data["words"]["list_last"] = "{rest} and {final}"

    edit(copy / "en-US" / "prompts.json", formats)
    edit(copy / "en-US" / "reminders.json", lambda d: d["words"].update(reminder_item="{when}"))
    found = problems(copy)
    assert "prompts.time.hours: needs a name for each of the 24 hours" in found
    assert "prompts.time.with_minutes uses a field other than ('hour', 'period', 'minute')" in found
    assert "prompts.words.list_last uses a field other than ('rest', 'last')" in found
    assert "reminders.words.reminder_item: needs {time}" in found


def test_a_new_locale_needs_only_its_words(copy: Path) -> None:
    """A copy of en-US's words under another name loads with no structure of its own."""
    for other in set(LOCALES) - {"en-US"}:
        shutil.rmtree(copy / other)
    shutil.copytree(copy / "en-US", copy / "en-GB")
    edit(copy / "en-GB" / "prompts.json", lambda d: d["numbers"].update(emergency_number="999"))
    library = ContentLibrary(copy)
    british = library.get("en-GB")
    assert british.locale == "en-GB" and library.available() == {"en-US", "en-GB"}
    assert "999" in british.topics["emergency"].say[0]
    assert british.topics["emergency"].sources == library.get("en-US").topics["emergency"].sources


def test_a_locale_cites_its_own_sources_for_a_topic_and_no_other_locale_does(copy: Path) -> None:
    """A page in the locale's language replaces the structure's sources where its words say
    so, with the dates those words were checked against it; other topics and locales keep
    the structure's."""
    shutil.copytree(copy / "en-US", copy / "en-IE")
    own = {
        "nhs_111": {
            "url": "https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/",
            "checked": "2026-12-01",
            "spoken": "the NHS guide to urgent care",
            "title": "NHS: When to use 111",
        }
    }
    cites = {
        "sources": ["nhs_111", "nhs_dvt"],
        "reviewed": "2026-12-01",
        "next_review": "2027-06-01",
    }
    edit(copy / "en-IE" / "sources.json", lambda d: d.update(own=own))
    edit(copy / "en-IE" / "answers.json", lambda d: d["topics"]["long_cramp"].update(cites=cites))
    library = ContentLibrary(copy)
    irish, american = library.get("en-IE"), library.get("en-US")
    topic = irish.topics["long_cramp"]
    assert topic.sources == ("nhs_111", "nhs_dvt")
    assert (topic.reviewed, topic.next_review) == (date(2026, 12, 1), date(2027, 6, 1))
    assert irish.source_line("nhs_111", link=True).endswith(own["nhs_111"]["url"])
    shared = read(CONTENT / "structure.json")["topics"]["long_cramp"]["sources"]
    assert list(american.topics["long_cramp"].sources) == shared
    assert "nhs_111" not in american.sources
    assert irish.topics["why"].sources == american.topics["why"].sources
    assert errors(read(copy / "en-IE" / "sources.json"), "sources") == []
    assert errors(read(copy / "en-IE" / "answers.json"), "answers") == []


def test_the_loader_refuses_an_own_source_the_structure_has_or_a_citation_without_dates(
    copy: Path,
) -> None:
    aafp = {"url": "https://example.org/", "checked": "2026-12-01", "spoken": "x", "title": "x"}
    edit(copy / "en-US" / "sources.json", lambda d: d.update(own={"aafp": aafp}))
    cites = {"sources": ["aafp"], "reviewed": "2026-12-01"}
    edit(copy / "en-US" / "answers.json", lambda d: d["topics"]["why"].update(cites=cites))
    found = problems(copy)
    assert "sources.own.aafp: already a source in structure.json" in found
    assert "topics.why.cites: needs exactly ('sources', 'reviewed', 'next_review')" in found
    assert any(
        "'next_review' is a required property" in e
        for e in errors(read(copy / "en-US" / "answers.json"), "answers")
    )


# --- The loader's required keys come from the schema ----------------------------------------


def test_the_derived_keys_module_is_up_to_date() -> None:
    module = ROOT / "lambda" / "cramp_coach" / "content_keys.py"
    assert module.read_text(encoding="utf-8") == content_tools().render(), (
        "content_keys.py is out of date: run `make content-keys`"
    )


def test_the_overlay_schemas_are_up_to_date() -> None:
    wanted = content_tools().overlays()
    assert sorted(p.name for p in OVERLAY_SCHEMA.glob("*.schema.json")) == sorted(wanted)
    for name, text in wanted.items():
        assert (OVERLAY_SCHEMA / name).read_text(encoding="utf-8") == text, (
            f"overlay/{name} is out of date: run `make content-keys`"
        )


def test_an_overlay_schema_requires_nothing_and_holds_what_is_given_to_the_same_shape() -> None:
    prompts = {"replies": {"help": {"say": ["Only one."]}}, "numbers": {"emergency_number": 999}}
    found = errors(prompts, "prompts", OVERLAY_SCHEMA)
    assert any("is too short" in e for e in found) and any("not of type" in e for e in found)
    assert not any("required" in e for e in found)
    assert (
        errors({"topics": {"why": {"say": ["One way.", "Another."]}}}, "answers", OVERLAY_SCHEMA)
        == []
    )
    assert errors({"topics": {"why": {"say": ["One way.", "Another."]}}}, "answers") != []


def test_the_derived_keys_follow_the_schema(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA, schema)
    edit(
        schema / "prompts.schema.json",
        lambda d: d["properties"]["replies"]["required"].remove("help"),
    )
    edit(
        schema / "structure.schema.json",
        lambda d: d["$defs"]["step"]["properties"]["hold"].update(maximum=45),
    )
    rendered = content_tools().render(schema)
    namespace: dict[str, Any] = {}
    exec(compile(rendered, "content_keys.py", "exec"), namespace)
    assert "help" in content_keys.REQUIRED["prompts.replies"]
    assert "help" not in namespace["REQUIRED"]["prompts.replies"]
    assert "help" in namespace["ALLOWED"]["prompts.replies"] and "help" in namespace["QUESTIONS"]
    assert namespace["MAX_HOLD"] == 45


def test_every_reply_the_code_asks_for_is_required_of_every_locale() -> None:
    package = ROOT / "lambda" / "cramp_coach"
    used: set[str] = set()
    for path in package.rglob("*.py"):
        used |= set(re.findall(r"say_prompt\([^)]*?\"([a-z_]+)\"", path.read_text("utf-8")))
    required = {k for place, ks in content_keys.REQUIRED.items() for k in ks if ".replies" in place}
    assert used and used <= required


def test_loading_a_locale_reads_its_words_and_the_structure_only() -> None:
    """Cold start: five words files and the shared structure, no schema, no jsonschema."""
    probe = f"""
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from cramp_coach.content import ContentLibrary
library = ContentLibrary({str(CONTENT)!r})
library.get("en-US")
library.get("en-US")
ours = [p for p in opened if p.startswith({str(CONTENT)!r})]
print(len(ours), sum("schema" in p for p in ours), "jsonschema" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["6", "0", "False"]


def test_the_structure_is_read_once_for_all_locales(copy: Path) -> None:
    shutil.rmtree(copy / "en-GB")
    shutil.copytree(copy / "en-US", copy / "en-GB")
    library = ContentLibrary(copy)
    library.get("en-US")
    (copy / "structure.json").unlink()  # a second locale needs only its words
    assert library.get("en-GB").topics.keys() == library.get("en-US").topics.keys()
    with pytest.raises(ContentError, match="missing content file"):
        read_structure(copy)
