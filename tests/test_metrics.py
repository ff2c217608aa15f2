"""The operator's numbers: one EMF line per request, counts that add up to what happened in a
conversation, and nothing personal in them (fuzzed ids and heard words never appear)."""

from __future__ import annotations

import io
import json
import logging
import random
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.local import envelope as env
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator
from cramp_coach.metrics import Metric
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore
from tools import package, report

from .helpers.clock import DAYTIME
from .helpers.paths import CONTENT, MODEL_PATH

APL = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2024.1"}}}


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def talk(tmp_path: Path, device: env.Device, api: Any) -> tuple[Simulator, Path]:
    """An Echo talking to a skill that writes its EMF lines to a file (returned too)."""
    sink = tmp_path / "metrics.jsonl"
    config = Config(metrics=True, metrics_file=str(sink))
    skill = build_skill(config, SqliteStore(tmp_path / "s.sqlite3"), rng=random.Random(7))
    echo = Simulator(
        lambda event, context: handle_event(event, context, skill),
        Resolver.from_files(MODEL_PATH),
        device,
        clock=lambda: DAYTIME,
        zone=lambda: api.time_zone,
    )
    return echo, sink


def test_a_conversation_produces_exactly_these_counts(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    echo, sink = talk(tmp_path, device, api)
    for line in (
        "open cramp coach",
        "my calf is cramping",
        "my calf is swollen red and hot",
        "the weather in paris on tuesday",  # nothing pending: a top-level fallback
        "start the stretches",
        "the weather in paris on tuesday",  # inside the routine
        "next",
        "stop",  # the routine left before its end
        "open cramp coach",
        "yes",  # carry on where it stopped
        "next",
        "next",  # the last stretch: completed
        "next",  # "would you like to start?" is pending now
        "the weather in paris on tuesday",  # a fallback in a dialog
    ):
        echo.say(line)
    lines = lines_of(sink)
    assert len(lines) == 14  # one a request
    counted = report.totals(json.dumps(emf) for emf in lines)
    assert counted == Counter(
        {
            "ColdStart": 1,
            "Turns": 14,
            "Request.LaunchRequest": 2,
            "Request.CrampNowIntent": 1,
            "Request.BloodClotIntent": 1,
            "Request.StartRoutineIntent": 1,
            "Request.AMAZON.FallbackIntent": 3,
            "Request.AMAZON.NextIntent": 4,
            "Request.AMAZON.StopIntent": 1,
            "Request.AMAZON.YesIntent": 1,
            "Topic.cramp_now": 1,
            "Topic.blood_clot": 1,
            "RedFlag.blood_clot": 1,
            "Fallback.TopLevel": 1,
            "Fallback.Routine": 1,
            "Fallback.Dialog": 1,
            "RoutineStarted": 1,
            "RoutineAbandoned": 1,
            "RoutineResumed": 1,
            "RoutineCompleted": 1,
        }
    )
    for emf in lines:
        [block] = emf["_aws"]["CloudWatchMetrics"]
        assert block["Namespace"] == "CrampCoach"
        assert block["Dimensions"] == [["Locale", "Period", "Screen"]]
        assert (emf["Locale"], emf["Period"], emf["Screen"]) == ("en-US", "day", "no")


def test_a_screen_and_the_night_are_dimensions(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    """A device that declares APL counts as a screen; a request at 3 a.m. as night."""
    echo, sink = talk(tmp_path, replace(device, supported_interfaces=APL), api)
    echo.clock = lambda: DAYTIME.replace(hour=8)  # 3 a.m. in New York
    echo.say("my calf is cramping")
    [line] = lines_of(sink)
    assert line["Screen"] == "yes"
    assert line["Period"] == "night"


def test_carrying_on_is_a_resume_however_it_is_asked_for(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    """Picked up in a later session by "next" (to "carry on, or start over?") or "continue"."""
    echo, sink = talk(tmp_path, device, api)
    echo.say("start the stretches")
    echo.say("next")
    echo.say("stop")
    echo.say("start the stretches")  # "Carry on from there, or start over?"
    echo.say("next")
    echo.say("stop")
    echo.say("open cramp coach and continue my stretches")
    echo.say("next")  # within the session: no resume
    counted = report.totals(json.dumps(line) for line in lines_of(sink))
    assert counted["RoutineStarted"] == 1
    assert counted["RoutineResumed"] == 2
    assert counted["RoutineAbandoned"] == 2


def test_a_touch_on_an_echo_show_is_a_turn_of_its_own_kind(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    """Tapping Next on the stretch screen counts as a turn, on a screen, as the touch it was."""
    echo, sink = talk(tmp_path, env.with_screen(device, "hubLandscapeSmall"), api)
    echo.say("start the stretches")
    echo.touch("next")
    lines = lines_of(sink)
    counted = report.totals(json.dumps(line) for line in lines)
    assert counted["Turns"] == 2
    assert counted["Request.Alexa.Presentation.APL.UserEvent"] == 1
    assert {line["Screen"] for line in lines} == {"yes"}


def test_a_session_left_mid_routine_counts_as_abandoned(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    echo, sink = talk(tmp_path, device, api)
    echo.say("start the stretches")
    echo.say("next")
    echo.end("EXCEEDED_MAX_REPROMPTS")
    counted = report.totals(json.dumps(line) for line in lines_of(sink))
    assert counted["RoutineStarted"] == counted["RoutineAbandoned"] == 1
    assert counted["Request.SessionEndedRequest"] == 1
    assert counted["Turns"] == 2  # the session's end is not something the person said


def test_an_error_is_counted_by_kind_and_its_request_still_written(tmp_path: Path) -> None:
    """Words that cannot be loaded: the error handler answers, and the line is written."""
    sink = tmp_path / "metrics.jsonl"
    (tmp_path / "no-content").mkdir()
    broken = ContentLibrary(tmp_path / "no-content")
    skill = build_skill(Config(metrics=True, metrics_file=str(sink)), None, content=broken)
    event = env.envelope(env.intent_request("CrampNowIntent"), env.Device(), env.Session())
    handle_event(event, None, skill)
    [line] = lines_of(sink)
    assert line["Error.Content"] == [1.0]
    assert line["Request.Other"] == [1.0]  # no words: not even the topic intents are known


def test_made_up_names_and_locales_are_never_dimensions_or_metric_names(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    echo, sink = talk(tmp_path, replace(device, locale="xx-ZZ"), api)
    echo.send(env.intent_request("PleaseCountMeIntent", locale="xx-ZZ"))
    [line] = lines_of(sink)
    assert line["Locale"] == "other"
    assert "Request.Other" in line
    assert "PleaseCountMe" not in json.dumps(line)


def test_the_lines_go_to_stdout_by_default(tmp_path: Path, capsys: Any) -> None:
    """Lambda and the web service alike: CloudWatch Logs (or the service's log collector)
    reads the EMF lines from stdout."""
    config = Config.from_env({"CRAMP_COACH_DB": str(tmp_path / "s.sqlite3")})
    assert config.metrics and config.metrics_file is None
    skill = build_skill(config, SqliteStore(tmp_path / "s.sqlite3"))
    handle_event(env.envelope(env.launch_request(), env.Device(), env.Session()), None, skill)
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["Request.LaunchRequest"] == [1.0]


def test_metrics_can_be_turned_off_and_named() -> None:
    assert not Config.from_env({"CRAMP_COACH_METRICS": "off"}).metrics
    named = Config.from_env({"CRAMP_COACH_METRICS_NAMESPACE": "Nightly"})
    assert named.metrics_namespace == "Nightly"


def test_the_bundle_keeps_exactly_the_powertools_modules_the_serializer_loads() -> None:
    """tools/package.py leaves the rest of aws-lambda-powertools out of the zip: this list
    must follow the library when it is upgraded."""
    from cramp_coach.metrics import serialize

    serialize("Test", {"Locale": "en-US"}, Counter({"Turns": 1}))
    import aws_lambda_powertools

    root = Path(aws_lambda_powertools.__file__).parent
    loaded = {
        Path(str(module.__file__)).relative_to(root).as_posix()
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "aws_lambda_powertools" and getattr(module, "__file__", None)
    }
    assert loaded == set(package.POWERTOOLS_KEPT)


# --- the report ---------------------------------------------------------------------------------


def test_the_report_reads_a_cloudwatch_export_and_skips_other_lines(
    tmp_path: Path, device: env.Device, api: Any
) -> None:
    echo, sink = talk(tmp_path, device, api)
    for line in ("start the stretches", "the weather in paris on tuesday", "next", "stop"):
        echo.say(line)
    echo.say("my calf is cramping")
    exported = tmp_path / "export.log"
    noise = [
        "START RequestId: 5c2a Version: $LATEST",
        "2026-12-04T02:13:01.000Z\t5c2a\tINFO\tcramp_coach unhandled request: x",
        "{not json",
        '{"a": "json line, but no EMF"}',
        "REPORT RequestId: 5c2a Duration: 12.3 ms",
    ]
    stamped = [
        f"2026-12-04T02:13:0{i}.000Z {raw}" for i, raw in enumerate(sink.read_text().split())
    ]
    exported.write_text("\n".join(noise[:2] + stamped + noise[2:]) + "\n", encoding="utf-8")
    out = io.StringIO()
    stdout, sys.stdout = sys.stdout, out
    try:
        assert report.main([str(exported)]) == 0
    finally:
        sys.stdout = stdout
    table = out.getvalue()
    assert "| fallback rate | 20.0% of turns |" in table
    assert "| fallbacks: Routine | 1 |" in table
    assert "| routines completed | 0 (0.0% of started) |" in table
    assert "| routines abandoned | 1 |" in table
    assert "| topic: cramp_now | 1 |" in table


def test_the_report_says_when_a_file_has_no_emf_lines(tmp_path: Path) -> None:
    empty = tmp_path / "plain.log"
    empty.write_text("START RequestId: 1\nEND RequestId: 1\n", encoding="utf-8")
    assert report.main([str(empty)]) == 1
    assert report.main([str(tmp_path / "missing.log")]) == 2


def test_routine_completion_and_the_most_asked_topics_add_up() -> None:
    counted = Counter(
        {
            f"{Metric.TURN}": 10,
            "Fallback.TopLevel": 1,
            "RoutineStarted": 4,
            "RoutineCompleted": 3,
            "Topic.magnesium": 5,
            "Topic.cramp_now": 7,
        }
    )
    table = report.summary(counted)
    assert "| fallback rate | 10.0% of turns |" in table
    assert "| routines completed | 3 (75.0% of started) |" in table
    assert table.index("topic: cramp_now") < table.index("topic: magnesium")


# --- nothing personal ---------------------------------------------------------------------------

# Ids as Amazon makes them (random, so a generated one cannot be words the line really holds,
# as a short one could: "IntentReques"), and heard words as a sentence of several words.
ID = st.uuids().map(str)
HEARD = st.from_regex(r"[a-z]{4,8}( [a-z]{4,8}){2,4}", fullmatch=True)
INTENTS = ("CrampNowIntent", "SetReminderIntent", "StartRoutineIntent", "AMAZON.FallbackIntent")
SLOTS = ("muscle", "time", "frequency", "length", "date")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    user=ID,
    device=ID,
    session_id=ID,
    heard=HEARD,
    intent=st.sampled_from(INTENTS),
    slot=st.sampled_from(SLOTS),
    new=st.booleans(),
)
def test_no_metric_or_log_line_holds_an_id_or_words_heard(
    tmp_path_factory: Any,
    user: str,
    device: str,
    session_id: str,
    heard: str,
    intent: str,
    slot: str,
    new: bool,
) -> None:
    folder = tmp_path_factory.mktemp("private")
    sink = folder / "metrics.jsonl"
    skill = build_skill(
        Config(metrics=True, metrics_file=str(sink)),
        SqliteStore(folder / "s.sqlite3"),
        content=ContentLibrary(CONTENT),
    )
    request = env.intent_request(intent)
    request["intent"]["slots"] = {
        slot: {"name": slot, "value": heard, "confirmationStatus": "NONE"}
    }
    event = env.envelope(
        request,
        env.Device(
            user_id=f"amzn1.ask.account.{user}",
            device_id=f"amzn1.ask.device.{device}",
            api_endpoint="https://127.0.0.1:9",  # refused at once: the zone stays unknown
        ),
        env.Session(session_id=f"amzn1.echo-api.session.{session_id}", new=new),
    )
    logs = Lines()
    root, ours = logging.getLogger(), logging.getLogger("cramp_coach")
    level = ours.level
    root.addHandler(logs)
    ours.setLevel(logging.DEBUG)
    try:
        handle_event(event, None, skill)
    finally:
        root.removeHandler(logs)
        ours.setLevel(level)
    written = sink.read_text(encoding="utf-8")
    assert written.count("\n") == 1
    for text in (written, *logs.lines):
        for secret in (user, device, session_id, heard.strip()):
            assert secret not in text


def test_the_web_service_writes_the_same_lines_as_lambda(tmp_path: Path) -> None:
    """The same envelope through the web service (Flask, flask-ask-sdk) and through the Lambda
    entry point: the same line, but for its timestamp."""
    from cramp_coach.web.app import create_app

    written = {}
    for way in ("lambda", "web"):
        sink = tmp_path / f"{way}.jsonl"
        config = Config(
            metrics=True,
            metrics_file=str(sink),
            insecure_local_dev=True,
            state_path=str(tmp_path / f"{way}.sqlite3"),
        )
        skill = build_skill(config, SqliteStore(tmp_path / f"{way}.sqlite3"))
        event = env.envelope(env.intent_request("CrampNowIntent"), env.Device(), env.Session())
        if way == "lambda":
            handle_event(event, None, skill)
        else:
            client = create_app(config, skill=skill).test_client()
            assert client.post("/", json=event).status_code == 200
        [line] = lines_of(sink)
        line["_aws"].pop("Timestamp")
        written[way] = line
    assert written["web"] == written["lambda"]
    assert written["web"]["Topic.cramp_now"] == [1.0]


def test_without_a_runtime_api_to_register_with_the_lines_are_written_at_once() -> None:
    """Off Lambda, or if the Extensions API refuses: nothing waits for an extension."""
    from cramp_coach.afterwards import Afterwards
    from tools.ports import free_port

    afterwards = Afterwards()
    assert afterwards.register(f"127.0.0.1:{free_port()}") is False  # nothing listens there
    ran: list[str] = []
    afterwards.later(lambda: ran.append("written"))
    assert ran == ["written"]
    afterwards.done()  # nothing was left for later
    assert ran == ["written"]
