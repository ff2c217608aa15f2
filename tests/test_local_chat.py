"""`make run` and `cramp-coach say`: the way a newcomer first hears the skill."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cramp_coach.content import ContentLibrary
from cramp_coach.intents import Intent
from cramp_coach.local.chat import espeak_ssml
from cramp_coach.local.locales import AlexaWords, skill_name

from .helpers.locales import LOCALES, MARKETS, resolver
from .helpers.paths import CONTENT

ROOT = Path(__file__).resolve().parents[1]


def chat(args: list[str], stdin: str, db: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CRAMP_COACH_DB": str(db)}
    if "--time" not in args:  # daytime in New York, whatever the clock says
        args = [*args, "--time", "15:00", "--tz", "America/New_York"]
    return subprocess.run(
        [sys.executable, "-m", "cramp_coach.local.chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=True,
    )


def test_piped_conversation(tmp_path: Path) -> None:
    lines = "\n".join(
        [
            "open cramp coach",
            "why do my calves cramp at night?",
            "yes",
            "# comments are skipped",
            "what do I do, my thigh is cramping",
        ]
    )
    out = chat([], lines + "\n", tmp_path / "db.sqlite3").stdout
    assert "> open cramp coach" in out  # piped lines are echoed, so the transcript reads well
    assert "not medical advice" in out
    assert "no clear" in out  # most night cramps have no clear cause
    assert "bed" in out.split("> yes", 1)[1]  # the prevention tips after "yes"
    assert "heel toward your bottom" in out  # thigh rescue
    assert "[card] During a thigh cramp" in out
    assert "Traceback" not in out


def test_one_shot_say(tmp_path: Path) -> None:
    out = chat(
        ["say", "Alexa, ask cramp coach what do I do, my calf is cramping"], "", tmp_path / "db"
    ).stdout
    first_line = out.splitlines()[0]
    assert first_line.startswith("Cramp Coach: ")
    assert first_line.split(": ", 1)[1].split()[0] in {"Straighten", "Pull", "Keep"}


def test_progress_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert "not medical advice" in chat([], "open cramp coach\n", db).stdout
    assert "not medical advice" not in chat([], "open cramp coach\n", db).stdout


def test_verbose_shows_what_was_heard(tmp_path: Path) -> None:
    out = chat(["-v"], "is it ALS?\n", tmp_path / "db").stdout
    assert "heard: AlsIntent" in out


def test_unmatched_phrases_go_to_fallback(tmp_path: Path) -> None:
    out = chat(["-v"], "play some jazz music\n", tmp_path / "db").stdout
    assert Intent.FALLBACK in out


def test_espeak_gets_ssml_without_alexa_only_tags() -> None:
    assert espeak_ssml('<speak><amazon:effect name="whispered">hi</amazon:effect></speak>') == (
        "<speak>hi</speak>"
    )


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_wav_output(tmp_path: Path) -> None:
    chat(["--wav", str(tmp_path / "wav")], "why do my calves cramp\n", tmp_path / "db")
    wavs = list((tmp_path / "wav").glob("*.wav"))
    assert wavs and wavs[0].stat().st_size > 10_000
    chat(["say", "--wav", str(tmp_path / "one"), "is", "it", "ALS"], "", tmp_path / "db")
    assert list((tmp_path / "one").glob("*.wav"))


def test_a_routine_paused_in_one_run_continues_in_the_next(tmp_path: Path) -> None:
    """Two processes, one embedded store: the place survives the restart."""
    db = tmp_path / "db.sqlite3"
    lines = "open cramp coach\nstop\nstart the full routine\nyes\nnext\npause\n"
    first = chat([], lines, db).stdout
    assert "2 of 9" in first and "continue my stretches" in first
    second = chat([], "ask cramp coach to continue my stretches\n", db).stdout
    assert "3 of 9" in second


def test_night_mode_reminders_and_the_routine_task_in_the_chat(tmp_path: Path) -> None:
    """Issue 4's done check, as a person would try it in `make run`."""
    db = tmp_path / "db.sqlite3"
    night = ["--time", "02:30", "--tz", "Europe/London"]
    out = chat(night, "ask cramp coach what do I do, my calf is cramping\n", db).stdout
    assert "Cramp Coach (whispered): " in out
    answer = out.split("(whispered): ", 1)[1].splitlines()[0]
    assert len(answer.split(". ")[0].split()) <= 15 and "ten minutes" in answer

    lines = "remind me to stretch every night at ten\nyes\n"
    out = chat(["--time", "21:00", "--tz", "Europe/London"], lines, db).stdout
    assert "permission to create reminders" in out
    assert "stand-in Alexa API: POST /v1/alerts/reminders" in out
    assert "FREQ=DAILY;BYHOUR=22;BYMINUTE=0" in out
    assert "every night at 10 PM" in out

    out = chat(["--time", "21:30", "--tz", "Europe/London"], "alexa, good night\n", db).stdout
    assert "Alexa Routine runs the action: StartBedtimeStretches" in out
    assert "Ready" in out  # the introduction, then "Ready?"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_chat_speaks_each_locale(tmp_path: Path, locale: str) -> None:
    """`make run ARGS="--locale de-DE"`: the skill opened and answered in that locale's words."""
    content = ContentLibrary(CONTENT).get(locale)
    opening = f"{AlexaWords.of(locale).launch[0]} {resolver(locale).invocation_name}"
    place = ["--locale", locale, "--time", "15:00", "--tz", MARKETS[locale]["zone"]]
    out = chat(place, opening + "\n", tmp_path / "db").stdout
    welcome = out.split(f"{skill_name(locale)}: ", 1)[1].splitlines()[0]
    assert welcome in content.replies["launch_first"].say, out


def test_a_locale_without_a_model_is_refused_with_the_ones_there_are(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cramp_coach.local.chat", "--locale", "fr-FR"],
        input="",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "CRAMP_COACH_DB": str(tmp_path / "db")},
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "no interaction model for fr-FR" in completed.stderr and "en-US" in completed.stderr


def test_on_a_screen_the_chat_prints_each_screen_and_takes_touches(tmp_path: Path) -> None:
    lines = [
        "ask cramp coach I have chest pain",
        "ask cramp coach to start my short bedtime stretches",
        "yes",
        "/touch next",
        "/touch pause",
    ]
    out = chat(["--screen", "hubRoundSmall"], "\n".join(lines) + "\n", tmp_path / "db").stdout
    red_flag = '{"payload": {"theme": {"night": false}, "call": {"number": "911"}}}'
    assert f"[screen cramp-coach-red_flag] {red_flag}" in out
    touched = out.split("> /touch next", 1)[1]
    assert "[screen cramp-coach-stretch]" in touched and '"position": "2 of 4"' in touched
    paused = out.split("> /touch pause", 1)[1]  # either phrasing of the routine's "paused"
    assert "your place" in paused and "continue my stretches" in paused
    assert "[screen" not in chat([], lines[0] + "\n", tmp_path / "db").stdout  # a speaker
