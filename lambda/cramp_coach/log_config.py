"""Logging configuration: the skill's level, and the libraries that could log a user id kept quiet.

Modules log through the standard `logging.getLogger(__name__)`. Where the host has configured
logging already (the Lambda runtime, gunicorn, pytest), its handlers are kept.
"""

from __future__ import annotations

import logging

ROOT = "cramp_coach"
FORMAT = "%(levelname)s %(name)s %(message)s"
LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})

# Libraries that print request and response bodies at DEBUG: botocore prints the DynamoDB key,
# which is the Alexa user id. The skill's logs hold no user id whatever the root logger's level
# (Lambda's advanced logging controls can set it to DEBUG), so these stay at WARNING.
QUIET = ("botocore", "boto3", "s3transfer", "urllib3")


def configure(level: str) -> None:
    """The level for the skill's loggers (a name such as "INFO"; anything else means INFO)."""
    if not logging.getLogger().handlers:  # Lambda installs its own handler; keep it
        logging.basicConfig(format=FORMAT)
    name = "WARNING" if level.upper() == "WARN" else level.upper()
    logging.getLogger(ROOT).setLevel(name if name in LEVELS else "INFO")
    quiet_third_parties()


def quiet_third_parties() -> None:
    """Keep the libraries in QUIET at WARNING (called when they are loaded, and at start)."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
