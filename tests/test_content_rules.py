"""The content obeys the product's medical and voice rules. Each check can fail on one phrase."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
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
        for phrase in topic.say:
            first = phrase.split()[0]
            assert first in {
                "Straighten",
                "Pull",
                "Keep",
                "Gently",
                "Stretch",
                "Sit",
                "Flex",
                "Slowly",
            }, (key, first)
            assert "Welcome" not in phrase and "medical advice" not in phrase


# --- Sources ---------------------------------------------------------------------------------


def test_every_answer_names_a_known_source(content: Content) -> None:
    for topic in content.topics.values():
        assert topic.sources, topic.key
        for source in topic.sources:
            assert source in content.sources, (topic.key, source)


def test_answers_beyond_the_article_cite_a_medical_source(content: Content) -> None:
    medical = {
        "nhs_leg_cramps",
        "nhs_dvt",
        "mayo_night_leg_cramps",
        "mayo_pregnancy",
        "nice_cks",
        "fda_quinine_warning",
        "aafp",
        "cochrane_magnesium",
    }
    for key in (
        "cramp_now",
        "see_doctor",
        "see_doctor_more",
        "quinine_warning",
        "magnesium",
        "pregnancy",
    ):
        assert set(content.topics[key].sources) & medical, key


def test_every_named_source_except_the_article_has_a_public_url(content: Content) -> None:
    for source in content.sources.values():
        if source.key != "article":
            assert source.url and source.url.startswith("https://"), source.key


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
    r"|(a )?(magnesium|calcium|mineral) deficiency|nerve damage|neuropathy|a disease)"
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


def test_the_clot_warning_is_complete(content: Content) -> None:
    for phrase in content.topics["see_doctor"].say:
        lowered = phrase.lower()
        for needed in ("swollen", "red", "warm", "clot", "emergency", "chest pain", "urgent"):
            assert needed in lowered, needed
        assert re.search(r"don't (stretch|massage)|do not (stretch|massage)", lowered)


def test_the_other_reasons_to_see_a_doctor_are_complete(content: Content) -> None:
    for phrase in content.topics["see_doctor_more"].say:
        lowered = phrase.lower()
        for needed in (
            "weakness",
            "twitching",
            "numbness",
            "medicine",
            "wasting|thinner",
            "sleep|waking",
        ):
            assert re.search(needed, lowered), needed


def test_pregnancy_sends_supplement_questions_to_the_professionals(content: Content) -> None:
    for phrase in content.topics["pregnancy"].say:
        assert "midwife" in phrase and "doctor" in phrase


def test_als_answer_reassures_without_diagnosing(content: Content) -> None:
    for phrase in content.topics["als"].say:
        assert "unlikely" in phrase and "doctor" in phrase


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
    ],
)
def test_the_medical_checks_reject_bad_phrases(bad: str) -> None:
    caught = (
        bool(check_quinine(bad))
        or bool(DOSE.search(bad))
        or bool(DIAGNOSIS.search(bad))
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
        logging_call = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"debug", "info", "warning", "error", "exception"}
        )
        if logging_call:
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
