"""The person's last answer, kept for a few minutes beyond its session.

Half-asleep people miss words, and the next thing they say is often a new one-shot: "Alexa,
ask cramp coach to repeat that", "... where is that from?", "... tell me more". A session's
attributes are gone by then, so each answer is also kept in the person's persistent attributes
(state.RECENT) with the time it was said: which answer and which of its phrasings (a
respond.Said), never anything the person said, and never an answer whose question tells of
their health (a topic marked `private` in content/structure.json: a symptom, a condition, a
medicine). It is used for KEEP after it was said, then forgotten (dropped the next time it is
found stale); "delete my data" deletes it with the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput

from . import clock, state
from .deps import Deps
from .respond import Said, last_said

KEEP = timedelta(minutes=10)  # how long an answer is remembered after it was said
SKEW = timedelta(minutes=1)  # a device's clock may run this far behind the one that said it


def remember(handler_input: HandlerInput, deps: Deps) -> None:
    """Keep the answer this request just gave (the session's last topic) for KEEP. A private
    one (its question tells of the person's health) is never kept: it makes the store forget
    the one before, so that a later repeat cannot give an older answer in its place."""
    said = last_said(handler_input)
    if deps.store is None or said is None or not said.topic:
        return
    topic = deps.content_for(handler_input).topics.get(said.key)
    if topic is None or topic.private:
        if state.RECENT in (state.load(handler_input) or {}):
            state.update(handler_input, deps.store, lambda kept: kept.pop(state.RECENT, None))
        return
    kept = {"said": said.to_json(), "at": clock.utc_now(handler_input).isoformat()}
    state.update(
        handler_input, deps.store, lambda attributes: attributes.update({state.RECENT: kept})
    )


def _read(raw: Any) -> tuple[Said | None, datetime | None]:
    if not isinstance(raw, dict):
        return None, None
    said = Said.from_json(raw.get("said"))
    try:
        at = datetime.fromisoformat(str(raw.get("at")))
    except ValueError:
        return said, None
    return said, at if at.tzinfo is not None else None


def recall(handler_input: HandlerInput, store: AbstractPersistenceAdapter | None) -> Said | None:
    """The answer given within the last KEEP, if there is one; an older one is forgotten."""
    attributes = state.load(handler_input) if store is not None else None
    raw = attributes.get(state.RECENT) if attributes else None
    if raw is None:
        return None
    said, at = _read(raw)
    now = clock.utc_now(handler_input)
    if said is not None and said.topic and at is not None and now - KEEP <= at <= now + SKEW:
        return said
    state.update(handler_input, store, lambda attributes: attributes.pop(state.RECENT, None))
    return None
