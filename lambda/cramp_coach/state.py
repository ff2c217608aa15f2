"""Per-user persistent state, read and written through the SDK's AttributesManager.

Only what the skill needs to behave well is kept: routine progress, the preferred routine
length, the date the routine was last finished, whether the person has heard the disclaimer
and the date of their last visit, and how many times they have completed each stretch (counts
only: see returning.py). Never anything about their health.

Writes are read-modify-write with a version check (the stores raise VersionConflict when the
item changed since it was read); `update` re-reads and re-applies the change, so two sessions of
one person never lose each other's updates. A failing store never fails a request: reads fall
back to "nothing known", writes are dropped, each logged without user identifiers, and after
one failure the request does not try the store again (so a dead table costs one timeout).

A deletion sticks: once a request has deleted the person, nothing in it writes for them again
(night mode's time-zone note, a routine step, the welcome flag), and a save whose item was
deleted since it was read (by another process, another device) is dropped rather than
re-creating the item.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope

from . import deadline
from .deadline import Deadline
from .store.errors import VERSION, VersionConflict

log = logging.getLogger(__name__)

WELCOMED = "welcomed"  # True once the first-use disclaimer has been heard
ROUTINE = "routine"  # {"length": ..., "position": ...} while a routine is unfinished
PREFERRED_LENGTH = "preferred_length"
LAST_FINISHED = "last_finished"  # ISO date the routine was last finished
# The last answer heard, for about ten minutes (memory.py): {"said": respond.Said, "at": ISO
# UTC time}. Which answer and which of its phrasings, nothing the person said.
RECENT = "recent"
LAST_VISIT = "last_visit"  # ISO local date of the last launch or routine (returning.py)
FAMILIAR = "familiar"  # stretch id -> times completed, both legs (counts only: returning.py)

_FAILED = "store_failed"  # request attribute: the store already failed during this request
_DELETED = "person_deleted"  # request attribute: this request deleted the person's data
MAX_ATTEMPTS = 40  # the deadline ends retrying long before this, unless every save is instant
BACKOFF_BASE = 0.015  # seconds: the first wait after a conflict is up to this
BACKOFF_CAP = 0.4  # no single wait is longer than this
STORE_CALL = 0.5  # seconds kept for the read and the save that follow a wait

Change = Callable[[dict[str, Any]], None]


class Deleted(VersionConflict):
    """The person's attributes were deleted since they were read: saving would re-create them."""


def save_with_retry(
    store: AbstractPersistenceAdapter,
    envelope: RequestEnvelope,
    current: dict[str, Any],
    change: Change,
    attempts: int = MAX_ATTEMPTS,
    clock: Deadline | None = None,
) -> dict[str, Any]:
    """Apply `change` to the attributes and save; on a version conflict, wait, re-read and
    retry. The waits grow exponentially, each a random part of its bound ("full jitter"), so
    writers that collided spread out instead of colliding again; retrying stops when the
    request's deadline (`clock`, else the current request's, else a fresh one) is near."""
    clock = clock or deadline.current() or Deadline.start()
    for attempt in range(attempts):
        updated = copy.deepcopy(current)
        change(updated)
        try:
            store.save_attributes(envelope, updated)
        except VersionConflict:
            import random  # only under contention: not on the cold path

            existed = current.get(VERSION) is not None
            wait = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))
            if not clock.allows(wait + STORE_CALL):
                break
            time.sleep(wait)
            current = store.get_attributes(envelope)
            if existed and current.get(VERSION) is None:
                raise Deleted("the attributes were deleted since they were read") from None
            continue
        return updated
    raise VersionConflict(f"still conflicting after {attempt + 1} attempts")


def _failed(handler_input: HandlerInput) -> bool:
    return bool(handler_input.attributes_manager.request_attributes.get(_FAILED))


def deleted(handler_input: HandlerInput) -> bool:
    """True once this request has deleted the person's data: nothing more is written for them."""
    return bool(handler_input.attributes_manager.request_attributes.get(_DELETED))


def _fail(handler_input: HandlerInput, what: str, error: Exception) -> None:
    handler_input.attributes_manager.request_attributes[_FAILED] = True
    log.warning("state %s failed: %s", what, type(error).__name__)


def load(handler_input: HandlerInput) -> dict[str, Any] | None:
    """The person's persistent attributes, or None when the store cannot be read."""
    if _failed(handler_input):
        return None
    try:
        attributes: dict[str, Any] = handler_input.attributes_manager.persistent_attributes
    except Exception as error:  # the store is optional to every answer
        _fail(handler_input, "read", error)
        return None
    return attributes


def update(
    handler_input: HandlerInput, store: AbstractPersistenceAdapter | None, change: Change
) -> dict[str, Any] | None:
    """Change the person's attributes and save them; None if the store is unavailable."""
    if deleted(handler_input):
        return None
    current = load(handler_input)
    if current is None or store is None:
        return None
    try:
        updated = save_with_retry(store, handler_input.request_envelope, current, change)
    except Deleted:
        log.info("state write dropped: the data was deleted meanwhile")
        handler_input.attributes_manager.request_attributes[_DELETED] = True
        return None
    except Exception as error:
        _fail(handler_input, "write", error)
        return None
    handler_input.attributes_manager.persistent_attributes = updated
    return updated


def delete(handler_input: HandlerInput, store: AbstractPersistenceAdapter | None) -> bool:
    """Delete everything kept for this person. True when the store confirmed it; from then on
    this request reads nothing and writes nothing for them."""
    if store is None:
        return False
    try:
        store.delete_attributes(handler_input.request_envelope)
    except Exception as error:
        _fail(handler_input, "delete", error)
        return False
    manager = handler_input.attributes_manager
    manager.request_attributes[_DELETED] = True
    manager.persistent_attributes = {}
    return True
