"""The one place where words become SSML.

Everything the skill says is built here: text is escaped exactly once, pauses are clamped to
what Alexa accepts, and only tags Alexa supports are ever emitted. `validate` checks a finished
document against the same rules; the tests run it over every response the content can produce.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_SPEECH_CHARS = 8000
MAX_BREAK_MS = 10_000

# Tags Alexa documents for outputSpeech (developer.amazon.com, "SSML reference").
ALLOWED_TAGS = frozenset(
    {
        "speak",
        "p",
        "s",
        "break",
        "emphasis",
        "prosody",
        "say-as",
        "sub",
        "phoneme",
        "w",
        "lang",
        "voice",
        "audio",
        "amazon:effect",
        "amazon:domain",
        "amazon:emotion",
    }
)

# XML 1.0 forbids most control characters even when escaped; speech has no use for them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")
_INLINE_TAG = re.compile(r"/?\s*sub/?(\s.*)?", re.S)  # a <sub> sits inside the text it stands for
_ENTITY = re.compile("&(lt|gt|quot|apos|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "quot": '"', "apos": "'", "amp": "&"}


def fold_spaces(text: str) -> str:
    """Runs of whitespace become one space; none at either end."""
    return _SPACES.sub(" ", text).strip()


def escape(text: str) -> str:
    """Escape arbitrary text (content or anything a user said) for use inside SSML."""
    text = fold_spaces(_INVALID_XML.sub(" ", text))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


@dataclass(frozen=True, slots=True)
class Speech:
    """A piece of speech: a sequence of SSML fragments that are already safe."""

    fragments: tuple[str, ...] = ()

    def __add__(self, other: Speech) -> Speech:
        return Speech(self.fragments + other.fragments)

    def __bool__(self) -> bool:
        return bool(self.fragments)

    def ssml(self) -> str:
        """The complete `<speak>` document."""
        return "<speak>" + " ".join(self.fragments) + "</speak>"


NOTHING = Speech()  # nothing to say (immutable, so safe as a default argument)


def text(words: str, spoken_as: Mapping[str, str] | None = None) -> Speech:
    """Plain words, escaped. `spoken_as` maps written forms to how they are said (the locale's
    "911" -> "nine one one"): each whole-word occurrence becomes a `<sub alias>`, so the card
    shows the number as written and Alexa says it as people there say it."""
    escaped = escape(words)
    for written, alias in (spoken_as or {}).items():
        escaped = _substitute(escaped, escape(written), escape(alias))
    return Speech((escaped,)) if escaped else Speech()


def _substitute(escaped: str, written: str, alias: str) -> str:
    """Each whole-word `written` (not part of a longer word or number) becomes a `<sub>`."""
    if not written:
        return escaped
    whole = re.compile(rf"(?<![^\W_]){re.escape(written)}(?![^\W_])")
    return whole.sub(lambda _: f'<sub alias="{alias}">{written}</sub>', escaped)


def pause(milliseconds: int) -> Speech:
    """A silence. Longer silences are chained breaks of at most ten seconds each."""
    remaining = max(0, int(milliseconds))
    fragments: list[str] = []
    while remaining > 0:
        step = min(remaining, MAX_BREAK_MS)
        fragments.append(f'<break time="{step}ms"/>')
        remaining -= step
    return Speech(tuple(fragments))


def join(parts: Iterable[Speech]) -> Speech:
    result = Speech()
    for part in parts:
        result = result + part
    return result


def _drop_tag(tag: re.Match[str]) -> str:
    return "" if _INLINE_TAG.fullmatch(tag.group(0)[1:-1]) else " "


def to_plain_text(ssml: str) -> str:
    """What a listener hears, as text: tags dropped, entities decoded, spaces folded."""
    text = _ENTITY.sub(lambda entity: _ENTITIES[entity.group(1)], _TAG.sub(_drop_tag, ssml))
    return fold_spaces(text)


_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")


def break_milliseconds(value: str) -> float | None:
    match = re.match(_TIME, value)
    if not match:
        return None
    number = float(match.group(1))
    return number * 1000 if match.group(2) == "s" else number


def validate(ssml: str) -> list[str]:
    """Return the reasons this document would be rejected or misread by Alexa (empty if none)."""
    # Imported here: only tests and tools validate, the request path never pays for the parser.
    import xml.etree.ElementTree as ElementTree

    problems: list[str] = []
    if len(ssml) > MAX_SPEECH_CHARS:
        problems.append(f"{len(ssml)} characters (limit {MAX_SPEECH_CHARS})")
    # ElementTree needs the amazon: prefix declared to parse amazon:effect and friends.
    wrapped = ssml.replace("<speak>", '<speak xmlns:amazon="urn:amazon">', 1)
    try:
        root = ElementTree.fromstring(wrapped)
    except ElementTree.ParseError as error:
        return [*problems, f"not well-formed: {error}"]
    if root.tag != "speak":
        problems.append(f"root is <{root.tag}>, not <speak>")
    for element in root.iter():
        tag = element.tag.replace("{urn:amazon}", "amazon:")
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}> is not supported by Alexa")
        if tag == "break":
            milliseconds = break_milliseconds(element.get("time", ""))
            if milliseconds is None and "strength" not in element.attrib:
                problems.append("break without a valid time or strength")
            elif milliseconds is not None and milliseconds > MAX_BREAK_MS:
                problems.append(f"break of {milliseconds:.0f} ms (limit {MAX_BREAK_MS})")
    return problems


TYPICAL_WORDS_PER_MINUTE = 150  # Alexa's speaking pace, roughly
_WORD = r"[\w']+"
_BREAK = r'<break\s+time="([^"]+)"\s*/>'


def speaking_seconds(words: str, words_per_minute: int = TYPICAL_WORDS_PER_MINUTE) -> float:
    """How long plain words take to say at a typical pace."""
    return len(re.findall(_WORD, words)) * 60.0 / words_per_minute


def estimate_seconds(ssml: str, words_per_minute: int = TYPICAL_WORDS_PER_MINUTE) -> float:
    """Spoken length of an SSML document: its words at a typical pace plus its breaks."""
    breaks = sum(break_milliseconds(t) or 0.0 for t in re.findall(_BREAK, ssml)) / 1000
    return speaking_seconds(to_plain_text(ssml), words_per_minute) + breaks


def whispered(speech: Speech) -> Speech:
    """Alexa's whisper: soft enough for a sleeping partner, still clear up close."""
    return Speech(('<amazon:effect name="whispered">', *speech.fragments, "</amazon:effect>"))
