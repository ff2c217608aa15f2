"""`cramp-coach`: talk to the skill in a terminal, no Amazon account needed.

    cramp-coach                       chat: one line per turn (typed, or piped in)
    cramp-coach say "why do my calves cramp at night"
    cramp-coach --speak ...           also speak each answer through espeak-ng
    cramp-coach --wav DIR ...         also write each answer to DIR/turn-NN.wav
    cramp-coach --time 02:30 --tz Europe/London   pretend it is 2:30 a.m. there (night mode)
    cramp-coach --grant               the reminders permission is already granted
    cramp-coach --screen hubLandscapeSmall   an Echo Show 5: prints each screen's datasource;
                                      "/touch next" (pause, repeat) touches its buttons

Saying "alexa, good night" (with no session open) runs an Alexa Routine whose action is
Cramp Coach's custom task "start bedtime stretches", as the Alexa app would set it up.

Alexa's service APIs (the device's time zone, reminders) are answered by a stand-in server
the chat starts on 127.0.0.1 (cramp_coach.local.alexa_api); reminder requests sent to it are
shown as they happen.

Each line is resolved to an intent and slots from interaction_model/<locale>.json, wrapped in
a real Alexa request envelope, and passed to `lambda_function.lambda_handler`, exactly as
Lambda would. Progress is kept in the embedded store (CRAMP_COACH_DB, or --db).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .envelope import SCREENS, Device, with_screen
from .locales import AlexaWords, example_phrases, model_locales, model_path, skill_name
from .resolver import Resolver
from .simulator import Simulator, Turn

ALEXA_WORDS_PER_MINUTE = 150


def espeak_ssml(ssml: str) -> str:
    """espeak-ng reads standard SSML; drop Alexa-only tags it would otherwise read aloud."""
    return re.sub(r"</?amazon:[^>]*>", "", ssml)


class Voice:
    """Optional audio: speak through espeak-ng and/or write one WAV per turn."""

    def __init__(self, speak: bool, wav_dir: Path | None, out: TextIO) -> None:
        self.speak = speak
        self.wav_dir = wav_dir
        self.out = out
        self.count = 0
        self.espeak = shutil.which("espeak-ng")
        if (speak or wav_dir) and not self.espeak:
            print("(espeak-ng is not installed: apt-get install espeak-ng; text only)", file=out)

    def render(self, turn: Turn) -> None:
        if not self.espeak or not turn.ssml:
            return
        self.count += 1
        base = [self.espeak, "-m", "-s", str(ALEXA_WORDS_PER_MINUTE)]
        ssml = espeak_ssml(turn.ssml)
        if self.wav_dir is not None:
            self.wav_dir.mkdir(parents=True, exist_ok=True)
            path = self.wav_dir / f"turn-{self.count:02d}.wav"
            subprocess.run([*base, "-w", str(path), ssml], check=False)
            print(f"  (audio: {path})", file=self.out)
        if self.speak:
            subprocess.run([*base, ssml], check=False, stderr=subprocess.DEVNULL)


def show_api_calls(api: Any, seen: int, out: TextIO, verbose: bool) -> int:
    calls = api.calls()
    for call in calls[seen:]:
        if verbose or "/alerts/reminders" in call.path:
            detail = json.dumps(call.body, ensure_ascii=False) if call.body else ""
            print(f"  (stand-in Alexa API: {call.method} {call.path} {detail})".rstrip(), file=out)
    return len(calls)


@functools.cache
def source_prefix(locale: str) -> str:
    """How a card's source line starts in the locale's words ("Source: ", "Quelle: ")."""
    from ..content import ContentLibrary

    return ContentLibrary().get(locale).words["source_line"].split("{", 1)[0]


def show(turn: Turn, out: TextIO, verbose: bool) -> None:
    locale = str(turn.request.get("request", {}).get("locale") or "en-US")
    if turn.resolution is not None and verbose:
        slots = {k: (v.spoken, v.value_id) for k, v in turn.resolution.slots.items()}
        print(
            f"  (heard: {turn.resolution.intent} {slots or ''} score={turn.resolution.score:.2f})",
            file=out,
        )
    if turn.speech:
        whisper = " (whispered)" if "amazon:effect" in turn.ssml else ""
        print(f"{skill_name(locale)}{whisper}: {turn.speech}", file=out)
    alexa, skill = AlexaWords.of(locale), skill_name(locale)
    if turn.consent_request is not None:
        print(f"Alexa: {alexa.consent.format(skill=skill)}", file=out)
    card = turn.card
    if card and card.get("type") == "AskForPermissionsConsent":
        print(f"  [card] {alexa.consent_card.format(skill=skill)}", file=out)
    elif card:
        prefix = source_prefix(locale)
        sources = [ln for ln in str(card.get("content", "")).splitlines() if ln.startswith(prefix)]
        print(f"  [card] {card.get('title', '')}", file=out)
        for line in sources:
            print(f"         {line}", file=out)
    screen = turn.screen
    if screen is not None:  # no APL renderer here: what the document is given to show
        data = json.dumps(screen.get("datasources", {}), ensure_ascii=False)
        print(f"  [screen {screen.get('token', '')}] {data}", file=out)
    if verbose:
        state = "session ends" if turn.ends_session else f"listening; reprompt: {turn.reprompt}"
        print(f"  ({state})", file=out)


def converse(
    simulator: Simulator,
    lines: Iterable[str],
    out: TextIO,
    *,
    echo: bool,
    verbose: bool = False,
    voice: Voice | None = None,
    api: Any = None,
) -> int:
    turns = 0
    seen = 0
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in {"/quit", "/exit"}:
            break
        if echo:
            print(f"> {line}", file=out)
        touched = re.fullmatch(r"/touch\s+(\S+)", line)  # a button on the screen
        turn = simulator.touch(touched.group(1)) if touched else simulator.say(line)
        turns += 1
        task = turn.request.get("request", {}).get("task")
        if task:
            print(f"  (Alexa Routine runs the action: {task['name'].rsplit('.', 1)[-1]})", file=out)
        if api is not None:
            seen = show_api_calls(api, seen, out, verbose)
        show(turn, out, verbose)
        if voice is not None:
            voice.render(turn)
    if simulator.in_session:  # the person stopped talking: Alexa closes the session
        simulator.end("EXCEEDED_MAX_REPROMPTS")
    return turns


def local_zone() -> str:
    """This machine's time zone name, for the simulated device (UTC if it can't be told)."""
    if os.environ.get("TZ", "").count("/") == 1:
        return os.environ["TZ"]
    try:
        link = os.readlink("/etc/localtime")
        return link.split("zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return "UTC"


def simulated_clock(at: str | None, zone: str) -> Callable[[], datetime] | None:
    """A clock fixed at today's `at` (HH:MM) in `zone`, or None for the real time."""
    if not at:
        return None
    from zoneinfo import ZoneInfo

    hour, minute = (int(part) for part in at.split(":", 1))
    local = datetime.now(ZoneInfo(zone)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    fixed = local.astimezone(UTC)
    return lambda: fixed


def build_simulator(
    locale: str,
    api: Any = None,
    clock: Callable[[], datetime] | None = None,
    grant: bool = False,
    screen: str | None = None,
) -> Simulator:
    # The skill reads its configuration (CRAMP_COACH_DB, ...) from the environment on the
    # first request, exactly as on Lambda.
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # keep the transcript readable
    if not os.environ.get("CRAMP_COACH_METRICS_FILE"):  # EMF lines to a file, or none at all
        os.environ["CRAMP_COACH_METRICS"] = "off"
    from lambda_function import lambda_handler

    from ..reminders import SCOPE

    resolver = Resolver.from_files(model_path(locale))
    device = Device(
        locale=locale,
        api_endpoint=api.endpoint if api is not None else Device().api_endpoint,
        granted_scopes=frozenset({SCOPE}) if grant else frozenset(),
    )
    if screen is not None:
        device = with_screen(device, screen)
    zone = (lambda: api.time_zone) if api is not None else None
    return Simulator(lambda_handler, resolver, device, clock=clock, zone=zone)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cramp-coach",
        description="Talk to Cramp Coach locally: type what you would say to Alexa.",
    )
    parser.add_argument("command", nargs="?", default="chat", choices=["chat", "say"])
    parser.add_argument("words", nargs="*", help="with 'say': what to say, in one go")
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--db", type=Path, help="embedded store file (default: CRAMP_COACH_DB)")
    parser.add_argument("--speak", action="store_true", help="speak answers with espeak-ng")
    parser.add_argument("--wav", type=Path, metavar="DIR", help="write each answer as a WAV")
    parser.add_argument("-v", "--verbose", action="store_true", help="show intents and state")
    parser.add_argument("--time", metavar="HH:MM", help="pretend it is this local time")
    parser.add_argument(
        "--tz", default=None, help="the device's time zone (default: this machine's)"
    )
    parser.add_argument("--grant", action="store_true", help="reminders permission already granted")
    parser.add_argument(
        "--screen",
        choices=sorted(SCREENS),
        help="an Echo Show of this viewport profile: prints each screen's datasource; "
        "'/touch next' (pause, repeat) touches its buttons",
    )
    return parser.parse_intermixed_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.db:
        os.environ["CRAMP_COACH_DB"] = str(args.db)
    if not model_path(args.locale).is_file():
        print(
            f"no interaction model for {args.locale} at {model_path(args.locale)} "
            f"(there are: {', '.join(model_locales())})",
            file=sys.stderr,
        )
        return 2
    if args.time and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", args.time):
        print("--time takes HH:MM, for example --time 02:30", file=sys.stderr)
        return 2
    out = sys.stdout
    zone = args.tz or local_zone()
    try:
        clock = simulated_clock(args.time, zone)
    except (KeyError, ValueError):
        print(f"unknown time zone {zone!r}", file=sys.stderr)
        return 2
    from .alexa_api import FakeAlexaApi

    api = FakeAlexaApi(time_zone=zone)
    # Trust the stand-in's own certificate (requests, and the standard library's HTTP client).
    os.environ["REQUESTS_CA_BUNDLE"] = os.environ["SSL_CERT_FILE"] = api.ca_file
    simulator = build_simulator(args.locale, api, clock, args.grant, args.screen)
    voice = Voice(args.speak, args.wav, out) if (args.speak or args.wav) else None
    talk = functools.partial(
        converse, simulator, out=out, verbose=args.verbose, voice=voice, api=api
    )
    if args.command == "say":
        if not args.words:
            print('usage: cramp-coach say "what do I do, my calf is cramping"', file=sys.stderr)
            return 2
        talk([" ".join(args.words)], echo=False)
        api.close()
        return 0
    interactive = sys.stdin.isatty()
    if interactive:
        examples = "\n".join(f"  {phrase}" for phrase in example_phrases(args.locale))
        print(
            f"{skill_name(args.locale)}, local chat ({args.locale}). Say things as you would "
            f"to Alexa, for example\n{examples}\nCtrl-D or /quit to leave.",
            file=out,
        )

    def prompted() -> Iterable[str]:
        while True:
            try:
                yield input("you> ")
            except EOFError:
                return

    lines = prompted() if interactive else sys.stdin
    try:
        talk(lines, echo=not interactive)
    except KeyboardInterrupt:
        print(file=out)
    finally:
        api.close()
    return 0


def run() -> int:
    """Console entry point: like main(), but quiet when the reader goes away (| head)."""
    try:
        return main()
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(run())
