"""People in trouble, in their own words, by day and at 3 a.m.: the right action comes first.

Each case is a one-shot ("Alexa, ask cramp coach ...") resolved through the interaction model
by the local resolver, answered by the real skill, and checked for its first words. At night
the answer is still complete (every phrasing of a red flag carries the whole action, so night
mode's shortest phrasing loses nothing), and the urgent ones (the emergency number, a stroke,
a clot, a long cramp) are said in a normal voice, never whispered.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from cramp_coach.content import Content
from cramp_coach.intents import Intent
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.metrics import RED_FLAG_INTENTS

from .helpers.safety import after_the_safety_net

NIGHT = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 03:00 in New York

# (what a person says, the answer they must get, how it must begin)
RED_FLAGS = [
    ("my chest hurts and my calf is swollen", "emergency", r"(Please )?call 911"),
    ("i can't breathe properly and my leg hurts", "emergency", r"(Please )?call 911"),
    ("i'm really short of breath", "emergency", r"(Please )?call 911"),
    ("my calf is swollen red and hot", "blood_clot", r"(Please )?don't stretch"),
    ("it hurts more when i pull my toes up", "blood_clot", r"(Please )?don't stretch"),
    ("one of my legs is much bigger than the other", "blood_clot", r"(Please )?don't stretch"),
    (
        "the cramp will not stop, it's been twenty minutes",
        "long_cramp",
        r"(If it's|A cramp|Get urgent)",
    ),
    ("my face is drooping and my leg went numb", "stroke", r"(Please )?call 911"),
    ("i suddenly can't lift my arm", "stroke", r"(Please )?call 911"),
    ("my leg feels weak and numb", "nerve_signs", r"(Please see a doctor|Get that checked)"),
    ("i started statins and now i get cramps", "medicine", r"(Talk to|Please keep taking)"),
    ("my daughter wakes up with leg pain", "child", r"(Night leg pains|Many children)"),
    ("how many milligrams of magnesium should i take", "dose", r"(I can't suggest|That's one)"),
    (
        "how much tonic water should i drink",
        "quinine_dose_warning",
        r"(I can't suggest|There's no dose)",
    ),
    ("is this dangerous", "is_it_serious", r"(Most night cramps are harmless|Usually not)"),
]


def ask(echo: Simulator, line: str) -> Turn:
    return echo.say(f"Alexa, ask cramp coach {line}")


def whispered(ssml: str) -> bool:
    return '<amazon:effect name="whispered">' in ssml


@pytest.mark.parametrize(("line", "key", "opening"), RED_FLAGS)
def test_a_red_flag_by_day_gets_its_action_first(
    echo: Simulator, content: Content, line: str, key: str, opening: str
) -> None:
    turn = ask(echo, line)
    assert turn.speech in content.topics[key].say, (line, turn.resolution)
    assert re.match(opening, turn.speech, re.I), turn.speech
    assert "Welcome" not in turn.speech and "not medical advice" not in turn.speech
    assert turn.ends_session  # a statement: the person acts, nothing is asked of them


@pytest.mark.parametrize(("line", "key", "opening"), RED_FLAGS)
def test_a_red_flag_at_three_in_the_morning_is_complete_and_urgent_ones_are_said_aloud(
    echo: Simulator, content: Content, line: str, key: str, opening: str
) -> None:
    echo.clock = lambda: NIGHT
    turn = ask(echo, line)
    assert whispered(turn.ssml) is not content.topics[key].urgent, turn.ssml
    assert turn.speech in content.topics[key].say  # a full phrasing, not a shortened one
    assert re.match(opening, turn.speech, re.I), turn.speech


@pytest.mark.parametrize(
    "line",
    [
        "my calf is sore after running",
        "i can't sleep",
        "my legs ache after a long walk",
        "the bedroom is too hot",
        "take a deep breath",
    ],
)
def test_everyday_words_do_not_set_off_an_emergency(
    echo: Simulator, content: Content, line: str
) -> None:
    """No red-flag answer; a miss may begin with the safety net (a line missed could have
    been chest pain), but never with an emergency answer."""
    turn = ask(echo, line)
    assert turn.resolution is not None and turn.resolution.intent not in RED_FLAG_INTENTS
    spoken = turn.speech
    if turn.resolution.intent == Intent.FALLBACK:
        spoken = after_the_safety_net(content, spoken)
    assert "911" not in spoken and "clot" not in spoken, turn.speech


def test_not_right_now_declines_the_offer(echo: Simulator, content: Content) -> None:
    echo.say("how can i prevent leg cramps")
    turn = echo.say("not right now")
    assert turn.speech in content.replies["declined"].say


@pytest.mark.parametrize("line", ["ow my calf", "calf", "cramp", "my calf is rock hard"])
def test_half_asleep_fragments_reach_the_rescue(
    echo: Simulator, content: Content, line: str
) -> None:
    for clock in (echo.clock, lambda: NIGHT):
        echo.clock = clock
        turn = ask(echo, line)
        topic = content.topics["cramp_now"]
        assert turn.speech in (*topic.say, *topic.night), (line, turn.resolution)


def test_the_card_says_when_the_answer_was_reviewed(echo: Simulator, content: Content) -> None:
    turn = ask(echo, "my calf is swollen red and hot")
    reviewed = content.topics["blood_clot"].reviewed
    assert reviewed is not None and turn.card is not None
    month = content.months[reviewed.month - 1]
    assert f"Reviewed {month} {reviewed.year}" in turn.card["content"]
    assert "Source: NHS: DVT" in turn.card["content"]
