"""The content obeys the product's medical and voice rules, in every locale. Each check can fail
on one phrase.

Which answers a rule checks, and which phrasings (day, night), is the same for every locale and
lives here; the words each rule looks for are the locale's, in tests/data/rules/<locale>.json.
A locale folder without its rule words fails here."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cramp_coach.content import Content, ContentLibrary, Reply

from .helpers.locales import NOT_LOCALES

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "tests" / "data" / "rules"
RULES_SCHEMA = ROOT / "tests" / "data" / "rules.schema.json"
LOCALES = sorted(
    p.name for p in (ROOT / "content").iterdir() if p.is_dir() and p.name not in NOT_LOCALES
)
# At Alexa's pace (about 150 words a minute) an answer must be over within 20 seconds.
MAX_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class Rules:
    """One locale's rule words (tests/data/rules/<locale>.json), compiled."""

    locale: str
    raw: dict[str, Any]

    @staticmethod
    @cache
    def of(locale: str) -> Rules:
        path = RULES / f"{locale}.json"
        assert path.is_file(), f"content/{locale} needs its rule words in {path}"
        return Rules(locale, json.loads(path.read_text(encoding="utf-8")))

    def rx(self, pattern: str) -> re.Pattern[str]:
        """A pattern of the file, or `@name`: one of its named patterns."""
        if pattern.startswith("@"):
            pattern = self.raw["patterns"][pattern[1:]]
        return re.compile(pattern)

    def pattern(self, name: str) -> re.Pattern[str]:
        """One of the named patterns: "warning", "emergency", ..."""
        return self.rx("@" + name)

    @property
    def max_words(self) -> int:
        return int(self.raw["max_words"])

    @property
    def question(self) -> str:
        return str(self.raw["question_mark"])

    @property
    def attributions(self) -> dict[str, str]:
        return dict(self.raw["attributions"])

    def words(self, text: str) -> int:
        return len(re.findall(self.raw["word"], text))

    def sentences(self, text: str) -> list[str]:
        return [s for s in re.split(self.raw["sentence_break"], text) if s]

    def failures(self, name: str, phrases: Iterable[str]) -> list[tuple[str, str, str]]:
        """(check, what it needed, phrase) for each way a phrase breaks the check `name`."""
        rule = self.raw["checks"][name]
        found: list[tuple[str, str, str]] = []
        for phrase in phrases:
            if "when" in rule and not self.rx(rule["when"]).search(phrase):
                continue
            sentences = self.sentences(phrase) or [""]
            needs: list[tuple[str, str]] = [(p, phrase) for p in rule.get("has", ())]
            needs += [(p, sentences[0]) for p in rule.get("first_sentence", ())]
            if "opening" in rule:
                opening = " ".join(phrase.split()[: rule["opening"]["words"]])
                needs += [(p, opening) for p in rule["opening"]["has"]]
            if "sentence" in rule:
                with_ = self.rx(rule["sentence"]["with"])
                sentence = next((s for s in sentences if with_.search(s)), None)
                needs += [(p, sentence) for p in rule["sentence"]["has"] if sentence is not None]
            found += [(name, p, phrase) for p, text in needs if not self.rx(p).search(text)]
            found += [
                (name, f"not {p}", phrase)
                for p in rule.get("lacks", ())
                if self.rx(p).search(phrase)
            ]
            if "starts" in rule and not self.rx(rule["starts"]).match(phrase):
                found.append((name, f"starts {rule['starts']}", phrase))
            first = (phrase.split() or [""])[0].strip(",")
            if "first_word" in rule and first not in rule["first_word"]:
                found.append((name, f"first word, not {first!r}", phrase))
        return found

    def rejects(self, text: str) -> bool:
        """True when a medical check would refuse this phrase."""
        return (
            bool(check_quinine(self, text))
            or bool(self.pattern("dose").search(text))
            or bool(self.pattern("diagnosis").search(text))
            or bool(self.pattern("usual_cause").search(text))
            or bool(self.pattern("promise").search(text))
            or any(
                self.pattern("prevent").search(s) and not self.pattern("hedge").search(s)
                for s in self.sentences(text)
            )
        )


@pytest.fixture(params=LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def content(library: ContentLibrary, locale: str) -> Content:
    """Each locale's content in turn (this module's rules hold in every locale)."""
    return library.get(locale)


@pytest.fixture
def rules(locale: str) -> Rules:
    return Rules.of(locale)


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


def shown_units(content: Content) -> Iterator[tuple[str, str]]:
    """(where, text) for what an Echo Show shows beside the speech: each topic's key action."""
    for key, topic in content.topics.items():
        if topic.screen:
            yield f"topics.{key}.screen", topic.screen


def all_text(content: Content) -> list[tuple[str, str]]:
    return [*spoken_units(content), *shown_units(content)]


def heard(content: Content, text: str) -> str:
    """The words as Alexa says them: each written form the locale says otherwise ("116117":
    "eins eins sechs, eins eins sieben") in its spoken form, so it counts as what is heard."""
    from cramp_coach import ssml

    spoken = ssml.text(text, content.spoken_as).ssml()
    return ssml.to_plain_text(re.sub(r'<sub alias="([^"]*)">[^<]*</sub>', r"\1", spoken))


def test_every_locale_brings_its_rule_words(locale: str) -> None:
    path = RULES / f"{locale}.json"
    assert path.is_file(), f"content/{locale} needs its rule words in {path}"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (path.parent / data["$schema"]).resolve() == RULES_SCHEMA
    schema = json.loads(RULES_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert [e.message for e in Draft202012Validator(schema).iter_errors(data)] == []
    rules = Rules.of(locale)
    for pattern in data["patterns"]:
        rules.rx("@" + pattern)  # compiles


def test_every_rules_file_is_for_a_locale_that_exists() -> None:
    assert sorted(p.stem for p in RULES.glob("*.json")) == LOCALES


# --- Voice rules ---------------------------------------------------------------------------


def test_every_answer_with_its_offer_fits_in_sixty_words(content: Content, rules: Rules) -> None:
    too_long = [
        (where, rules.words(heard(content, text)))
        for where, text in all_text(content)
        if rules.words(heard(content, text)) > rules.max_words
    ]
    assert too_long == []


def test_every_answer_with_its_offer_is_said_within_twenty_seconds(content: Content) -> None:
    from cramp_coach import ssml

    too_long = [
        (where, round(ssml.speaking_seconds(heard(content, text)), 1))
        for where, text in all_text(content)
        if ssml.speaking_seconds(heard(content, text)) > MAX_SECONDS
    ]
    assert too_long == []


def test_every_answer_and_prompt_has_at_least_two_phrasings(content: Content) -> None:
    for reply in [*content.topics.values(), *content.replies.values()]:
        assert len(reply.say) >= 2, reply.key
        assert len(set(reply.say)) == len(reply.say), reply.key
        if reply.offer:
            assert len(reply.offer.ask) >= 2, reply.key


def test_questions_keep_the_session_open_and_statements_close_it(
    content: Content, rules: Rules
) -> None:
    mark = rules.question
    for reply in [*content.topics.values(), *content.replies.values()]:
        for phrase in reply.say:
            if reply.offer:
                assert not phrase.endswith(mark), f"{reply.key}: the offer asks, not the answer"
                assert all(a.endswith(mark) for a in reply.offer.ask), reply.key
            elif reply.reprompt:
                assert phrase.endswith(mark), f"{reply.key} keeps listening without a question"
            else:
                assert not phrase.endswith(mark), f"{reply.key} asks but closes the session"


def test_at_most_one_offer_per_answer(content: Content, rules: Rules) -> None:
    for topic in content.topics.values():
        for phrase in topic.say:
            assert phrase.count(rules.question) == 0, f"{topic.key}: a second question inside"


def test_mid_cramp_answers_start_with_the_instruction(content: Content, rules: Rules) -> None:
    for topic in cramp_topics(content):
        assert rules.failures("cramp_now_instruction", (*topic.say, *topic.night)) == []


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


def test_a_source_named_in_an_answer_is_one_the_answer_cites(
    content: Content, rules: Rules
) -> None:
    """'According to the NHS ...' only where the topic cites an NHS page."""
    for topic in content.topics.values():
        for phrase in (*topic.say, *topic.night):
            for name, prefix in rules.attributions.items():
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


def check_quinine(rules: Rules, text: str) -> list[str]:
    return [
        s
        for s in rules.sentences(text)
        if rules.pattern("quinine").search(s) and not rules.pattern("warning").search(s)
    ]


def test_quinine_is_never_mentioned_without_a_warning(content: Content, rules: Rules) -> None:
    problems = [(where, s) for where, text in all_text(content) for s in check_quinine(rules, text)]
    assert problems == []


def test_the_quinine_answer_warns_and_cites_the_fda(content: Content, rules: Rules) -> None:
    topic = content.topics["quinine_warning"]
    assert "fda_quinine_warning" in topic.sources
    assert rules.failures("quinine_warning", topic.say) == []


def test_no_supplement_dose_anywhere(content: Content, rules: Rules) -> None:
    problems = [
        (where, text) for where, text in all_text(content) if rules.pattern("dose").search(text)
    ]
    assert problems == []
    assert [
        where for where, text in all_text(content) if rules.pattern("dose_units").search(text)
    ] == []


def test_supplements_always_come_with_ask_your_doctor_or_pharmacist(
    content: Content, rules: Rules
) -> None:
    for where, text in all_text(content):
        for sentence in rules.sentences(text):
            if rules.pattern("supplement").search(sentence) and not rules.pattern("quinine").search(
                sentence
            ):
                context = text
                assert rules.pattern("ask_a_professional").search(context), (where, sentence)


def test_nothing_diagnoses(content: Content, rules: Rules) -> None:
    problems = [
        (where, text)
        for where, text in all_text(content)
        if rules.pattern("diagnosis").search(text)
    ]
    assert problems == []


def test_nothing_promises_prevention(content: Content, rules: Rules) -> None:
    for where, text in all_text(content):
        assert not rules.pattern("promise").search(text), where
        for sentence in rules.sentences(text):
            if rules.pattern("prevent").search(sentence):
                assert rules.pattern("hedge").search(sentence), (where, sentence)


def test_never_say_list(content: Content, rules: Rules) -> None:
    assert [w for w, t in all_text(content) if rules.pattern("never_say").search(t)] == []


# --- Red flags: the right action first, complete, in every phrasing, day and night --------


def phrasings_of(content: Content, key: str) -> tuple[str, ...]:
    """Everything the topic can say: its day phrasings and its night ones."""
    topic = content.topics[key]
    return (*topic.say, *topic.night)


def test_chest_pain_or_breathlessness_always_comes_with_the_emergency_number(
    content: Content, rules: Rules
) -> None:
    for where, text in all_text(content):
        if rules.pattern("chest").search(text):
            assert rules.pattern("emergency").search(text), where


def test_the_emergency_answer_starts_with_the_number_to_call(
    content: Content, rules: Rules
) -> None:
    """The number within the first words; and that Alexa cannot place the call."""
    assert rules.failures("emergency", phrasings_of(content, "emergency")) == []


def test_the_clot_answer_says_dont_stretch_first_and_urgent_help_today(
    content: Content, rules: Rules
) -> None:
    assert rules.failures("blood_clot", phrasings_of(content, "blood_clot")) == []


def test_a_long_cramp_gets_urgent_advice_first(content: Content, rules: Rules) -> None:
    assert rules.failures("long_cramp", phrasings_of(content, "long_cramp")) == []


def test_nerve_signs_go_to_a_doctor_soon_and_never_name_als(content: Content, rules: Rules) -> None:
    """A doctor soon; sudden numbness or weakness (stroke signs): the emergency number."""
    assert rules.failures("nerve_signs", phrasings_of(content, "nerve_signs")) == []


def test_medicines_go_to_the_prescriber_and_are_not_stopped_alone(
    content: Content, rules: Rules
) -> None:
    assert rules.failures("medicine", phrasings_of(content, "medicine")) == []


def test_children_hear_what_is_common_and_which_signs_need_their_doctor(
    content: Content, rules: Rules
) -> None:
    assert rules.failures("child", phrasings_of(content, "child")) == []


def test_dose_questions_get_no_number_and_the_people_who_can_answer(
    content: Content, rules: Rules
) -> None:
    for key in ("dose", "quinine_dose_warning"):
        assert rules.failures("dose", phrasings_of(content, key)) == []
    quinine = phrasings_of(content, "quinine_dose_warning")
    assert rules.failures("quinine_dose", quinine) == []


def test_is_it_serious_is_answered_calmly_then_with_the_signs(
    content: Content, rules: Rules
) -> None:
    assert rules.failures("is_it_serious", phrasings_of(content, "is_it_serious")) == []


def test_when_to_see_a_doctor_leads_with_when_to_see_a_doctor(
    content: Content, rules: Rules
) -> None:
    assert rules.failures("see_doctor", phrasings_of(content, "see_doctor")) == []


# --- The mid-cramp answer: the instruction first, then the two safety lines ----------------


def cramp_topics(content: Content) -> list[Reply]:
    return [t for t in content.topics.values() if t.intent == "CrampNowIntent"]


def test_mid_cramp_answers_carry_the_ten_minute_line_day_and_night(
    content: Content, rules: Rules
) -> None:
    topics = cramp_topics(content)
    assert topics
    for topic in topics:
        assert rules.failures("cramp_now_ten_minutes", (*topic.say, *topic.night)) == []


def test_every_mid_cramp_answer_day_and_night_says_not_to_stretch_or_rub_a_swollen_leg(
    content: Content, rules: Rules
) -> None:
    """A clot can feel like a cramp (NHS DVT: cramping pain in one leg), in the calf or the
    thigh: every phrasing for every leg muscle, the short night ones and the screen's line
    included, says in the same breath not to stretch or rub a swollen, red or warm leg."""
    for topic in cramp_topics(content):
        lines = (*topic.say, *topic.night, *((topic.screen,) if topic.screen else ()))
        assert rules.failures("cramp_now_clot", lines) == [], topic.key


def test_standing_up_at_night_is_made_safe(content: Content, rules: Rules) -> None:
    """Half-asleep people fall: sit first, a light on, hold on; and say it before 'stand'."""
    for topic in cramp_topics(content):
        assert rules.failures("cramp_now_standing", (*topic.say, *topic.night)) == []


def test_mid_cramp_answers_offer_a_way_without_standing(content: Content, rules: Rules) -> None:
    for topic in cramp_topics(content):
        assert rules.failures("cramp_now_without_standing", topic.say) == []
    assert rules.failures("cramp_now_thigh", content.topics["cramp_now_thigh"].say) == []


# --- Every claim as strong as its evidence ----------------------------------------------


def test_low_magnesium_is_never_the_usual_cause(content: Content, rules: Rules) -> None:
    assert [w for w, t in all_text(content) if rules.pattern("usual_cause").search(t)] == []
    assert [
        w for w, t in all_text(content) if rules.pattern("magnesium_deficiency").search(t)
    ] == []


def test_the_article_magnesium_theory_is_framed_as_unconfirmed(
    content: Content, rules: Rules
) -> None:
    for key in ("why", "sport", "thigh"):
        assert rules.failures("magnesium_unconfirmed", content.topics[key].say) == []


def test_why_says_most_night_cramps_have_no_clear_cause(content: Content, rules: Rules) -> None:
    assert rules.failures("why", content.topics["why"].say) == []


def test_thighs_cramp_less_often_than_calves(content: Content, rules: Rules) -> None:
    assert rules.failures("thigh", content.topics["thigh"].say) == []


def test_magnesium_follows_the_cochrane_review(content: Content, rules: Rules) -> None:
    topic = content.topics["magnesium"]
    assert "cochrane_magnesium" in topic.sources and "nhs_leg_cramps" not in topic.sources
    assert rules.failures("magnesium", topic.say) == []


def test_pregnancy_has_the_full_clot_warning_and_a_stretch_off_the_back(
    content: Content, rules: Rules
) -> None:
    assert rules.failures("pregnancy", content.topics["pregnancy"].say) == []


def test_als_names_the_nhs_signs_and_not_numbness(content: Content, rules: Rules) -> None:
    topic = content.topics["als"]
    assert "nhs_mnd" in topic.sources
    assert rules.failures("als", topic.say) == []


def test_hydration_respects_a_doctors_fluid_limit(content: Content, rules: Rules) -> None:
    assert rules.failures("hydration", content.topics["hydration"].say) == []


def test_new_topics_stay_hedged(content: Content, rules: Rules) -> None:
    """Heat, ice, potassium, pickle juice, alcohol: each may help at most, none promises."""
    for key in ("heat_ice", "potassium", "pickle_juice", "alcohol"):
        assert rules.failures("hedged", content.topics[key].say) == []
    # never heat on a possible clot
    assert rules.failures("heat_ice", content.topics["heat_ice"].say) == []
    assert rules.failures("pickle_juice", content.topics["pickle_juice"].say) == []


def test_tonic_water_is_quinine(content: Content, rules: Rules) -> None:
    for key in ("quinine_warning", "quinine_dose_warning"):
        assert rules.failures("tonic_water", content.topics[key].say) == []


# --- Short and night phrasings keep every safety word --------------------------------------


def test_short_and_night_phrasings_keep_every_safety_word(content: Content, rules: Rules) -> None:
    """A safety word one phrasing of a topic says ("chest pain or breathlessness", "don't
    stretch or rub", the emergency number ...) every phrasing of it says, day and night: the
    shortest is what the night hears."""
    missing = []
    for topic in content.topics.values():
        phrasings = (*topic.say, *topic.night)
        for raw in rules.raw["safety_words"]:
            pattern = rules.rx(raw)
            if any(pattern.search(p) for p in phrasings):
                missing += [(topic.key, raw, p) for p in phrasings if not pattern.search(p)]
    assert missing == []


# --- Stroke, wounds and poisons, painkillers, the night ------------------------------------


def test_a_stroke_gets_the_emergency_number_first_and_its_signs(
    content: Content, rules: Rules
) -> None:
    """Sudden numbness or weakness on one side, a drooping face, slurred speech, an arm that
    can't be lifted: the number first, the signs in one breath, don't wait (CDC, NHS)."""
    stroke = content.topics["stroke"]
    assert stroke.urgent and stroke.call and stroke.intent == "StrokeIntent"
    assert rules.failures("stroke", phrasings_of(content, "stroke")) == []


def test_cramps_after_a_wound_or_a_poison_need_urgent_help(content: Content, rules: Rules) -> None:
    """NHS: an urgent appointment for cramps after a possible tetanus infection; Mayo: right
    away after contact with a toxin such as lead."""
    for key in ("see_doctor", "is_it_serious", "long_cramp"):
        assert rules.failures("wound_or_poison", phrasings_of(content, key)) == [], key


def test_painkillers_are_said_not_to_help_during_a_cramp(content: Content, rules: Rules) -> None:
    topic = content.topics["heat_ice"]
    assert "nhs_leg_cramps" in topic.sources
    assert rules.failures("painkillers", phrasings_of(content, "heat_ice")) == []


def test_why_at_night_explains_the_night_as_far_as_the_evidence_goes(
    content: Content, rules: Rules
) -> None:
    """Feet pointed, covers pressing them down: what may set a night cramp off, hedged, and
    most still have no clear cause."""
    assert rules.failures("why_at_night", phrasings_of(content, "why_at_night")) == []


def test_the_routine_checks_for_a_swollen_calf_when_it_starts_and_whenever_it_resumes(
    content: Content, rules: Rules
) -> None:
    cues = content.routine.cues
    for key in ("intro", "intro_short", "resume_check"):
        assert rules.failures("routine_check", cues[key]) == [], key


def test_a_miss_or_an_error_carries_the_emergency_line(content: Content, rules: Rules) -> None:
    """The first miss or error of a session says it once: chest pain, a stroke or a swollen,
    hot leg, the number to call; and the error's mid-cramp hint keeps the clot caveat."""
    for key in ("safety_net", "safety_net_night"):
        assert rules.failures("safety_net", content.replies[key].say) == [], key
    assert rules.failures("error_hint", content.replies["error"].say) == []


URGENT = frozenset({"emergency", "stroke", "blood_clot", "long_cramp"})


def test_the_red_flags_led_by_an_urgent_action_are_marked_urgent(content: Content) -> None:
    """Marked `urgent` in structure.json: spoken in a normal voice at any hour (respond.py)."""
    assert {key for key, topic in content.topics.items() if topic.urgent} == URGENT


# --- The checks themselves catch what they are meant to catch -------------------------------


def bad_phrases() -> list[tuple[str, str]]:
    found = []
    for path in sorted(RULES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found += [(path.stem, bad) for bad in data["bad_phrases"]]
    return found


@pytest.mark.parametrize(("locale", "bad"), bad_phrases())
def test_the_medical_checks_reject_bad_phrases(locale: str, bad: str) -> None:
    assert Rules.of(locale).rejects(bad), bad


def test_each_check_rejects_a_phrase_that_says_nothing(rules: Rules) -> None:
    """Every check that asks for words fails a phrase without them (a check that applies only
    to phrasings raising its subject, `when` or `sentence`, aside)."""
    checked = 0
    for name, rule in rules.raw["checks"].items():
        if "when" in rule or "sentence" in rule:
            continue
        assert rules.failures(name, ["Zzz."]), name
        checked += 1
    assert checked


def test_the_checks_read_their_words_from_the_rules_file() -> None:
    rules = Rules(
        "xx",
        {"sentence_break": " ", "checks": {"c": {"has": ["(?i)toes"], "lacks": ["Welcome"]}}},
    )
    assert rules.failures("c", ["Pull your toes up."]) == []
    assert rules.failures("c", ["Welcome. Pull your toes up."]) == [
        ("c", "not Welcome", "Welcome. Pull your toes up.")
    ]
    standing = Rules(
        "xx",
        {
            "sentence_break": "(?<=[.])\\s+",
            "checks": {"s": {"sentence": {"with": "stand", "has": ["sit"]}}},
        },
    )
    assert standing.failures("s", ["Sit up. Then stand."]) == [("s", "sit", "Sit up. Then stand.")]
    assert standing.failures("s", ["Lie still.", "To stand, sit first."]) == []


def test_the_disclaimer_is_heard_on_first_launch(content: Content, rules: Rules) -> None:
    assert rules.failures("disclaimer", content.replies["launch_first"].say) == []


def test_the_disclaimer_is_heard_again_after_a_long_absence(content: Content, rules: Rules) -> None:
    assert rules.failures("disclaimer", content.replies["launch_long_absence"].say) == []
    assert rules.failures("disclaimer", content.routine.cues["disclaimer"]) == []


def _not_for_listeners(tree: ast.AST) -> set[int]:
    """The string constants no one hears: docstrings, log messages, exception messages."""
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
    return skip


def _strings(tree: ast.AST) -> list[str]:
    """The string constants someone may hear or read, f-string pieces included."""
    skip = _not_for_listeners(tree)
    for node in ast.walk(tree):
        if id(node) in skip and isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def prose_in_code(source: str) -> list[str]:
    """String constants that read like sentences, other than docstrings and log messages."""
    prose = re.compile(r"[A-Z][a-z]+(?: [a-z',]+){3,}[.?!]")
    return [text for text in _strings(ast.parse(source)) if prose.search(text)]


# A word or punctuation that joins two parts of a sentence: " at ", " and ", ", ", ": ", " - ".
JOIN = re.compile(r"^\s+[^\W\d_]+\s+$|^\s*[,;:]\s+$|^\s+[-\u2013\u2014]\s+$")
# The words of a 12-hour clock: "AM", "p.m.", "10 pm".
CLOCK_WORDS = re.compile(r"^\s*[AaPp]\.?\s?[Mm]\.?\s*$|\d\s*[AaPp]\.?[Mm]\b")


def _joins(tree: ast.AST) -> list[str]:
    """Constants that join values into text: next to a value in an f-string, a separator that
    `.join`s, or added between values."""
    heard = {id(node) for node in ast.walk(tree)} - _not_for_listeners(tree)
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) in heard:
            parts = node.values
            for i, part in enumerate(parts):
                neighbours = parts[max(0, i - 1) : i] + parts[i + 1 : i + 2]
                if any(isinstance(n, ast.FormattedValue) for n in neighbours):
                    found.append(part)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
        ):
            found.append(node.func.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            found += [node.left, node.right]
    return [
        node.value
        for node in found
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) in heard
        and JOIN.match(node.value)
        and node.value == node.value.lower()
    ]


def language_rules_in_code(source: str) -> list[str]:
    """What a language decides but code does instead: words that join a sentence's parts, the
    clock's AM and PM, 12-hour arithmetic, and strftime's formats and the calendar module's
    names (English month and day names, the C library's AM/PM)."""
    tree = ast.parse(source)
    found = [f"join {text!r}" for text in _joins(tree)]
    found += [f"clock word {text!r}" for text in _strings(tree) if CLOCK_WORDS.search(text)]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.right, ast.Constant)
            and node.right.value == 12
        ):
            found.append(f"12-hour clock: {ast.unparse(node)}")
        if (
            isinstance(node, ast.Compare)
            and any(isinstance(c, ast.Constant) and c.value == 12 for c in node.comparators)
            and "hour" in ast.unparse(node.left).lower()
        ):
            found.append(f"12-hour clock: {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "strftime"
        ):
            found.append(f"strftime: {ast.unparse(node)}")
        name = getattr(node, "attr", None) or getattr(node, "id", None)
        if name in {"month_name", "month_abbr", "day_name", "day_abbr"}:
            found.append(f"English calendar names: {ast.unparse(node)}")
    return found


def skill_code() -> list[Path]:
    """The skill's package (the local chat tool, which stands in for Alexa's English
    understanding, aside)."""
    package = Path(__file__).resolve().parents[1] / "lambda" / "cramp_coach"
    return [path for path in sorted(package.rglob("*.py")) if "local" not in path.parts]


def test_content_files_are_the_only_home_of_speech() -> None:
    """No spoken sentence is hard-coded in the skill's package (the local chat tool aside)."""
    found = [
        (path.name, text)
        for path in skill_code()
        for text in prose_in_code(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_speech_in_code_check_finds_a_hard_coded_sentence() -> None:
    assert prose_in_code('speak("Straighten your leg and pull your toes up.")')
    assert not prose_in_code('"""Straighten your leg and pull your toes up."""')


def test_no_language_rule_is_in_code() -> None:
    """Joins, list words, the clock and date formats are the locale's words, not code's."""
    found = [
        (path.name, rule)
        for path in skill_code()
        for rule in language_rules_in_code(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    "code",
    [
        'items = [f"{s.spoken_when(content)} at {s.spoken_time(content)}" for s in schedules]',
        'return ", ".join(items[:-1]) + f" {words[\'and\']} " + items[-1]',
        'return ", ".join(items[:-1]) + " and " + items[-1]',
        "line = f\"{words['source']}: {source.title}\"",
        'line = title + " - " + url',
        'line = f"{title} - {url}"',
        'names = " and ".join(names)',
        "hour = self.hour % 12 or 12",
        'half = words["pm"] if self.hour >= 12 else words["am"]',
        'half = "PM" if hour > 11 else "AM"',
        'return f"{hour}:{minute:02d} p.m."',
        'return f"{hour} pm"',
        'return moment.strftime("%H:%M")',
        'card = f"Reviewed {month_name[date.month]} {date.year}"',
    ],
)
def test_the_language_in_code_check_finds_joins_and_clocks(code: str) -> None:
    assert language_rules_in_code(code) or prose_in_code(code), code


@pytest.mark.parametrize(
    "code",
    [
        '" ".join(parts)',
        '"\\n".join(lines)',
        'rule = f"BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND=0"',
        'header = f"Bearer {token}"',
        "if len(months) != 12: pass",
        'logger.info("reminder at %s", when)',
        'raise ValueError(f"{where}: needs {name} and {other}")',
        'kind = text.split(", ", 1)[-1]',
        'reason = f"body is over {limit} bytes"',
        '"""Said at ten: 10 pm."""',
        "return pattern.format(hour=hours[hour], period=periods[hour], minute=minute)",
    ],
)
def test_the_language_in_code_check_leaves_code_alone(code: str) -> None:
    assert language_rules_in_code(code) == [], code


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
