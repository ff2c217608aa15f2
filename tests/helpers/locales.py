"""Every locale the skill speaks, for tests that run in each: the content folders present, each
one's interaction model and a resolver for it, a line in the locale's own words for an intent
(taken from its model's samples, so a test needs no words of its own), and the market facts the
locale is checked against (tests/data/markets.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from cramp_coach.local import models
from cramp_coach.local.envelope import Device
from cramp_coach.local.locales import model_path
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator

from .paths import CONTENT, ROOT

# Every locale with a content folder: the tests that run "in every locale" run in these.
NOT_LOCALES = frozenset({"schema", "apl"})  # folders of content/ that are no locale's
LOCALES = sorted(p.name for p in CONTENT.iterdir() if p.is_dir() and p.name not in NOT_LOCALES)
MARKETS: dict[str, dict[str, Any]] = {
    locale: facts
    for locale, facts in json.loads(
        (ROOT / "tests" / "data" / "markets.json").read_text(encoding="utf-8")
    ).items()
    if not locale.startswith("_")
}
# Published in skill.json, with their content folders and models still to land from the other
# branches of issue 14 (i14-english, i14-german). A test fails once one of them is here, so
# that this list is emptied as they merge and every published locale is then checked whole.
PENDING: frozenset[str] = frozenset()
SLOT_REF = re.compile(r"\{(\w+)\}")


@cache
def model(locale: str) -> dict[str, Any]:
    """The locale's whole model (an overlay applied to its base), as Alexa gets it."""
    return models.load(model_path(locale))


@cache
def resolver(locale: str) -> Resolver:
    return Resolver.from_files(model_path(locale))


def language_model(locale: str) -> dict[str, Any]:
    result: dict[str, Any] = model(locale)["interactionModel"]["languageModel"]
    return result


def line_for(locale: str, intent: str, **slot_ids: str) -> str:
    """A line in the locale's words for `intent`: its first sample that uses exactly the slots
    given (by value id), each filled with the name the locale's model gives that value."""
    language = language_model(locale)
    types = {t["name"]: t for t in language.get("types", [])}
    [declared] = [i for i in language["intents"] if i["name"] == intent]
    slot_types = {s["name"]: s["type"] for s in declared.get("slots", [])}
    for sample in declared.get("samples", []):
        if set(SLOT_REF.findall(sample)) != set(slot_ids):
            continue

        def value(ref: re.Match[str]) -> str:
            values = types[slot_types[ref.group(1)]]["values"]
            [named] = [v for v in values if v.get("id") == slot_ids[ref.group(1)]]
            return str(named["name"]["value"])

        return SLOT_REF.sub(value, sample)
    raise LookupError(f"{locale}: no sample of {intent} with exactly the slots {set(slot_ids)}")


def local_time(locale: str, hour: int, minute: int = 0) -> datetime:
    """A moment at hour:minute on the clock of the locale's market (27 November 2026)."""
    zone = ZoneInfo(MARKETS[locale]["zone"])
    return datetime(2026, 11, 27, hour, minute, tzinfo=zone).astimezone(UTC)


def speaker(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
    api: Any,
    locale: str,
    at: datetime,
) -> Simulator:
    """An Echo set to `locale`, in that market's time zone, at the moment `at`."""
    api.time_zone = MARKETS[locale]["zone"]
    device = Device(locale=locale, api_endpoint=api.endpoint)
    return Simulator(
        handler, resolver(locale), device, clock=lambda: at, zone=lambda: api.time_zone
    )
