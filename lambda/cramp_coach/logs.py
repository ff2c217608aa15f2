"""Logging that costs nothing until there is something to log.

The standard `logging` package (with the `traceback`, `textwrap` and regular expressions it
loads) is about 5 ms of a cold start, and most requests log nothing at the configured level.
So the skill's modules log through `logs.get(name)`: while nothing has loaded `logging`, a
message below the configured level is dropped without loading it; anything else goes to the
standard logger of the same name, with the level and handler `configure` asked for. Where the
host has loaded `logging` already (the Lambda runtime, gunicorn, pytest), this is a thin pass-
through and the standard logging configuration is in charge.
"""

from __future__ import annotations

import sys
from typing import Any

ROOT = "cramp_coach"
FORMAT = "%(levelname)s %(name)s %(message)s"
DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50  # the standard levels' numbers
LEVELS = {
    "DEBUG": DEBUG,
    "INFO": INFO,
    "WARNING": WARNING,
    "WARN": WARNING,
    "ERROR": ERROR,
    "CRITICAL": CRITICAL,
}

# Libraries that print request and response bodies at DEBUG: botocore prints the DynamoDB key,
# which is the Alexa user id. The skill's logs hold no user id whatever the root logger's level
# (Lambda's advanced logging controls can set it to DEBUG), so these stay at WARNING.
QUIET = ("botocore", "boto3", "s3transfer", "urllib3")

_level: str | None = None  # what configure() asked for, not yet applied when pending
_pending = False


def configure(level: str) -> None:
    """The level for the skill's loggers (a name such as "INFO"); applied now if `logging` is
    loaded, otherwise the first time something is logged."""
    global _level, _pending
    _level = level.upper() if level.upper() in LEVELS else "INFO"
    _pending = True
    if "logging" in sys.modules:
        _standard()


def quiet_third_parties() -> None:
    """Keep the libraries in QUIET at WARNING (called when they, or `logging`, are loaded)."""
    import logging

    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def threshold() -> int:
    return LEVELS[_level] if _level else INFO


def _standard() -> Any:
    global _pending
    import logging

    if _pending:
        if not logging.getLogger().handlers:  # Lambda installs its own handler; keep it
            logging.basicConfig(format=FORMAT)
        logging.getLogger(ROOT).setLevel(_level or "INFO")
        quiet_third_parties()
        _pending = False
    return logging


class Logger:
    """The few methods the skill uses of `logging.Logger`, loading `logging` only when needed."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def log(self, level: int, message: str, *args: Any) -> None:
        if "logging" not in sys.modules and level < threshold():
            return
        _standard().getLogger(self.name).log(level, message, *args)

    def debug(self, message: str, *args: Any) -> None:
        self.log(DEBUG, message, *args)

    def info(self, message: str, *args: Any) -> None:
        self.log(INFO, message, *args)

    def warning(self, message: str, *args: Any) -> None:
        self.log(WARNING, message, *args)

    def error(self, message: str, *args: Any) -> None:
        self.log(ERROR, message, *args)


def get(name: str) -> Logger:
    return Logger(name)
