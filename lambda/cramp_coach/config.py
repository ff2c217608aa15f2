"""Configuration, read from the environment in this one place and nowhere else.

Nothing here runs at import: `Config.from_env` is called by the entry points when they build
the skill, so tests can pass whatever configuration they need.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_LOCALE = "en-US"
STATE_FILE_NAME = "cramp-coach.sqlite3"
# Lambda initialises these ahead of any request (AWS_LAMBDA_INITIALIZATION_TYPE); SnapStart then
# snapshots the initialised process, so everything is worth loading at init for them.
AHEAD_OF_TIME = frozenset({"snap-start", "provisioned-concurrency"})
DEFAULT_METRICS_NAMESPACE = "CrampCoach"
METRICS_OFF = frozenset({"off", "0", "false", "no"})  # CRAMP_COACH_METRICS: lines not written


def default_state_path(environ: Mapping[str, str]) -> str:
    """Where the embedded store lives when CRAMP_COACH_DB is not set.

    On Lambda only /tmp is writable; elsewhere the per-user data directory (XDG on Linux,
    ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows).
    """
    join = os.path.join
    if environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return join("/tmp", STATE_FILE_NAME)
    if environ.get("XDG_DATA_HOME"):
        base = environ["XDG_DATA_HOME"]
    elif environ.get("LOCALAPPDATA"):
        base = environ["LOCALAPPDATA"]
    else:
        home = environ.get("HOME") or os.path.expanduser("~")
        mac = join(home, "Library", "Application Support")
        base = mac if os.path.isdir(mac) else join(home, ".local", "share")
    return join(base, "cramp-coach", STATE_FILE_NAME)


@dataclass(frozen=True, slots=True)
class Config:
    default_locale: str = DEFAULT_LOCALE
    state_path: str | None = None  # the embedded store's file (local default)
    dynamodb_table: str | None = None  # DynamoDB, configured the way Alexa-hosted skills are
    dynamodb_region: str | None = None
    skill_id: str | None = None  # requests for any other skill are refused when this is set
    log_level: str = "INFO"
    insecure_local_dev: bool = False  # web service only: no request verification (warned at start)
    initialise_ahead: bool = (
        False  # Lambda SnapStart or provisioned concurrency: load everything at init
    )
    metrics: bool = False  # EMF lines, one per request (metrics.py); on unless turned off
    metrics_namespace: str = DEFAULT_METRICS_NAMESPACE
    metrics_file: str | None = None  # the lines appended to this file instead of stdout
    runtime_api: str | None = None  # Lambda's Runtime API (host:port), for the metrics extension

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        db = env.get("CRAMP_COACH_DB")
        return cls(
            default_locale=env.get("CRAMP_COACH_LOCALE") or DEFAULT_LOCALE,
            state_path=db or default_state_path(env),
            dynamodb_table=env.get("DYNAMODB_PERSISTENCE_TABLE_NAME") or None,
            dynamodb_region=env.get("DYNAMODB_PERSISTENCE_REGION") or None,
            skill_id=env.get("SKILL_ID") or None,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            insecure_local_dev=env.get("CRAMP_COACH_INSECURE_LOCAL_DEV") == "1",
            initialise_ahead=env.get("AWS_LAMBDA_INITIALIZATION_TYPE") in AHEAD_OF_TIME,
            metrics=(env.get("CRAMP_COACH_METRICS") or "on").lower() not in METRICS_OFF,
            metrics_namespace=env.get("CRAMP_COACH_METRICS_NAMESPACE") or DEFAULT_METRICS_NAMESPACE,
            metrics_file=env.get("CRAMP_COACH_METRICS_FILE") or None,
            runtime_api=env.get("AWS_LAMBDA_RUNTIME_API") or None,
        )
