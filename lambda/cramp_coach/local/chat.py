"""`cramp-coach`: talk to the skill in a terminal, no Amazon account needed.

    cramp-coach                       chat: one line per turn (typed, or piped in)
    cramp-coach say "why do my calves cramp at night"
    cramp-coach --speak ...           also speak each answer through espeak-ng
    cramp-coach --wav DIR ...         also write each answer to DIR/turn-NN.wav

Each line is resolved to an intent and slots from interaction_model/<locale>.json, wrapped in
a real Alexa request envelope, and passed to `lambda_function.lambda_handler`, exactly as
Lambda would. Progress is kept in the embedded store (CRAMP_COACH_DB, or --db).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from .envelope import Device
from .resolver import Resolver
from .simulator import Simulator, Turn

REPO_ROOT = Path(__file__).resolve().parents[3]
ALEXA_WORDS_PER_MINUTE = 150


def model_path(locale: str) -> Path:
    return REPO_ROOT / "interaction_model" / f"{locale}.json"


def espeak_ssml(ssml: str) -> str:
    """espeak-ng reads standard SSML; drop Alexa-only tags it would otherwise read aloud."""
    import re

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


def show(turn: Turn, out: TextIO, verbose: bool) -> None:
    if turn.resolution is not None and verbose:
        slots = {k: (v.spoken, v.value_id) for k, v in turn.resolution.slots.items()}
        print(
            f"  (heard: {turn.resolution.intent} {slots or ''} score={turn.resolution.score:.2f})",
            file=out,
        )
    if turn.speech:
        print(f"Cramp Coach: {turn.speech}", file=out)
    card = turn.card
    if card:
        sources = [
            ln for ln in str(card.get("content", "")).splitlines() if ln.startswith("Source")
        ]
        print(f"  [card] {card.get('title', '')}", file=out)
        for line in sources:
            print(f"         {line}", file=out)
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
) -> int:
    turns = 0
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in {"/quit", "/exit"}:
            break
        if echo:
            print(f"> {line}", file=out)
        turn = simulator.say(line)
        turns += 1
        show(turn, out, verbose)
        if voice is not None:
            voice.render(turn)
    if simulator.in_session:  # the person stopped talking: Alexa closes the session
        simulator.end("EXCEEDED_MAX_REPROMPTS")
    return turns


def build_simulator(locale: str) -> Simulator:
    # The skill reads its configuration (CRAMP_COACH_DB, ...) from the environment on the
    # first request, exactly as on Lambda.
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # keep the transcript readable
    from lambda_function import lambda_handler

    resolver = Resolver.from_files(model_path(locale))
    return Simulator(lambda_handler, resolver, Device(locale=locale))


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
    return parser.parse_intermixed_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.db:
        os.environ["CRAMP_COACH_DB"] = str(args.db)
    if not model_path(args.locale).is_file():
        print(
            f"no interaction model for {args.locale} at {model_path(args.locale)}", file=sys.stderr
        )
        return 2
    out = sys.stdout
    simulator = build_simulator(args.locale)
    voice = Voice(args.speak, args.wav, out) if (args.speak or args.wav) else None
    if args.command == "say":
        if not args.words:
            print('usage: cramp-coach say "what do I do, my calf is cramping"', file=sys.stderr)
            return 2
        converse(
            simulator, [" ".join(args.words)], out, echo=False, verbose=args.verbose, voice=voice
        )
        return 0
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            "Cramp Coach, local chat. Say things as you would to Alexa, for example\n"
            "  open cramp coach  |  ask cramp coach what do I do, my calf is cramping\n"
            "Ctrl-D or /quit to leave.",
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
        converse(simulator, lines, out, echo=not interactive, verbose=args.verbose, voice=voice)
    except KeyboardInterrupt:
        print(file=out)
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
