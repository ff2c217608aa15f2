"""Errors shared by the stores."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.exceptions import PersistenceException

# Attribute carrying the item's version inside the attributes handlers see. Every save is
# conditional on it: a save based on a stale read raises VersionConflict instead of silently
# overwriting another session's update.
VERSION = "_version"


class VersionConflict(PersistenceException):
    """Someone else saved this person's attributes since they were read."""


def split_version(attributes: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    """The version the attributes were read at (None: never saved) and the attributes to save."""
    expected = attributes.get(VERSION)
    data = {k: v for k, v in attributes.items() if k != VERSION}
    return (None if expected is None else int(expected)), data
