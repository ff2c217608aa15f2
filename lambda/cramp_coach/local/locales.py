"""What the local stand-ins (the simulator, the terminal chat) know about a locale: where its
interaction model is, the skill's name and example phrases there (skill.json), and Alexa's own
words in its language (`alexa_words.json`): how people open a skill or hand it a request, and
what Alexa says when it asks for a permission. The skill's own words are in content/<locale>.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_LANGUAGE = "en"


def language_of(locale: str) -> str:
    return locale.split("-")[0].lower()


def model_path(locale: str) -> Path:
    """The locale's interaction model, as the skill package ships it."""
    return REPO_ROOT / "interaction_model" / f"{locale}.json"


def model_locales() -> list[str]:
    """Every locale with an interaction model."""
    return sorted(p.stem for p in (REPO_ROOT / "interaction_model").glob("*.json"))


@cache
def _manifest_locales() -> dict[str, Any]:
    path = REPO_ROOT / "skill.json"
    if not path.is_file():
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))["manifest"]
    locales: dict[str, Any] = manifest["publishingInformation"]["locales"]
    return locales


def skill_name(locale: str) -> str:
    """The skill's name in the locale's store listing (skill.json), or the en-US one."""
    listed = _manifest_locales()
    info = listed.get(locale) or listed.get("en-US") or {}
    return str(info.get("name", "Cramp Coach"))


def example_phrases(locale: str) -> list[str]:
    """The store listing's "try saying" phrases for the locale (skill.json)."""
    info = _manifest_locales().get(locale) or {}
    return [str(phrase) for phrase in info.get("examplePhrases", [])]


@dataclass(frozen=True, slots=True)
class AlexaWords:
    """Alexa's own words in one language."""

    language: str
    launch: tuple[str, ...]  # "open cramp coach"
    launch_after: tuple[str, ...]  # said after the name: "krampf coach starten"
    ask: tuple[str, ...]  # "ask cramp coach ...": a request in the same breath
    connecting: tuple[str, ...]  # dropped between the name and the request: "ask X to ..."
    routine_phrase: str  # runs the person's Alexa Routine (tests and chat)
    consent: str  # Alexa asks for a permission ({skill})
    consent_card: str  # ... and shows a card in the Alexa app

    @classmethod
    def of(cls, locale: str) -> AlexaWords:
        return _words(language_of(locale))

    def opens(self, line: str, name: str) -> bool:
        """Whether `line` (lowercased, no punctuation) just opens the skill called `name`."""
        return line in {f"{verb} {name}" for verb in self.launch} or line in {
            f"{name} {verb}" for verb in self.launch_after
        }

    def request_after(self, line: str, name: str) -> str | None:
        """The request in a one-shot ("ask cramp coach to start my stretches" -> "start my
        stretches"; "" for "ask cramp coach" alone), or None if `line` is not one. `line` keeps
        its punctuation ("at 9:30"); only the invocation and a connecting word go."""
        words = r"\W+".join(re.escape(w) for w in name.split())
        asking = "|".join(re.escape(verb) for verb in self.ask)
        found = re.match(rf"^\s*(?:{asking})\W+{words}(?!\w)", line, re.IGNORECASE)
        if found is None:
            return None
        rest = line[found.end() :]
        joins = "|".join(re.escape(word) for word in self.connecting)
        return re.sub(rf"^[\W_]*(?:(?:{joins})\b)?[\W_]*", "", rest, flags=re.IGNORECASE)


@cache
def _words(language: str) -> AlexaWords:
    table = json.loads(Path(__file__).with_name("alexa_words.json").read_text(encoding="utf-8"))
    raw = table.get(language) or table[DEFAULT_LANGUAGE]
    return AlexaWords(
        language=language if language in table else DEFAULT_LANGUAGE,
        launch=tuple(raw["launch"]),
        launch_after=tuple(raw["launch_after"]),
        ask=tuple(raw["ask"]),
        connecting=tuple(raw["connecting"]),
        routine_phrase=str(raw["routine_phrase"]),
        consent=str(raw["consent"]),
        consent_card=str(raw["consent_card"]),
    )
