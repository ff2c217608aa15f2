"""The content obeys the product's medical and voice rules. Each check can fail on one phrase."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cramp_coach.content import Content, Reply

MAX_WORDS = 60
# At Alexa's pace (about 150 words a minute) an answer must be over within 20 seconds.
MAX_SECONDS = 20.0


def spoken_units(content: Content) -> Iterator[tuple[str, str]]:
    """(where, text) for everything the skill can say, each answer with its offer attached."""
    for key, topic in content.topics.items():
        asks = topic.offer.ask if topic.offer else ("",)
        for i, phrase in enumerate(topic.say):
            for j, ask in enumerate(asks):
                yield f"topics.{key}[{i}]+ask[{j}]", f"{phrase} {ask}".strip()
        for i, phrase in enumerate(topic.night):
            yield f"topics.{key}.night[{i}]", phrase
        if topic.offer:
            for i, reprompt in enumerate(topic.offer.reprompt):
                yield f"topics.{key}.reprompt[{i}]", reprompt
    for key, reply in content.replies.items():
        for i, phrase in enumerate(reply.say):
            yield f"replies.{key}[{i}]", phrase
        for i, phrase in enumerate(reply.reprompt):
            yield f"replies.{key}.reprompt[{i}]", phrase


def all_text(content: Content) -> list[tuple[str, str]]:
    return list(spoken_units(content))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;:])\s+", text) if s]


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text))


# --- Voice rules ---------------------------------------------------------------------------


def test_every_answer_with_its_offer_fits_in_sixty_words(content: Content) -> None:
    too_long = [
        (where, words(text)) for where, text in all_text(content) if words(text) > MAX_WORDS
    ]
    assert too_long == []


def test_every_answer_with_its_offer_is_said_within_twenty_seconds(content: Content) -> None:
    from cramp_coach import ssml

    too_long = [
        (where, round(ssml.speaking_seconds(text), 1))
        for where, text in all_text(content)
        if ssml.speaking_seconds(text) > MAX_SECONDS
    ]
    assert too_long == []


def test_every_answer_and_prompt_has_at_least_two_phrasings(content: Content) -> None:
    for reply in [*content.topics.values(), *content.replies.values()]:
        assert len(reply.say) >= 2, reply.key
        assert len(set(reply.say)) == len(reply.say), reply.key
        if reply.offer:
            assert len(reply.offer.ask) >= 2, reply.key


def test_questions_keep_the_session_open_and_statements_close_it(content: Content) -> None:
    for reply in [*content.topics.values(), *content.replies.values()]:
        for phrase in reply.say:
            if reply.offer:
                assert not phrase.endswith("?"), f"{reply.key}: the offer asks, not the answer"
                assert all(a.endswith("?") for a in reply.offer.ask), reply.key
            elif reply.reprompt:
                assert phrase.endswith("?"), f"{reply.key} keeps listening without a question"
            else:
                assert not phrase.endswith("?"), f"{reply.key} asks but closes the session"


def test_at_most_one_offer_per_answer(content: Content) -> None:
    for topic in content.topics.values():
        for phrase in topic.say:
            assert phrase.count("?") == 0, f"{topic.key}: a second question inside the answer"


def test_mid_cramp_answers_start_with_the_instruction(content: Content) -> None:
    for key, topic in content.topics.items():
        if topic.intent != "CrampNowIntent":
            continue
        for phrase in (*topic.say, *topic.night):
            first = phrase.split()[0].strip(",")
            assert first in {
                "Straighten",
                "Pull",
                "Keep",
                "Gently",
                "Stretch",
                "Sit",
                "Flex",
                "Slowly",
                "Leg",
                "Toes",
                "Hold",
            }, (key, first)
            assert "Welcome" not in phrase and "medical advice" not in phrase


# --- Sources ---------------------------------------------------------------------------------


def test_every_answer_names_a_known_source(content: Content) -> None:
    for topic in content.topics.values():
        assert topic.sources, topic.key
        for source in topic.sources:
            assert source in content.sources, (topic.key, source)


def test_every_answer_cites_evidence_beyond_the_article(content: Content) -> None:
    """Where the evidence disagrees with the source article, the evidence wins: so every answer
    names at least one public medical source besides it."""
    for topic in content.topics.values():
        assert set(topic.sources) - {"article"}, topic.key


def test_every_named_source_except_the_article_has_a_public_url(content: Content) -> None:
    for source in content.sources.values():
        if source.key != "article":
            assert source.url and source.url.startswith("https://"), source.key


def test_every_source_records_when_it_was_checked(content: Content) -> None:
    for source in content.sources.values():
        assert source.checked and date.fromisoformat(source.checked) <= date.today(), source.key


# Who an answer may quote by name, and the source keys that back the quote.
ATTRIBUTIONS = {
    "NHS": "nhs_",
    "Mayo Clinic": "mayo_",
    "American Family Physician": "aafp",
    "NICE": "nice_",
    "Cochrane": "cochrane_",
    "Food and Drug Administration": "fda_",
    "National Institute on Aging": "nia_",
}


def test_a_source_named_in_an_answer_is_one_the_answer_cites(content: Content) -> None:
    """'According to the NHS ...' only where the topic cites an NHS page."""
    for topic in content.topics.values():
        for phrase in (*topic.say, *topic.night):
            for name, prefix in ATTRIBUTIONS.items():
                if re.search(rf"\b{name}\b", phrase):
                    assert any(s.startswith(prefix) for s in topic.sources), (topic.key, name)


def test_no_review_is_overdue(content: Content) -> None:
    """Like the NHS's 'next review due': a topic past its date fails until someone re-checks it
    against its sources and moves both dates."""
    today = date.today()
    for reply in [*content.topics.values()]:
        assert reply.reviewed is not None and reply.next_review is not None, reply.key
        assert reply.reviewed <= today, f"{reply.key}: reviewed in the future"
        assert reply.next_review >= today, f"{reply.key}: review overdue since {reply.next_review}"
    assert content.routine.next_review is not None and content.routine.next_review >= today


# --- Medical rules ----------------------------------------------------------------------------

WARNING = re.compile(
    r"\b(don't|do not|never|not recommended|isn't recommended|warns?|against|avoid)\b", re.I
)
DOSE = re.compile(
    r"\b(\d+|one|two|three|four|five|six|ten|hundred)\s*(mg|milligrams?|grams?|g|mcg|micrograms?|iu|units?|tablets?|pills?|capsules?)\b",
    re.I,
)
SUPPLEMENT = re.compile(r"\b(supplements?|tablets?|pills?)\b", re.I)
CONDITION = (
    r"(als|diabetes|a (blood )?clot|dvt|deep vein thrombosis"
    r"|(a )?(magnesium|calcium|mineral) deficiency|nerve damage|neuropathy|a disease"
    r"|a stroke|restless legs|growing pains|motor neurone disease)"
)
DIAGNOSIS = re.compile(
    rf"\b(you (have|'ve got|are suffering from|may have|probably have|must have) {CONDITION}"
    rf"|(it|this|that)( is|'s| must be| is probably) {CONDITION}"
    r"|your cramps are (caused|due) )",
    re.I,
)
PROMISE = re.compile(
    r"\b(will prevent|prevents|stops? (cramps|them) for good|cures?|guaranteed?|always works)\b",
    re.I,
)
PREVENT = re.compile(r"\bprevent(s|ed|ing)?\b", re.I)
HEDGE = re.compile(r"\b(may|might|could|mixed|how (to|can|do|does))\b", re.I)


def check_quinine(text: str) -> list[str]:
    return [s for s in sentences(text) if "quinine" in s.lower() and not WARNING.search(s)]


def test_quinine_is_never_mentioned_without_a_warning(content: Content) -> None:
    problems = [(where, s) for where, text in all_text(content) for s in check_quinine(text)]
    assert problems == []


def test_the_quinine_answer_warns_and_cites_the_fda(content: Content) -> None:
    topic = content.topics["quinine_warning"]
    assert "fda_quinine_warning" in topic.sources
    for phrase in topic.say:
        assert WARNING.search(phrase) and "serious" in phrase


def test_no_supplement_dose_anywhere(content: Content) -> None:
    problems = [(where, text) for where, text in all_text(content) if DOSE.search(text)]
    assert problems == []
    units = re.compile(r"\b(mg|milligrams?|mcg|micrograms?)\b", re.I)
    assert [where for where, text in all_text(content) if units.search(text)] == []


def test_supplements_always_come_with_ask_your_doctor_or_pharmacist(content: Content) -> None:
    for where, text in all_text(content):
        for sentence in sentences(text):
            if SUPPLEMENT.search(sentence) and "quinine" not in sentence.lower():
                context = text
                assert re.search(r"doctor|pharmacist|midwife", context), (where, sentence)


def test_nothing_diagnoses(content: Content) -> None:
    problems = [(where, text) for where, text in all_text(content) if DIAGNOSIS.search(text)]
    assert problems == []


def test_nothing_promises_prevention(content: Content) -> None:
    for where, text in all_text(content):
        assert not PROMISE.search(text), where
        for sentence in sentences(text):
            if PREVENT.search(sentence):
                assert HEDGE.search(sentence), (where, sentence)


def test_never_say_list(content: Content) -> None:
    banned = re.compile(
        r"life-saving|painkillers? (stop|help|ease)|ibuprofen will|paracetamol will", re.I
    )
    assert [w for w, t in all_text(content) if banned.search(t)] == []


# --- Red flags: the right action first, complete, in every phrasing, day and night --------


def phrasings_of(content: Content, key: str) -> tuple[str, ...]:
    """Everything the topic can say: its day phrasings and its night ones."""
    topic = content.topics[key]
    return (*topic.say, *topic.night)


def first_sentence(phrase: str) -> str:
    return sentences(phrase)[0]


EMERGENCY = re.compile(r"\bcall 911\b", re.I)  # content/en-US numbers.emergency_number
CHEST = re.compile(r"chest pain|breathless|trouble breathing|short of breath", re.I)
DONT_STRETCH = re.compile(r"don't (stretch|massage)( or (rub|massage))?|leave it still", re.I)


def test_chest_pain_or_breathlessness_always_comes_with_the_emergency_number(
    content: Content,
) -> None:
    for where, text in all_text(content):
        if CHEST.search(text):
            assert EMERGENCY.search(text), where


def test_the_emergency_answer_starts_with_the_number_to_call(content: Content) -> None:
    for phrase in phrasings_of(content, "emergency"):
        assert EMERGENCY.search(" ".join(phrase.split()[:3])), phrase
        assert re.search(r"can't (call|make the call)", phrase), "Alexa cannot place the call"


def test_the_clot_answer_says_dont_stretch_first_and_urgent_help_today(content: Content) -> None:
    for phrase in phrasings_of(content, "blood_clot"):
        assert DONT_STRETCH.search(first_sentence(phrase)), phrase
        lowered = phrase.lower()
        for needed in ("one", "swol|swell", "red", "darker", "warm", "tender", "clot", "urgent"):
            assert re.search(needed, lowered), needed
        assert re.search(r"flex your foot|pull your toes up", lowered)
        assert "today" in lowered and EMERGENCY.search(phrase)


def test_a_long_cramp_gets_urgent_advice_first(content: Content) -> None:
    for phrase in phrasings_of(content, "long_cramp"):
        opening = first_sentence(phrase).lower()
        assert "ten minutes" in opening and "urgent" in opening, phrase
        assert DONT_STRETCH.search(phrase) and "swollen" in phrase


def test_nerve_signs_go_to_a_doctor_soon_and_never_name_als(content: Content) -> None:
    for phrase in phrasings_of(content, "nerve_signs"):
        lowered = phrase.lower()
        for needed in ("numb", "tingling", "weak", "doctor soon", "twitch"):
            assert needed in lowered, needed
        assert re.search(r"thinner|wasting", lowered)
        assert not re.search(r"\bals\b|motor neuron|lou gehrig", lowered), phrase
        assert "sudden" in lowered and EMERGENCY.search(phrase)  # stroke signs: the number


def test_medicines_go_to_the_prescriber_and_are_not_stopped_alone(content: Content) -> None:
    for phrase in phrasings_of(content, "medicine"):
        lowered = phrase.lower()
        assert re.search(r"don't stop a medicine|keep taking it", first_sentence(lowered))
        for needed in ("statins", "water pills", "pharmacist", "doctor"):
            assert needed in lowered, needed


def test_children_hear_what_is_common_and_which_signs_need_their_doctor(content: Content) -> None:
    for phrase in phrasings_of(content, "child"):
        lowered = phrase.lower()
        for needed in ("growing pains", "both legs", "doctor", "limp", "swelling", "redness"):
            assert needed in lowered, needed
        assert "fever" in lowered and re.search(r"one (leg|spot|place)", lowered)
        assert re.search(r"in the day|into the day", lowered)


def test_dose_questions_get_no_number_and_the_people_who_can_answer(content: Content) -> None:
    for key in ("dose", "quinine_dose_warning"):
        for phrase in phrasings_of(content, key):
            lowered = phrase.lower()
            assert re.search(r"can't suggest a dose|never suggest doses|no dose", lowered)
            assert "pharmacist" in lowered and "doctor" in lowered
            assert not re.search(r"\d", phrase)
    for phrase in phrasings_of(content, "quinine_dose_warning"):
        assert WARNING.search(phrase) and "serious" in phrase


def test_is_it_serious_is_answered_calmly_then_with_the_signs(content: Content) -> None:
    for phrase in phrasings_of(content, "is_it_serious"):
        assert re.match(r"(Most night cramps are harmless|Usually not)", phrase), phrase
        for needed in ("swollen", "ten minutes", "numbness"):
            assert needed in phrase, needed
        assert EMERGENCY.search(phrase)


def test_when_to_see_a_doctor_leads_with_when_to_see_a_doctor(content: Content) -> None:
    for phrase in phrasings_of(content, "see_doctor"):
        assert phrase.startswith("See a doctor if"), phrase
        lowered = phrase.lower()
        for needed in ("medicine", "weakness", "numbness", "ten minutes", "swollen"):
            assert needed in lowered, needed
        assert re.search(r"often wake|keep waking", lowered) and EMERGENCY.search(phrase)


# --- The mid-cramp answer: the instruction first, then the two safety lines ----------------

STAND = re.compile(r"\b(stand|get up|rise|walk)\b", re.I)


def cramp_topics(content: Content) -> list[Reply]:
    return [t for t in content.topics.values() if t.intent == "CrampNowIntent"]


def test_mid_cramp_answers_carry_the_ten_minute_line_day_and_night(content: Content) -> None:
    for topic in cramp_topics(content):
        for phrase in (*topic.say, *topic.night):
            assert "ten minutes" in phrase and "urgent help" in phrase, (topic.key, phrase)


def test_mid_cramp_answers_by_day_warn_not_to_stretch_a_swollen_red_or_warm_leg(
    content: Content,
) -> None:
    for topic in cramp_topics(content):
        if topic.key == "cramp_now_foot":  # a clot is in the calf or thigh, not the foot
            continue
        for phrase in topic.say:
            assert DONT_STRETCH.search(phrase), (topic.key, phrase)
            assert all(word in phrase for word in ("swollen", "red", "warm")), (topic.key, phrase)


def test_standing_up_at_night_is_made_safe(content: Content) -> None:
    """Half-asleep people fall: sit first, a light on, hold on; and say it before 'stand'."""
    for topic in cramp_topics(content):
        for phrase in (*topic.say, *topic.night):
            found = STAND.search(phrase)
            if not found:
                continue
            sentence = next(s for s in sentences(phrase) if STAND.search(s))
            assert re.search(r"\bsit\b", sentence, re.I), (topic.key, sentence)
            assert "light" in sentence and re.search(r"hold(ing)? (on|something)", sentence)


def test_mid_cramp_answers_offer_a_way_without_standing(content: Content) -> None:
    for topic in cramp_topics(content):
        for phrase in topic.say:
            assert re.search(r"\b(rub|massage)\b", phrase), (topic.key, phrase)
    for phrase in content.topics["cramp_now_thigh"].say:
        assert "lie on your side" in phrase or "lying on your side" in phrase


# --- Every claim as strong as its evidence ----------------------------------------------

USUAL_CAUSE = re.compile(
    r"\b(usually|mostly|most often|in most cases|main|common(est)? cause)\b[^.;]{0,80}"
    r"\b(magnesium|mineral|electrolyte)",
    re.I,
)


def test_low_magnesium_is_never_the_usual_cause(content: Content) -> None:
    assert [w for w, t in all_text(content) if USUAL_CAUSE.search(t)] == []
    assert [w for w, t in all_text(content) if "magnesium deficiency" in t.lower()] == []


def test_the_article_magnesium_theory_is_framed_as_unconfirmed(content: Content) -> None:
    for key in ("why", "sport", "thigh"):
        for phrase in content.topics[key].say:
            if re.search(r"magnesium|minerals", phrase, re.I):
                assert re.search(r"hasn't confirmed|isn't confirmed|unproven|isn't proven", phrase)


def test_why_says_most_night_cramps_have_no_clear_cause(content: Content) -> None:
    for phrase in content.topics["why"].say:
        assert re.search(r"no clear (cause|reason)", phrase)
        assert re.search(r"\bage\b", phrase, re.I) and "medicines" in phrase


def test_thighs_cramp_less_often_than_calves(content: Content) -> None:
    for phrase in content.topics["thigh"].say:
        assert re.search(r"less (often|usual)", phrase) and "NHS" in phrase


def test_magnesium_follows_the_cochrane_review(content: Content) -> None:
    topic = content.topics["magnesium"]
    assert "cochrane_magnesium" in topic.sources and "nhs_leg_cramps" not in topic.sources
    for phrase in topic.say:
        assert "older adults" in phrase and "pregnancy" in phrase
        assert re.search(r"unlikely to help|hasn't shown", phrase)


def test_pregnancy_has_the_full_clot_warning_and_a_stretch_off_the_back(content: Content) -> None:
    for phrase in content.topics["pregnancy"].say:
        lowered = phrase.lower()
        for needed in ("midwife", "doctor", "one leg", "tender", "don't rub", "today"):
            assert needed in lowered, needed
        assert re.search(r"isn't clear|unclear", lowered) and "not on your back" in lowered
        assert EMERGENCY.search(phrase)


def test_als_names_the_nhs_signs_and_not_numbness(content: Content) -> None:
    topic = content.topics["als"]
    assert "nhs_mnd" in topic.sources
    for phrase in topic.say:
        lowered = phrase.lower()
        assert "unlikely" in lowered and "doctor" in lowered
        for needed in ("weakness", "tripping", "weak grip", "slurred speech"):
            assert needed in lowered, needed
        assert "numb" not in lowered


def test_hydration_respects_a_doctors_fluid_limit(content: Content) -> None:
    for phrase in content.topics["hydration"].say:
        assert re.search(r"limit fluids", phrase)


def test_new_topics_stay_hedged(content: Content) -> None:
    """Heat, ice, potassium, pickle juice, alcohol: each may help at most, none promises."""
    for key in ("heat_ice", "potassium", "pickle_juice", "alcohol"):
        for phrase in content.topics[key].say:
            assert re.search(r"\bmay\b|unlikely|unproven|nobody has shown|one small", phrase)
    for phrase in content.topics["heat_ice"].say:
        assert re.search(r"swollen, red or (warm|hot)", phrase)  # never heat on a possible clot
    for phrase in content.topics["pickle_juice"].say:
        assert "salt" in phrase


def test_tonic_water_is_quinine(content: Content) -> None:
    for key in ("quinine_warning", "quinine_dose_warning"):
        for phrase in content.topics[key].say:
            assert "tonic water" in phrase.lower()


# --- The checks themselves catch what they are meant to catch -------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "Quinine can help with night cramps.",
        "Take 400 mg of magnesium before bed.",
        "Try two tablets of magnesium.",
        "You have ALS.",
        "Stretching prevents cramps.",
        "Stretching before bed will prevent cramps.",
        "It's a clot, go to hospital.",
        "Usually it's the day's strain: tired muscles, low on minerals like magnesium.",
        "In most cases there is a relative magnesium deficiency.",
        "It's a stroke.",
    ],
)
def test_the_medical_checks_reject_bad_phrases(bad: str) -> None:
    caught = (
        bool(check_quinine(bad))
        or bool(DOSE.search(bad))
        or bool(DIAGNOSIS.search(bad))
        or bool(USUAL_CAUSE.search(bad))
        or bool(PROMISE.search(bad))
        or any(PREVENT.search(s) and not HEDGE.search(s) for s in sentences(bad))
    )
    assert caught, bad


def test_the_disclaimer_is_heard_on_first_launch(content: Content) -> None:
    for phrase in content.replies["launch_first"].say:
        assert "general information" in phrase and "not medical advice" in phrase


def prose_in_code(source: str) -> list[str]:
    """String constants that read like sentences, other than docstrings and log messages."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # docstring
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"debug", "info", "warning", "error", "exception"}
        ):  # a logging call
            skip.update(id(a) for a in node.args)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            skip.update(id(a) for a in node.exc.args)
    prose = re.compile(r"[A-Z][a-z]+(?: [a-z',]+){3,}[.?!]")
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and prose.search(node.value)
    ]


def test_content_files_are_the_only_home_of_speech() -> None:
    """No spoken sentence is hard-coded in the skill's package (the local chat tool aside)."""
    package = Path(__file__).resolve().parents[1] / "lambda" / "cramp_coach"
    found = [
        (path.name, text)
        for path in package.rglob("*.py")
        if "local" not in path.parts
        for text in prose_in_code(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_speech_in_code_check_finds_a_hard_coded_sentence() -> None:
    assert prose_in_code('speak("Straighten your leg and pull your toes up.")')
    assert not prose_in_code('"""Straighten your leg and pull your toes up."""')


def test_reply_keys_used_in_code_exist(content: Content) -> None:
    package = Path(__file__).resolve().parents[1] / "lambda" / "cramp_coach"
    used = set()
    for path in package.rglob("*.py"):
        used |= set(
            re.findall(r"say_prompt\([^)]*?\"([a-z_]+)\"", path.read_text(encoding="utf-8"))
        )
    assert used and used <= content.replies.keys()


def test_reply_type_is_what_the_loader_builds(content: Content) -> None:
    assert all(isinstance(r, Reply) for r in content.replies.values())
