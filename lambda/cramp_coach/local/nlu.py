"""NLU evaluation: the annotation sets in tests/nlu/ against an interaction model, per group.

    python -m cramp_coach.local.nlu                  the local resolver, on this repository's model
    python -m cramp_coach.local.nlu --model FILE     the same against another model (before/after)
    python -m cramp_coach.local.nlu --holdout        the held-out set (tests/nlu/holdout/), which is
                                                     never used to tune the model
    python -m cramp_coach.local.nlu --profile SKILL  Alexa's own NLU, through the Utterance
                                                     Profiler (`ask smapi profile-nlu`, needs the
                                                     ASK CLI, `ask configure` and a built model)
    python -m cramp_coach.local.nlu --smapi OUT      write the sets as one SMAPI annotation body

The files are JSON lines in the shape of SMAPI's NLU annotation sets
(`{"inputs": {"utterance": ...}, "expected": [{"intent": {"name": ..., "slots": {...}}}]}`).
`<locale>.jsonl` holds what people say in each situation; `<locale>.negative.jsonl` holds
everyday lines that must not set off a red-flag answer (over-triggering is a defect too);
`holdout/<locale>.jsonl` is a third set, written the same way, that the model is never tuned on.
An utterance passes when the intent and every slot value (compared word by word, as spoken,
in the locale's language) are the expected ones. A line that names a day ("morgen") gives the
moment it is said as its `referenceTimestamp`, as SMAPI's sets do, so it is heard on that day.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from .. import metrics
from .resolver import Resolver, language_for

REPO_ROOT = Path(__file__).resolve().parents[3]
NLU_FOLDER = REPO_ROOT / "tests" / "nlu"
HOLDOUT_FOLDER = NLU_FOLDER / "holdout"
NEGATIVE_SUFFIX = ".negative.jsonl"

# The answers that send a person to urgent or medical help: the red flags (declared with the
# metrics that count them).
RED_FLAG_INTENTS = metrics.RED_FLAG_INTENTS
# Answers that must never be given to an everyday line.
ALARM_INTENTS = frozenset({"EmergencyIntent", "BloodClotIntent"})
MID_CRAMP_INTENTS = frozenset({"CrampNowIntent"})
GROUPS = ("red flags", "mid-cramp", "questions", "negative")
# Where a line is said (its "context", beside SMAPI's fields): nothing pending, mid-routine,
# after a yes-or-no question, after "what time?". The expected intent is the one the skill
# needs there ("huh?" mid-routine is a repeat); Alexa's NLU hears it the same anywhere.
CONTEXTS = ("top", "routine", "question", "time")
_ENDS = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"})
# Intents the skill answers alike where a line is said, so hearing one for another is still
# the right answer there: Stop, Cancel and Home all end with a goodbye (StopHandler); inside
# the routine a stop and a pause both keep the place and end (routine.StopHandler, Pause).
ALIKE: dict[str, tuple[frozenset[str], ...]] = {
    "top": (_ENDS,),
    "question": (_ENDS,),
    "time": (_ENDS,),
    "routine": (frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.PauseIntent"}),),
}


class Hear(Protocol):
    """What an utterance is heard as (intent, slot values), said on `today` if given."""

    def __call__(self, utterance: str, today: date | None = None) -> tuple[str, dict[str, str]]: ...


@dataclass(frozen=True, slots=True)
class Annotation:
    """One utterance and the intent (with slot values) Alexa should hear in it."""

    utterance: str
    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)
    negative: bool = False
    locale: str = "en-US"
    reference: str | None = None  # SMAPI's referenceTimestamp: when it is said (ISO, UTC)
    context: str = "top"  # where it is said: top, routine, question or time (CONTEXTS)

    @property
    def today(self) -> date | None:
        """The day the line is said on, if it gives one."""
        if self.reference is None:
            return None
        return datetime.fromisoformat(self.reference.replace("Z", "+00:00")).date()

    @property
    def group(self) -> str:
        if self.negative:
            return "negative"
        if self.intent in RED_FLAG_INTENTS:
            return "red flags"
        if self.intent in MID_CRAMP_INTENTS:
            return "mid-cramp"
        return "questions"


@dataclass(frozen=True, slots=True)
class Outcome:
    annotation: Annotation
    intent: str
    slots: Mapping[str, str]

    @property
    def passed(self) -> bool:
        tokens = language_for(self.annotation.locale).words

        def words(values: Mapping[str, str]) -> dict[str, list[str]]:
            return {name: tokens(value) for name, value in values.items() if value}

        same_slots = words(self.slots) == words(self.annotation.slots)
        return self.intent == self.annotation.intent and same_slots

    @property
    def right_in_context(self) -> bool:
        """The skill gives the right answer where the line is said: its intent, or one the
        skill answers alike there (ALIKE), whatever the slots (a stricter check is `passed`)."""
        expected, heard = self.annotation.intent, self.intent
        if heard == expected:
            return True
        return any({heard, expected} <= alike for alike in ALIKE[self.annotation.context])


def parse_line(raw: str, where: str, negative: bool, locale: str = "en-US") -> Annotation:
    """One annotation line, checked against SMAPI's shape."""
    try:
        data = json.loads(raw)
        utterance = data["inputs"]["utterance"]
        reference = data["inputs"].get("referenceTimestamp")
        if reference is not None:
            datetime.fromisoformat(str(reference).replace("Z", "+00:00"))
        [expected] = data["expected"]
        intent = expected["intent"]["name"]
        slots = {name: slot["value"] for name, slot in expected["intent"]["slots"].items()}
        context = data.get("context", "top")
        if context not in CONTEXTS:
            raise ValueError(f"context {context!r} is not one of {', '.join(CONTEXTS)}")
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{where}: not an NLU annotation ({error})") from error
    if not isinstance(utterance, str) or not utterance.strip() or not isinstance(intent, str):
        raise ValueError(f"{where}: needs an utterance and an intent name")
    if not all(isinstance(v, str) for v in slots.values()):
        raise ValueError(f"{where}: slot values are strings")
    return Annotation(utterance, intent, slots, negative, locale, reference, context)


def load(path: Path, locale: str | None = None) -> list[Annotation]:
    """One annotation file (`<locale>.jsonl`, `<locale>.negative.jsonl`): its lines are in
    that locale's language unless `locale` says otherwise."""
    negative = path.name.endswith(NEGATIVE_SUFFIX)
    locale = locale or path.name.split(".")[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        parse_line(line, f"{path.name}:{number}", negative, locale)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


def load_locale(locale: str, folder: Path = NLU_FOLDER) -> list[Annotation]:
    """The locale's evaluation set and its negative set."""
    annotations = load(folder / f"{locale}.jsonl", locale)
    negative = folder / f"{locale}{NEGATIVE_SUFFIX}"
    return annotations + (load(negative, locale) if negative.exists() else [])


def resolver_hears(resolver: Resolver) -> Hear:
    def hear(utterance: str, today: date | None = None) -> tuple[str, dict[str, str]]:
        resolution = resolver.resolve(utterance, today)
        return resolution.intent, {name: v.spoken for name, v in resolution.slots.items()}

    return hear


def profiler_hears(skill_id: str, locale: str, ask: str = "ask") -> Hear:
    """Alexa's NLU for the skill's built model, through `ask smapi profile-nlu`."""

    def hear(utterance: str, today: date | None = None) -> tuple[str, dict[str, str]]:
        command = [
            ask,
            "smapi",
            "profile-nlu",
            "--skill-id",
            skill_id,
            "--stage",
            "development",
            "--locale",
            locale,
            "--utterance",
            utterance,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"ask smapi profile-nlu failed: {done.stderr.strip()[:300]}")
        selected = json.loads(done.stdout).get("selectedIntent") or {}
        slots = {
            name: str(slot.get("value") or "")
            for name, slot in (selected.get("slots") or {}).items()
        }
        return str(selected.get("name") or ""), slots

    return hear


def evaluate(annotations: Iterable[Annotation], hear: Hear) -> list[Outcome]:
    outcomes = []
    for annotation in annotations:
        intent, slots = hear(annotation.utterance, annotation.today)
        outcomes.append(Outcome(annotation, intent, slots))
    return outcomes


def by_group(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """Group -> (passed, total)."""
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for outcome in outcomes:
        total[outcome.annotation.group] += 1
        passed[outcome.annotation.group] += outcome.passed
    return {group: (passed[group], total[group]) for group in GROUPS if total[group]}


def alarms(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Everyday lines that reached the emergency or the blood-clot answer."""
    return [o for o in outcomes if o.annotation.negative and o.intent in ALARM_INTENTS]


def report(outcomes: Sequence[Outcome]) -> str:
    lines = ["group        passed  total  accuracy"]
    for group, (passed, total) in by_group(outcomes).items():
        lines.append(f"{group:<12} {passed:>6} {total:>6}  {100 * passed / total:6.1f} %")
    per_intent: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        per_intent[outcome.annotation.intent].append(outcome)
    lines += ["", "intent                        passed  total"]
    for intent, items in sorted(per_intent.items()):
        lines.append(f"{intent:<29} {sum(o.passed for o in items):>6} {len(items):>6}")
    misses = [o for o in outcomes if not o.passed]
    if misses:
        lines += ["", "misses (expected -> heard):"]
        lines += [
            f"  {o.annotation.utterance!r}: {o.annotation.intent} {dict(o.annotation.slots)} -> "
            f"{o.intent} {dict(o.slots)}"
            for o in misses
        ]
    right = sum(o.right_in_context for o in outcomes)
    flags = [o for o in outcomes if o.annotation.group == "red flags"]
    lines.append(
        f"\nright answer in context (intent, or one the skill answers alike there): "
        f"{right}/{len(outcomes)} ({100 * right / max(len(outcomes), 1):.1f} %); red flags "
        f"reaching their own answer: {sum(o.intent == o.annotation.intent for o in flags)}"
        f"/{len(flags)}"
    )
    lines.append(f"over-triggering (everyday lines -> emergency or clot): {len(alarms(outcomes))}")
    return "\n".join(lines)


def smapi_body(annotations: Iterable[Annotation]) -> dict[str, Any]:
    """The body of SMAPI's 'update annotations' request, for the annotation-set upload."""
    return {
        "data": [
            {
                "inputs": {"utterance": a.utterance}
                | ({"referenceTimestamp": a.reference} if a.reference else {}),
                "expected": [
                    {
                        "intent": {
                            "name": a.intent,
                            "slots": {name: {"value": v} for name, v in a.slots.items()},
                        }
                    }
                ],
            }
            for a in annotations
        ]
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cramp_coach.local.nlu")
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--model", type=Path, help="interaction model (default: the repository's)")
    parser.add_argument("--holdout", action="store_true", help="evaluate the held-out set")
    parser.add_argument("--profile", metavar="SKILL_ID", help="ask Alexa's Utterance Profiler")
    parser.add_argument("--smapi", type=Path, metavar="OUT", help="write an SMAPI upload body")
    args = parser.parse_args(argv)
    annotations = load_locale(args.locale, HOLDOUT_FOLDER if args.holdout else NLU_FOLDER)
    if args.smapi is not None:
        args.smapi.write_text(json.dumps(smapi_body(annotations), indent=2) + "\n")
        print(f"{len(annotations)} annotations written to {args.smapi}")
        return 0
    if args.profile:
        if shutil.which("ask") is None:
            print("the ASK CLI is not installed: npm install -g ask-cli", file=sys.stderr)
            return 2
        hear = profiler_hears(args.profile, args.locale)
    else:
        model = args.model or REPO_ROOT / "interaction_model" / f"{args.locale}.json"
        hear = resolver_hears(Resolver.from_files(model))
    print(report(evaluate(annotations, hear)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
