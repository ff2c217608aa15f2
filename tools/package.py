"""`make package`: assemble the deployable skill from the one source of truth.

    build/skill-package/   skill.json, interactionModels/custom/<locale>.json (each locale's
                           whole model: a market written as an overlay on another language
                           model gets that model with its own samples), tasks/
    build/lambda/          lambda_function.py, cramp_coach/ (without the local tools), content/
                           (without its schema/, for editors and tests), requirements.txt
                           -- what `ask deploy` and `sam build` take
    build/cramp-coach-lambda.zip
                           build/lambda plus its dependencies, ready to upload; boto3 and
                           botocore are left out because the Lambda Python runtime provides them

Dependencies are pure-Python wheels (py3-none-any), so one zip serves arm64 and x86_64 alike.
Never edit build/: run this again.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from cramp_coach.local import models as interaction_models

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
# Provided by the Lambda Python runtime; left out of the zip.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
# aws-lambda-powertools is a toolkit of many utilities; the skill uses its Metrics serializer
# alone (metrics.py). The modules importing it loads are kept, the rest (4 MB unpacked: the
# event handler, parsers, idempotency, ...) left out, so the zip stays under 5 MB; the bundle
# tests (tests/test_deploy.py) write lines through the runtime client from the zip itself, and
# tests/test_metrics.py checks this list against what the import loads.
POWERTOOLS = "aws_lambda_powertools"
POWERTOOLS_KEPT = frozenset(
    {
        "__init__.py", "exceptions/__init__.py", "package_logger.py", "warnings/__init__.py",
        "logging/__init__.py", "logging/constants.py", "logging/exceptions.py",
        "logging/filters.py", "logging/formatter.py", "logging/lambda_context.py",
        "logging/logger.py", "logging/buffer/__init__.py", "logging/buffer/cache.py",
        "logging/buffer/config.py", "logging/buffer/functions.py",
        "metrics/__init__.py", "metrics/base.py", "metrics/exceptions.py",
        "metrics/functions.py", "metrics/metrics.py", "metrics/provider/__init__.py",
        "metrics/provider/base.py", "metrics/provider/cold_start.py",
        "metrics/provider/cloudwatch_emf/__init__.py",
        "metrics/provider/cloudwatch_emf/cloudwatch.py",
        "metrics/provider/cloudwatch_emf/constants.py",
        "metrics/provider/cloudwatch_emf/exceptions.py",
        "metrics/provider/cloudwatch_emf/metric_properties.py",
        "shared/__init__.py", "shared/constants.py", "shared/functions.py",
        "shared/lazy_import.py", "shared/types.py", "shared/user_agent.py", "shared/version.py",
        "tracing/__init__.py", "tracing/extensions.py", "tracing/tracer.py",
        "utilities/__init__.py", "utilities/jmespath_utils/__init__.py",
    }
)  # fmt: skip
LICENCES = ("LICENSE", "LICENCE", "NOTICE", "COPYING", "AUTHORS")
# Parts of dependencies that nothing on Lambda imports: urllib3's contrib (emscripten, only on
# that platform; SOCKS and pyOpenSSL, which requests tries and does without: their own
# dependencies are not installed either), charset_normalizer's command line, and dateutil's own
# copy of the time-zone database, read only by dateutil.tz.gettz on a system without one: nothing
# on Lambda calls it (the skill's zones come from zoneinfo and tzdata).
UNUSED = ("urllib3/contrib", "charset_normalizer/cli", "dateutil/zoneinfo/dateutil-zoneinfo.tar.gz")
# Only the terminal tools and the self-hosted web service; the Lambda never imports them.
NOT_IN_LAMBDA = ("local", "web")
# The content's JSON Schema is for editors and the tests; the loader never reads it.
CONTENT_NOT_IN_LAMBDA = ("schema",)


def ignore_noise(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__",) or n.endswith((".pyc", ".pyo"))}


def skill_package(target: Path) -> None:
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "skill.json", target / "skill.json")
    models = target / "interactionModels" / "custom"
    models.mkdir(parents=True)
    for locale in interaction_models.locales(ROOT / "interaction_model"):
        model = interaction_models.for_locale(locale, ROOT / "interaction_model")
        text = json.dumps(model, indent=2, ensure_ascii=False) + "\n"
        (models / f"{locale}.json").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "tasks", target / "tasks")


def lambda_code(target: Path) -> None:
    target.mkdir(parents=True)
    source = ROOT / "lambda"
    shutil.copy2(source / "lambda_function.py", target / "lambda_function.py")
    shutil.copy2(source / "requirements.txt", target / "requirements.txt")

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = ignore_noise(folder, names)
        if Path(folder) == source / "cramp_coach":
            skip |= {n for n in names if n in NOT_IN_LAMBDA}
        return skip

    def ignore_content(folder: str, names: list[str]) -> set[str]:
        skip = ignore_noise(folder, names)
        if Path(folder) == ROOT / "content":
            skip |= {n for n in names if n in CONTENT_NOT_IN_LAMBDA}
        return skip

    shutil.copytree(source / "cramp_coach", target / "cramp_coach", ignore=ignore)
    shutil.copytree(ROOT / "content", target / "content", ignore=ignore_content)


def dependencies(requirements: Path, target: Path) -> None:
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--target", str(target), "--no-compile",
            "--only-binary=:all:", "--implementation", "py", "--platform", "any",
            "--python-version", "3.13", "-r", str(requirements),
        ],
        check=True,
    )  # fmt: skip
    for name in list(target.iterdir()):
        package = name.name.split("-")[0].lower()
        if package in RUNTIME_PROVIDED:
            shutil.rmtree(name) if name.is_dir() else name.unlink()
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    for marker in target.rglob("py.typed"):  # for type checkers only
        marker.unlink()
    for info in target.glob("*.dist-info"):  # pip's records and descriptions; licences stay
        for path in info.rglob("*"):
            licence = path.name.upper().startswith(LICENCES) or "licenses" in path.parts
            if path.is_file() and not licence:
                path.unlink()
    trim_powertools(target / POWERTOOLS)
    for part in UNUSED:
        path = target / part
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def trim_powertools(package: Path) -> None:
    """Leave out the modules of aws-lambda-powertools that the Metrics serializer never loads."""
    if not package.is_dir():
        return
    for path in sorted(package.rglob("*"), reverse=True):  # files before their folders
        if path.is_file() and path.relative_to(package).as_posix() not in POWERTOOLS_KEPT:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def compile_bytecode(folders: list[Path]) -> None:
    """Ship bytecode: Lambda's /var/task is read-only, so without it every cold start
    compiles the code again (tens of milliseconds). Only usable by the same Python version."""
    import compileall
    import py_compile

    for folder in folders:
        compileall.compile_dir(
            folder,
            quiet=1,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    runtime = re.search(r"Runtime: python(\d+\.\d+)", (ROOT / "template.yaml").read_text())
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if runtime and runtime.group(1) != here:
        print(
            f"note: bytecode compiled by Python {here}; the template's runtime is "
            f"python{runtime.group(1)}, which will recompile at cold start. Run `make package` "
            f"with Python {runtime.group(1)} for a bundle that starts faster."
        )


def zip_folder(folders: list[Path], archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for folder in folders:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    bundle.write(path, path.relative_to(folder).as_posix())


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description="Assemble build/ for ask deploy and sam deploy.")
    parser.add_argument("--no-zip", action="store_true", help="skip the dependency zip")
    args = parser.parse_args()
    if BUILD.exists():
        shutil.rmtree(BUILD)
    skill_package(BUILD / "skill-package")
    lambda_code(BUILD / "lambda")
    code_kib = size_of(BUILD / "lambda") / 1024
    print(f"build/skill-package/  and  build/lambda/ ({code_kib:.0f} KiB code)")
    if args.no_zip:
        return 0
    with tempfile.TemporaryDirectory(prefix="cramp-coach-zip-") as folder:
        # Two sibling folders, zipped side by side: the code with its bytecode, and the
        # dependencies (neither inside the other, so nothing is zipped twice).
        staged, deps = Path(folder) / "code", Path(folder) / "deps"
        dependencies(BUILD / "lambda" / "requirements.txt", deps)
        shutil.copytree(BUILD / "lambda", staged)
        compile_bytecode([staged, deps])
        archive = BUILD / "cramp-coach-lambda.zip"
        zip_folder([staged, deps], archive)
        unpacked = size_of(staged) + size_of(deps)
    print(
        f"build/cramp-coach-lambda.zip: {archive.stat().st_size / 1024 / 1024:.2f} MiB "
        f"({unpacked / 1024 / 1024:.2f} MiB unpacked, without boto3/botocore)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
