"""Conversations with the skill: request envelopes in, spoken words and session state out."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from cramp_coach.content import Content, ContentLibrary
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.simulator import Simulator

from .helpers.paths import ROOT
from .helpers.safety import after_the_safety_net

ANSWER_INTENTS = sorted(ContentLibrary(ROOT / "content").get("en-US").answer_intents)


def phrasings(content: Content, key: str) -> tuple[str, ...]:
    return content.topics[key].say


def spoke_one_of(speech: str, options: tuple[str, ...]) -> bool:
    return any(speech.startswith(option) for option in options)


# --- Launch -------------------------------------------------------------------------------


def test_first_launch_welcomes_with_the_disclaimer_then_later_launches_are_short(
    echo: Simulator, content: Content
) -> None:
    first = echo.say("open cramp coach")
    assert "not medical advice" in first.speech
    assert first.speech.endswith("?") and not first.ends_session and first.reprompt
    echo.say("stop")

    again = echo.say("open cramp coach")
    assert "not medical advice" not in again.speech
    assert len(again.speech.split()) < len(first.speech.split())
    assert again.speech.endswith("?") and not again.ends_session


def test_the_disclaimer_is_remembered_per_person(echo: Simulator) -> None:
    echo.say("open cramp coach")
    echo.say("stop")
    echo.device = env.Device(user_id="amzn1.ask.account.PARTNER")
    assert "not medical advice" in echo.say("open cramp coach").speech


# --- Every answer, one-shot and in session ------------------------------------------------


@pytest.mark.parametrize("intent", ANSWER_INTENTS)
def test_every_answer_one_shot(echo: Simulator, content: Content, intent: str) -> None:
    turn = echo.intent(intent, {"muscle": None} if intent == "CrampNowIntent" else None)
    topic = content.topic_for(intent, {})
    assert topic is not None
    assert spoke_one_of(turn.speech, topic.say)
    assert turn.card is not None and turn.card["title"] == topic.title
    assert "Source:" in turn.card["content"]
    if topic.offer:  # a question keeps the session open, with a reprompt
        assert turn.speech.endswith("?") and not turn.ends_session and turn.reprompt
    else:  # a statement ends it
        assert not turn.speech.endswith("?") and turn.ends_session and not turn.reprompt


@pytest.mark.parametrize("intent", ANSWER_INTENTS)
def test_every_answer_in_session(echo: Simulator, content: Content, intent: str) -> None:
    echo.launch()
    turn = echo.intent(intent, {"muscle": None} if intent == "CrampNowIntent" else None)
    topic = content.topic_for(intent, {})
    assert topic is not None and spoke_one_of(turn.speech, topic.say)
    assert "Welcome" not in turn.speech


# --- The mid-cramp rescue -----------------------------------------------------------------


def test_mid_cramp_one_shot_starts_with_the_instruction_and_ends(
    echo: Simulator, content: Content
) -> None:
    turn = echo.say("Alexa, ask cramp coach what do I do, my calf is cramping")
    assert turn.request["session"]["new"] is True
    assert turn.request["request"]["intent"]["slots"]["muscle"]["value"] == "calf"
    assert spoke_one_of(turn.speech, phrasings(content, "cramp_now"))
    first_words = turn.speech.split()[:3]
    assert first_words[0] in {"Straighten", "Pull", "Keep"}, first_words
    assert "Welcome" not in turn.speech and "medical advice" not in turn.speech
    assert turn.ends_session


@pytest.mark.parametrize(
    ("value", "value_id", "topic"),
    [
        ("thigh", "THIGH", "cramp_now_thigh"),
        ("back of my thigh", "HAMSTRING", "cramp_now_hamstring"),
        ("foot", "FOOT", "cramp_now_foot"),
        ("calves", "CALF", "cramp_now"),
        ("leg", "LEG", "cramp_now"),
    ],
)
def test_mid_cramp_for_each_muscle(
    echo: Simulator, content: Content, value: str, value_id: str, topic: str
) -> None:
    slot = env.Slot(value, value_id, value, "LEG_MUSCLE")
    turn = echo.intent("CrampNowIntent", {"muscle": slot})
    assert spoke_one_of(turn.speech, phrasings(content, topic))


def test_mid_cramp_with_an_unmatched_muscle_gives_general_advice(
    echo: Simulator, content: Content
) -> None:
    turn = echo.intent("CrampNowIntent", {"muscle": env.Slot("elbow", None, None, "LEG_MUSCLE")})
    assert spoke_one_of(turn.speech, phrasings(content, "cramp_now_other"))
    assert "elbow" not in turn.ssml  # what was heard is never echoed back


def test_mid_cramp_without_slots_in_the_request_at_all(echo: Simulator, content: Content) -> None:
    turn = echo.intent("CrampNowIntent")
    assert spoke_one_of(turn.speech, phrasings(content, "cramp_now"))


def test_a_swollen_calf_gets_the_clot_warning_not_a_stretch(echo: Simulator) -> None:
    turn = echo.say("ask cramp coach, my calf is swollen and red")
    assert "clot" in turn.speech
    assert "911" in turn.speech
    assert "Don't stretch" in turn.speech or "don't stretch" in turn.speech


# --- Follow-up offers: yes and no ---------------------------------------------------------


def test_yes_to_the_offer_gives_the_offered_answer(echo: Simulator, content: Content) -> None:
    why = echo.say("why do my calves cramp at night")
    assert why.attributes["pending"] == {"kind": "topic", "key": "prevention"}
    tips = echo.say("yes please")
    assert spoke_one_of(tips.speech, phrasings(content, "prevention"))
    assert tips.speech.endswith("?") and not tips.ends_session  # it offers the stretches


def test_no_to_the_offer_says_a_kind_goodbye(echo: Simulator, content: Content) -> None:
    echo.say("why do my calves cramp at night")
    turn = echo.say("no thanks")
    assert turn.speech in content.replies["declined"].say
    assert turn.ends_session


def test_the_doctor_answer_gives_every_reason_at_once(echo: Simulator, content: Content) -> None:
    """No offer to hear "the other reasons": at night offers are off, and these must be heard."""
    turn = echo.say("when should I see a doctor about leg cramps")
    assert spoke_one_of(turn.speech, phrasings(content, "see_doctor"))
    assert turn.ends_session and "ten minutes" in turn.speech and "medicine" in turn.speech


def test_yes_with_nothing_offered_asks_what_they_want(echo: Simulator, content: Content) -> None:
    echo.launch()
    turn = echo.say("yes")
    assert turn.speech in content.replies["nothing_pending"].say
    assert not turn.ends_session and turn.reprompt


def test_an_offer_is_forgotten_once_something_else_is_asked(
    echo: Simulator, content: Content
) -> None:
    """Another answer's offer takes its place (help keeps it since issue 13: tests/test_context)."""
    echo.say("why do my calves cramp at night")
    echo.say("how can I prevent leg cramps")  # its offer: the stretches, not the tips
    turn = echo.say("yes")
    assert not spoke_one_of(turn.speech, phrasings(content, "prevention"))
    assert "stretches" in turn.speech and turn.attributes["pending"] == {"kind": "next"}


# --- Repeat, help, fallback, stop -----------------------------------------------------------


def test_repeat_says_exactly_the_last_answer_again(echo: Simulator) -> None:
    why = echo.say("why do my calves cramp at night")
    again = echo.say("say that again")
    assert again.ssml == why.ssml and again.reprompt_ssml == why.reprompt_ssml
    assert not again.ends_session
    assert echo.say("yes").speech  # the offer still stands after a repeat


def test_repeat_with_nothing_said_yet(handler: Any, content: Content) -> None:
    event = env.envelope(env.intent_request(Intent.REPEAT), env.Device(), env.Session())
    response = handler(event, None)
    speech = response["response"]["outputSpeech"]["ssml"]
    assert "repeat" in speech
    assert response["response"]["shouldEndSession"] is False


def test_help_explains_and_keeps_listening(echo: Simulator) -> None:
    turn = echo.say("help")
    assert "cramp" in turn.speech and turn.speech.endswith("?")
    assert not turn.ends_session and turn.reprompt


def test_something_off_topic_goes_to_fallback(echo: Simulator, content: Content) -> None:
    echo.launch()
    turn = echo.say("what's the weather like tomorrow")
    assert turn.request["request"]["intent"]["name"] == Intent.FALLBACK
    assert after_the_safety_net(content, turn.speech) in content.replies["fallback"].say
    assert not turn.ends_session


@pytest.mark.parametrize("intent", [Intent.STOP, Intent.CANCEL, Intent.NAVIGATE_HOME])
def test_stop_cancel_and_home_end_the_session(
    echo: Simulator, content: Content, intent: str
) -> None:
    echo.launch()
    turn = echo.intent(intent)
    assert turn.speech in content.replies["goodbye"].say
    assert turn.ends_session and not echo.in_session


def test_an_intent_the_skill_does_not_know_gets_the_fallback(
    echo: Simulator, content: Content
) -> None:
    turn = echo.intent("SomethingNewIntent")
    assert after_the_safety_net(content, turn.speech) in content.replies["fallback"].say
    assert not turn.ends_session


# --- Where is that from? ------------------------------------------------------------------


def test_where_is_that_from_names_the_last_answers_sources(echo: Simulator) -> None:
    """Since issue 13 the offer it interrupted still waits, and a one-shot a moment later
    names the same sources (the answer is kept a few minutes: tests/test_context.py)."""
    echo.say("should I take quinine for my cramps")  # ends: no offer
    echo.launch()
    echo.say("why do my calves cramp at night")
    turn = echo.say("where is that from?")
    assert "consumer health article" in turn.speech and "NHS" in turn.speech
    assert not turn.ends_session and turn.attributes["pending"]["kind"] == "topic"
    echo.say("no thanks")
    repeat_source = echo.say("ask cramp coach where did you get that")
    assert "consumer health article" in repeat_source.speech  # a new session, the same answer
    assert "Alexa app" not in repeat_source.speech


def test_where_is_that_from_without_an_answer_gives_the_general_sources(echo: Simulator) -> None:
    turn = echo.say("ask cramp coach what's your source")
    assert "NHS" in turn.speech and "Mayo Clinic" in turn.speech


# --- Phrasing variety ---------------------------------------------------------------------


def test_the_same_question_twice_in_a_row_gets_a_different_phrasing(echo: Simulator) -> None:
    echo.launch()
    spoken = []
    for _ in range(6):
        turn = echo.intent("WhyCrampsIntent")
        spoken.append(turn.speech)
        echo.say("say that again")  # a repeat is the same words on purpose
    for before, after in itertools.pairwise(spoken):
        assert before != after


def test_launch_phrasings_vary_across_visits(echo: Simulator) -> None:
    echo.say("open cramp coach")
    echo.say("stop")
    heard = set()
    for _ in range(12):
        heard.add(echo.say("open cramp coach").speech)
        echo.say("stop")
    assert len(heard) >= 2


# --- Session end and other requests -------------------------------------------------------


def test_session_ended_with_an_error_is_answered_silently(echo: Simulator) -> None:
    echo.launch()
    turn = echo.end("ERROR", "INVALID_RESPONSE")
    assert turn is not None
    assert turn.ssml == "" and "reprompt" not in turn.body
    assert not echo.in_session


def test_session_ended_by_the_user(echo: Simulator) -> None:
    echo.launch()
    turn = echo.end("USER_INITIATED")
    assert turn is not None and turn.ssml == ""


def test_an_unknown_request_type_is_answered_without_speech(handler: Any) -> None:
    request = {
        "type": "Display.ElementSelected",
        "requestId": "amzn1.echo-api.request.x",
        "timestamp": env.timestamp(),
        "locale": "en-US",
    }
    response = handler(env.envelope(request, env.Device(), env.Session()), None)
    assert "outputSpeech" not in response["response"]


def test_another_locale_of_the_same_language_is_answered_in_english(
    handler: Any, content: Content
) -> None:
    request = env.intent_request("WhyCrampsIntent", locale="en-GB")
    response = handler(env.envelope(request, env.Device(locale="en-GB"), env.Session()), None)
    assert "no clear" in response["response"]["outputSpeech"]["ssml"]


def test_an_unknown_locale_falls_back_to_the_default(handler: Any) -> None:
    request = env.intent_request("WhyCrampsIntent", locale="xx-XX")
    response = handler(env.envelope(request, env.Device(locale="xx-XX"), env.Session()), None)
    assert "no clear" in response["response"]["outputSpeech"]["ssml"]
