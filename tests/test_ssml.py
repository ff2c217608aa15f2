"""All speech is well-formed SSML with Alexa's tags only, whatever content or users throw at it."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from cramp_coach import ssml
from cramp_coach.content import Content
from cramp_coach.intents import Intent
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
                turn = echo.intent(Intent.YES)
            for document in responses_of(turn.body):
                assert ssml.validate(document) == [], (key, document)
                assert len(document) <= ssml.MAX_SPEECH_CHARS
            seen.setdefault(key, set()).add(turn.speech)
    for key, topic in content.topics.items():
        assert len(seen[key]) >= min(2, len(topic.say)), key


def test_the_whole_response_stays_within_alexas_limits(echo: Simulator) -> None:
    import json

    for intent in ("WhyCrampsIntent", "SeeDoctorIntent", Intent.HELP):
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


# --- Escaping and plain text, on the cases that have broken such code before ----------------

ESCAPED = [
    ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
    ('she said "don\'t"', "she said &quot;don&apos;t&quot;"),
    ("&amp;", "&amp;amp;"),  # an entity in the input is text, escaped again
    ("  tabs\tand\nnew lines\r\n ", "tabs and new lines"),
    ("nul\x00bell\x07form\x0c", "nul bell form"),
    ("\ufffe\uffff", ""),
    ("\u2028line\u3000space\xa0", "line space"),  # Unicode whitespace folds too
    ("<break time='10s'/>", "&lt;break time=&apos;10s&apos;/&gt;"),
]


@pytest.mark.parametrize(("text", "expected"), ESCAPED)
def test_escape(text: str, expected: str) -> None:
    assert ssml.escape(text) == expected


PLAIN = [
    ('<speak>Hold <break time="5s"/>and relax.</speak>', "Hold and relax."),
    ('<speak>Call <sub alias="nine one one">911</sub>.</speak>', "Call 911."),
    ("<speak>a &lt;b&gt; &amp;lt; &quot;c&quot; &apos;d&apos;</speak>", "a <b> &lt; \"c\" 'd'"),
    ("<speak>one<p>two</p>three</speak>", "one two three"),
    ("<speak>x <> y</speak>", "x <> y"),  # "<>" is not a tag
    ('<speak><amazon:effect name="whispered">soft</amazon:effect></speak>', "soft"),
    ("<speak>a<sub/>b</speak>", "ab"),
]


@pytest.mark.parametrize(("document", "expected"), PLAIN)
def test_plain_text(document: str, expected: str) -> None:
    assert ssml.to_plain_text(document) == expected


@pytest.mark.parametrize("text", [text for text, _ in ESCAPED])
def test_plain_text_gives_back_the_words_that_were_escaped(text: str) -> None:
    heard = ssml.fold_spaces(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", " ", text))
    assert ssml.to_plain_text(ssml.text(text).ssml()) == heard


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
    assert re.match(r"Call 911 (right )?now", turn.speech), turn.speech
