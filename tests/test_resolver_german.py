"""The local resolver in German: what `make run ARGS="--locale de-DE"` and the German NLU set
hear. Umlauts and ß are letters, German times, days and whiles are read as Alexa's built-in
slot types report them, and Alexa's built-in intents know their German phrases."""

from __future__ import annotations

from datetime import date

import pytest

from cramp_coach.intents import Intent
from cramp_coach.local.resolver import ENGLISH, GERMAN, Resolver, language_for, tokens
from cramp_coach.local.times_de import find_date, find_duration, find_time

from .helpers.paths import ROOT

FRIDAY = date(2026, 12, 4)


@pytest.fixture(scope="module")
def german() -> Resolver:
    return Resolver.from_files(ROOT / "interaction_model" / "de-DE.json")


def test_the_model_file_names_the_language() -> None:
    resolver = Resolver.from_files(ROOT / "interaction_model" / "de-DE.json")
    assert resolver.language is GERMAN and resolver.invocation_name == "waden coach"
    assert language_for("de-AT") is GERMAN and language_for("en-GB") is ENGLISH
    assert language_for("fr-FR") is ENGLISH  # no other language yet: English, as before


def test_umlauts_and_sharp_s_are_letters_not_gaps() -> None:
    assert GERMAN.words("Füße") == GERMAN.words("Fuß") == ["fuss"]
    assert GERMAN.words("Krämpfe") == GERMAN.words("Krampf")
    assert GERMAN.words("Waden") == GERMAN.words("Wade")
    assert "fu" not in GERMAN.words("mein Fuß krampft")
    assert tokens("Füße") == ["füße"]  # English keeps them too, whole


def test_filler_goes_beside_other_words_and_stays_alone() -> None:
    assert GERMAN.words("äh, also bitte meine Wade") == GERMAN.words("meine Wade")
    assert GERMAN.words("okay") == ["okay"]


def test_acronyms_spelled_the_alexa_way_match_typed_ones() -> None:
    assert GERMAN.words("ist es a. l. s.") == GERMAN.words("Ist es ALS?")


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("um zehn", "10:00"),
        ("um 22 Uhr", "22:00"),
        ("um halb zehn", "09:30"),
        ("um viertel nach neun abends", "21:15"),
        ("um viertel vor elf", "10:45"),
        ("um zehn vor elf", "10:50"),
        ("um einundzwanzig Uhr dreißig", "21:30"),
        ("um 21:30", "21:30"),
        ("um zehn Uhr abends", "22:00"),
        ("um ein Uhr nachts", "01:00"),
        ("um Mitternacht", "00:00"),
        ("um dreiviertel elf", "10:45"),
        ("um drei viertel zehn", "09:45"),
        ("um viertel elf", "10:15"),  # a quarter of the way to eleven, as in the east
        ("um halb eins", "12:30"),
    ],
)
def test_times_as_german_speakers_say_them(said: str, value: str) -> None:
    found = find_time(said)
    assert found is not None and found[1] == value, said


@pytest.mark.parametrize(
    "said", ["seit zehn Minuten", "drei Übungen", "ich habe einen Krampf", "zehn Sekunden"]
)
def test_a_number_that_is_no_time_of_day(said: str) -> None:
    assert find_time(said) is None


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("morgen", "2026-12-05"),
        ("morgen früh", "2026-12-05"),
        ("übermorgen", "2026-12-06"),
        ("heute Abend", "2026-12-04"),
        ("am Montag", "2026-12-07"),
        ("nächsten Freitag", "2026-12-11"),
        ("am 24. Dezember", "2026-12-24"),
        ("am fünften Januar", "2027-01-05"),
    ],
)
def test_days_from_the_persons_today(said: str, day: str) -> None:
    found = find_date(said, FRIDAY)
    assert found is not None and found[1] == day, said


@pytest.mark.parametrize("said", ["jeden Freitag", "montags bis freitags", "jeden Morgen"])
def test_a_repeat_is_no_day(said: str) -> None:
    assert find_date(said, FRIDAY) is None


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("in einer Stunde", "PT1H"),
        ("in einer halben Stunde", "PT30M"),
        ("in einer Viertelstunde", "PT15M"),
        ("in anderthalb Stunden", "PT1H30M"),
        ("in zehn Minuten", "PT10M"),
        ("in 2 Stunden und 15 Minuten", "PT2H15M"),
    ],
)
def test_whiles(said: str, value: str) -> None:
    found = find_duration(said)
    assert found is not None and found[1] == value, said


def test_a_reminder_in_german_reads_its_time_day_and_how_often(german: Resolver) -> None:
    nightly = german.resolve("Erinnere mich jeden Abend um halb zehn ans Dehnen", FRIDAY)
    assert nightly.intent == Intent.SET_REMINDER
    assert nightly.slots["time"].spoken == "09:30"
    assert nightly.slots["frequency"].value_id == "DAILY"
    tomorrow = german.resolve("Erinnere mich morgen um 22 Uhr an meine Dehnübungen", FRIDAY)
    assert (tomorrow.slots["date"].spoken, tomorrow.slots["time"].spoken) == (
        "2026-12-05",
        "22:00",
    )


@pytest.mark.parametrize(
    ("line", "value_id"),
    [
        ("Aua, meine Wade!", "CALF"),
        ("ich hab einen Krampf im Fuß", "FOOT"),
        ("meine Füße krampfen", "FOOT"),
        ("Krampf im Oberschenkel", "THIGH"),
        ("hinten am Oberschenkel krampft es", "HAMSTRING"),
    ],
)
def test_the_muscle_slot_resolves_to_the_value_id(
    german: Resolver, line: str, value_id: str
) -> None:
    resolution = german.resolve(line)
    assert resolution.intent == "CrampNowIntent"
    assert resolution.slots["muscle"].value_id == value_id


@pytest.mark.parametrize(
    ("line", "intent"),
    [
        ("ja", Intent.YES),
        ("ja gerne", Intent.YES),
        ("nein danke", Intent.NO),
        ("Hilfe", Intent.HELP),
        ("wie bitte", Intent.REPEAT),
        ("stopp", Intent.STOP),
        ("abbrechen", Intent.CANCEL),
        ("weiter", Intent.NEXT),
        ("Pause", Intent.PAUSE),
        ("von vorne", Intent.START_OVER),
    ],
)
def test_built_in_phrases_in_german(german: Resolver, line: str, intent: str) -> None:
    assert german.resolve(line).intent == intent


def test_everyday_german_goes_to_the_fallback(german: Resolver) -> None:
    for line in ("Wie wird das Wetter?", "Ich habe Kopfschmerzen", "Mach das Licht aus"):
        assert german.resolve(line).intent == Intent.FALLBACK, line
