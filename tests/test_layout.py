"""How the test code hangs together: no test imports another test module or conftest (shared
helpers live in tests/helpers/, harnesses the bench needs too in tools/), the bench and the tools
import nothing from tests/, and every helper module says its job in its first line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .helpers.paths import ROOT

TESTS = ROOT / "tests"


def imported_modules(source: str, module: str) -> set[str]:
    """The dotted names of every module `source` (the module named `module`) imports, with
    relative imports resolved; `from package import name` counts package.name as well, since the
    name may be a module."""
    package = module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def is_test_module(name: str) -> bool:
    """A test module or a conftest, anywhere under tests/."""
    parts = name.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


TEST_CODE = sorted([*TESTS.glob("test_*.py"), TESTS / "conftest.py", *TESTS.glob("helpers/*.py")])
OUTSIDE = sorted([*(ROOT / "bench").glob("*.py"), *(ROOT / "tools").glob("*.py")])


@pytest.mark.parametrize("path", TEST_CODE, ids=lambda p: p.name)
def test_no_test_code_imports_a_test_module_or_conftest(path: Path) -> None:
    imports = imported_modules(path.read_text(encoding="utf-8"), module_name(path))
    assert sorted(name for name in imports if is_test_module(name)) == []


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bench_and_tools_import_nothing_from_tests(path: Path) -> None:
    imports = imported_modules(path.read_text(encoding="utf-8"), module_name(path))
    assert sorted(n for n in imports if n == "tests" or n.startswith("tests.")) == []


@pytest.mark.parametrize(
    "path", sorted([*TESTS.glob("helpers/*.py"), *(ROOT / "tools").glob("*.py")]), ids=str
)
def test_every_helper_says_its_job_first(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring and docstring.split("\n")[0].strip(), path


@pytest.mark.parametrize(
    ("source", "module", "offending"),
    [
        ("from .test_routine import saved", "tests.test_night", ["tests.test_routine"]),
        ("from . import test_fuzz", "tests.conftest", ["tests.test_fuzz"]),
        ("from .conftest import DAYTIME", "tests.test_reminders", ["tests.conftest"]),
        ("from .. import conftest", "tests.helpers.clock", ["tests.conftest"]),
        ("import tests.test_web_service", "tests.test_lambda_entry", ["tests.test_web_service"]),
        ("from tests.test_store_failures import X", "run", ["tests.test_store_failures"]),
        ("from .helpers.stored import saved", "tests.test_night", []),
        ("from tools.served import Gunicorn", "tests.test_web_server", []),
    ],
)
def test_the_scan_sees_every_spelling_of_an_import(
    source: str, module: str, offending: list[str]
) -> None:
    imports = imported_modules(source, module)
    assert sorted(name for name in imports if is_test_module(name)) == offending


def test_the_scan_sees_bench_importing_tests() -> None:
    assert "tests.served" in imported_modules("from tests.served import Gunicorn", "hostile")
    assert "tests" in imported_modules("import tests", "run")
