"""Each locale's content loads lazily: a cold start reads the shared structure and the words of
the request's locale (and of the locale it is written against, for an overlay), never another
locale's, and loads no module for the locales it does not speak. Shown for every locale folder
here through the Lambda entry point, and for six locales on disk through the skill itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cramp_coach.local import envelope as env

from .helpers.locales import LOCALES, MARKETS
from .helpers.paths import CONTENT, ROOT

# Run in a fresh process: the files it opens under the content root, and the modules it loaded.
PROBE = r"""
import json, sys
root, events, db = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
opened = []
sys.addaudithook(lambda name, args: opened.append(str(args[0])) if name == "open" else None)
if root == "-":  # the Lambda entry point, with the content it ships with
    import lambda_function
    answers = [lambda_function.lambda_handler(event, None) for event in events]
else:  # the skill, on another content root
    from cramp_coach.config import Config
    from cramp_coach.content import ContentLibrary
    from cramp_coach.entry import handle_event
    from cramp_coach.skill import build_skill
    from cramp_coach.store import SqliteStore
    skill = build_skill(Config(), SqliteStore(db), content=ContentLibrary(root))
    answers = [handle_event(event, None, skill) for event in events]
assert all(answer["response"]["outputSpeech"]["ssml"] for answer in answers), answers
print(json.dumps({"opened": opened, "modules": sorted(sys.modules)}))
"""


def cold_start(
    root: Path | None, locale: str, tmp_path: Path, *then: str
) -> tuple[set[str], list[str]]:
    """What a fresh process answering a one-shot in `locale` (and then one in each of `then`)
    read under the content root (paths relative to it), and which modules it loaded."""
    events = [
        env.envelope(
            env.intent_request("CrampNowIntent", locale=asked),
            env.Device(locale=asked, api_endpoint="https://127.0.0.1:9"),
            env.Session(),
        )
        for asked in (locale, *then)
    ]
    content = root or CONTENT
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(root or "-"), json.dumps(events), str(tmp_path / "s")],
        capture_output=True,
        text=True,
        cwd=ROOT / "lambda",
        env={**os.environ, "CRAMP_COACH_DB": str(tmp_path / "s.sqlite3"), "LOG_LEVEL": "ERROR"},
        check=True,
    )
    seen = json.loads(completed.stdout.splitlines()[-1])
    inside = str(content.resolve()) + os.sep
    read = {
        os.path.relpath(p, content)
        for p in (os.path.realpath(p) for p in seen["opened"])
        if p.startswith(inside)
    }
    return read, seen["modules"]


def written_against(root: Path, locale: str) -> list[str]:
    """The locale and each locale it is written against (`locale.json` `extends`), in turn."""
    chain = [locale]
    while (root / chain[-1] / "locale.json").is_file():
        declared = json.loads((root / chain[-1] / "locale.json").read_text(encoding="utf-8"))
        chain.append(str(declared["extends"]))
    return chain


def folders(read: set[str]) -> set[str]:
    return {Path(p).parts[0] for p in read if len(Path(p).parts) > 1}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_cold_start_reads_only_the_requests_locale(locale: str, tmp_path: Path) -> None:
    read, modules = cold_start(None, locale, tmp_path)
    assert "structure.json" in read
    assert folders(read) == set(written_against(CONTENT, locale))
    assert any(p.startswith(f"{locale}{os.sep}") for p in read)
    assert not any(p.startswith(f"schema{os.sep}") for p in read)
    assert "jsonschema" not in modules and "cramp_coach.local" not in modules


@pytest.fixture(scope="module")
def six_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content root with en-US and a copy of it under each other market's name."""
    root = tmp_path_factory.mktemp("six") / "content"
    shutil.copytree(CONTENT / "en-US", root / "en-US")
    shutil.copy2(CONTENT / "structure.json", root / "structure.json")
    for locale in MARKETS:
        if locale != "en-US":
            shutil.copytree(root / "en-US", root / locale)
    return root


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_with_six_locales_on_disk_a_cold_start_reads_one(
    six_locales: Path, locale: str, tmp_path: Path
) -> None:
    assert len([p for p in six_locales.iterdir() if p.is_dir()]) == 6
    read, _ = cold_start(six_locales, locale, tmp_path)
    words = sorted(f.name for f in (six_locales / locale).iterdir())
    assert read == {"structure.json", *(os.path.join(locale, name) for name in words)}


def test_the_probe_sees_every_locale_a_process_speaks(six_locales: Path, tmp_path: Path) -> None:
    """The check can fail: a process asked in two languages reads both; one asked in a locale
    with no folder of its own reads the default locale's words."""
    read, _ = cold_start(six_locales, "en-US", tmp_path, "de-DE")
    assert folders(read) == {"en-US", "de-DE"}
    read, _ = cold_start(six_locales, "fr-FR", tmp_path)
    assert folders(read) == {"en-US"}
