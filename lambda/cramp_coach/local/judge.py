"""A second, independent judge of what Alexa would hear: a stand-in for Alexa's NLU that the
interaction models are never tuned against.

The local resolver (resolver.py) is the stand-in the team tunes the models with, so its scores
on tests/nlu/ say how well the models fit the resolver as much as how well they would fit
Alexa. This judge reaches its answers another way, from nothing but the built model:

- Its training lines are the model's samples (and, for Alexa's built-in intents, the standard
  phrases Alexa already knows: builtin_samples*.json), each slot written out with the values
  and synonyms of its slot type ("my {muscle} is cramping" -> "my calves is cramping", ...).
  It never sees an evaluation line.
- It is a statistical classifier, not a hand-weighted word match: a linear support-vector
  machine over character n-grams (which catch "cramping", "cramps", "krampft" without a
  stemmer), word unigrams and bigrams, and the static sentence embedding of WordLlama (token
  vectors that ship inside its wheel: paraphrases such as "puffy" and "swollen" sit close).
  Its choice of intent shares no tokenizer, stemmer, word list, weight or threshold with the
  resolver.
- A line whose best intent wins by too small a margin (less a penalty for words no training
  line uses) is heard as AMAZON.FallbackIntent. Where that line lies is calibrated on the
  model itself: cross-validated over its own samples, the margin below which a given share of
  them would be refused. The model's fallbackIntentSensitivity (LOW when absent) picks the
  share, so a higher sensitivity sends more out-of-domain lines to the fallback, as Alexa's
  does.

Slots are filled simply, once the intent is chosen: the longest value or synonym of each slot's
type found in the line (words compared as the evaluation compares them), else the words that
sit where a one-slot sample has its slot (Alexa fills a custom slot with words its type does
not list); Alexa's time, day and while are read by the readers the local chat uses (times.py,
times_de.py).

    python -m cramp_coach.local.judge --locale en-GB            the evaluation set, judged
    python -m cramp_coach.local.judge --locale de-DE --holdout  the held-out set
    python -m cramp_coach.local.judge --set FILE [--model FILE] one annotation file (its
                                                                locale from its name)

Needs the dev extras (scikit-learn, wordllama): `pip install -e '.[dev]'`; no network.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.model_selection import GroupKFold  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from . import models, nlu
from .resolver import Language, language_for
from .times import DATE_MARKER, DURATION_MARKER, MARKER

FALLBACK = "AMAZON.FallbackIntent"
DEFAULT_LEVEL = "LOW"  # Alexa's default when the model names no fallbackIntentSensitivity
# The share of the model's own samples (cross-validated) that each sensitivity would refuse:
# its threshold sits at that quantile of their margins.
LEVELS = {"LOW": 0.03, "MEDIUM": 0.06, "HIGH": 0.12}
EXPANSIONS = 4  # written-out copies of a sample with slots, each with other values
FOLDS = 5
UNKNOWN_PENALTY = 1.0  # margin taken off for a line made wholly of words no sample uses
EMBEDDING_WEIGHT = 1.0  # the sentence embedding's weight beside the n-gram features
MAX_CAPTURED = 3  # the most words a slot takes that its type does not list
# What stands in a sample for Alexa's own slot types, per language.
BUILT_IN_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "AMAZON.TIME": ("ten pm", "half past nine", "seven thirty", "nine am"),
        "AMAZON.DATE": ("tomorrow", "friday", "monday"),
        "AMAZON.DURATION": ("an hour", "ten minutes", "half an hour"),
    },
    "de": {
        "AMAZON.TIME": ("zehn uhr", "halb zehn", "zweiundzwanzig uhr", "neun uhr abends"),
        "AMAZON.DATE": ("morgen", "freitag", "montag"),
        "AMAZON.DURATION": ("einer stunde", "zehn minuten", "einer halben stunde"),
    },
}
_SLOT = re.compile(r"\{(\w+)\}")
_ACRONYM = re.compile(r"\b((?:[^\W\d_]\.\s*){2,})")  # "d. v. t." -> "dvt"
_NON_WORD = re.compile(r"[^\w\s]+")
_EDGES = '.,;:!?"()'  # punctuation a spoken slot value leaves behind
_MARKERS = frozenset({MARKER, DATE_MARKER, DURATION_MARKER})  # a time, day or while, read

Vector = npt.NDArray[np.float64]
Reader = Callable[[str, date], "tuple[str, str] | None"]


def normalise(line: str) -> str:
    """Lowercase words, acronyms joined, apostrophes and punctuation gone: nothing more."""
    text = line.lower().replace("\u2019", "'")
    text = _ACRONYM.sub(lambda m: m.group(1).replace(".", "").replace(" ", "") + " ", text)
    text = _NON_WORD.sub(" ", text.replace("'", ""))
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Example:
    """One training line: a sample written out, its intent, and the sample it came from (a
    sample's copies stay in one fold when the threshold is calibrated)."""

    text: str
    intent: str
    source: int


def _values(language_model: Mapping[str, Any], language: str) -> dict[str, list[str]]:
    """Slot type -> the phrases that fill it: a custom type's values and synonyms, a few
    everyday phrases for Alexa's time, day and while."""
    values = {t: list(p) for t, p in BUILT_IN_PHRASES.get(language, {}).items()}
    for slot_type in language_model.get("types", []):
        values[slot_type["name"]] = [
            word
            for value in slot_type.get("values", [])
            for word in (value["name"]["value"], *value["name"].get("synonyms", []))
        ]
    return values


def examples(
    language_model: Mapping[str, Any], builtins: Mapping[str, Sequence[str]], language: str
) -> list[Example]:
    """The training lines: every intent's samples (with the built-in phrases of Alexa's
    built-in intents the model has), each slot written out with its type's values."""
    values = _values(language_model, language)
    result: list[Example] = []
    source = 0
    for intent in language_model["intents"]:
        name = intent["name"]
        types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in [*intent.get("samples", []), *builtins.get(name, [])]:
            source += 1
            slots = _SLOT.findall(sample)
            copies = 1 if not slots else EXPANSIONS
            for copy in range(copies):
                text = sample
                for place, slot in enumerate(slots):
                    fills = values.get(types.get(slot, ""), []) or [""]
                    # A different value in each copy, and from sample to sample.
                    fill = fills[(source + copy * 7 + place * 3) % len(fills)]
                    text = text.replace("{" + slot + "}", fill, 1)
                words = normalise(text)
                if words:
                    result.append(Example(words, name, source))
    return result


@cache
def _embedder() -> Any:
    """WordLlama's default model, from the files inside its wheel: never the network.

    (Its loader looks for the tokenizer under `tokenizer/` while the wheel ships it under
    `tokenizers/`; naming the package folder as the cache finds both.)"""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    import wordllama  # type: ignore[import-untyped]

    # Importing it configures the root logger (basicConfig at INFO): put it back.
    root.setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    return wordllama.WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, disable_download=True
    )


def embed(texts: Sequence[str]) -> Vector:
    """Each text's sentence embedding (unit length), weighted beside the n-grams."""
    vectors = np.asarray(_embedder().embed(list(texts), norm=True), dtype=np.float64)
    return vectors * EMBEDDING_WEIGHT


class _Classifier:
    """Char n-grams, word n-grams and the sentence embedding, with a linear SVM on top."""

    def __init__(
        self, texts: Sequence[str], intents: Sequence[str], embedded: Vector | None = None
    ) -> None:
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"
        )
        chars = self._chars.fit_transform(texts)
        words = self._words.fit_transform(texts)
        self._svm = LinearSVC(C=1.0, random_state=0)
        embedded = embed(texts) if embedded is None else embedded
        self._svm.fit(self._stack(chars, words, embedded), list(intents))
        self.intents: list[str] = [str(c) for c in self._svm.classes_]
        self._known = frozenset(w for text in texts for w in text.split())

    @staticmethod
    def _stack(chars: Any, words: Any, embedded: Vector) -> Any:
        return sparse.hstack([chars, words, sparse.csr_matrix(embedded)]).tocsr()

    def margins(self, texts: Sequence[str], embedded: Vector | None = None) -> Vector:
        """One row per text: each intent's margin (the SVM's decision value)."""
        embedded = embed(texts) if embedded is None else embedded
        features = self._stack(self._chars.transform(texts), self._words.transform(texts), embedded)
        scores = np.asarray(self._svm.decision_function(features), dtype=np.float64)
        if scores.ndim == 1:  # two intents: one margin, for the second
            scores = np.stack([-scores, scores], axis=1)
        return scores

    def unknown(self, text: str) -> float:
        """The share of the text's words that no training line uses."""
        words = text.split()
        return sum(w not in self._known for w in words) / len(words) if words else 1.0

    def best(self, texts: Sequence[str], embedded: Vector | None = None) -> list[tuple[str, float]]:
        """Each text's best intent and its confidence: the margin less the unknown penalty."""
        scores = self.margins(texts, embedded)
        winners = np.argmax(scores, axis=1)
        return [
            (self.intents[k], float(row[k]) - UNKNOWN_PENALTY * self.unknown(text))
            for text, row, k in zip(texts, scores, winners, strict=True)
        ]


def calibrate(
    items: Sequence[Example], share: float, embedded: Vector, folds: int = FOLDS
) -> float:
    """The confidence below which `share` of the model's own in-domain samples fall when each
    is judged by a classifier trained without it (cross-validated, a sample's copies kept in
    one fold). `embedded` holds the items' embeddings, row for row."""
    texts = [e.text for e in items]
    intents = [e.intent for e in items]
    sources = [e.source for e in items]
    confidences: list[float] = []
    splits = GroupKFold(n_splits=min(folds, len(set(sources))))
    for train, held in splits.split(texts, intents, sources):
        classifier = _Classifier(
            [texts[i] for i in train], [intents[i] for i in train], embedded[train]
        )
        judged = classifier.best([texts[i] for i in held], embedded[held])
        confidences += [c for i, (_, c) in zip(held, judged, strict=True) if intents[i] != FALLBACK]
    return float(np.quantile(confidences, share)) if confidences else -np.inf


def sensitivity(language_model: Mapping[str, Any]) -> str:
    """The model's fallbackIntentSensitivity level (LOW if it names none)."""
    config = language_model.get("modelConfiguration") or {}
    level = (config.get("fallbackIntentSensitivity") or {}).get("level", DEFAULT_LEVEL)
    return str(level).upper() if str(level).upper() in LEVELS else DEFAULT_LEVEL


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    slot_type: str


@dataclass(frozen=True, slots=True)
class _Frame:
    """A sample with one slot, around it: "my {muscle} is cramping" is (my) {muscle} (is
    cramping). A line that fits the words around it fills the slot with the words between, as
    Alexa fills a custom slot with a word its type does not list ("my shin is cramping")."""

    slot: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def fill(self, words: Sequence[str]) -> str | None:
        middle = len(words) - len(self.before) - len(self.after)
        if not 1 <= middle <= MAX_CAPTURED or not (self.before or self.after):
            return None
        if tuple(words[: len(self.before)]) != self.before:
            return None
        if tuple(words[len(words) - len(self.after) :]) != self.after:
            return None
        return " ".join(words[len(self.before) : len(self.before) + middle])


def _frames(intent: Mapping[str, Any]) -> list[_Frame]:
    """The intent's one-slot samples whose slot is of a custom type, widest context first."""
    types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
    frames = set()
    for sample in intent.get("samples", []):
        slots = _SLOT.findall(sample)
        if len(slots) == 1 and not types.get(slots[0], "AMAZON.").startswith("AMAZON."):
            before, after = sample.split("{" + slots[0] + "}", 1)
            frames.add(
                _Frame(slots[0], tuple(normalise(before).split()), tuple(normalise(after).split()))
            )
    return sorted(frames, key=lambda f: (-len(f.before) - len(f.after), f.before, f.after))


class Judge:
    """An intent classifier trained on one built interaction model; `hear` is an nlu.Hear."""

    def __init__(
        self,
        model: Mapping[str, Any],
        builtin_samples: Mapping[str, Sequence[str]],
        language: Language,
    ) -> None:
        language_model = model["interactionModel"]["languageModel"]
        self.language = language
        self.level = sensitivity(language_model)
        items = examples(language_model, builtin_samples, language.name)
        texts = [e.text for e in items]
        embedded = embed(texts)
        self._classifier = _Classifier(texts, [e.intent for e in items], embedded)
        self.threshold = calibrate(items, LEVELS[self.level], embedded)
        self._slots: dict[str, dict[str, str]] = {
            intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for intent in language_model["intents"]
        }
        self._frames = {intent["name"]: _frames(intent) for intent in language_model["intents"]}
        # The words the samples say around their slots: a slot takes none of these alone.
        self._carriers = frozenset(
            word
            for intent in language_model["intents"]
            for sample in intent.get("samples", [])
            for word in normalise(_SLOT.sub(" ", sample)).split()
        )
        phrases = {
            _Phrase(tuple(language.words(word)), slot_type["name"])
            for slot_type in language_model.get("types", [])
            for value in slot_type.get("values", [])
            for word in (value["name"]["value"], *value["name"].get("synonyms", []))
        }
        self._phrases = sorted(
            (p for p in phrases if p.words), key=lambda p: (-len(p.words), p.words)
        )
        self._readers: dict[str, Reader] = {
            "AMAZON.DURATION": lambda text, _: language.find_duration(text),
            "AMAZON.DATE": language.find_date,
            "AMAZON.TIME": lambda text, _: language.find_time(text),
        }

    @classmethod
    def from_model(cls, path: Path, locale: str | None = None) -> Judge:
        """The judge for an interaction model file (an overlay is loaded whole), in the
        language of its locale (the file's name, `de-DE.json`, unless given)."""
        language = language_for(locale or path.stem)
        known = json.loads(Path(__file__).with_name(language.builtins).read_text(encoding="utf-8"))
        builtin_samples = {k: list(v) for k, v in known.items() if not k.startswith("_")}
        return cls(models.load(path), builtin_samples, language)

    def rank(self, utterance: str, top: int = 3) -> list[tuple[str, float]]:
        """The best intents for a line and their margins, for a person reading a miss."""
        text = normalise(utterance)
        row = self._classifier.margins([text])[0]
        order = np.argsort(-row)[:top]
        return [(self._classifier.intents[k], float(row[k])) for k in order]

    def intent(self, utterance: str) -> tuple[str, float]:
        """The intent the line is heard as (the fallback below the threshold), and the
        confidence it was heard with."""
        text = normalise(utterance)
        if not text:
            return FALLBACK, 0.0
        [(intent, confidence)] = self._classifier.best([text])
        return (intent if confidence >= self.threshold else FALLBACK), confidence

    def hear(self, utterance: str, today: date | None = None) -> tuple[str, dict[str, str]]:
        """The intent and slot values (as spoken; Alexa's own types as read) in a line said
        on `today` (default: this machine's date)."""
        intent, _ = self.intent(utterance)
        return intent, self.slots(utterance, intent, today or date.today())

    def slots(self, utterance: str, intent: str, today: date) -> dict[str, str]:
        """The intent's slots found in the line."""
        found: dict[str, str] = {}
        text = utterance.lower()
        types = self._slots.get(intent, {})
        for slot_type, read in self._readers.items():  # a while, then a day, then a time
            names = [name for name, t in types.items() if t == slot_type]
            hit = read(text, today) if names else None
            if hit is not None:
                text, found[names[0]] = hit
        spoken = [word.strip(_EDGES) for word in text.split()]
        heard = [self.language.words(word) for word in spoken]
        words = [w for ws in heard for w in ws]
        owner = [k for k, ws in enumerate(heard) for _ in ws]  # token -> the word it is in
        used: set[int] = set()
        for name, slot_type in types.items():
            if name in found:
                continue
            span = self._find(words, slot_type, used)
            if span is not None:
                start, end = span
                used.update(range(start, end))
                first, last = owner[start], owner[end - 1]
                found[name] = " ".join(spoken[first : last + 1])
        plain = normalise(text).split()
        for frame in self._frames.get(intent, []):
            if frame.slot in types and frame.slot not in found:
                captured = frame.fill(plain)
                if captured is not None and self._unlisted(captured):
                    found[frame.slot] = captured
        return found

    def _unlisted(self, captured: str) -> bool:
        """Whether captured words may be a value the slot type does not list: not a time or
        day already read, nor only words the samples use around their slots."""
        words = set(captured.split())
        return not words & _MARKERS and not words <= self._carriers

    def _find(self, words: Sequence[str], slot_type: str, used: set[int]) -> tuple[int, int] | None:
        """The longest phrase of the slot type among the words (its token span), if any."""
        for phrase in self._phrases:
            if phrase.slot_type != slot_type:
                continue
            n = len(phrase.words)
            for start in range(len(words) - n + 1):
                span = range(start, start + n)
                if tuple(words[start : start + n]) == phrase.words and not used & set(span):
                    return start, start + n
        return None


def _locale(args: argparse.Namespace) -> str:
    """The locale asked for; else that of the first annotation file's name (de-DE.jsonl)."""
    if args.locale:
        return str(args.locale)
    named = args.set[0].name.split(".")[0] if args.set else ""
    return named if models.LOCALE_FILE.match(f"{named}.json") else "en-US"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cramp_coach.local.judge")
    parser.add_argument("--locale", help="default: en-US, or the --set file's locale")
    parser.add_argument("--model", type=Path, help="interaction model (default: the repository's)")
    parser.add_argument("--holdout", action="store_true", help="judge the held-out set")
    parser.add_argument(
        "--set", type=Path, action="append", metavar="FILE", help="judge this annotation file"
    )
    args = parser.parse_args(argv)
    locale = _locale(args)
    model = args.model or models.path_of(locale)
    started = time.perf_counter()
    judge = Judge.from_model(model, locale)
    if args.set:
        annotations = [a for path in args.set for a in nlu.load(path, locale)]
    else:
        folder = nlu.HOLDOUT_FOLDER if args.holdout else nlu.NLU_FOLDER
        annotations = nlu.load_locale(locale, folder)
    print(nlu.report(nlu.evaluate(annotations, judge.hear)))
    print(
        f"\njudge: {model.name} as {locale}, fallback sensitivity {judge.level} "
        f"(threshold {judge.threshold:.2f}), {len(annotations)} lines in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
