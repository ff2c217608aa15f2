"""Errors shared by the stores."""

from __future__ import annotations

from ask_sdk_core.exceptions import PersistenceException

# Attribute carrying the item's version inside the attributes handlers see. Every save is
# conditional on it: a save based on a stale read raises VersionConflict instead of silently
# overwriting another session's update.
VERSION = "_version"


class VersionConflict(PersistenceException):
    """Someone else saved this person's attributes since they were read."""
