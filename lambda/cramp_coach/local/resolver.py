"""A small, local stand-in for Alexa's language understanding.

It reads the interaction model (samples, slot values and synonyms) and resolves a typed line to
an intent and its slots, the way `make run` and the tests need it. It is deliberately simple
and explainable: words are normalised and lightly stemmed, weighted by how few intents use them,
and compared with every sample (words and word pairs). A line that resembles no sample well
enough goes where Alexa would send it: AMAZON.FallbackIntent.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..intents import Intent
from . import german, models, times_de
from .times import DATE_MARKER, DURATION_MARKER, MARKER, find_date, find_duration, find_time

FALLBACK = Intent.FALLBACK
TIME_TYPE = "AMAZON.TIME"
DATE_TYPE = "AMAZON.DATE"
DURATION_TYPE = "AMAZON.DURATION"
# Built-in slot types read from the words, in the order they are read (a while before a day
# before a time: "in ten minutes" is no time, "tomorrow" no part of one), with their markers.
Finder = Callable[[str, date], "tuple[str, str] | None"]
BUILT_INS: tuple[tuple[str, str, Finder], ...] = (
    (DURATION_TYPE, DURATION_MARKER, lambda text, _: find_duration(text)),
    (DATE_TYPE, DATE_MARKER, find_date),
    (TIME_TYPE, MARKER, lambda text, _: find_time(text)),
)
MARKERS = {marker: slot_type for slot_type, marker, _ in BUILT_INS}
# A day or a while says when something should happen, hardly what: its slot's class token
# weighs a third of its rarity ("what's the weather tomorrow" is no reminder, "tomorrow at
# ten" after "what time?" is one: the carrier words decide, as in Alexa's model).
WHEN_WEIGHT = 0.3
THRESHOLD = 0.40  # between the best off-topic line (~0.33) and the worst real one (~0.46)
# The model's fallbackIntentSensitivity (modelConfiguration): how readily Alexa sends a line
# it is unsure of to AMAZON.FallbackIntent rather than to the nearest intent. The resolver
# mirrors it as the score a line must reach; LOW (Alexa's default) is THRESHOLD.
SENSITIVITY = {"LOW": THRESHOLD, "MEDIUM": 0.45, "HIGH": 0.50}
CAPTURE_DISCOUNT = 0.85

# Filler that carries no meaning for any intent; dropped before matching.
FILLER = frozenset(
    [
        "um",
        "uh",
        "erm",
        "hmm",
        "hey",
        "hi",
        "oh",
        "ah",
        "please",
        "so",
        "well",
        "okay",
        "ok",
        "like",
        "just",
        "actually",
        "really",
        "alexa",
        "then",
    ]
)
_IRREGULAR = {
    "calves": "calf",
    "feet": "foot",
    "charlie": "charley",
    "am": "be",
    "is": "be",
    "are": "be",
    "im": "i be",
    "ive": "i have",
    "got": "have",
    "gotten": "have",
    "cramped": "cramp",
    "crampy": "cramp",
    "lying": "lie",
    "lay": "lie",
    "laying": "lie",
    "slept": "sleep",
    "sleeping": "sleep",
    "asleep": "sleep",
    "kept": "keep",
    "woke": "wake",
    "waking": "wake",
    "drinking": "drink",
    "drank": "drink",
    "exercising": "exercise",
    "pregnancy": "pregnant",
    "diabetic": "diabetes",
    "diabetics": "diabetes",
    "doc": "doctor",
    "gp": "doctor",
    "physician": "doctor",
    "hamstring": "hamstring",  # not "hamstr": a noun, like its plural
    "hamstrings": "hamstring",
}
_ACRONYM = re.compile(r"\b((?:[a-z]\.\s*){2,})")
_NON_WORD = re.compile(r"[^\w{}\s]+")  # letters of any alphabet are letters (ä, ß, é)


def _collapse_acronym(match: re.Match[str]) -> str:
    return match.group(1).replace(".", "").replace(" ", "") + " "


def stem(token: str) -> str:
    if token.startswith("{"):
        return token
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    if len(token) > 5 and token.endswith("ing"):
        return token[:-3]
    if len(token) > 4 and token.endswith("ed"):
        return token[:-2]
    if len(token) > 4 and token.endswith(("ches", "shes", "xes", "sses")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(line: str) -> list[str]:
    """Lowercase, spell out acronyms (a. l. s. -> als), drop punctuation and filler, stem.

    Filler is dropped only beside other words: said on its own ("okay"), it is the answer."""
    text = line.lower().replace("\u2019", "'")
    text = _ACRONYM.sub(_collapse_acronym, text)
    text = text.replace("'", "")
    text = _NON_WORD.sub(" ", text)
    words = text.split()
    meant = [word for word in words if word not in FILLER] or words
    result: list[str] = []
    for word in meant:
        result.extend(stem(word).split())
    return result


DateFinder = Callable[[str, date], "tuple[str, str] | None"]
TextFinder = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class Language:
    """How the resolver reads one language: its words (tokens), the times, days and whiles
    its built-in slot types hear, and the samples Alexa's built-in intents know in it (a file
    beside this module)."""

    name: str
    words: Callable[[str], list[str]]
    find_time: TextFinder
    find_date: DateFinder
    find_duration: TextFinder
    builtins: str


ENGLISH = Language(
    "en",
    tokens,
    find_time,
    find_date,
    find_duration,
    "builtin_samples.json",
)
_MARKER_WORDS = frozenset({MARKER, DATE_MARKER, DURATION_MARKER})
GERMAN = Language(
    "de",
    lambda line: german.tokens(line, _MARKER_WORDS),
    times_de.find_time,
    times_de.find_date,
    times_de.find_duration,
    "builtin_samples.de.json",
)
LANGUAGES = {language.name: language for language in (ENGLISH, GERMAN)}


def sensitivity(model: Mapping[str, Any]) -> str:
    """The model's fallbackIntentSensitivity level: LOW, MEDIUM or HIGH (LOW when not set)."""
    language_model = model["interactionModel"]["languageModel"]
    config = language_model.get("modelConfiguration") or {}
    level = str((config.get("fallbackIntentSensitivity") or {}).get("level", "LOW")).upper()
    return level if level in SENSITIVITY else "LOW"


def language_for(locale: str) -> Language:
    """The language of a locale ("de-DE": German); English for any other."""
    return LANGUAGES.get(locale.split("-")[0].lower(), ENGLISH)


@dataclass(frozen=True, slots=True)
class SlotValue:
    """What the resolver heard for a slot: the words, and the value id they matched (if any)."""

    spoken: str
    value_id: str | None = None
    value_name: str | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    intent: str
    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class _Sample:
    intent: str
    words: tuple[str, ...]
    slot_types: Mapping[str, str]  # slot type -> slot name, for the slots this sample uses


@dataclass(frozen=True, slots=True)
class _Side:
    """One side of a comparison: its distinct words, their weight, and its word pairs."""

    words: frozenset[str]
    norm: float
    pairs: frozenset[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    slot_type: str
    value: SlotValue


def _class_token(slot_type: str) -> str:
    return "<" + slot_type.lower() + ">"


def _value_token(value: SlotValue) -> str:
    return "#" + (value.value_id or value.spoken).lower()


def _bigrams(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def _capture(words: Sequence[str], sample: _Sample) -> tuple[list[str], SlotValue] | None:
    """Words that sit where a sample has its slot, though they match no slot value.

    "my elbow is cramping" against "my {muscle} is cramping" fills muscle with "elbow" and no
    value id, as Alexa does (ER_SUCCESS_NO_MATCH).
    """
    if len(sample.slot_types) != 1:
        return None
    slot_type = next(iter(sample.slot_types))
    if slot_type.startswith("AMAZON."):  # built-in types are read, never guessed
        return None
    token = _class_token(slot_type)
    k = sample.words.index(token)
    prefix, suffix = sample.words[:k], sample.words[k + 1 :]
    if not prefix and not suffix:  # a bare "{slot}" sample would swallow any short line
        return None
    middle = len(words) - len(prefix) - len(suffix)
    if not 1 <= middle <= 3:
        return None
    if tuple(words[: len(prefix)]) != prefix or tuple(words[len(words) - len(suffix) :]) != suffix:
        return None
    spoken = " ".join(words[len(prefix) : len(prefix) + middle])
    return [*prefix, token, *suffix], SlotValue(spoken)


class Resolver:
    def __init__(
        self,
        model: Mapping[str, Any],
        extra_samples: Mapping[str, Iterable[str]],
        language: Language = ENGLISH,
    ) -> None:
        self.language = language
        tokens = self.tokens
        self._finders: tuple[tuple[str, str, Finder], ...] = (
            (DURATION_TYPE, DURATION_MARKER, lambda text, _: language.find_duration(text)),
            (DATE_TYPE, DATE_MARKER, language.find_date),
            (TIME_TYPE, MARKER, lambda text, _: language.find_time(text)),
        )
        language_model = model["interactionModel"]["languageModel"]
        self.invocation_name: str = language_model["invocationName"]
        self.threshold = SENSITIVITY[sensitivity(model)]
        phrases: list[_Phrase] = []
        for slot_type in language_model.get("types", []):
            for value in slot_type.get("values", []):
                name = value["name"]["value"]
                for spoken in [name, *value["name"].get("synonyms", [])]:
                    phrase_words = tuple(tokens(spoken))
                    if phrase_words:
                        heard = SlotValue(spoken, value.get("id", name), name)
                        phrases.append(_Phrase(phrase_words, slot_type["name"], heard))
        # Longest phrases first, so "back of my thigh" wins over "thigh".
        self._phrases = sorted(phrases, key=lambda p: -len(p.words))

        self._samples: list[_Sample] = []
        self._slots: dict[str, dict[str, str]] = {}  # intent -> slot name -> slot type
        for intent in language_model["intents"]:
            by_name = {s["name"].lower(): s for s in intent.get("slots", [])}
            self._slots[intent["name"]] = {s["name"]: s["type"] for s in by_name.values()}
            samples = list(intent.get("samples", [])) + list(extra_samples.get(intent["name"], []))
            for sample in samples:
                words: list[str] = []
                used: dict[str, str] = {}
                for word in tokens(sample):
                    slot = by_name.get(word.strip("{}")) if word.startswith("{") else None
                    if slot is not None:
                        used[slot["type"]] = slot["name"]
                        words.append(_class_token(slot["type"]))
                    else:
                        words.append(word)
                canonical, _ = self._canonical(words)
                self._samples.append(_Sample(intent["name"], tuple(canonical), used))

        self._built_ins = {t for types in self._slots.values() for t in types.values()} & set(
            MARKERS.values()
        )
        intents_using: dict[str, set[str]] = defaultdict(set)
        for s in self._samples:
            for word in s.words:
                intents_using[word].add(s.intent)
        count = len({s.intent for s in self._samples}) or 1
        self._idf = {w: math.log((count + 1) / (len(i) + 0.5)) for w, i in intents_using.items()}
        for slot_type in (DATE_TYPE, DURATION_TYPE):
            token = _class_token(slot_type)
            if token in self._idf:
                self._idf[token] *= WHEN_WEIGHT
        # A word no sample uses says the line is about something else: weigh it like a rare one.
        self._unknown_weight = max(self._idf.values(), default=1.0)
        self._intent_words: dict[str, set[str]] = defaultdict(set)
        for s in self._samples:
            self._intent_words[s.intent].update(s.words)
        # Each intent's built-in slot types, and each sample's side of the similarity: worked
        # out once rather than once per line.
        self._built_in_types: dict[str, frozenset[str]] = defaultdict(frozenset)
        for intent_name, slot_types in self._slots.items():
            self._built_in_types[intent_name] = frozenset(
                t for t in slot_types.values() if t in MARKERS.values()
            )
        self._compared = {id(s): self._side(s.words) for s in self._samples}
        # An intent with a slot knows every value of the slot's type, sample or not.
        values: dict[str, set[str]] = defaultdict(set)
        for phrase in self._phrases:
            values[phrase.slot_type].add(_value_token(phrase.value))
        for intent, slot_types in self._slots.items():
            for slot_type in slot_types.values():
                self._intent_words[intent].update(values[slot_type])

    @classmethod
    def from_files(
        cls, model_path: Path, builtins_path: Path | None = None, locale: str | None = None
    ) -> Resolver:
        """The resolver for an interaction model file (for an overlay, its base with it
        applied), in the language of its locale (the file's name, `de-DE.json`, unless given)."""
        model = models.load(model_path)
        language = language_for(locale or model_path.stem)
        builtins_path = builtins_path or Path(__file__).with_name(language.builtins)
        extra = json.loads(builtins_path.read_text(encoding="utf-8"))
        return cls(model, {k: v for k, v in extra.items() if not k.startswith("_")}, language)

    def tokens(self, line: str) -> list[str]:
        """The line's tokens, as this resolver's language reads them."""
        return self.language.words(line)

    def slots_of(self, intent: str) -> dict[str, str]:
        """The slots an intent declares: name -> slot type."""
        return dict(self._slots.get(intent, {}))

    def _canonical(self, words: Sequence[str]) -> tuple[list[str], dict[str, SlotValue]]:
        """Replace slot values (any custom type) by their type's class token."""
        result: list[str] = []
        found: dict[str, SlotValue] = {}
        i = 0
        while i < len(words):
            if words[i] in MARKERS:  # a time, day or while times.py already read
                result.append(_class_token(MARKERS[words[i]]))
                i += 1
                continue
            for phrase in self._phrases:
                n = len(phrase.words)
                if tuple(words[i : i + n]) == phrase.words:
                    # The class token lets "calf" and "thigh" share a frame; the value token
                    # keeps them apart where a sample names one ("why do my thighs cramp").
                    result.append(_class_token(phrase.slot_type))
                    result.append(_value_token(phrase.value))
                    found.setdefault(phrase.slot_type, phrase.value)
                    i += n
                    break
            else:
                result.append(words[i])
                i += 1
        return result, found

    def _weight(self, word: str) -> float:
        return self._idf.get(word, self._unknown_weight)

    def _side(self, words: Sequence[str]) -> _Side:
        unique = frozenset(words)
        return _Side(unique, sum(self._weight(w) ** 2 for w in unique), frozenset(_bigrams(words)))

    def _similarity(self, a: _Side, b: _Side) -> float:
        if not a.words or not b.words:
            return 0.0
        common = sum(self._weight(w) ** 2 for w in a.words & b.words)
        unigram = common / math.sqrt(a.norm * b.norm)
        if not a.pairs or not b.pairs:
            return unigram
        bigram = len(a.pairs & b.pairs) / math.sqrt(len(a.pairs) * len(b.pairs))
        return 0.8 * unigram + 0.2 * bigram

    def _coverage(self, words: Sequence[str], intent: str) -> float:
        total = sum(self._weight(w) for w in words)
        if not total:
            return 0.0
        known = self._intent_words[intent]
        return sum(self._weight(w) for w in words if w in known) / total

    def _reading(
        self, line: str, types: frozenset[str], today: date
    ) -> tuple[list[str], dict[str, SlotValue]]:
        """The line's words for an intent with these built-in slot types, and the values
        read for them. A time fills a slot only for intents that have a time slot; for every
        other intent it is a recognised entity that says nothing about the intent ("why do I
        get cramps at 3am" stays a question), as Alexa reads it, not an unknown word. A day or
        a while is read only where a slot takes one: elsewhere its words stay ("the cramp has
        lasted an hour", "not tonight")."""
        text = line
        read: dict[str, SlotValue] = {}
        dropped = False
        for slot_type, _, finder in self._finders:
            if slot_type not in self._built_ins or (
                slot_type != TIME_TYPE and slot_type not in types
            ):
                continue
            hit = finder(text, today)
            if hit is None:
                continue
            text = hit[0]
            if slot_type in types:
                read[slot_type] = SlotValue(hit[1])
            else:
                dropped = True
        marked = self.tokens(text)
        if dropped:
            marked = [w for w in marked if w != MARKER]
        words, found = self._canonical(marked)
        return words, {**found, **read}

    def _scores(
        self, line: str, today: date | None = None
    ) -> tuple[list[str], dict[str, tuple[float, dict[str, SlotValue]]]]:
        today = today or date.today()
        readings: dict[frozenset[str], tuple[list[str], dict[str, SlotValue]]] = {}

        def reading(intent: str) -> tuple[list[str], dict[str, SlotValue]]:
            types = self._built_in_types[intent]
            if types not in readings:
                readings[types] = self._reading(line, types, today)
            return readings[types]

        sides: dict[tuple[str, ...], _Side] = {}
        best: dict[str, tuple[float, dict[str, SlotValue]]] = {}
        for sample in self._samples:
            words, found = reading(sample.intent)
            candidate: Sequence[str] = words
            if sample.slot_types:  # the slot takes any value: compare the frame only
                candidate = [w for w in words if not w.startswith("#")]
            captured: dict[str, SlotValue] = {}
            for slot_type in sample.slot_types:
                if slot_type not in found:
                    capture = _capture(candidate, sample)
                    if capture is not None:
                        candidate, captured[slot_type] = capture
            key = tuple(candidate)
            if key not in sides:
                sides[key] = self._side(candidate)
            score = self._similarity(sides[key], self._compared[id(sample)])
            if captured:  # a guessed slot value is weaker evidence than a known one
                score *= CAPTURE_DISCOUNT
            if score > best.get(sample.intent, (-1.0, {}))[0]:
                best[sample.intent] = (score, captured)
        combined = {}
        for intent, (score, captured) in best.items():
            words, found = reading(intent)
            coverage = self._coverage(words, intent)
            combined[intent] = (0.75 * score + 0.25 * coverage, {**found, **captured})
        widest = max(readings, key=len, default=frozenset())
        return readings[widest][0] if readings else [], combined

    def resolve(self, line: str, today: date | None = None) -> Resolution:
        """The intent and slots Alexa would hear in `line`, said on `today` (the person's
        local date: "tomorrow" is the day after it; default: this machine's date)."""
        words, scores = self._scores(line, today)
        if not words or not scores:
            return Resolution(FALLBACK)
        intent, (score, heard) = max(scores.items(), key=lambda kv: kv[1][0])
        if score < self.threshold:
            return Resolution(FALLBACK, score=score)
        slots = {
            name: heard[slot_type]
            for name, slot_type in self._slots.get(intent, {}).items()
            if slot_type in heard
        }
        return Resolution(intent, slots, score)

    def explain(self, line: str, top: int = 3) -> list[tuple[str, float]]:
        """The best-scoring intents for a line, for debugging the model."""
        _, scores = self._scores(line)
        ranked = sorted(((i, s) for i, (s, _) in scores.items()), key=lambda kv: -kv[1])
        return ranked[:top]
