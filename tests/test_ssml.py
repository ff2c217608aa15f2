"""All speech is well-formed SSML with Alexa's tags only, whatever content or users throw at it."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cramp_coach import ssml
from cramp_coach.content import Content
from cramp_coach.local import envelope as env
from cramp_coach.local.simulator import Simulator


def test_escape_makes_markup_harmless() -> None:
    spoken = ssml.text('2 & 3 <break time="99s"/> "quoted" it\'s').ssml()
    assert ssml.validate(spoken) == []
    assert "<break" not in spoken
    assert ssml.to_plain_text(spoken) == '2 & 3 <break time="99s"/> "quoted" it\'s'


def test_control_characters_cannot_break_the_document() -> None:
    spoken = ssml.text("a\x00b\x1fc\ufffe").ssml()
    assert ssml.validate(spoken) == []


def test_long_pauses_are_chained_breaks_of_at_most_ten_seconds() -> None:
    pause = ssml.pause(25_000)
    assert pause.fragments == (
        '<break time="10000ms"/>',
        '<break time="10000ms"/>',
        '<break time="5000ms"/>',
    )
    assert ssml.validate((ssml.text("hold") + pause).ssml()) == []
    assert ssml.pause(0).fragments == ()


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("<speak>fine", "not well-formed"),
        ("<speak><audio2/></speak>", "not supported"),
        ('<speak><break time="11s"/></speak>', "limit"),
        ('<speak><break time="soon"/></speak>', "valid time"),
        ("<p>no speak</p>", "root"),
        ("<speak>" + "a" * 8000 + "</speak>", "characters"),
    ],
)
def test_validate_rejects_what_alexa_rejects(document: str, problem: str) -> None:
    problems = ssml.validate(document)
    assert any(problem in p for p in problems), problems


def test_validate_accepts_alexa_tags() -> None:
    document = (
        '<speak><p><s>Hi</s></p><amazon:effect name="whispered">soft</amazon:effect>'
        '<prosody volume="soft">quiet</prosody><break time="1.5s"/></speak>'
    )
    assert ssml.validate(document) == []


def responses_of(turn_body: dict[str, Any]) -> list[str]:
    documents = []
    speech = (turn_body.get("outputSpeech") or {}).get("ssml")
    if speech:
        documents.append(speech)
    reprompt = ((turn_body.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    if reprompt:
        documents.append(reprompt)
    return documents


def test_every_phrasing_of_every_answer_renders_as_valid_ssml(
    echo: Simulator, content: Content
) -> None:
    """Walk every topic and prompt through the real skill until each phrasing was heard."""
    seen: dict[str, set[str]] = {}
    slot_for = {
        "THIGH": env.Slot("thigh", "THIGH", "thigh", "LEG_MUSCLE"),
        "HAMSTRING": env.Slot("hamstring", "HAMSTRING", "hamstring", "LEG_MUSCLE"),
        "FOOT": env.Slot("foot", "FOOT", "foot", "LEG_MUSCLE"),
        "OTHER": env.Slot("elbow", None, None, "LEG_MUSCLE"),
        "QUININE": env.Slot("quinine", "QUININE", "quinine", "SUPPLEMENT"),
    }
    for _ in range(12):
        for key, topic in content.topics.items():
            if topic.intent:
                slots = {n: slot_for[v] for n, v in topic.when.items()} or None
                turn = echo.intent(topic.intent, slots, new_session=True)
            else:  # reached only through an offer
                parent = next(t for t in content.topics.values() if t.offer and t.offer.yes == key)
                assert parent.intent
                echo.intent(parent.intent, new_session=True)
                turn = echo.intent("AMAZON.YesIntent")
            for document in responses_of(turn.body):
                assert ssml.validate(document) == [], (key, document)
                assert len(document) <= ssml.MAX_SPEECH_CHARS
            seen.setdefault(key, set()).add(turn.speech)
    for key, topic in content.topics.items():
        assert len(seen[key]) >= min(2, len(topic.say)), key


def test_the_whole_response_stays_within_alexas_limits(echo: Simulator) -> None:
    import json

    for intent in ("WhyCrampsIntent", "SeeDoctorIntent", "AMAZON.HelpIntent"):
        turn = echo.intent(intent, new_session=True)
        assert len(json.dumps(turn.response)) < 24_000
        card = turn.card or {}
        assert len(str(card.get("content", ""))) <= 8000


@pytest.mark.parametrize(
    "value",
    [
        "<speak>",
        '"><audio src="https://evil.example/x.mp3"/>',
        "&amp; & < >",
        "calf\u202e\u0000",
        "x" * 5000,
        "\U0001f9b5 leg",
    ],
)
def test_hostile_slot_values_never_reach_the_speech_unescaped(echo: Simulator, value: str) -> None:
    turn = echo.intent("CrampNowIntent", {"muscle": env.Slot(value, None, None, "LEG_MUSCLE")})
    for document in responses_of(turn.body):
        assert ssml.validate(document) == []
        assert "evil.example" not in document


def test_every_prompt_renders_as_valid_ssml(content: Content) -> None:
    for reply in content.replies.values():
        for phrase, reprompt in itertools.product(reply.say, reply.reprompt or ("",)):
            assert ssml.validate(ssml.text(phrase.replace("{sources}", "the NHS")).ssml()) == []
            assert ssml.validate(ssml.text(reprompt).ssml()) == []


# --- The string-method escaping is exactly the regular-expression definition ----------------
# (escape and to_plain_text avoid compiling regular expressions on a cold start; these are the
# definitions they replaced, checked against them over generated text.)

_REFERENCE_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REFERENCE_SPACES = re.compile(r"\s+")
_REFERENCE_TAG = re.compile(r"<[^>]+>")
_REFERENCE_SUB = re.compile(r"/?\s*sub/?(\s.*)?", re.S)  # a tag's inside: inline, dropped
_REFERENCE_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def reference_escape(text: str) -> str:
    text = _REFERENCE_SPACES.sub(" ", _REFERENCE_INVALID.sub(" ", text)).strip()
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(raw, entity)
    return text.replace("'", "&apos;")


def reference_plain_text(document: str) -> str:
    text = _REFERENCE_TAG.sub(
        lambda m: "" if _REFERENCE_SUB.fullmatch(m.group(0)[1:-1]) else " ", document
    )
    text = re.sub("|".join(_REFERENCE_ENTITIES), lambda m: _REFERENCE_ENTITIES[m.group(0)], text)
    return _REFERENCE_SPACES.sub(" ", text).strip()


PIECES = [
    *"ab <>&;'\"/=\t\n\r\x0b\x0c\x1c\x1f\x00\x85\xa0\u2028\u3000\ufffe\uffff",
    *("&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "<break/>", "<>", "&amp;lt;"),
    *("<sub>", "</sub>", "<sub/>", "< sub", "sub", "//", "<//sub>"),
]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(TRICKY, st.text(max_size=40)))
def test_escape_matches_its_regular_expression_definition(text: str) -> None:
    assert ssml.escape(text) == reference_escape(text)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(TRICKY, st.text(max_size=40)))
def test_plain_text_matches_its_regular_expression_definition(text: str) -> None:
    assert ssml.to_plain_text(text) == reference_plain_text(text)
    document = ssml.text(text).ssml()
    assert ssml.to_plain_text(document) == reference_plain_text(document)


def test_a_number_is_said_as_people_say_it_and_shown_as_written() -> None:
    speech = ssml.text("Call 911 now, not 1911 or 9110.", {"911": "nine one one"}).ssml()
    assert speech == (
        '<speak>Call <sub alias="nine one one">911</sub> now, not 1911 or 9110.</speak>'
    )
    assert ssml.validate(speech) == []
    assert ssml.to_plain_text(speech) == "Call 911 now, not 1911 or 9110."


def test_the_emergency_answer_says_the_number_the_locale_way(echo: Simulator) -> None:
    turn = echo.say("ask cramp coach my chest hurts and my calf is swollen")
    assert '<sub alias="nine one one">911</sub>' in turn.ssml
    assert "Call 911 now" in turn.speech or "call 911 right now" in turn.speech
