"""`make bench`: what users feel, measured. Writes bench/README.md and prints the table.

- Cold start: a new process imports `lambda_function` and answers one request, interleaved with
  the smallest possible ASK SDK skill (one LaunchRequest handler), medians and ratios; for a
  LaunchRequest, the mid-cramp one-shot (embedded store), and a routine step (DynamoDB on a
  local dynalite, against the minimal skill plus creating a boto3 DynamoDB resource).
- Warm: p50/p99 per request type over in-process requests on the embedded store, with the
  store reads and writes each request type makes.
- Speech: every answer and routine step rendered by espeak-ng at Alexa's pace (150 words a
  minute) and measured with sox; the time to the first instruction word of the mid-cramp answer;
  a returning person's launch and routine (short forms) next to a first-time person's.
  `bench/run.py speech` measures only this part (in seconds, not minutes) and prints it.
- Memory: peak RSS of the cold-start process; the Lambda zip's size (make package).
- SnapStart: what importing everything at init would cost and give.
- Hardening: deletions heard by two real gunicorn workers (items left behind).
  `bench/run.py hardening` measures only this part and rewrites the report with the other
  results kept (bench/results.json).
- Costs: what each kept or removed choice costs a fresh process (`bench/run.py costs` measures
  only this part and rewrites the report with the other results kept).
- Hostile clients (bench/hostile.py): the web service under oversized and deeply nested
  bodies, stale and foreign requests, and slowloris connections. `bench/run.py hostile`
  measures only this part and rewrites the report with the other results kept.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))
sys.path.insert(0, str(ROOT))

import hostile  # noqa: E402  (bench/hostile.py, beside this file)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "31"))  # for the DynamoDB cases (~0.5 s each)
LIGHT_ROUNDS = int(os.environ.get("BENCH_LIGHT_ROUNDS", "81"))  # for the rest (~0.12 s each)
WARM_PER_TYPE = int(os.environ.get("BENCH_WARM", "2500"))  # x 5 request types
WPM = 150

MINIMAL = r"""
import awslambdaric.bootstrap  # RUNTIME: what Lambda's runtime loads before the handler
import json, sys, resource
if "--paused" in sys.argv:  # the same garbage-collector pause as lambda_function.py
    import gc
    gc.disable()
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type
class Launch(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)
    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello").response
builder = SkillBuilder()
builder.add_request_handler(Launch())
handler = builder.lambda_handler()
if "--boto3" in sys.argv:  # the cheapest boto3 object that can read the table: a client
    import boto3
    boto3.client("dynamodb", region_name="us-east-1")
if "--boto3-resource" in sys.argv:  # what the ASK SDK's own DynamoDB adapter needs
    import boto3
    boto3.resource("dynamodb", region_name="us-east-1")
handler(json.loads(sys.argv[1]), None)
if "--paused" in sys.argv:
    gc.freeze()
    gc.enable()
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")))
"""

OURS = r"""
import awslambdaric.bootstrap  # RUNTIME: what Lambda's runtime loads before the handler
import json, sys, resource
import lambda_function
result = lambda_function.lambda_handler(json.loads(sys.argv[1]), None)
assert result["response"].get("outputSpeech"), result
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")))
"""

INIT_THEN_ANSWER = r"""
import json, sys, time
began = time.perf_counter()
import lambda_function
init = time.perf_counter() - began
began = time.perf_counter()
lambda_function.lambda_handler(json.loads(sys.argv[1]), None)
answer = time.perf_counter() - began
print(json.dumps({"init": init, "answer": answer}))
"""


def run_child(
    script: str, event: dict[str, Any], env: dict[str, str], *extra: str
) -> tuple[float, int, float]:
    """Wall time, peak RSS (KiB) and CPU time (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", script, json.dumps(event), *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT / "lambda",
        check=True,
    )
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_kib = int(completed.stdout.strip().splitlines()[-1])
    return elapsed, rss_kib, cpu


def instructions(
    script: str, event: dict[str, Any], env: dict[str, str], *extra: str
) -> int | None:
    """Instructions the process executes (valgrind's callgrind), or None without valgrind.
    Unlike time, this barely moves from run to run: it shows the work, not the machine's mood."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    completed = subprocess.run(
        [
            *(valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"),
            *(sys.executable, "-c", script, json.dumps(event), *extra),
        ],
        capture_output=True,
        text=True,
        env={**env, "PYTHONHASHSEED": "0"},  # the same dict layouts every run
        cwd=ROOT / "lambda",
        check=True,
    )
    found = re.search(r"Collected : (\d+)", completed.stderr)
    return int(found.group(1)) if found else None


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def ratio_interval(case: list[float], base: list[float]) -> tuple[float, float]:
    """A 95 % bootstrap interval for median(case) / median(base)."""
    draw = random.Random(7)
    ratios = sorted(
        statistics.median(draw.choices(case, k=len(case)))
        / statistics.median(draw.choices(base, k=len(base)))
        for _ in range(2000)
    )
    return round(ratios[49], 3), round(ratios[1949], 3)


DYNAMO_BASE = "minimal + boto3 DynamoDB client"
DYNAMO_PAUSED = "minimal + boto3 client, collector paused"
LAST_NIGHT = "mid-cramp one-shot, used last night (embedded store)"
FIRST_EVER = "first-ever launch (embedded store)"
LAST_NIGHT_DYNAMO = "mid-cramp one-shot, used last night (DynamoDB)"
FIRST_EVER_DYNAMO = "first-ever launch (DynamoDB)"
ON_A_SHOW = "mid-cramp one-shot on an Echo Show, used last night (embedded store)"
TARGETS = {FIRST_EVER: 1.30, FIRST_EVER_DYNAMO: 1.30}  # every other case: 1.10
# The same one-shot asked in each of two languages, every locale's content on disk: a cold start
# reads only the words of the request's locale (content.py), so neither pays for the others.
IN_LOCALE = {
    locale: f"mid-cramp one-shot in {locale} (embedded store)" for locale in ("en-US", "de-DE")
}


def locale_cases() -> dict[str, str]:
    """The per-locale rows whose locale has content here (de-DE: once its words are in)."""
    return {k: v for k, v in IN_LOCALE.items() if (ROOT / "content" / k).is_dir()}


def baselines(name: str) -> tuple[str, str]:
    """The case's baseline as is, and with the same collector pause as lambda_function.py."""
    if "DynamoDB" in name:
        return DYNAMO_BASE, DYNAMO_PAUSED
    return "minimal ASK SDK skill", "minimal, collector paused"


def prepared(event: Any, environment: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """A case's event and environment; a callable environment makes fresh ones for each run
    (a new store file, a new person)."""
    if callable(environment):
        made = environment()
        if "event" in made:
            return made["event"], made["env"]
        return event, made
    return event, environment


def cold_start(api: Any, dynalite: Any, table: str, folder: Path) -> dict[str, Any]:
    from cramp_coach.local import envelope as env

    device = env.Device(api_endpoint=api.endpoint)
    launch = env.envelope(env.launch_request(), device, env.Session())
    cramp = env.envelope(env.intent_request("CrampNowIntent"), device, env.Session())
    step = env.envelope(
        env.intent_request("AMAZON.NextIntent"),
        device,
        env.Session(new=False, attributes={"routine": {"length": "full", "position": 0}}),
    )
    base = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "LOG_LEVEL": "INFO",  # the production default
        # Counted, not written: on Lambda a request's EMF line is written after its answer has
        # gone (afterwards.py), which a whole process's wall time here would include; what the
        # extension costs before an answer is measured by `bench/run.py metrics`.
        "CRAMP_COACH_METRICS": "off",
        "SSL_CERT_FILE": api.ca_file,
        "REQUESTS_CA_BUNDLE": api.ca_file,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    embedded = {**base, "CRAMP_COACH_DB": str(folder / "cold.sqlite3")}
    dynamo = {
        **base,
        "DYNAMODB_PERSISTENCE_TABLE_NAME": table,
        "DYNAMODB_PERSISTENCE_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": dynalite.endpoint,
    }
    # A person seen minutes ago: welcomed, the zone looked up today. These first runs also
    # write the bytecode a deployed bundle ships (tools/package.py).
    run_child(OURS, launch, embedded)
    run_child(OURS, launch, dynamo)
    run_child(MINIMAL, launch, base, "--boto3")
    # The skill's typical cold start: someone who used it last night, from a process long gone
    # (their state written then), asking mid-cramp. The device's zone is a day old.
    sleeper = env.Device(api_endpoint=api.endpoint, user_id="amzn1.ask.account.LASTNIGHT")
    last_night = datetime.now(UTC) - timedelta(hours=20)
    evening = env.envelope(env.launch_request(now=last_night), sleeper, env.Session())
    last_night_db = {**base, "CRAMP_COACH_DB": str(folder / "last-night.sqlite3")}
    run_child(OURS, evening, last_night_db)
    run_child(OURS, evening, dynamo)
    woken = env.envelope(env.intent_request("CrampNowIntent"), sleeper, env.Session())
    # The same person at an Echo Show 5: the answer's screen too (screens.py, content/apl/).
    show = env.envelope(
        env.intent_request("CrampNowIntent"),
        env.with_screen(sleeper, "hubLandscapeSmall"),
        env.Session(),
    )
    in_locale = {
        name: env.envelope(
            env.intent_request("CrampNowIntent", locale=locale),
            env.Device(api_endpoint=api.endpoint, locale=locale),
            env.Session(),
        )
        for locale, name in locale_cases().items()
    }
    for event in in_locale.values():
        run_child(OURS, event, embedded)
    # A first-ever launch: nobody known, so the welcome, the disclaimer, the Settings API call
    # over HTTPS and the first writes (a new store file each time on the embedded store).
    newcomer = env.Device(api_endpoint=api.endpoint, user_id="amzn1.ask.account.NEWCOMER")
    first_launch = env.envelope(env.launch_request(), newcomer, env.Session())
    fresh = iter(range(10**6))

    def first_ever_embedded() -> dict[str, str]:
        return {**base, "CRAMP_COACH_DB": str(folder / f"first-{next(fresh)}.sqlite3")}

    def first_ever_dynamo() -> dict[str, Any]:
        user = f"amzn1.ask.account.NEWCOMER{next(fresh)}"
        device = env.Device(api_endpoint=api.endpoint, user_id=user)
        return {"env": dynamo, "event": env.envelope(env.launch_request(), device, env.Session())}

    cases: dict[str, tuple[str, Any, Any, tuple[str, ...]]] = {
        "minimal ASK SDK skill": (MINIMAL, launch, base, ()),
        "minimal, collector paused": (MINIMAL, launch, base, ("--paused",)),
        DYNAMO_BASE: (MINIMAL, launch, base, ("--boto3",)),
        "minimal + boto3 DynamoDB resource": (MINIMAL, launch, base, ("--boto3-resource",)),
        DYNAMO_PAUSED: (MINIMAL, launch, base, ("--boto3", "--paused")),
        "LaunchRequest (embedded store)": (OURS, launch, embedded, ()),
        "mid-cramp one-shot (embedded store)": (OURS, cramp, embedded, ()),
        LAST_NIGHT: (OURS, woken, last_night_db, ()),
        ON_A_SHOW: (OURS, show, last_night_db, ()),
        FIRST_EVER: (OURS, first_launch, first_ever_embedded, ()),
        **{name: (OURS, event, embedded, ()) for name, event in in_locale.items()},
        "LaunchRequest (DynamoDB)": (OURS, launch, dynamo, ()),
        "mid-cramp one-shot (DynamoDB)": (OURS, cramp, dynamo, ()),
        LAST_NIGHT_DYNAMO: (OURS, woken, dynamo, ()),
        FIRST_EVER_DYNAMO: (OURS, None, first_ever_dynamo, ()),
        "routine step (DynamoDB)": (OURS, step, dynamo, ()),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    rss: dict[str, int] = {name: 0 for name in cases}
    shuffle = random.Random(20261127).shuffle
    for round_number in range(max(ROUNDS, LIGHT_ROUNDS)):
        # Interleaved, so drift hits every case alike; in a new order each round, so no case
        # always follows the heavy boto3 processes. The quick cases get more rounds.
        order = [
            name
            for name in cases
            if round_number < (ROUNDS if ("DynamoDB" in name or "boto3" in name) else LIGHT_ROUNDS)
        ]
        shuffle(order)
        for name in order:
            script, event, environment, extra = cases[name]
            event, environment = prepared(event, environment)
            elapsed, peak, used = run_child(script, event, environment, *extra)
            times[name].append(elapsed)
            cpu[name].append(used)
            rss[name] = max(rss[name], peak)
    counted = {
        name: instructions(script, *prepared(event, environment), *extra)
        for name, (script, event, environment, extra) in cases.items()
    }
    intervals = {}
    for name in cases:
        if name.startswith("minimal"):
            continue
        plain, paused = baselines(name)
        intervals[name] = {
            "plain": ratio_interval(times[name], times[plain]),
            "paused": ratio_interval(times[name], times[paused]),
        }
    return {
        "median_ms": {k: median_ms(v) for k, v in times.items()},
        "cpu_ms": {k: median_ms(v) for k, v in cpu.items()},
        "instructions": counted,
        "intervals": intervals,
        "samples": {k: len(v) for k, v in times.items()},
        "rss_kib": rss,
    }


def warm(api: Any, folder: Path) -> dict[str, Any]:
    from cramp_coach.config import Config
    from cramp_coach.entry import handle_event
    from cramp_coach.local import envelope as env
    from cramp_coach.skill import build_skill
    from tools.stores import CountingStore

    store = CountingStore(folder / "warm.sqlite3")
    skill = build_skill(Config(), store, rng=random.Random(1))
    device = env.Device(api_endpoint=api.endpoint)
    handle_event(env.envelope(env.launch_request(), device, env.Session()), None, skill)  # welcome

    def session(attributes: dict[str, Any] | None = None) -> env.Session:
        return env.Session(new=attributes is None, attributes=attributes or {})

    position = [0]

    def routine_step() -> dict[str, Any]:
        attributes = {"routine": {"length": "full", "position": position[0] % 4}}
        position[0] += 1
        return env.envelope(env.intent_request("AMAZON.NextIntent"), device, session(attributes))

    kinds = {
        "LaunchRequest": lambda: env.envelope(env.launch_request(), device, session()),
        "mid-cramp one-shot": lambda: env.envelope(
            env.intent_request("CrampNowIntent"), device, session()
        ),
        "question in session": lambda: env.envelope(
            env.intent_request("WhyCrampsIntent"), device, session({"heard": {}})
        ),
        "help": lambda: env.envelope(env.intent_request("AMAZON.HelpIntent"), device, session()),
        "routine step": routine_step,
    }
    results: dict[str, Any] = {}
    for name, make in kinds.items():
        events = [make() for _ in range(WARM_PER_TYPE)]
        for event in events[:50]:
            handle_event(event, None, skill)  # warm up
        store.reads = store.writes = 0
        latencies = []
        for event in events:
            began = time.perf_counter()
            handle_event(event, None, skill)
            latencies.append(time.perf_counter() - began)
        latencies.sort()
        results[name] = {
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
            "reads": round(store.reads / len(events), 2),
            "writes": round(store.writes / len(events), 2),
        }
    results["_total"] = WARM_PER_TYPE * len(kinds)
    return results


def espeak_voice(locale: str) -> str:
    """The espeak-ng voice a locale is measured in: its language's default voice, so every
    English market is measured as en-US always was (espeak-ng's "en"), German in "de"."""
    return locale.split("-")[0]


def speech() -> dict[str, Any] | None:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        return None
    from cramp_coach.content import ContentLibrary
    from cramp_coach.routine import introduction, render_step

    library = ContentLibrary()
    content = library.get("en-US")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds = spoken_seconds("en-US")
        by_locale = {
            locale: answer_lengths(library.get(locale), spoken_seconds(locale), folder)
            for locale in sorted(library.available())
        }
        routine = {}
        for key, routine_length in content.routine.lengths.items():
            pick = lambda k, options: options[0]  # noqa: E731
            opening, _ = introduction(content.routine, routine_length, pick)
            total_s = seconds(opening.ssml(), folder, f"{key}-intro")
            steps = [round(total_s, 1)]
            for i in range(len(routine_length.steps)):
                step_s = seconds(
                    render_step(content.routine, routine_length, i, pick).speech.ssml(),
                    folder,
                    f"{key}-{i}",
                )
                steps.append(round(step_s, 1))
                total_s += step_s
            routine[key] = {
                "measured_s": round(total_s, 1),
                "stated_s": routine_length.seconds,
                "steps_s": steps,
            }
        returning = returning_speech(content, seconds, folder)
    return {
        **by_locale["en-US"],
        "locales": by_locale,
        "routine": routine,
        "returning": returning,
    }


def spoken_seconds(locale: str) -> Callable[[str, Path, str], float]:
    """How long espeak-ng, in the locale's voice, takes to say an SSML document."""
    voice = espeak_voice(locale)

    def seconds(document: str, folder: Path, name: str) -> float:
        wav = folder / f"{locale}-{name}.wav"
        spoken = document.replace('<amazon:effect name="whispered">', "").replace(
            "</amazon:effect>", ""
        )
        subprocess.run(
            ["espeak-ng", "-v", voice, "-m", "-s", str(WPM), "-w", str(wav), spoken], check=True
        )
        out = subprocess.run(["soxi", "-D", str(wav)], capture_output=True, text=True, check=True)
        return float(out.stdout)

    return seconds


def answer_lengths(
    content: Any, seconds: Callable[[str, Path, str], float], folder: Path
) -> dict[str, Any]:
    """One locale's answers as its voice says them: every phrasing with its longest offer, the
    mid-cramp answer's first instruction word and the red flags' first three words."""
    from cramp_coach import ssml

    longest = (0.0, "")
    count = 0
    for reply in [*content.topics.values(), *content.replies.values()]:
        asks = reply.offer.ask if reply.offer else ("",)
        for i, phrase in enumerate((*reply.say, *reply.night)):
            text = f"{phrase} {max(asks, key=len)}".strip().replace("{sources}", "the NHS")
            length = seconds(ssml.text(text, content.spoken_as).ssml(), folder, f"{reply.key}-{i}")
            count += 1
            longest = max(longest, (length, f"{reply.key}[{i}]"))

    def first_word_spoken(text: str, name: str) -> float:
        """When the answer's first word is over: the leading silence, then that word."""
        wav = folder / f"{content.locale}-{name}-first.wav"
        voice = espeak_voice(content.locale)
        document = ssml.text(text, content.spoken_as).ssml()
        subprocess.run(
            ["espeak-ng", "-v", voice, "-m", "-s", str(WPM), "-w", str(wav), document], check=True
        )
        trimmed = folder / f"{content.locale}-{name}-trimmed.wav"
        subprocess.run(["sox", str(wav), str(trimmed), "silence", "1", "0.02", "1%"], check=True)
        total = float(
            subprocess.run(["soxi", "-D", str(wav)], capture_output=True, text=True).stdout
        )
        rest = float(
            subprocess.run(["soxi", "-D", str(trimmed)], capture_output=True, text=True).stdout
        )
        word = seconds(ssml.text(text.split()[0]).ssml(), folder, f"{name}-word")
        return round(total - rest + word, 2)

    # The red flags' action words: "Call 911 now" is heard by the end of its third word; for
    # each urgent topic, its slowest phrasing (day or night).
    action = {
        key: max(
            first_word_spoken(" ".join(phrase.split()[:3]), f"{key}-{i}")
            for i, phrase in enumerate((*topic.say, *topic.night))
        )
        for key, topic in content.topics.items()
        if topic.urgent
    }
    return {
        "answers": count,
        "longest_s": round(longest[0], 1),
        "longest": longest[1],
        "first_instruction_s": first_word_spoken(content.topics["cramp_now"].say[0], "cramp"),
        "red_flag_action_s": action,
    }


def returning_speech(
    content: Any, seconds: Callable[[str, Path, str], float], folder: Path
) -> dict[str, Any]:
    """A returning person next to a first-time one: each launch greeting (its longest
    phrasing), and per routine length the introduction and each step in short form, as heard
    by someone who has completed every stretch a few times and finished the routine before
    (the first step with "say explain for the full steps", as in the first such session)."""
    from cramp_coach import ssml
    from cramp_coach.routine import Form, introduction, render_step

    def longest(key: str) -> float:
        phrasings = content.replies[key].say
        return round(
            max(
                seconds(ssml.text(p, content.spoken_as).ssml(), folder, f"{key}-{i}")
                for i, p in enumerate(phrasings)
            ),
            1,
        )

    greetings = {
        "first": "launch_first",
        "returning": "launch",
        "long_absence": "launch_long_absence",
        "night": "launch_night",
    }
    launch = {name: longest(key) for name, key in greetings.items()}
    routine: dict[str, Any] = {}
    for key, length in content.routine.lengths.items():
        pick = lambda k, options: options[0]  # noqa: E731
        opening, _ = introduction(content.routine, length, pick, Form(knows_flow=True))
        total_s = seconds(opening.ssml(), folder, f"{key}-short-intro")
        steps = [round(total_s, 1)]
        for i in range(len(length.steps)):
            form = Form(short=True, hint=i == 0, knows_flow=True)
            turn = render_step(content.routine, length, i, pick, form=form)
            step_s = seconds(turn.speech.ssml(), folder, f"{key}-short-{i}")
            steps.append(round(step_s, 1))
            total_s += step_s
        routine[key] = {"measured_s": round(total_s, 1), "steps_s": steps}
    return {"launch_s": launch, "routine": routine}


def bundle() -> dict[str, Any]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    }
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "package.py")],
        check=True,
        capture_output=True,
        env=environment,
    )
    size = (ROOT / "build" / "cramp-coach-lambda.zip").stat().st_size
    return {"zip_mib": round(size / 1024 / 1024, 2)}


COST = r"""
import sys, time
exec(sys.argv[1])
began = time.perf_counter()
exec(sys.argv[2])
print(time.perf_counter() - began)
"""
COST_ROUNDS = int(os.environ.get("BENCH_COST_ROUNDS", "21"))
# Loaded first in each process, as on a cold start: what Lambda's runtime and the ASK SDK load
# anyway, so each figure is what the choice adds (logging alone is timed without it: the runtime
# loads it, so it is the local path's cost).
PRELUDE = "import awslambdaric.bootstrap, ask_sdk_core.skill_builder, ask_sdk_core.utils\n"
WITHOUT_PRELUDE = frozenset({"logging"})
# What each kept or removed choice costs a fresh process: (set-up, the timed code).
COSTS = {
    "boto3 DynamoDB client": (
        "",
        "import boto3; boto3.client('dynamodb', region_name='us-east-1')",
    ),
    "boto3 DynamoDB resource": (
        "",
        "import boto3; boto3.resource('dynamodb', region_name='us-east-1')",
    ),
    "Flask and flask-ask-sdk": (
        "from cramp_coach.web import oscrypto_compat; oscrypto_compat.install()",
        "import flask_ask_sdk.skill_adapter",
    ),
    "requests (the SDK's DefaultApiClient)": ("", "import ask_sdk_core.api_client"),
    "urllib.request": ("", "import urllib.request"),
    "a TLS context (the trust store)": ("import ssl", "ssl.create_default_context()"),
    "hashlib": ("", "import hashlib"),
    "zoneinfo and one zone": ("", "from zoneinfo import ZoneInfo; ZoneInfo('America/New_York')"),
    "random": ("", "import random"),
    "logging": ("", "import logging"),
    "dataclasses (with inspect)": ("", "import dataclasses, inspect"),
    "twenty frozen slotted dataclasses": (
        "from dataclasses import dataclass",
        "for _ in range(20):\n"
        "    @dataclass(frozen=True, slots=True)\n"
        "    class Value:\n"
        "        a: int\n"
        "        b: str = ''\n"
        "        c: tuple[str, ...] = ()\n"
        "        d: int = 0",
    ),
    "the four lazy handler groups": (
        "import cramp_coach.skill",
        "; ".join(
            f"import cramp_coach.handlers.{name}"
            for name in ("routine", "reminders", "privacy", "settings")
        ),
    ),
}


def costs(folder: Path) -> dict[str, float]:
    """Median milliseconds of each item in COSTS, in fresh processes, interleaved; and our own
    package imported with and without bytecode (what shipping bytecode in the zip saves)."""
    with_pyc, without_pyc = folder / "with-bytecode", folder / "without-bytecode"
    for target in (with_pyc, without_pyc):
        shutil.copytree(
            ROOT / "lambda" / "cramp_coach",
            target / "cramp_coach",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(with_pyc)], check=True)
    ours = "import cramp_coach.skill, cramp_coach.content, cramp_coach.entry"
    runs: dict[str, tuple[Path, str, str]] = {
        name: (ROOT / "lambda", setup, code) for name, (setup, code) in COSTS.items()
    }
    runs["our package, bytecode shipped"] = (with_pyc, "", ours)
    runs["our package, compiled at import"] = (without_pyc, "", ours)
    times: dict[str, list[float]] = {name: [] for name in runs}
    shuffle = random.Random(11).shuffle
    for _ in range(COST_ROUNDS):
        order = list(runs)
        shuffle(order)
        for name in order:
            where, setup, code = runs[name]
            if name not in WITHOUT_PRELUDE:
                setup = PRELUDE + setup
            done = subprocess.run(
                [sys.executable, "-B", "-c", COST, setup, code],
                capture_output=True,
                text=True,
                cwd=where,
                check=True,
            )
            times[name].append(float(done.stdout.strip()))
    return {name: median_ms(values) for name, values in times.items()}


METRICS_ROUNDS = int(os.environ.get("BENCH_METRICS_ROUNDS", "21"))
# An answered request, as on a cold start: what the first EMF line's serializer adds after it.
ANSWERED = (
    "import gc, json; gc.disable()\n"
    "import lambda_function\n"
    "from cramp_coach.entry import handle_event\n"
    "from cramp_coach.local import envelope as env\n"
    "handle_event(env.envelope(env.intent_request('CrampNowIntent'), env.Device(), "
    "env.Session()), None)\n"
)
ONE_LINE = {"Locale": "en-US", "Period": "night", "Screen": "no"}
POWERTOOLS_LINE = (
    "from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit\n"
    "m = EphemeralMetrics(namespace='CrampCoach', service='')\n"
    f"for k, v in {ONE_LINE!r}.items(): m.add_dimension(name=k, value=v)\n"
    "m.add_metric(name='Request.CrampNowIntent', unit=MetricUnit.Count, value=1)\n"
    "print(json.dumps(m.serialize_metric_set()))"
)
EMF_LIBRARY_LINE = (
    "import asyncio\n"
    "from aws_embedded_metrics.logger.metrics_logger_factory import create_metrics_logger\n"
    "logger = create_metrics_logger(); logger.set_namespace('CrampCoach')\n"
    f"logger.set_dimensions({ONE_LINE!r})\n"
    "logger.put_metric('Request.CrampNowIntent', 1, 'Count')\n"
    "asyncio.run(logger.flush())"
)
# Each library, imported and writing one line, in a fresh process after what Lambda's runtime
# and the ASK SDK load (PRELUDE); then the chosen one where the skill uses it, after an answer.
METRICS_COSTS = {
    "aws-lambda-powertools: import Metrics": (
        "",
        "from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit",
    ),
    "aws-lambda-powertools: import, init, one line": ("import json", POWERTOOLS_LINE),
    "aws-embedded-metrics: import": ("", "import aws_embedded_metrics.logger.metrics_context"),
    "aws-embedded-metrics: import, init, one line (flush)": ("", EMF_LIBRARY_LINE),
    "aws-lambda-powertools, after the skill's cold answer (as shipped)": (
        ANSWERED,
        POWERTOOLS_LINE,
    ),
    "aws-lambda-powertools, after a boto3 DynamoDB client (the production path)": (
        "import json, boto3; boto3.client('dynamodb', region_name='us-east-1')\n",
        POWERTOOLS_LINE,
    ),
    "http.client (the extension's HTTP client, at init)": ("", "import http.client"),
    "http.client after a boto3 DynamoDB client (the production path)": (
        "import boto3; boto3.client('dynamodb', region_name='us-east-1')\n",
        "import http.client",
    ),
    "the next line, in the same process": (
        ANSWERED + POWERTOOLS_LINE.replace("print(", "_ = ("),
        POWERTOOLS_LINE.replace(
            "from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit\n", ""
        ),
    ),
}


AT_INIT = "http.client (the extension's HTTP client, at init)"


def metrics_through_the_runtime() -> dict[str, Any]:
    """A cold start the way Lambda runs it (awslambdaric, a stand-in Runtime API that speaks the
    Extensions API too): from the process's start, and from the event's hand-out, to the
    response reaching the API; metrics on (the extension writes each line after the answer) and
    off. Medians of METRICS_ROUNDS fresh processes each, interleaved."""
    from cramp_coach.local import envelope as env

    device = env.Device(api_endpoint="https://127.0.0.1:9")
    event = env.envelope(env.intent_request("CrampNowIntent"), device, env.Session())
    folder = Path(tempfile.mkdtemp(prefix="cramp-coach-bench-"))
    times: dict[str, dict[str, list[float]]] = {
        kind: {"answer": [], "whole": [], "init": [], "handler": [], "dynamo_init": [],
               "dynamo_handler": []}
        for kind in ("on", "off")
    }  # fmt: skip
    registering: list[float] = []
    shuffle = random.Random(16).shuffle
    from tools.dynalite import Dynalite

    dynalite = Dynalite()
    try:
        table = dynalite.create_table(dynalite.client(), "cramp-coach-bench-metrics")
        dynamo = {
            "DYNAMODB_PERSISTENCE_TABLE_NAME": table,
            "DYNAMODB_PERSISTENCE_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_DYNAMODB": dynalite.endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
        }
        _through_the_runtime(event, folder, times, registering, shuffle, dynamo)
    finally:
        dynalite.stop()
    return {
        "registration_ms": median_ms(registering),
        **{
            kind: {part: median_ms(values) for part, values in parts.items()}
            for kind, parts in times.items()
        },
    }


def _through_the_runtime(
    event: dict[str, Any],
    folder: Path,
    times: dict[str, dict[str, list[float]]],
    registering: list[float],
    shuffle: Callable[[list[str]], None],
    dynamo: dict[str, str],
) -> None:
    from tools.lambda_runtime import FakeRuntimeApi

    for round_ in range(METRICS_ROUNDS):
        kinds = ["on", "off"]
        shuffle(kinds)
        for kind in kinds:
            runtime = FakeRuntimeApi([event])
            began = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", "awslambdaric", "lambda_function.lambda_handler"],
                cwd=ROOT / "lambda",
                env={
                    **os.environ,
                    "PYTHONPATH": str(ROOT / "lambda"),
                    "LAMBDA_TASK_ROOT": str(ROOT / "lambda"),
                    "AWS_LAMBDA_RUNTIME_API": runtime.address,
                    "AWS_LAMBDA_FUNCTION_NAME": "cramp-coach",
                    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                    "CRAMP_COACH_DB": str(folder / f"{kind}-{round_}.sqlite3"),
                    "CRAMP_COACH_METRICS": kind,
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                runtime.results.get(timeout=60)
                runtime.settled()
            finally:
                process.kill()
                output = process.communicate()[0]
                runtime.close()
            assert (kind == "on") == ('{"_aws"' in output), output
            times[kind]["answer"].append(runtime.answered_at[0] - runtime.handed_at[0])
            times[kind]["whole"].append(runtime.answered_at[0] - began)
            # The same two phases timed inside the process (less noise than the round trips
            # above): the import of lambda_function (the extension registers there), and the
            # handler's answer (with metrics on, its line only queued for afterwards).
            phases = timed_phases(
                event,
                {"CRAMP_COACH_DB": str(folder / f"{kind}-{round_}-timed.sqlite3")},
                kind,
            )
            times[kind]["init"].append(phases["init"])
            times[kind]["handler"].append(phases["answer"])
            # The production path: the same, on DynamoDB (boto3 and its client in the answer).
            phases = timed_phases(event, dynamo, kind)
            times[kind]["dynamo_init"].append(phases["init"])
            times[kind]["dynamo_handler"].append(phases["answer"])
        # The registration alone, as lambda_function does it at init (after the runtime's and
        # the skill's modules): http.client, one round trip, the thread started.
        runtime = FakeRuntimeApi([])
        try:
            done = subprocess.run(
                [sys.executable, "-c", COST, PRELUDE + "import cramp_coach.entry as e",
                 "assert e.write_metrics_after_answers()"],
                capture_output=True,
                text=True,
                cwd=ROOT / "lambda",
                env={**os.environ, "AWS_LAMBDA_RUNTIME_API": runtime.address},
                check=True,
            )  # fmt: skip
        finally:
            runtime.close()
        registering.append(float(done.stdout.strip().splitlines()[-1]))


def timed_phases(event: dict[str, Any], store: dict[str, str], metrics: str) -> dict[str, float]:
    """The import of lambda_function (where the extension registers) and the handler's answer
    (with metrics on, its line only queued for afterwards), timed inside a fresh process that
    has a Runtime API to register with: less noise than the round trips through the runtime."""
    from tools.lambda_runtime import FakeRuntimeApi

    runtime = FakeRuntimeApi([])
    try:
        done = subprocess.run(
            [sys.executable, "-c", INIT_THEN_ANSWER, json.dumps(event)],
            capture_output=True,
            text=True,
            cwd=ROOT / "lambda",
            env={
                **os.environ,
                **store,
                "AWS_LAMBDA_RUNTIME_API": runtime.address,
                "CRAMP_COACH_METRICS": metrics,
            },
            check=True,
        )
    finally:
        runtime.close()
    phases: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return phases


def metrics_libraries() -> dict[str, Any]:
    """Median milliseconds of each METRICS_COSTS item in fresh processes, interleaved (on Lambda
    the runtime sets AWS_LAMBDA_FUNCTION_NAME, which aws-embedded-metrics reads to choose its
    sink; set here too, so it writes to stdout rather than probing for an agent)."""
    environment = {
        **os.environ,
        "AWS_LAMBDA_FUNCTION_NAME": "cramp-coach",
        "CRAMP_COACH_METRICS": "off",  # the answer itself writes no line: the timed code does
        "CRAMP_COACH_DB": str(Path(tempfile.mkdtemp(prefix="cramp-coach-bench-")) / "s.sqlite3"),
    }
    times: dict[str, list[float]] = {name: [] for name in METRICS_COSTS}
    shuffle = random.Random(15).shuffle
    for _ in range(METRICS_ROUNDS):
        order = list(METRICS_COSTS)
        shuffle(order)
        for name in order:
            setup, code = METRICS_COSTS[name]
            done = subprocess.run(
                [sys.executable, "-c", COST, PRELUDE + setup, code],
                capture_output=True,
                text=True,
                cwd=ROOT / "lambda",
                env=environment,
                check=True,
            )
            times[name].append(float(done.stdout.strip().splitlines()[-1]))
    return {
        "rounds": METRICS_ROUNDS,
        **{name: median_ms(v) for name, v in times.items()},
        "runtime": metrics_through_the_runtime(),
    }


def snapstart(api: Any, dynalite: Any, table: str, folder: Path) -> dict[str, Any]:
    """Init and first answer, on demand and initialised ahead (as under SnapStart), on DynamoDB."""
    from cramp_coach.local import envelope as env

    event = env.envelope(
        env.intent_request("CrampNowIntent"), env.Device(api_endpoint=api.endpoint), env.Session()
    )
    environment = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "LOG_LEVEL": "INFO",
        "SSL_CERT_FILE": api.ca_file,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "DYNAMODB_PERSISTENCE_TABLE_NAME": table,
        "DYNAMODB_PERSISTENCE_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": dynalite.endpoint,
    }
    ahead = {**environment, "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
    runs: dict[str, list[dict[str, float]]] = {"on_demand": [], "ahead": []}
    for _ in range(max(5, ROUNDS // 2)):
        for kind, variables in (("on_demand", environment), ("ahead", ahead)):
            out = subprocess.run(
                [sys.executable, "-c", INIT_THEN_ANSWER, json.dumps(event)],
                capture_output=True,
                text=True,
                env=variables,
                cwd=ROOT / "lambda",
                check=True,
            )
            runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        kind: {
            "init_ms": median_ms([r["init"] for r in values]),
            "answer_ms": median_ms([r["answer"] for r in values]),
        }
        for kind, values in runs.items()
    }


DELETIONS = 50


def hardening(api: Any, folder: Path) -> dict[str, Any]:
    """Deletions that stick: each "delete my data", "yes" is a new person on a new device, served
    by `make serve`'s two gunicorn workers on one SQLite file, so the yes often reaches a worker
    that has never seen the device (and looks its time zone up during the deletion)."""
    from cramp_coach.local.envelope import LOCAL_SKILL_ID
    from cramp_coach.local.resolver import Resolver
    from cramp_coach.store import SqliteStore
    from tools.served import Gunicorn, deletions_left

    resolver = Resolver.from_files(ROOT / "interaction_model" / "en-US.json")
    server = Gunicorn(folder, LOCAL_SKILL_ID, insecure=True)
    try:
        store = SqliteStore(server.database)
        left = deletions_left(server, store, resolver, api.endpoint, DELETIONS)
    finally:
        server.stop()
    return {"deletions": {"conversations": DELETIONS, "workers": 2, "items_left": left}}


def metrics_section(results: dict[str, Any]) -> list[str]:
    """Which EMF library, and what it costs a cold start (issue 15)."""
    cost = results.get("metrics")
    if not cost:
        return []
    production = results["cold"]["median_ms"].get(LAST_NIGHT_DYNAMO)
    local = results["cold"]["median_ms"].get(LAST_NIGHT)
    shipped = cost["aws-lambda-powertools, after the skill's cold answer (as shipped)"]
    rows = [
        f"| {name} | {value} ms |"
        for name, value in cost.items()
        if name not in ("rounds", "runtime")
    ]
    share = (
        f" ({shipped / production:.1%} of the typical production cold start, "
        f"{shipped / local:.1%} of the local one)"
        if production and local
        else ""
    )
    lines = [
        "",
        "## Metrics: the EMF library's cost",
        "",
        f"Medians of {cost['rounds']} fresh processes each, interleaved, after what Lambda's "
        f"runtime and the ASK SDK load anyway (`bench/run.py metrics`): each library imported, "
        f"set up and writing one line; then the chosen one where the skill would pay it, after "
        f"a cold answer (the garbage collector paused, as `lambda_function.py` does), and a "
        f"later line in the same process.",
        "",
        "| what | median |",
        "|---|---|",
        *rows,
        "",
        "Chosen: aws-lambda-powertools. aws-embedded-metrics loads aiohttp (and asyncio) with "
        "its package, whatever part of it is imported: ten times powertools' cost, and over "
        "7 MB of dependencies. powertools' Metrics is pure Python on jmespath (which the Lambda "
        "runtime provides) and typing-extensions; the zip keeps only the modules its serializer "
        "loads (tools/package.py, checked by tests/test_metrics.py) and stays under 5 MB.",
        "",
        f"Neither import is a few milliseconds ({shipped} ms for powertools after a cold "
        f"answer{share}), so the library stays off the answer's path. Handlers count into a "
        "Counter in the request's attributes (no import, microseconds). On Lambda, initialised "
        "on demand, an internal extension (a thread registered with the Extensions API at "
        "init, `afterwards.py`) serializes and writes each request's line after the response "
        "has been posted: Lambda returns the response to Alexa then, and ends the invocation "
        "when the extension asks for its next event. On the production path the serializer "
        "would cost "
        f"{cost.get('aws-lambda-powertools, after a boto3 DynamoDB client (the production path)')}"
        " ms after the answer's boto3 client (botocore has loaded jmespath), which is what the "
        "extension keeps off it. It speaks the Extensions API with the standard library's "
        f"http.client ({cost.get(AT_INIT)} ms at init); "
        "on the production path botocore loads it in the first answer anyway "
        f"({cost.get('http.client after a boto3 DynamoDB client (the production path)')} ms "
        "after the client), so a hand-written client would save nothing there. Under SnapStart "
        "or provisioned concurrency "
        "the serializer is loaded at init instead. The web service loads it at start.",
    ]
    runtime = cost.get("runtime")
    if runtime:
        on, off = runtime["on"], runtime["off"]
        lines += [
            "",
            "The same cold start through Lambda's runtime interface client (awslambdaric) and a "
            "stand-in Runtime API speaking the Extensions API, mid-cramp answer on the embedded "
            f"store, medians of {cost['rounds']} processes each:",
            "",
            "| metrics | init (import `lambda_function`), timed inside | answer (the handler), timed inside | event handed out to response posted | process start to response posted |",
            "|---|---|---|---|---|",
            f"| on (the extension writes the line afterwards) | {on['init']} ms | {on['handler']} ms | {on['answer']} ms | {on['whole']} ms |",
            f"| off | {off['init']} ms | {off['handler']} ms | {off['answer']} ms | {off['whole']} ms |",
            "",
            "On the production path, DynamoDB (boto3 and its client loaded in the answer), the "
            "same two phases timed inside the process:",
            "",
            "| metrics | init | answer | init and answer |",
            "|---|---|---|---|",
            f"| on | {on['dynamo_init']} ms | {on['dynamo_handler']} ms | "
            f"{on['dynamo_init'] + on['dynamo_handler']:.1f} ms |",
            f"| off | {off['dynamo_init']} ms | {off['dynamo_handler']} ms | "
            f"{off['dynamo_init'] + off['dynamo_handler']:.1f} ms |",
            "",
            f"What metrics add before a cold answer is posted is the extension's registration at "
            f"init, timed alone: {runtime.get('registration_ms')} ms. Of that, "
            f"{cost.get(AT_INIT)} ms is importing http.client, which the answer loads anyway on "
            f"the production path (botocore) and for a person whose zone is looked up (the "
            f"Settings API), so init pays it instead; the rest, about "
            f"{max(0.0, runtime.get('registration_ms', 0) - cost.get(AT_INIT, 0)):.1f} ms, is "
            f"one round trip to the stand-in (which runs in the measuring process here and "
            f"answers more slowly than Lambda's own Runtime API) and the thread started. The "
            f"answer only queues its line. On the embedded store the phases timed inside differ "
            f"by {on['init'] - off['init']:.1f} ms at init and "
            f"{on['handler'] - off['handler']:.1f} ms in the answer (this first-time person's "
            f"answer looks their time zone up), "
            f"{on['init'] + on['handler'] - off['init'] - off['handler']:.1f} ms in all; on "
            f"DynamoDB by "
            f"{on['dynamo_init'] + on['dynamo_handler'] - off['dynamo_init'] - off['dynamo_handler']:.1f}"
            f" ms in all. Those, and the round trips through the runtime client (the last two "
            f"columns of the first table), move by more than the registration from run to run "
            f"on this shared 2-core machine. With metrics off the requests are still counted, "
            f"not written.",
        ]
    return lines


def hardening_table(results: dict[str, Any]) -> list[str]:
    deletions = results["deletions"]
    return [
        "",
        "## Hardening",
        "",
        f'- Deletions across processes: {deletions["conversations"]} "delete my data", '
        f'"yes" conversations through {deletions["workers"]} gunicorn workers on one SQLite '
        f"file, each a new person and device; items left afterwards: "
        f"{deletions['items_left']} (target 0).",
        "- Contention (8 and 2 writers updating one person): `make contention`, "
        "bench/CONTENTION.md.",
    ]


def table(results: dict[str, Any]) -> str:
    cold = results["cold"]["median_ms"]
    rss = results["cold"]["rss_kib"]
    cold_samples = results["cold"]["samples"]
    minimal = cold["minimal ASK SDK skill"]
    with_boto = cold[DYNAMO_BASE]
    lines = [
        "# Cramp Coach benchmarks",
        "",
        f"Measured {results['date']} on {results['machine']} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()}. Produced by `make bench` (bench/run.py).",
        "",
        "## Cold start (new process: import, answer one request)",
        "",
        f"Medians of {cold_samples['minimal ASK SDK skill']} interleaved runs for the embedded "
        f"store and {cold_samples[DYNAMO_BASE]} for DynamoDB, in a new "
        f"order each round, with 95 % bootstrap intervals for the ratios. This 2-core virtual "
        f"machine is noisy (the same process varies by ±15 % from run to run), so the "
        f"instruction counts (valgrind, one run each) are given too: they barely move. Each "
        f"ratio is against the baseline in the same unit: the minimal skill for the embedded "
        f"store, the minimal skill plus creating the cheapest boto3 object that can read the "
        f"table for DynamoDB: a client (a resource costs "
        f"{cold['minimal + boto3 DynamoDB resource'] - cold[DYNAMO_BASE]:.0f} ms more; the store "
        f"uses a client). 'Used last night' is the skill's typical cold start: a person whose "
        f"state an earlier process wrote the night before, with the Settings API stand-in on "
        f"loopback over HTTPS (the zone is looked up weekly, so it is not called). The "
        f"shipped entry point pauses the garbage collector until the first answer "
        f"(`lambda_function.py`); a baseline given the same pause shows the work beyond the "
        f"SDK's own, like for like. Targets are judged on wall time against the baseline as is. "
        f"Every process, the baselines' too, first imports what Lambda's Python runtime has "
        f"loaded before it imports the handler (awslambdaric's bootstrap: logging, json, re, "
        f"decimal, traceback and the like), so a module the runtime loads anyway costs neither "
        f"side here, as on Lambda. The requests are counted but their metrics lines not "
        f"written: on Lambda a line is written after the answer has gone, which a whole "
        f"process's wall time would include ('Metrics' below gives what it adds before an "
        f"answer).",
        "",
        "| case | median wall | vs. baseline (95 % interval) | vs. baseline paused too | "
        "instructions | vs. baseline | vs. baseline paused too | target | met | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    counted = results["cold"].get("instructions") or {}
    intervals = results["cold"]["intervals"]

    def millions(name: str) -> str:
        count = counted.get(name)
        return f"{count / 1e6:.0f} M" if count else "n/a"

    def count_ratio(name: str, base_name: str) -> str:
        count, base_count = counted.get(name), counted.get(base_name)
        return f"{count / base_count:.3f} ×" if count and base_count else "n/a"

    for name, value in cold.items():
        if name.startswith("minimal"):
            lines.append(
                f"| {name} | {value} ms | baseline | | {millions(name)} | baseline | | | "
                f"| {rss[name] / 1024:.0f} MB |"
            )
            continue
        plain, paused = baselines(name)
        low, high = intervals[name]["plain"]
        limit = TARGETS.get(name, 1.10)
        target = f"≤ {limit:.2f} × " + ("minimal + boto3" if "DynamoDB" in name else "minimal")
        met = "yes" if value / cold[plain] <= limit else "**no**"
        lines.append(
            f"| {name} | {value} ms | {value / cold[plain]:.2f} × ({low:.2f}-{high:.2f}) | "
            f"{value / cold[paused]:.2f} × | {millions(name)} | {count_ratio(name, plain)} | "
            f"{count_ratio(name, paused)} | {target} | {met} | {rss[name] / 1024:.0f} MB |"
        )
    here = [IN_LOCALE[k] for k in IN_LOCALE if IN_LOCALE[k] in cold]
    if len(here) == len(IN_LOCALE):
        english, german = (cold[name] for name in here)
        lines += [
            "",
            f"Per locale: with every locale's content on disk, the mid-cramp one-shot asked in "
            f"de-DE takes {german / english:.2f} × the same one-shot asked in en-US "
            f"({german} ms and {english} ms, {german / minimal:.2f} × and "
            f"{english / minimal:.2f} × the minimal skill): a cold start reads the shared "
            f"structure and the words of the request's locale only.",
        ]
    if ON_A_SHOW in cold and LAST_NIGHT in cold:
        lines += [
            "",
            f"On a screen: the same person's mid-cramp one-shot at an Echo Show 5 takes "
            f"{cold[ON_A_SHOW] / cold[LAST_NIGHT]:.2f} × the one at a speaker "
            f"({cold[ON_A_SHOW]} ms and {cold[LAST_NIGHT]} ms): the screens module, APL's "
            f"model classes and the answer's document, which a speaker never loads "
            f"(tests/test_lambda_entry.py).",
        ]
    lines += [
        "",
        f"## Warm (in-process, embedded store, {results['warm']['_total']} requests)",
        "",
        "| request | p50 | p99 | store reads / request | writes / request |",
        "|---|---|---|---|---|",
    ]
    for name, value in results["warm"].items():
        if name.startswith("_"):
            continue
        lines.append(
            f"| {name} | {value['p50_ms']} ms | {value['p99_ms']} ms | {value['reads']} | {value['writes']} |"
        )
    spoken = results["speech"]
    lines += ["", "## Speech (espeak-ng at 150 words a minute, measured with sox)", ""]
    if spoken is None:
        lines.append("espeak-ng and sox are not installed (`apt-get install espeak-ng sox`).")
    else:
        lines += [
            f"- {spoken['answers']} answer phrasings (with their offers); the longest is "
            f"{spoken['longest_s']} s ({spoken['longest']}); target ≤ 20 s.",
            f"- Mid-cramp answer: the first instruction word is spoken by "
            f"{spoken['first_instruction_s']} s; target ≤ 3 s.",
            "- Red flags led by an urgent action (the topics marked `urgent`), the action's first "
            "three words ('Call 911 right', 'Don't stretch or'), slowest phrasing day or night, "
            "are spoken by: "
            + ", ".join(f"{k} {v} s" for k, v in spoken["red_flag_action_s"].items())
            + "; target ≤ 1 s.",
            "",
            "Every locale in its language's espeak-ng voice (English markets in espeak-ng's "
            "default English voice, as en-US always was; de-DE in its German voice):",
            "",
            "| locale | phrasings | longest (target ≤ 20 s) | first instruction word (≤ 3 s) "
            "| red flags' first three words (≤ 1 s) |",
            "|---|---|---|---|---|",
        ]
        for locale, heard in spoken.get("locales", {}).items():
            flags = ", ".join(f"{k} {v} s" for k, v in heard["red_flag_action_s"].items())
            lines.append(
                f"| {locale} | {heard['answers']} | {heard['longest_s']} s ({heard['longest']}) "
                f"| {heard['first_instruction_s']} s | {flags} |"
            )
        lines.append("")
        for key, value in spoken["routine"].items():
            ratio = value["measured_s"] / value["stated_s"]
            lines.append(
                f"- Routine `{key}`: {value['measured_s']} s measured vs {value['stated_s']} s stated "
                f"({ratio:.2f} ×; target within 10 %); introduction and each step (one leg) {value['steps_s']} s (each ≤ 90 s)."
            )
        lines += returning_lines(spoken)
    snap = results["snapstart"]
    embedded = [v / minimal for k, v in cold.items() if "embedded" in k]
    dynamo = [v / with_boto for k, v in cold.items() if "DynamoDB" in k and "minimal" not in k]
    counted = results["cold"].get("instructions") or {}
    paused_min = counted.get("minimal, collector paused")
    paused_wall = round(
        cold["mid-cramp one-shot (embedded store)"] / cold["minimal, collector paused"], 2
    )
    cramp_count = counted.get("mid-cramp one-shot (embedded store)")
    own = cramp_count / paused_min if paused_min and cramp_count else None
    like_for_like = (
        f"{own:.3f} ×, {'within' if own <= 1.10 else 'above'} 1.10 × as well"
        if own
        else "not measured (no valgrind)"
    )
    lines += [
        "",
        "## Size",
        "",
        f"- Lambda zip (code, content, dependencies and their bytecode, without boto3/botocore, "
        f"which the runtime provides): {results['bundle']['zip_mib']} MiB; target ≤ 5 MB.",
        "",
        "## What a cold start does beyond the minimal skill",
        "",
        f"Cold answers on the embedded store take {min(embedded):.2f}-{max(embedded):.2f} × the "
        f"minimal skill's wall time, and on DynamoDB {min(dynamo):.2f}-{max(dynamo):.2f} × the "
        f"minimal skill plus a boto3 client (targets 1.10 ×, 1.30 × for a first-ever launch). "
        f"The extra work is what the skill "
        f"is for: one read of the person's settings (the device's time zone, for the night-time "
        f"whisper and one-breath rescue; the voice choice; whether they have heard the "
        f"disclaimer), opening the store, loading and validating the content, and the skill's "
        f"own modules. A first-ever launch also looks the zone up over HTTPS and writes the "
        f"person's first state. On DynamoDB a routine step also reads and saves the person's "
        f"place, two round trips the baseline does not make.",
        "",
        f"Part of the margin is the garbage-collector pause in `lambda_function.py`: a cold start "
        f"creates only objects that live as long as the process, so collection waits until the "
        f"first answer, and those objects are then frozen out of later collections. That pause "
        f"would speed the minimal skill up as well; against a minimal skill given the same "
        f"pause, the mid-cramp answer costs {like_for_like} in instructions, the skill's own "
        f"work beyond the SDK's; in wall time, {paused_wall} × in this run (the 'paused too' "
        f"columns; wall-time ratios move by several percent between runs on this machine, "
        f"which is why the instruction counts are given).",
        "",
        *choices(results),
        *metrics_section(results),
        "",
        "## Lambda SnapStart for Python",
        "",
        "SnapStart (template parameter `SnapStart=On`) initialises each published version once, "
        "snapshots the process, and starts later instances from the snapshot. Initialisation "
        "then happens before anyone asks, so loading lazily only moves work into the first "
        "answer: when Lambda initialises ahead (`AWS_LAMBDA_INITIALIZATION_TYPE` is `snap-start` "
        "or `provisioned-concurrency`), `lambda_function.py` loads everything at init instead "
        "(the skill with every handler group, the content, boto3 and its DynamoDB client, the "
        "modules requests load on demand; no network). Measured here on DynamoDB (dynalite), "
        "mid-cramp answer, medians:",
        "",
        "| | init (import `lambda_function`) | first answer | a person waits for |",
        "|---|---|---|---|",
        f"| on demand (the default) | {snap['on_demand']['init_ms']} ms | "
        f"{snap['on_demand']['answer_ms']} ms | both, plus Python's start |",
        f"| initialised ahead (SnapStart) | {snap['ahead']['init_ms']} ms, before the snapshot | "
        f"{snap['ahead']['answer_ms']} ms | the answer, plus the snapshot's restore |",
        "",
        "The restore itself cannot be measured here. AWS documents restores in the low hundreds of "
        "milliseconds and bills snapshot caching and every restore, and a restored process "
        "shares its start-up state with every other (so nothing random may be drawn at init: the "
        "skill draws phrasings from the OS at each pick, and opens no connection at init). The "
        "trade-off: on demand, every cold start on DynamoDB pays for boto3 and its client in "
        "its first answer (the first answer needs the person's settings once per process, for "
        "night mode), which is most of the on-demand time above; initialised ahead, that is in "
        "the snapshot, and the first answer costs the restore instead, plus SnapStart's charges. "
        "For a skill used once or twice a night, nearly every request is a cold start, so "
        "SnapStart is worth switching on and measuring on AWS when DynamoDB is the store. The "
        "template defaults to off and publishes a version behind the `live` alias either way.",
    ]
    if "hardening" in results:
        lines += hardening_table(results["hardening"])
    lines += hostile.section(results.get("hostile"))
    return "\n".join(lines) + "\n"


def returning_lines(spoken: dict[str, Any]) -> list[str]:
    """A returning person's speech next to a first-time person's (issue 13: progressive
    brevity), when this run measured it."""
    back = spoken.get("returning")
    if not back:
        return []
    from cramp_coach.returning import DISCLAIMER_AFTER_DAYS, FAMILIAR_AFTER

    launch = back["launch_s"]
    lines = [
        f"- Launch, longest phrasing: first visit {launch['first']} s (welcome and disclaimer); "
        f"a returning person {launch['returning']} s; back after {DISCLAIMER_AFTER_DAYS} days "
        f"or more {launch['long_absence']} s (the disclaimer again); at night {launch['night']} s.",
    ]
    for key, value in back["routine"].items():
        first = spoken["routine"][key]
        lines.append(
            f"- Routine `{key}` for a returning person (every stretch completed "
            f"{FAMILIAR_AFTER} times or more, the routine finished before): "
            f"{value['measured_s']} s vs {first['measured_s']} s the first times; the short "
            f"introduction and each step in short form {value['steps_s']} s, against "
            f"{first['steps_s']} s (the holds are the same)."
        )
    return lines


def choices(results: dict[str, Any]) -> list[str]:
    """What was kept and what removed when the code was made simpler to change (issue 12), each
    with what it costs a cold start here: on the production path (Lambda with DynamoDB, the
    typical cold start below) and on the local path (the embedded store)."""
    cost = results.get("costs")
    cold = results["cold"]["median_ms"]
    production = cold.get(LAST_NIGHT_DYNAMO)
    local = cold.get(LAST_NIGHT)
    if not cost or not production or not local:
        return ["(The cost of each choice was not measured in this run.)"]

    def share(ms: float) -> str:
        return f"{ms:.1f} ms ({ms / production:.1%} of production, {ms / local:.1%} of local)"

    def gap(a: str, b: str) -> float:
        return float(cost[a]) - float(cost[b])

    paused = cold["minimal ASK SDK skill"] - cold["minimal, collector paused"]
    counted = results["cold"].get("instructions") or {}
    client, resource = counted.get(DYNAMO_BASE), counted.get("minimal + boto3 DynamoDB resource")
    resource_extra = (
        f"{(resource - client) / 1e6:.0f} M ({resource / client - 1:.1%})"
        if client and resource
        else "(not counted: no valgrind)"
    )
    return [
        "## Kept and removed, with what each costs",
        "",
        f"Production is the typical cold start on DynamoDB ({production} ms here); local is the "
        f"same on the embedded store ({local} ms). Each figure is the median of "
        f"{COST_ROUNDS} fresh processes doing only that after loading what Lambda's runtime "
        f"and the ASK SDK load anyway (the `costs` part of bench/run.py). "
        f"Convention: a choice that makes the code less idiomatic must save at least 5 ms on "
        f"the production path.",
        "",
        "Kept:",
        "",
        f"- the collector pause until the first answer (`lambda_function.py`): the minimal skill "
        f"alone runs {paused:.0f} ms faster with it (rows above), more with boto3's objects;",
        f"- the own DynamoDB store with conditional writes, on a boto3 client: the ASK SDK's "
        f"adapter needs a resource, which a cold start pays {resource_extra} more instructions "
        f"for than a client (the rows above; in wall time that is within this machine's noise), "
        f"and it cannot make a write conditional on the version read (bench/CONTENTION.md);",
        f"- the Settings API over the standard library: the SDK's client loads requests, "
        f"{share(gap('requests (the SDK' + chr(39) + 's DefaultApiClient)', 'urllib.request'))}"
        f" more than urllib, on the first answer of every new person; one TLS context per "
        f"process saves {share(float(cost['a TLS context (the trust store)']))} on each later call;",
        f"- bytecode in the zip: our package imports in {cost['our package, bytecode shipped']} ms "
        f"with it and {cost['our package, compiled at import']} ms without "
        f"({share(gap('our package, compiled at import', 'our package, bytecode shipped'))} for "
        f"our code alone; the dependencies' bytecode is shipped too);",
        f"- boto3 and Flask imported only when needed: a boto3 client is "
        f"{cost['boto3 DynamoDB client']} ms, never paid on the embedded store; Flask with "
        f"flask-ask-sdk {cost['Flask and flask-ask-sdk']} ms, never paid on Lambda;",
        f"- the lazy handler groups, now with each intent name in one group at most and yes/no "
        f"in none (questions.py routes them): loading all four costs "
        f"{share(float(cost['the four lazy handler groups']))}.",
        "",
        "Removed, for the idiomatic form:",
        "",
        f"- the private `_sha2` import, for `hashlib` ({share(float(cost['hashlib']))} when "
        f"nothing else has loaded it);",
        f"- the time zone's stored UTC offsets, for `zoneinfo` "
        f"({share(float(cost['zoneinfo and one zone']))});",
        f"- the OS-bytes phrasing chooser, for `random.SystemRandom` "
        f"({share(float(cost['random']))}; still the OS's randomness at each pick, so "
        f"processes restored from one SnapStart snapshot differ);",
        f"- `logs.py`, the lazily loaded logger, for `logging.getLogger(__name__)` "
        f"({share(float(cost['logging']))}; the Lambda runtime loads `logging` itself, so 0 ms "
        f"on Lambda);",
        f"- the home-made `Record`, the NamedTuples and hand-written value classes, for frozen "
        f"slotted dataclasses, one value style: the most costly of these choices. About twenty "
        f"are made on a cold answer's path, "
        f"{share(float(cost['twenty frozen slotted dataclasses']))} (the `dataclasses` module "
        f"itself the SDK loads anyway: {cost['dataclasses (with inspect)']} ms more). With "
        f"`zoneinfo`, `hashlib` and the new modules' own classes and enumerations, this is why "
        f"the cold answers on the embedded store are above their targets while the production "
        f"path meets its own;",
        "- string-method SSML escaping and plain text, for regular expressions (compiled once "
        "per process), and with them the two 2000-example property tests that kept the string "
        "methods in step with the expressions they replaced.",
    ]


def main() -> int:
    """`make bench`; `bench/run.py cold` measures only the cold starts, `hostile` only the
    hostile clients, `metrics` only the metrics libraries and extension (each rewrites the
    report with the other results kept); `speech` only the speech (and prints it)."""
    if sys.argv[1:] == ["hostile"]:
        results = json.loads((ROOT / "bench" / "results.json").read_text())
        results["hostile"] = hostile_clients()
        return write(results)
    if sys.argv[1:] == ["costs"]:
        results = json.loads((ROOT / "bench" / "results.json").read_text())
        with tempfile.TemporaryDirectory(prefix="cramp-coach-bench-") as tmp:
            results["costs"] = costs(Path(tmp))
        return write(results)
    if sys.argv[1:] == ["metrics"]:
        results = json.loads((ROOT / "bench" / "results.json").read_text())
        results["metrics"] = metrics_libraries()
        return write(results)
    if sys.argv[1:] == ["speech"]:
        spoken = speech()
        print(json.dumps(spoken, indent=2))
        print("\n".join(returning_lines(spoken or {})))
        return 0 if spoken is not None else 1
    from cramp_coach.local.alexa_api import FakeAlexaApi
    from tools.dynalite import Dynalite

    api = FakeAlexaApi(time_zone="America/New_York")
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = api.ca_file
    dynalite = Dynalite()
    try:
        table_name = dynalite.create_table(dynalite.client(), "cramp-coach-bench")
        with tempfile.TemporaryDirectory(prefix="cramp-coach-bench-") as tmp:
            folder = Path(tmp)
            if sys.argv[1:] == ["cold"]:
                results = json.loads((ROOT / "bench" / "results.json").read_text())
                results["cold"] = cold_start(api, dynalite, table_name, folder)
                return write(results)
            if sys.argv[1:] == ["hardening"]:
                results = json.loads((ROOT / "bench" / "results.json").read_text())
                results["hardening"] = hardening(api, folder)
                return write(results)
            results = {
                "date": datetime.now(UTC).strftime("%Y-%m-%d"),
                "machine": f"{platform.machine()} {platform.system()} {platform.release()}",
                "cold": cold_start(api, dynalite, table_name, folder),
                "warm": warm(api, folder),
                "speech": speech(),
                "snapstart": snapstart(api, dynalite, table_name, folder),
                "costs": costs(folder),
                "metrics": metrics_libraries(),
                "hardening": hardening(api, folder),
                "hostile": hostile_clients(),
            }
        results["bundle"] = bundle()
    finally:
        dynalite.stop()
        api.close()
    return write(results)


def hostile_clients() -> dict[str, Any]:
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d"), **hostile.measure()}


def write(results: dict[str, Any]) -> int:
    report = table(results)
    (ROOT / "bench" / "README.md").write_text(report, encoding="utf-8")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
