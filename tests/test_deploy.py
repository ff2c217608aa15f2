"""Deployable as it stands: the SAM template (what cfn-lint cannot see), the assembled skill
package and Lambda bundle, and the bundle answering from a clean directory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from cramp_coach.content import ContentLibrary
from cramp_coach.local import envelope as env

from .helpers.locales import LOCALES, PENDING

ROOT = Path(__file__).resolve().parents[1]
PSEUDO = {"AWS::Region", "AWS::StackName", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix"}


class Intrinsic(dict[str, Any]):
    pass


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Intrinsic:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Intrinsic({suffix: value})


class TemplateLoader(yaml.SafeLoader):
    pass


TemplateLoader.add_multi_constructor("!", _intrinsic)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data: dict[str, Any] = yaml.load((ROOT / "template.yaml").read_text(), Loader=TemplateLoader)
    return data


def references(node: Any) -> list[str]:
    """Every name a !Ref, !GetAtt or ${...} in !Sub points at."""
    found: list[str] = []
    if isinstance(node, Intrinsic):
        for kind, value in node.items():
            if kind == "Ref":  # SAM's generated resources: Function.Alias, Function.Version
                found.append(value.removesuffix(".Alias").removesuffix(".Version"))
            elif kind == "GetAtt":
                found.append((value if isinstance(value, str) else value[0]).split(".")[0])
            elif kind == "Sub":
                text = value if isinstance(value, str) else value[0]
                found += [n.split(".")[0] for n in re.findall(r"\$\{([^}!]+)\}", text)]
            found += references(value)
    elif isinstance(node, dict):
        for value in node.values():
            found += references(value)
    elif isinstance(node, list):
        for value in node:
            found += references(value)
    return found


def test_every_reference_resolves(template: dict[str, Any]) -> None:
    known = set(template["Resources"]) | set(template.get("Parameters", {})) | PSEUDO
    unresolved = [name for name in references(template) if name not in known]
    assert unresolved == []


def test_the_function(template: dict[str, Any]) -> None:
    function = template["Resources"]["SkillFunction"]["Properties"]
    assert re.fullmatch(r"python3\.1[2-9]", function["Runtime"])
    assert function["Architectures"] == ["arm64"]
    assert 128 <= function["MemorySize"] <= 256
    assert function["Timeout"] <= 8  # Alexa waits about 8 s for an answer
    assert function["Handler"] == "lambda_function.lambda_handler"
    assert function["CodeUri"] == "build/lambda/"
    variables = function["Environment"]["Variables"]
    assert variables["DYNAMODB_PERSISTENCE_TABLE_NAME"] == {"Ref": "StateTable"}
    assert variables["DYNAMODB_PERSISTENCE_REGION"] == {"Ref": "AWS::Region"}
    assert variables["SKILL_ID"] == {"Ref": "SkillId"}
    event = function["Events"]["AlexaSkill"]
    assert event == {"Type": "AlexaSkill", "Properties": {"SkillId": {"Ref": "SkillId"}}}
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogs"}


def translated(snapstart: str) -> dict[str, Any]:
    """The template as CloudFormation gets it, through the SAM translator that `sam deploy`
    uses (the code location as `sam package` rewrites it)."""
    from cfnlint.decode import decode
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    document, problems = decode(str(ROOT / "template.yaml"))
    assert not problems and document is not None
    document["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://bucket/code.zip"
    parameters = {"SkillId": "amzn1.ask.skill.1234", "SnapStart": snapstart}
    result: dict[str, Any] = transform(document, parameters, NoManagedPolicies())
    return result


@pytest.mark.parametrize("snapstart", ["Off", "On"])
def test_alexa_invokes_the_published_alias(snapstart: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    resources = translated(snapstart)["Resources"]
    [permission] = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    [(alias_name, alias)] = [
        (n, r) for n, r in resources.items() if r["Type"] == "AWS::Lambda::Alias"
    ]
    assert alias["Properties"]["Name"] == "live"
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_name}
    assert permission["Properties"]["Principal"] == "alexa-appkit.amazon.com"
    assert permission["Properties"]["EventSourceToken"] == {"Ref": "SkillId"}
    snap = resources["SkillFunction"]["Properties"]["SnapStart"]
    assert snap == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}


def test_snapstart_is_off_unless_asked_for(template: dict[str, Any]) -> None:
    assert template["Parameters"]["SnapStart"]["Default"] == "Off"
    assert template["Conditions"]["UseSnapStart"] == {"Equals": [{"Ref": "SnapStart"}, "On"]}
    assert template["Outputs"]["SkillEndpointArn"]["Value"] == {"Ref": "SkillFunction.Alias"}


def test_the_policy_is_exactly_the_table_actions_the_code_uses(template: dict[str, Any]) -> None:
    policies = template["Resources"]["SkillFunction"]["Properties"]["Policies"]
    assert len(policies) == 1
    [statement] = policies[0]["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
    ]
    assert statement["Resource"] == {"GetAtt": "StateTable.Arn"}
    # ...and those are the only calls the DynamoDB store makes.
    source = (ROOT / "lambda" / "cramp_coach" / "store" / "dynamodb.py").read_text()
    calls = set(re.findall(r"\.(get_item|put_item|delete_item|update_item|query|scan)\(", source))
    assert calls == {"get_item", "put_item", "delete_item"}


def test_the_table_keeps_its_data(template: dict[str, Any]) -> None:
    table = template["Resources"]["StateTable"]
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_the_log_group_has_a_retention(template: dict[str, Any]) -> None:
    logs = template["Resources"]["FunctionLogs"]["Properties"]
    assert logs["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Parameters"]["LogRetentionDays"]["Default"] in (7, 14, 30, 60, 90)


# --- The assembled package -------------------------------------------------------------------


@pytest.fixture(scope="module")
def package() -> Path:
    # pip must trust PyPI, not the stand-in Alexa API's test certificate some tests install.
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    }
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "package.py")], check=True, cwd=ROOT, env=environment
    )
    return ROOT / "build"


def test_ask_resources_point_into_build(package: Path) -> None:
    resources = json.loads((ROOT / "ask-resources.json").read_text())["profiles"]["default"]
    assert (ROOT / resources["skillMetadata"]["src"] / "skill.json").is_file()
    code = ROOT / resources["code"]["default"]["src"]
    assert (code / "lambda_function.py").is_file() and (code / "requirements.txt").is_file()
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "build/" in ignored and ".ask/" in ignored


def test_the_skill_package_matches_what_the_code_handles(package: Path) -> None:
    skill_package = package / "skill-package"
    manifest = json.loads((skill_package / "skill.json").read_text())["manifest"]
    for locale in set(manifest["publishingInformation"]["locales"]) - PENDING:
        assert (skill_package / "interactionModels" / "custom" / f"{locale}.json").is_file()
    for task in manifest["apis"]["custom"]["tasks"]:
        assert (skill_package / "tasks" / f"{task['name']}.{task['version']}.json").is_file()
    events = {s["eventName"] for s in manifest["events"]["subscriptions"]}
    handled = (ROOT / "lambda" / "cramp_coach" / "handlers" / "privacy.py").read_text()
    assert events == {"SKILL_DISABLED"} and "AlexaSkillEvent.SkillDisabled" in handled
    permissions = {p["name"] for p in manifest["permissions"]}
    assert permissions == {"alexa::alerts:reminders:skill:readwrite"}
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith("arn:aws:lambda:")


def test_the_lambda_code_has_no_local_tools_and_finds_its_content(package: Path) -> None:
    code = package / "lambda" / "cramp_coach"
    assert not (code / "local").exists() and not (code / "web").exists()
    assert (package / "lambda" / "content" / "en-US" / "answers.json").is_file()
    content = package / "lambda" / "content"
    assert (content / "structure.json").is_file() and not (content / "schema").exists()
    library = ContentLibrary(content)
    locales = set(LOCALES)
    assert library.available() == locales
    assert {p.name for p in (content / "apl").glob("*.json")} >= {"answer.json", "stretch.json"}
    for locale in locales:
        assert library.get(locale).locale == locale


def test_the_zip_holds_the_code_once_in_the_lambda_layout(package: Path) -> None:
    """Each file of build/lambda once, at the zip's top level, with its bytecode beside it; the
    rest is the dependencies' own top-level packages, and nothing is in the zip twice."""
    with zipfile.ZipFile(package / "cramp-coach-lambda.zip") as bundle:
        names = bundle.namelist()
    assert len(names) == len(set(names))
    code = package / "lambda"
    ours = {p.relative_to(code).as_posix() for p in code.rglob("*") if p.is_file()}
    assert ours <= set(names)
    own_tops = {name.split("/")[0] for name in ours}
    others = {n for n in names if n.split("/")[0] not in own_tops}
    dependency_tops = {n.split("/")[0] for n in others}
    assert "code" not in dependency_tops and "deps" not in dependency_tops
    assert all(t.endswith((".dist-info", ".py")) or "." not in t for t in dependency_tops)
    for name in (n for n in names if n.split("/")[0] in own_tops and n not in ours):
        source = re.sub(r"__pycache__/([^/]+)\.cpython-\d+\.pyc$", r"\1.py", name)
        assert source in ours, name  # only the bytecode of our own files is added


def test_the_bundle_answers_a_launch_from_a_clean_directory(package: Path, tmp_path: Path) -> None:
    """Only the standard library (the Lambda runtime; boto3 is not needed for this) plus the zip."""
    with zipfile.ZipFile(package / "cramp-coach-lambda.zip") as bundle:
        names = bundle.namelist()
        assert not any(n.startswith(("boto3/", "botocore/")) for n in names)
        bundle.extractall(tmp_path / "task")
    event = env.envelope(
        env.launch_request(), env.Device(api_endpoint="https://127.0.0.1:9"), env.Session()
    )
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import lambda_function; "
        "print(json.dumps(lambda_function.lambda_handler(json.loads(sys.argv[2]), None)))"
    )
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(tmp_path / "task"), json.dumps(event)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", ""),
            "CRAMP_COACH_DB": str(tmp_path / "s.sqlite3"),
            "HOME": str(tmp_path),
        },
        check=True,
    )
    result = json.loads(completed.stdout)
    assert "not medical advice" in result["response"]["outputSpeech"]["ssml"]
    assert (package / "cramp-coach-lambda.zip").stat().st_size < 5 * 1024 * 1024


def test_the_zip_carries_every_locale_and_stays_under_five_megabytes(package: Path) -> None:
    """All six locales' words ship (each loaded only when a request needs it) within 5 MB."""
    with zipfile.ZipFile(package / "cramp-coach-lambda.zip") as bundle:
        names = set(bundle.namelist())
    for locale in LOCALES:
        words = [p for p in (ROOT / "content" / locale).iterdir() if p.is_file()]
        assert words and {f"content/{locale}/{p.name}" for p in words} <= names, locale
    assert (package / "cramp-coach-lambda.zip").stat().st_size <= 5 * 1000 * 1000


def test_the_zip_shares_its_dependencies_on_terms_the_runtimes_botocore_accepts(
    package: Path,
) -> None:
    """On Lambda the zip's packages come first on the path, so the runtime's botocore imports
    them (dateutil, urllib3): each must be a version botocore's requirements allow. The dev
    environment's botocore stands in for the runtime's."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    with zipfile.ZipFile(package / "cramp-coach-lambda.zip") as bundle:
        shipped = {
            match.group(1).lower().replace("_", "-"): match.group(2)
            for name in bundle.namelist()
            if (match := re.fullmatch(r"([^/]+)-([^-/]+)\.dist-info/.+", name))
        }
    needs = [Requirement(line) for line in requires("botocore") or []]
    shared = [r for r in needs if r.marker is None and r.name.lower() in shipped]
    assert {r.name.lower() for r in shared} >= {"python-dateutil", "urllib3"}
    assert [
        (r.name, shipped[r.name.lower()])
        for r in shared
        if not r.specifier.contains(shipped[r.name.lower()], prereleases=True)
    ] == []


def run_through_awslambdaric(
    package: Path,
    tmp_path: Path,
    events: list[dict[str, Any]],
    time_limit_ms: int | None = None,
    log_level: str = "INFO",
    timeline: list[str] | None = None,
) -> tuple[list[tuple[str, Any]], str]:
    """What the function answered to each event, and everything it printed (`timeline`: what
    the Runtime API saw, in order: FakeRuntimeApi.timeline)."""
    pytest.importorskip("awslambdaric")
    from tools.lambda_runtime import FakeRuntimeApi

    task = tmp_path / "task"
    with zipfile.ZipFile(package / "cramp-coach-lambda.zip") as bundle:
        bundle.extractall(task)
    runtime = FakeRuntimeApi(events, time_limit_ms)
    process = subprocess.Popen(
        [sys.executable, "-m", "awslambdaric", "lambda_function.lambda_handler"],
        cwd=task,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "PYTHONPATH": str(task),  # the bundle first, as /var/task is on Lambda
            "LAMBDA_TASK_ROOT": str(task),
            "AWS_LAMBDA_RUNTIME_API": runtime.address,
            "AWS_LAMBDA_FUNCTION_NAME": "cramp-coach",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "CRAMP_COACH_DB": str(tmp_path / "s.sqlite3"),
            "LOG_LEVEL": log_level,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answers = [runtime.results.get(timeout=60) for _ in events]
        runtime.settled()  # the invocation ends when the metrics extension asks again
        if timeline is not None:
            timeline.extend(runtime.timeline)
    finally:
        process.kill()
        output = process.communicate()[0]
        runtime.close()
    return answers, output


def test_the_bundle_answers_through_the_lambda_runtime_client(
    package: Path, tmp_path: Path
) -> None:
    """The way Lambda's Python runtime runs it: awslambdaric loads `lambda_function` from the
    task folder and takes events from the Runtime API (a stand-in on 127.0.0.1)."""
    device = env.Device(api_endpoint="https://127.0.0.1:9")
    events = [
        env.envelope(env.launch_request(), device, env.Session()),
        env.envelope(env.intent_request("CrampNowIntent"), device, env.Session()),
        {"not": "an Alexa request"},
    ]
    answers, output = run_through_awslambdaric(package, tmp_path, events)
    assert [kind for kind, _ in answers] == ["response"] * 3, output
    launch, cramp, unreadable = (body for _, body in answers)
    assert "not medical advice" in launch["response"]["outputSpeech"]["ssml"]
    assert "ten minutes" in cramp["response"]["outputSpeech"]["ssml"]
    assert "Sorry" in unreadable["response"]["outputSpeech"]["ssml"]
    assert "Traceback" not in output


def test_the_deadline_comes_from_lambdas_remaining_time(package: Path, tmp_path: Path) -> None:
    """Handlers get Lambda's own context object: with 4 s left of the function's timeout, the
    answer is due in at most 3 s (a second is kept to send it), not Alexa's 7."""
    device = env.Device(api_endpoint="https://127.0.0.1:9")
    event = env.envelope(env.intent_request("CrampNowIntent"), device, env.Session())
    answers, output = run_through_awslambdaric(
        package, tmp_path, [event], time_limit_ms=4000, log_level="DEBUG"
    )
    assert [kind for kind, _ in answers] == ["response"], output
    [due] = [float(s) for s in re.findall(r"answer due in ([0-9.]+) s", output)]
    assert 0 < due <= 3.0, output


def test_the_bundle_writes_one_emf_line_per_request_through_the_runtime_client(
    package: Path, tmp_path: Path
) -> None:
    """Metrics from the zip itself (its trimmed aws-lambda-powertools), on stdout as Lambda's
    runtime forwards it to CloudWatch Logs, written by the metrics extension's thread once each
    answer has gone: the cold start counted once."""
    device = env.Device(api_endpoint="https://127.0.0.1:9")
    events = [
        env.envelope(env.launch_request(), device, env.Session()),
        env.envelope(env.intent_request("CrampNowIntent"), device, env.Session()),
    ]
    seen: list[str] = []
    answers, output = run_through_awslambdaric(package, tmp_path, events, timeline=seen)
    assert [kind for kind, _ in answers] == ["response"] * 2, output
    # The extension registered at init; each invocation ends (the extension asks again) only
    # after its response was posted, its line written in between (afterwards.py).
    assert seen == ["extension asks", "response", "extension asks", "response", "extension asks"]
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    assert [sorted(k for k in line if "." in k) for line in lines] == [
        ["Request.LaunchRequest"],
        ["Request.CrampNowIntent", "Topic.cramp_now"],
    ], output
    assert [line.get("ColdStart") for line in lines] == [[1.0], None]
    assert "after the answer:" not in output and "metrics extension" not in output
