"""Times as people say them ("ten pm", "9:30", "half past nine"), read the way Alexa's
AMAZON.TIME slot reports them: "22:00", "09:30". For the local resolver only."""

from __future__ import annotations

import re

HOURS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
MINUTES = {
    "oh five": 5, "o five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25,
    "thirty": 30, "forty": 40, "forty five": 45, "forty-five": 45, "fifty": 50,
}  # fmt: skip
MARKER = "timeslotmarker"

_HOUR = "|".join(sorted(HOURS, key=len, reverse=True))
_MINUTE = "|".join(sorted(MINUTES, key=len, reverse=True))
_HALF = r"(?P<half>a\.?m\.?|p\.?m\.?|in the evening|at night|tonight|in the morning)"
_DIGITS = re.compile(rf"\b(?P<h>\d{{1,2}})(?::(?P<m>\d{{2}}))?\s*(?:o'?clock)?\s*{_HALF}?(?![\w:])")
_WORDS = re.compile(
    rf"\b(?:(?P<rel>half past|quarter past|quarter to)\s+)?(?P<h>{_HOUR})"
    rf"(?:\s+(?P<m>{_MINUTE}|o'?clock))?(?:\s+{_HALF})?\b"
)
_CONTEXT = re.compile(r"\b(at|to|for|until|around|about|by)\s*$")


def _value(hour: int, minute: int, half: str | None) -> str | None:
    if half:
        evening = half.startswith("p") or half in ("in the evening", "at night", "tonight")
        if hour == 12:
            hour = 12 if evening else 0
        elif evening:
            hour += 12
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return f"{hour:02d}:{minute:02d}"


def find_time(text: str) -> tuple[str, str] | None:
    """(text with the time replaced by MARKER, "HH:MM"), or None if it names no time."""
    lowered = text.lower()
    for word, value in (("midnight", "00:00"), ("noon", "12:00")):
        if re.search(rf"\b{word}\b", lowered):
            return re.sub(rf"\b{word}\b", MARKER, lowered, count=1), value
    for pattern in (_DIGITS, _WORDS):
        for match in pattern.finditer(lowered):
            before, after = lowered[: match.start()], lowered[match.end() :]
            if re.match(r"\s*(minutes?|mins?|hours?|hrs?|seconds?|days?|weeks?)\b", after):
                continue  # "ten minutes" is a duration, not a time of day
            whole = not re.sub(r"[\W_]+", "", before + lowered[match.end() :])
            has_minutes = bool(match.group("m")) and match.group("m") not in ("oclock", "o'clock")
            explicit = bool(match.group("half")) or has_minutes or "clock" in match.group(0)
            if not (explicit or whole or _CONTEXT.search(before) or match.groupdict().get("rel")):
                continue
            raw_hour = str(match.group("h"))
            hour = int(raw_hour) if raw_hour.isdigit() else HOURS[raw_hour]
            minute_word = match.group("m")
            if minute_word is None or "clock" in minute_word:
                minute = 0
            elif minute_word.isdigit():
                minute = int(minute_word)
            else:
                minute = MINUTES[minute_word]
            relation = match.groupdict().get("rel")
            if relation == "half past":
                minute = 30
            elif relation == "quarter past":
                minute = 15
            elif relation == "quarter to":
                hour, minute = hour - 1, 45
            result = _value(hour, minute, match.group("half"))
            if result is None:
                continue
            return lowered[: match.start()] + MARKER + lowered[match.end() :], result
    return None
