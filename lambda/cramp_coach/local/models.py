"""Interaction models: one written in full per language, the other markets of that language as
overlays on it (interaction_model/<locale>.json).

A full model is the ASK interaction model itself. An overlay names the model it `extends` and
gives only what people in its market say differently: samples to add to an intent (`samples`)
or to leave out of it (`without`), and synonyms to add to a slot value (`synonyms`) or to leave
out (`without`). `make package` writes each locale's whole model into the skill package; the
local resolver, the NLU evaluation and the tests read them through `load` the same way.

An overlay may only add what its base lacks and leave out what its base has: anything else is
a mistake (a sample the base already has, a synonym of a value the base does not know), and
`load` refuses it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
MODELS = REPO_ROOT / "interaction_model"
LOCALE_FILE = re.compile(r"^[a-z]{2}-[A-Z]{2}\.json$")


class ModelError(ValueError):
    """An interaction model or overlay that cannot be read or applied."""


def locales(folder: Path = MODELS) -> list[str]:
    """The locales with a model (whole or overlay) in the folder."""
    return sorted(p.stem for p in folder.glob("*.json") if LOCALE_FILE.match(p.name))


def path_of(locale: str, folder: Path = MODELS) -> Path:
    return folder / f"{locale}.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ModelError(f"no interaction model at {path}") from error
    except json.JSONDecodeError as error:
        raise ModelError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise ModelError(f"{path}: must hold a JSON object")
    return data


def extends(path: Path) -> str | None:
    """The locale whose model the file is an overlay on, or None for a whole model."""
    base = _read(path).get("extends")
    return base if isinstance(base, str) else None


def load(path: Path, _extending: tuple[str, ...] = ()) -> dict[str, Any]:
    """The whole interaction model in the file: the file itself, or, for an overlay, its base
    (loaded the same way) with the overlay applied."""
    data = _read(path)
    if "extends" not in data:
        return data
    base_name = data["extends"]
    chain = (*_extending, path.stem)
    if not isinstance(base_name, str) or base_name in chain:
        raise ModelError(f"{path}: extends {base_name!r}, which would loop ({' -> '.join(chain)})")
    base = load(path_of(base_name, path.parent), chain)
    return apply(base, data, str(path.name))


def for_locale(locale: str, folder: Path = MODELS) -> dict[str, Any]:
    return load(path_of(locale, folder))


def _normal(sample: str) -> str:
    return " ".join(sample.lower().split())


def _changed(
    have: list[str], add: Iterable[str], without: Iterable[str], where: str, problems: list[str]
) -> list[str]:
    """`have` with `without` left out and `add` added, each checked against `have`."""
    known = {_normal(s) for s in have}
    gone = {_normal(s) for s in without}
    problems.extend(f"{where}: leaves out {s!r}, which the base lacks" for s in gone - known)
    result = [s for s in have if _normal(s) not in gone]
    seen = {_normal(s) for s in result}
    for sample in add:
        if _normal(sample) in known:
            problems.append(f"{where}: adds {sample!r}, which the base has already")
        elif _normal(sample) in seen:
            problems.append(f"{where}: adds {sample!r} twice")
        else:
            result.append(sample)
            seen.add(_normal(sample))
    return result


def apply(base: dict[str, Any], overlay: dict[str, Any], where: str = "overlay") -> dict[str, Any]:
    """The base model with the overlay's samples and synonyms; raises ModelError listing every
    change that does not fit the base."""
    model = copy.deepcopy(base)
    language = model["interactionModel"]["languageModel"]
    problems: list[str] = []
    if "invocationName" in overlay:
        language["invocationName"] = overlay["invocationName"]
    intents = {intent["name"]: intent for intent in language["intents"]}
    for name, change in (overlay.get("intents") or {}).items():
        intent = intents.get(name)
        if intent is None:
            problems.append(f"{where}: intents.{name} is not in the base")
            continue
        samples = _changed(
            list(intent.get("samples", [])),
            change.get("samples", []),
            change.get("without", []),
            f"{where}: intents.{name}",
            problems,
        )
        intent["samples"] = samples
    types = {slot_type["name"]: slot_type for slot_type in language.get("types", [])}
    for name, values in (overlay.get("types") or {}).items():
        slot_type = types.get(name)
        if slot_type is None:
            problems.append(f"{where}: types.{name} is not in the base")
            continue
        by_id = {value.get("id"): value for value in slot_type["values"]}
        words = {
            _normal(w)
            for v in slot_type["values"]
            for w in (v["name"]["value"], *v["name"].get("synonyms", []))
        }
        for value_id, change in values.items():
            value = by_id.get(value_id)
            if value is None:
                problems.append(f"{where}: types.{name}.{value_id} is not in the base")
                continue
            added = [w for w in change.get("synonyms", []) if _normal(w) in words]
            problems.extend(
                f"{where}: types.{name}.{value_id}: {w!r} already names a value" for w in added
            )
            value["name"]["synonyms"] = _changed(
                list(value["name"].get("synonyms", [])),
                [w for w in change.get("synonyms", []) if w not in added],
                change.get("without", []),
                f"{where}: types.{name}.{value_id}",
                problems,
            )
    if problems:
        raise ModelError("\n  ".join(["the overlay does not fit its base:", *problems]))
    return model
