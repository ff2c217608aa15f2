"""The same conversations in every locale the skill speaks (each folder under content/): a
launch, a question, the mid-cramp one-shot at night, a red flag with that market's number, the
routine paused and resumed, and a bedtime reminder. Every line is said in the locale's own
words (its interaction model's samples, and Alexa's own launch words for its language); every
answer is checked against that locale's content, never against English."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest

from cramp_coach.content import Content, ContentLibrary
from cramp_coach.intents import Intent
from cramp_coach.local import envelope as env
from cramp_coach.local.locales import AlexaWords
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.ssml import to_plain_text

from .helpers.locales import LOCALES, MARKETS, line_for, local_time, resolver, speaker

pytestmark = pytest.mark.parametrize("locale", LOCALES)
PLACEHOLDER = re.compile(r"\{[a-z_]+(?::[^}]*)?\}")


@pytest.fixture
def words(library: ContentLibrary, locale: str) -> Content:
    content = library.get(locale)
    assert content.locale == locale  # its own words: no locale falls back to another's
    return content


def fits(speech: str, phrasings: Iterable[str]) -> bool:
    """Whether `speech` holds one of the phrasings, whatever fills its placeholders."""
    for phrasing in phrasings:
        pieces = [re.escape(" ".join(p.split())) for p in PLACEHOLDER.split(phrasing)]
        if re.search(".+?".join(pieces), speech, re.DOTALL):
            return True
    return False


def one_shot(echo: Simulator, request: str) -> Turn:
    """ "Alexa, ask <name> <request>", in the locale's words for asking a skill."""
    alexa = AlexaWords.of(echo.device.locale)
    name = echo.resolver.invocation_name if echo.resolver else ""
    return echo.say(f"Alexa, {alexa.ask[0]} {name} {request}")


def title_pattern(content: Content) -> re.Pattern[str]:
    """A routine step's spoken title ("Stretch 2 of 4: ..."), from the locale's cue."""
    patterns = []
    for cue in content.routine.cues["title"]:
        pieces = [re.escape(piece) for piece in re.split(r"(\{number\}|\{count\})", cue)]
        pattern = "".join(r"(\d+)" if p in (r"\{number\}", r"\{count\}") else p for p in pieces)
        patterns.append(PLACEHOLDER.sub(".+?", pattern.replace(r"\{name\}", "{name}")))
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def test_a_launch_welcomes_in_the_locales_words(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 15))
    name = resolver(locale).invocation_name
    turn = echo.say(f"Alexa, {AlexaWords.of(locale).launch[0]} {name}")
    assert turn.request["request"]["type"] == "LaunchRequest"
    assert fits(turn.speech, words.replies["launch_first"].say), turn.speech
    assert fits(turn.reprompt, words.replies["launch_first"].reprompt) and not turn.ends_session


def test_a_question_is_answered_with_the_locales_words_and_sources(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 15))
    echo.launch()
    why = words.topics["why"]
    turn = echo.say(line_for(locale, str(why.intent)))
    assert fits(turn.speech, why.say), turn.speech
    assert turn.card is not None and turn.card["title"] == why.title
    for key in why.sources:
        assert words.source_line(key) in turn.card["content"]


def test_the_mid_cramp_one_shot_at_night_is_whispered_in_one_breath(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 2, 30))
    cramp = words.topics["cramp_now"]  # a calf, or a cramp that names no muscle
    turn = one_shot(echo, line_for(locale, str(cramp.intent), muscle="CALF"))
    assert turn.request["session"]["new"] and turn.request["request"]["type"] == "IntentRequest"
    assert words.topic_for(str(cramp.intent), {"muscle": "CALF"}) == cramp and cramp.night
    assert fits(turn.speech, cramp.night), turn.speech
    assert '<amazon:effect name="whispered">' in turn.ssml


def test_a_red_flag_names_the_markets_emergency_number_first(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    written = words.numbers["emergency_number"]  # as the locale's content writes it
    assert written == MARKETS[locale]["emergency"]  # the content's number is the market's
    echo = speaker(handler, api, locale, local_time(locale, 2, 30))
    emergency = words.topics["emergency"]
    turn = one_shot(echo, line_for(locale, str(emergency.intent)))
    assert fits(turn.speech, (*emergency.say, *emergency.night)), turn.speech
    first = re.split(r"(?<=[.!?;:])\s", turn.speech, maxsplit=1)[0]
    assert re.search(rf"(?<!\d){re.escape(written)}(?!\d)", first), turn.speech
    if written in words.spoken_as:  # said the way people there say it
        assert f'<sub alias="{words.spoken_as[written]}">{written}</sub>' in turn.ssml


def test_the_routine_pauses_and_resumes_where_it_stopped(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 21))
    routine = words.routine
    steps = routine.lengths[routine.default_length].steps
    title = title_pattern(words)
    intro = echo.ask(line_for(locale, Intent.START_ROUTINE))
    assert fits(intro.speech, routine.cues["intro"]) and not intro.ends_session, intro.speech
    first = echo.intent(Intent.YES)
    assert title.search(first.speech) and steps[0].label in first.speech, first.speech
    second = echo.intent(Intent.NEXT)
    assert steps[1].label in second.speech and not second.ends_session
    paused = echo.intent(Intent.PAUSE)
    assert fits(paused.speech, words.replies["paused"].say) and paused.ends_session
    resumed = echo.ask(line_for(locale, Intent.RESUME_ROUTINE))
    assert resumed.request["session"]["new"] is True
    assert any(resumed.speech.startswith(cue) for cue in routine.cues["resumed"]), resumed.speech
    assert steps[2].label in resumed.speech and steps[1].label not in resumed.speech


def test_a_bedtime_reminder_is_set_and_spoken_in_the_locale(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 21))
    asked = echo.ask(line_for(locale, Intent.SET_REMINDER))  # "remind me to stretch"
    assert fits(asked.speech, words.replies["reminder_ask_time"].say), asked.speech
    # The answer ("ten PM", "um zehn Uhr abends"): Alexa resolves the time for the skill.
    slots: dict[str, env.Slot | None] = dict.fromkeys(
        resolver(locale).slots_of(Intent.SET_REMINDER)
    )
    slots["time"] = env.Slot("22:00", slot_type="AMAZON.TIME")
    consent = echo.intent(Intent.SET_REMINDER, slots)
    assert consent.consent_request is not None
    done = echo.answer_consent("ACCEPTED")
    assert fits(done.speech, words.replies["reminder_set"].say), done.speech
    assert words.time_of_day(22, 0) in done.speech and words.words["DAILY"] in done.speech
    [created] = api.calls("POST", "/v1/alerts/reminders")
    [spoken] = created.body["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == locale and spoken["text"] == words.words["reminder_text"]
    assert created.body["trigger"]["timeZoneId"] == MARKETS[locale]["zone"]
    assert "BYHOUR=22;BYMINUTE=0" in created.body["trigger"]["recurrence"]["recurrenceRules"][0]


def spoken_texts(content: Content) -> Iterable[str]:
    """Everything the locale's content can say."""
    for reply in (*content.topics.values(), *content.replies.values()):
        yield from (*reply.say, *reply.night, *reply.reprompt)
        if reply.offer:
            yield from (*reply.offer.ask, *reply.offer.reprompt)
    yield from content.words.values()
    for cues in content.routine.cues.values():
        yield from cues


def test_every_alexa_phrase_the_skill_teaches_works_in_the_locale(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    """ "To carry on, say: Alexa, ask cramp coach to continue my stretches": each such phrase
    (the reminder's, the pause's, the help's) opens the skill or reaches one of its intents."""
    taught = {m for text in spoken_texts(words) for m in re.findall(r"Alexa, [^.?!]+", text)}
    assert taught
    for phrase in sorted(taught):
        turn = speaker(handler, api, locale, local_time(locale, 21)).say(phrase)
        opened = turn.request["request"]["type"] == "LaunchRequest"
        heard = turn.resolution.intent if turn.resolution else None
        assert opened or heard not in (None, Intent.FALLBACK), phrase
        assert turn.speech, phrase


WHISPER = '<amazon:effect name="whispered">'
URGENT_TOPICS = ("emergency", "stroke", "blood_clot", "long_cramp")


@pytest.mark.parametrize("key", URGENT_TOPICS)
def test_no_red_flag_is_whispered_at_night(
    handler: Any, api: Any, words: Content, locale: str, key: str
) -> None:
    """At 02:30, whispering by default: the red flags led by an urgent action are said in a
    normal voice, whole, so a frightened or hard-of-hearing person hears the number."""
    echo = speaker(handler, api, locale, local_time(locale, 2, 30))
    topic = words.topics[key]
    turn = one_shot(echo, line_for(locale, str(topic.intent)))
    assert fits(turn.speech, (*topic.say, *topic.night)), turn.speech
    assert WHISPER not in turn.ssml, turn.ssml


def test_a_stroke_gets_the_markets_number_first_aloud_at_night(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 2, 30))
    stroke = words.topics["stroke"]
    turn = one_shot(echo, line_for(locale, "StrokeIntent"))
    assert turn.resolution is not None and turn.resolution.intent == "StrokeIntent"
    written = words.numbers["emergency_number"]
    opening = " ".join(turn.speech.split()[:4])
    assert re.search(rf"(?<!\d){re.escape(written)}(?!\d)", opening), turn.speech
    assert fits(turn.speech, stroke.say) and turn.ends_session and WHISPER not in turn.ssml


def test_a_miss_at_night_says_the_emergency_line_once_aloud(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    """FallbackIntent carries no words: the first miss of a session says, in a normal voice,
    what to do for chest pain, a stroke or a swollen, hot leg; the next miss does not."""
    echo = speaker(handler, api, locale, local_time(locale, 2, 30))
    echo.launch()
    first = echo.intent(Intent.FALLBACK)
    net = words.replies["safety_net_night"].say
    assert fits(first.speech, net), first.speech
    before_whisper = first.ssml.split(WHISPER)[0] + "</speak>"
    assert fits(to_plain_text(before_whisper), net) and WHISPER in first.ssml, first.ssml
    assert not first.ends_session
    second = echo.intent(Intent.FALLBACK)
    assert not fits(second.speech, (*net, *words.replies["safety_net"].say)), second.speech


def test_picking_the_stretches_up_again_restates_the_clot_check(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    """Nothing about health is kept: a calf that swelled since the stretches were paused (a
    clot answer minutes ago) is asked about whenever the routine is picked up again."""
    echo = speaker(handler, api, locale, local_time(locale, 21))
    echo.ask(line_for(locale, Intent.START_ROUTINE))
    echo.intent(Intent.YES)
    echo.intent(Intent.PAUSE)
    resumed = echo.ask(line_for(locale, Intent.RESUME_ROUTINE))
    assert fits(resumed.speech, words.routine.cues["resume_check"]), resumed.speech
    opened = speaker(handler, api, locale, local_time(locale, 21, 5))
    offer = opened.launch()
    assert not offer.ends_session
    carried_on = opened.intent(Intent.YES)
    assert fits(carried_on.speech, words.routine.cues["resume_check"]), carried_on.speech


# Lines from each locale's evaluation set, as people there say them.
LOOSE_SWELLING = {
    "en-US": "and now my leg's all puffy too",
    "en-GB": "my leg's gone all puffy",
    "en-AU": "my leg's all puffy now",
    "en-CA": "my leg's gotten all puffy",
    "en-IN": "my leg is swelling also",
    "de-DE": "und jetzt ist das bein auch noch geschwollen",
}
EVERYDAY_STOP = {
    "en-US": "let's call it a night",
    "en-GB": "that'll do for today",
    "en-AU": "let's call it quits",
    "en-CA": "i think i'm gonna call it a night",
    "en-IN": "that's enough for today",
    "de-DE": "das reicht für heute",
}


def test_swelling_said_loosely_at_night_is_told_not_to_stretch_or_rub_it(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 2, 30))
    clot = words.topics["blood_clot"]
    turn = one_shot(echo, LOOSE_SWELLING[locale])
    assert fits(turn.speech, clot.say), turn.speech
    assert turn.speech.split()[0] in {p.split()[0] for p in clot.say}  # the action first
    assert WHISPER not in turn.ssml


def test_a_routine_stops_when_asked_in_everyday_words_and_keeps_its_place(
    handler: Any, api: Any, words: Content, locale: str
) -> None:
    echo = speaker(handler, api, locale, local_time(locale, 21))
    steps = words.routine.lengths[words.routine.default_length].steps
    echo.ask(line_for(locale, Intent.START_ROUTINE))
    first = echo.intent(Intent.YES)
    assert steps[0].label in first.speech
    stopped = echo.say(EVERYDAY_STOP[locale])
    assert stopped.resolution is not None and stopped.resolution.intent == Intent.STOP
    said = (*words.replies["stopped"].say, *words.replies["stopped_evening"].say)
    assert fits(stopped.speech, said) and stopped.ends_session, stopped.speech
    resumed = echo.ask(line_for(locale, Intent.RESUME_ROUTINE))
    assert steps[1].label in resumed.speech, resumed.speech
