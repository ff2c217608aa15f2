"""Night mode, decided: from the local time and the person's voice choice to how the skill speaks.

Between 22:00 and 07:00 local time the skill speaks softly (Alexa's whisper effect), uses the
shortest phrasing of each answer, drops follow-up offers, and skips welcome chatter. "Speak
normally" or "whisper" overrides the softness either way. Without a known time zone it is day.
The evening, from 18:00 until night, is when a sign-off may say good night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

NIGHT_STARTS, NIGHT_ENDS = 22, 7  # local hours: [22:00, 07:00)
EVENING_STARTS = 18  # local hour: [18:00, 22:00) is the evening before bed
WHISPER, NORMAL = "whisper", "normal"  # the voice a person can choose


@dataclass(frozen=True, slots=True)
class Mode:
    night: bool = False  # brief: shortest phrasings, no offers, no chatter
    whisper: bool = False


DAY = Mode()


def mode_for(local: datetime | None, voice: str | None) -> Mode:
    """The mode at this local time (None: not known) for a person's voice choice (None: none)."""
    night = local is not None and (local.hour >= NIGHT_STARTS or local.hour < NIGHT_ENDS)
    whisper = night if voice not in (WHISPER, NORMAL) else voice == WHISPER
    return Mode(night=night, whisper=whisper)


def is_evening(local: datetime | None) -> bool:
    """The hours before bed (not night yet); False when the local time is not known."""
    return local is not None and EVENING_STARTS <= local.hour < NIGHT_STARTS
