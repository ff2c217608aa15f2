"""Times, days and whiles as German speakers say them, read the way Alexa's built-in slot types
report them for de-DE: AMAZON.TIME ("um zehn", "um 22 Uhr", "um halb zehn", "viertel nach
neun abends" -> "10:00", "22:00", "09:30", "21:15"), AMAZON.DATE ("morgen", "am Freitag",
"am fünften Dezember" -> "2026-12-05", relative to the person's today) and AMAZON.DURATION
("in einer Stunde", "in einer halben Stunde" -> "PT1H", "PT30M"). For the local resolver only.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .times import DATE_MARKER, DURATION_MARKER, MARKER, find_while, marked

HOURS = {
    "null": 0, "eins": 1, "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
    "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17,
    "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "einundzwanzig": 21, "zweiundzwanzig": 22,
    "dreiundzwanzig": 23, "vierundzwanzig": 0,
}  # fmt: skip
MINUTES = {
    "fünf": 5, "zehn": 10, "fünfzehn": 15, "zwanzig": 20, "fünfundzwanzig": 25,
    "dreißig": 30, "fünfunddreißig": 35, "vierzig": 40, "fünfundvierzig": 45, "fünfzig": 50,
    "fünfundfünfzig": 55,
}  # fmt: skip
_MARKERS = re.compile(rf"\b(?:{MARKER}|{DATE_MARKER}|{DURATION_MARKER})\b")

_HOUR = "|".join(sorted(HOURS, key=len, reverse=True))
_MINUTE = "|".join(sorted(MINUTES, key=len, reverse=True))
# The part of the day said after the time: "um zehn abends", "um neun uhr am abend".
_PART = (
    r"(?P<part>abends|am abend|in der nacht|nachts|morgens|am morgen|früh|vormittags|mittags"
    r"|nachmittags|am nachmittag)"
)
_UHR = r"(?:\s*uhr)"
_DIGITS = re.compile(
    rf"\b(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?(?P<uhr>{_UHR})?(?:\s*(?P<m2>\d{{1,2}}))?"
    rf"(?:\s+{_PART})?(?![\w:])"
)
_WORDS = re.compile(
    r"\b(?:(?P<rel>halb|viertel nach|viertel vor|drei ?viertel|viertel"
    r"|(?P<off>fünf|zehn|zwanzig) (?P<dir>nach|vor))\s+)?"
    rf"(?P<h>{_HOUR})(?P<uhr>{_UHR})?(?:\s+(?P<m>{_MINUTE}))?(?:\s+{_PART})?\b"
)
_CONTEXT = re.compile(r"\b(um|auf|gegen|für|bis|ab|so um)\s*$")
_NOT_A_TIME = re.compile(
    r"\s*(minuten?|min|stunden?|std|sekunden?|tagen?|tage|wochen?|mal|malig|übungen?|stück)\b"
)


def _value(hour: int, minute: int, part: str | None) -> str | None:
    if part:
        evening = part in ("abends", "am abend", "nachmittags", "am nachmittag")
        night = part in ("nachts", "in der nacht")
        if (evening and hour < 12) or (night and 6 <= hour < 12):
            hour += 12
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return f"{hour:02d}:{minute:02d}"


def find_time(text: str) -> tuple[str, str] | None:
    """(text with the time replaced by MARKER, "HH:MM"), or None if it names no time."""
    lowered = text.lower()
    for word, value in (("mitternacht", "00:00"), ("mittag", "12:00")):
        if re.search(rf"\b(?:um )?{word}\b", lowered):
            return re.sub(rf"\b{word}\b", MARKER, lowered, count=1), value
    for pattern in (_DIGITS, _WORDS):
        for match in pattern.finditer(lowered):
            before, after = lowered[: match.start()], lowered[match.end() :]
            if not match.group("uhr") and _NOT_A_TIME.match(after):
                continue  # "zehn Minuten" is a while, "drei Übungen" a count
            rest = _MARKERS.sub("", before + after)  # a day, read already
            whole = not re.sub(r"[\W_]+", "", rest)
            groups = match.groupdict()
            minute_word = groups.get("m") or groups.get("m2")
            explicit = bool(match.group("uhr") or groups.get("part") or minute_word)
            if not (explicit or whole or _CONTEXT.search(before) or groups.get("rel")):
                continue
            raw = str(match.group("h"))
            hour = int(raw) if raw.isdigit() else HOURS[raw]
            minute = 0
            if minute_word:
                minute = int(minute_word) if minute_word.isdigit() else MINUTES[minute_word]
            relation = groups.get("rel")
            if relation == "halb":
                hour, minute = (hour - 1) or 12, 30
            elif relation == "viertel nach":
                minute = 15
            elif relation in ("viertel vor", "dreiviertel", "drei viertel"):
                hour, minute = (hour - 1) or 12, 45
            elif relation == "viertel":  # "viertel elf": a quarter of the way to eleven
                hour, minute = (hour - 1) or 12, 15
            elif relation is not None and groups.get("off"):
                offset = MINUTES[groups["off"]]
                if groups["dir"] == "nach":
                    minute = offset
                else:
                    hour, minute = hour - 1, 60 - offset
            hour %= 24
            result = _value(hour, minute, groups.get("part"))
            if result is None:
                continue
            return lowered[: match.start()] + MARKER + lowered[match.end() :], result
    return None


WEEKDAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
MONTHS = (
    "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
    "oktober", "november", "dezember",
)  # fmt: skip
ORDINALS = {
    "ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4, "fünften": 5, "sechsten": 6,
    "siebten": 7, "achten": 8, "neunten": 9, "zehnten": 10, "elften": 11, "zwölften": 12,
    "dreizehnten": 13, "vierzehnten": 14, "fünfzehnten": 15, "sechzehnten": 16,
    "siebzehnten": 17, "achtzehnten": 18, "neunzehnten": 19, "zwanzigsten": 20,
    "einundzwanzigsten": 21, "zweiundzwanzigsten": 22, "dreiundzwanzigsten": 23,
    "vierundzwanzigsten": 24, "fünfundzwanzigsten": 25, "sechsundzwanzigsten": 26,
    "siebenundzwanzigsten": 27, "achtundzwanzigsten": 28, "neunundzwanzigsten": 29,
    "dreißigsten": 30, "einunddreißigsten": 31,
}  # fmt: skip
_WEEKDAY = "|".join(WEEKDAYS)
_RELATIVE_DAYS = (
    (re.compile(r"\bübermorgen(?: abend| nacht)?\b"), 2),
    # "morgen" is tomorrow; "am Morgen", "jeden Morgen" are the morning.
    (re.compile(r"(?<!am )(?<!jeden )(?<!den )\bmorgen(?: abend| nacht| früh)?\b"), 1),
    (re.compile(r"\b(?:heute(?: abend| nacht)?|heut abend)\b"), 0),
)
_ON_WEEKDAY = re.compile(
    rf"\b(?:am |(?P<which>diesen |nächsten |kommenden ))?(?P<day>{_WEEKDAY})\b(?!s)"
)
_IN_A_RANGE = re.compile(rf"(?:(?:{_WEEKDAY})s?\s+(?:und|bis)\s+)$|(?:jeden|jede|immer)\s+$")
_A_RANGE_AFTER = re.compile(rf"^\s+(?:und|bis)\s+(?:{_WEEKDAY})")
_MONTH = "|".join(MONTHS)
_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(?:am |den )?(?P<day>\d{{1,2}})\.?\s*(?P<month>{_MONTH})\b"
    rf"|\b(?:am |den )?(?P<word>{_ORDINAL})\s+(?P<month2>{_MONTH})\b"
)


def find_date(text: str, today: date) -> tuple[str, str] | None:
    """(text with the day replaced by DATE_MARKER, "YYYY-MM-DD"), or None if it names no one
    day. Days of the week in a range ("montags bis freitags") or a repeat ("jeden Freitag")
    are not a day: they are how often."""
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
        if match.group("which") in ("nächsten ", "kommenden ") and ahead == 0:
            ahead = 7
        return marked(lowered, match, DATE_MARKER), (today + timedelta(days=ahead)).isoformat()
    for match in _DAY_MONTH.finditer(lowered):
        if match.group("day"):
            number, month_name = int(match.group("day")), match.group("month")
        else:
            number, month_name = ORDINALS[match.group("word")], match.group("month2")
        month = MONTHS.index(month_name) + 1
        try:
            day = date(today.year, month, number)
            if day < today:
                day = date(today.year + 1, month, number)
        except ValueError:
            continue
        return marked(lowered, match, DATE_MARKER), day.isoformat()
    return None


COUNTS = {
    **{k: v for k, v in HOURS.items() if v}, "einer": 1, "einem": 1, "fünfundzwanzig": 25,
    "dreißig": 30, "vierzig": 40, "fünfundvierzig": 45, "fünfzig": 50, "sechzig": 60,
    "neunzig": 90,
}  # fmt: skip
_COUNT = r"(?:\d+|" + "|".join(sorted(COUNTS, key=len, reverse=True)) + ")"
_WHILES = (
    (re.compile(r"\bin (?P<w>einer halben stunde|einer halbe stunde)\b"), 30),
    (re.compile(r"\bin (?P<w>einer viertelstunde|einer viertel stunde)\b"), 15),
    (re.compile(r"\bin (?P<w>(?:anderthalb|eineinhalb) stunden)\b"), 90),
    (
        re.compile(
            rf"\bin (?P<w>(?P<h>{_COUNT}) (?:stunden?|std) und (?P<m>{_COUNT}) (?:minuten?|min))\b"
        ),
        0,
    ),
    (re.compile(rf"\bin (?P<w>(?P<h>{_COUNT}) (?:stunden?|std))\b"), 0),
    (re.compile(rf"\bin (?P<w>(?P<m>{_COUNT}) (?:minuten?|min))\b"), 0),
)


def find_duration(text: str) -> tuple[str, str] | None:
    """(text with the while replaced by DURATION_MARKER, "PT1H30M"), or None. Only a while
    something happens in ("in einer Stunde"): "eine Stunde lang" is how long, not when."""
    return find_while(text, _WHILES, COUNTS)
