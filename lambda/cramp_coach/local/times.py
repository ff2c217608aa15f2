"""Times, days and whiles as people say them, read the way Alexa's built-in slot types report
them: AMAZON.TIME ("ten pm", "half past nine" -> "22:00", "09:30"), AMAZON.DATE ("tomorrow",
"on friday", "november 30" -> "2026-11-28", relative to the person's today) and AMAZON.DURATION
("in an hour", "in half an hour" -> "PT1H", "PT30M"). For the local resolver only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

HOURS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
MINUTES = {
    "oh five": 5, "o five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25,
    "thirty": 30, "forty": 40, "forty five": 45, "forty-five": 45, "fifty": 50,
}  # fmt: skip
MARKER = "timeslotmarker"
DATE_MARKER = "dateslotmarker"
DURATION_MARKER = "durationslotmarker"
_MARKERS = re.compile(rf"\b(?:{MARKER}|{DATE_MARKER}|{DURATION_MARKER})\b")

_HOUR = "|".join(sorted(HOURS, key=len, reverse=True))
_MINUTE = "|".join(sorted(MINUTES, key=len, reverse=True))
_HALF = r"(?P<half>a\.?m\.?|p\.?m\.?|in the evening|at night|tonight|in the morning)"
# "sharp" after a time says it is one ("at ten sharp", as people in India say it).
_DIGITS = re.compile(
    rf"\b(?P<h>\d{{1,2}})(?::(?P<m>\d{{2}}))?\s*(?:o'?clock)?\s*(?P<sharp>sharp)?\s*{_HALF}?(?![\w:])"
)
# Minutes before or after an hour: "quarter past ten", "twenty to eleven", "ten after nine";
# "half ten" is half past ten, as people in Britain, Ireland and Australia say it.
_BEFORE_AFTER = r"five|ten|twenty|twenty five|twenty-five"
_WORDS = re.compile(
    rf"\b(?:(?P<rel>half(?: past)?|quarter (?:past|after|to|of)"
    rf"|(?P<by>{_BEFORE_AFTER}) (?:minutes )?(?:past|after|to|of))\s+)?(?P<h>{_HOUR})"
    rf"(?:\s+(?P<m>{_MINUTE}|o'?clock))?(?:\s+(?P<sharp>sharp))?(?:\s+{_HALF})?\b"
)
_BY = {"five": 5, "ten": 10, "twenty": 20, "twenty five": 25, "twenty-five": 25}
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


def _related(hour: int, minute: int, groups: Mapping[str, str | None]) -> tuple[int, int]:
    """The hour and minute a time said relative to its hour means ("twenty to eleven")."""
    relation = groups.get("rel")
    if not relation:
        return hour, minute
    before = relation.endswith((" to", " of"))
    if relation.startswith("half"):
        by = 30
    elif relation.startswith("quarter"):
        by = 15
    else:
        by = _BY[str(groups["by"])]
    if before:
        return (hour - 1) or 12, 60 - by
    return hour, by


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
            rest = _MARKERS.sub("", before + lowered[match.end() :])  # a day, read already
            whole = not re.sub(r"[\W_]+", "", rest)
            has_minutes = bool(match.group("m")) and match.group("m") not in ("oclock", "o'clock")
            explicit = (
                bool(match.group("half") or match.group("sharp"))
                or has_minutes
                or "clock" in match.group(0)
            )
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
            hour, minute = _related(hour, minute, match.groupdict())
            result = _value(hour, minute, match.group("half"))
            if result is None:
                continue
            return lowered[: match.start()] + MARKER + lowered[match.end() :], result
    return None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAY = "|".join(WEEKDAYS)
_RELATIVE_DAYS = (
    (re.compile(r"\bthe day after tomorrow\b"), 2),
    (re.compile(r"\btomorrow(?: night| evening)?\b"), 1),
    (re.compile(r"\b(?:today|tonight|this evening)\b"), 0),
)
_ON_WEEKDAY = re.compile(rf"\b(?P<which>this |next )?(?P<day>{_WEEKDAY})\b")
_IN_A_RANGE = re.compile(rf"(?:(?:{_WEEKDAY})\s+(?:and|to|through)\s+)$|(?:every|each)\s+$")
_A_RANGE_AFTER = re.compile(rf"^\s+(?:and|to|through)\s+(?:{_WEEKDAY})")
_MONTH_DAY = re.compile(
    rf"\b(?:the )?(?P<month>{'|'.join(MONTHS)}) (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
)


def find_date(text: str, today: date) -> tuple[str, str] | None:
    """(text with the day replaced by DATE_MARKER, "YYYY-MM-DD"), or None if it names no one
    day. Days of the week in a range ("monday to friday") or a repeat ("every friday") are not
    a day: they are how often."""
    lowered = text.lower()
    for pattern, ahead in _RELATIVE_DAYS:
        match = pattern.search(lowered)
        if match:
            day = today + timedelta(days=ahead)
            return marked(lowered, match, DATE_MARKER), day.isoformat()
    for match in _ON_WEEKDAY.finditer(lowered):
        before, after = lowered[: match.start()], lowered[match.end() :]
        if _IN_A_RANGE.search(before) or _A_RANGE_AFTER.match(after):
            continue
        ahead = (WEEKDAYS.index(match.group("day")) - today.weekday()) % 7
        if match.group("which") == "next " and ahead == 0:
            ahead = 7
        return marked(lowered, match, DATE_MARKER), (today + timedelta(days=ahead)).isoformat()
    for match in _MONTH_DAY.finditer(lowered):
        month, number = MONTHS.index(match.group("month")) + 1, int(match.group("day"))
        try:
            day = date(today.year, month, number)
            if day < today:
                day = date(today.year + 1, month, number)
        except ValueError:
            continue
        return marked(lowered, match, DATE_MARKER), day.isoformat()
    return None


COUNTS = {
    **HOURS, "a": 1, "an": 1, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
    "forty": 40, "forty five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
}  # fmt: skip
_COUNT = r"(?:\d+|" + "|".join(sorted(COUNTS, key=len, reverse=True)) + ")"
# Each way of saying a while something happens in, with the minutes its words add to the
# counts it names ("half an hour": 30, "two hours and a half": two hours, then 30).
_WHILES = (
    (re.compile(r"\bin (?P<w>half an hour)\b"), 30),
    (re.compile(r"\bin (?P<w>(?:a |one )?quarter of an hour|a quarter hour)\b"), 15),
    (re.compile(rf"\bin (?P<w>(?P<h>{_COUNT}) hours? and a half)\b"), 30),
    (re.compile(rf"\bin (?P<w>(?P<h>{_COUNT}) and a half hours)\b"), 30),
    (
        re.compile(
            rf"\bin (?P<w>(?P<h>{_COUNT}) (?:hours?|hrs?) and (?P<m>{_COUNT}) (?:minutes?|mins?))\b"
        ),
        0,
    ),
    (re.compile(rf"\bin (?P<w>(?P<h>{_COUNT}) (?:hours?|hrs?))\b"), 0),
    (re.compile(rf"\bin (?P<w>(?P<m>{_COUNT}) (?:minutes?|mins?))\b"), 0),
)

While = tuple[re.Pattern[str], int]


def find_duration(text: str) -> tuple[str, str] | None:
    """(text with the while replaced by DURATION_MARKER, "PT1H30M"), or None. Only a while
    something happens in ("in an hour"): "for an hour" is how long, not when."""
    return find_while(text, _WHILES, COUNTS)


def find_while(
    text: str, whiles: tuple[While, ...], counts: Mapping[str, int]
) -> tuple[str, str] | None:
    """The first of a language's `whiles` found in `text`, its hours and minutes (`counts`:
    number words) with the minutes its words add, marked as `marked_while` does."""
    lowered = text.lower()
    for pattern, extra_minutes in whiles:
        match = pattern.search(lowered)
        if match is None:
            continue
        groups = match.groupdict()
        hours, minutes = (_count(groups[k], counts) if groups.get(k) else 0 for k in "hm")
        return marked_while(lowered, match, hours, minutes + extra_minutes)
    return None


def _count(word: str, counts: Mapping[str, int]) -> int:
    return int(word) if word.isdigit() else counts[word]


def marked_while(lowered: str, match: re.Match[str], hours: int, minutes: int) -> tuple[str, str]:
    """The text with the while (the match's group "w") replaced by DURATION_MARKER, and the
    while as Alexa gives an AMAZON.DURATION ("PT1H30M")."""
    hours, minutes = hours + minutes // 60, minutes % 60
    value = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    start, end = match.span("w")
    return lowered[:start] + DURATION_MARKER + lowered[end:], value


def marked(lowered: str, match: re.Match[str], marker: str) -> str:
    """The text with the match replaced by a marker (a day or time, read already)."""
    return lowered[: match.start()] + marker + lowered[match.end() :]
