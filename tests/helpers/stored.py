"""What a store holds for a person, read directly: an envelope naming them, and the attributes
without the store's version field."""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from cramp_coach.local import envelope as env
from cramp_coach.store import VERSION

LOCAL_USER = env.Device().user_id  # the simulated Echo's person


def envelope_for(user: str) -> RequestEnvelope:
    event = env.envelope(env.launch_request(), env.Device(user_id=user), env.Session())
    result: RequestEnvelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    return result


def plain(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if k != VERSION}


def saved(store: AbstractPersistenceAdapter, user: str = LOCAL_USER) -> dict[str, Any]:
    attributes: dict[str, Any] = store.get_attributes(envelope_for(user))
    return attributes
