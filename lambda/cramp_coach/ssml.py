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
# (String methods rather than regular expressions here: compiling those costs every cold start.)
_INVALID_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], " ")
_INVALID_XML.update({0xFFFE: " ", 0xFFFF: " "})
_INVALID_XML_TABLE = str.maketrans(_INVALID_XML)


def fold_spaces(text: str) -> str:
    """Runs of whitespace become one space; none at either end."""
    return " ".join(text.split())


def escape(text: str) -> str:
    """Escape arbitrary text (content or anything a user said) for use inside SSML."""
    text = fold_spaces(text.translate(_INVALID_XML_TABLE))
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
    parts: list[str] = []
    position = 0
    while written and (start := escaped.find(written, position)) >= 0:
        end = start + len(written)
        before = escaped[start - 1] if start else " "
        after = escaped[end] if end < len(escaped) else " "
        if before.isalnum() or after.isalnum():  # part of a longer word or number
            parts.append(escaped[position:end])
        else:
            parts += [escaped[position:start], f'<sub alias="{alias}">{written}</sub>']
        position = end
    parts.append(escaped[position:])
    return "".join(parts)


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


def _unescape(text: str) -> str:
    """Undo `escape` (the only entities this module writes; no html module on the cold path).
    `&amp;` goes last, so that an escaped "&lt;" comes back as the text "&lt;"."""
    for entity, character in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, character)
    return text.replace("&amp;", "&")


def _drop_tags(ssml: str) -> str:
    """Each `<...>` tag becomes a space, but a `<sub>` tag, which sits inside the text it
    stands for ("call <sub ...>911</sub>."), is dropped."""
    parts: list[str] = []
    position = 0
    while (start := ssml.find("<", position)) >= 0:
        end = ssml.find(">", start + 1)
        if end < 0:
            break
        if end == start + 1:  # "<>" is not a tag
            parts.append(ssml[position : end + 1])
        else:
            inner = ssml[start + 1 : end]
            words = (inner[1:] if inner.startswith("/") else inner).split(None, 1)
            inline = bool(words) and words[0] in ("sub", "sub/")
            parts += [ssml[position:start], "" if inline else " "]
        position = end + 1
    parts.append(ssml[position:])
    return "".join(parts)


def to_plain_text(ssml: str) -> str:
    """What a listener hears, as text: tags dropped, entities decoded, spaces folded."""
    return fold_spaces(_unescape(_drop_tags(ssml)))


_TIME = r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$"  # compiled (and cached) by `re` on first use


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
