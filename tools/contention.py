"""Writers updating one person at once, as devices and Lambda instances do: each writer has a
store of its own (its own connection or client), reads, changes and saves through
state.save_with_retry, and an update the retries give up on is counted as dropped."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from cramp_coach.local import envelope as env
from cramp_coach.state import save_with_retry


def envelope_for(user: str, device: str = "amzn1.ask.device.D") -> RequestEnvelope:
    event = env.envelope(
        env.launch_request(), env.Device(user_id=user, device_id=device), env.Session()
    )
    result: RequestEnvelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    return result


def increment(attributes: dict[str, Any]) -> None:
    attributes["count"] = attributes.get("count", 0) + 1


def contend(stores: list[Any], updates: int, user: str) -> tuple[int, int]:
    """Every store a writer making `updates` updates of one person: (dropped, final count)."""
    dropped: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(stores))

    def writer(store: Any, index: int) -> None:
        envelope = envelope_for(user, f"amzn1.ask.device.{index}")
        start.wait()
        for _ in range(updates):
            try:
                save_with_retry(store, envelope, store.get_attributes(envelope), increment)
            except PersistenceException:  # VersionConflict: the retries gave up
                with lock:
                    dropped.append(1)

    threads = [threading.Thread(target=writer, args=(s, i)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = stores[0].get_attributes(envelope_for(user)).get("count", 0)
    return len(dropped), int(final)


StoreFactory = Callable[[], Any]
