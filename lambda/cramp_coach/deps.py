"""What handlers need besides the request: content, store, phrasing chooser and people's
profiles, passed in so that tests can choose each."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput

from .content import Content, ContentLibrary
from .profiles import Profiles

T = TypeVar("T")


class Chooser(Protocol):
    """What picks among phrasings: `random.SystemRandom` (the OS's randomness at each pick, so
    processes restored from one SnapStart snapshot still differ), a seeded Random in tests."""

    def choice(self, seq: Sequence[T]) -> T: ...


@dataclass(slots=True)
class Deps:
    content: ContentLibrary
    store: AbstractPersistenceAdapter | None = None
    rng: Chooser = field(default_factory=random.SystemRandom)
    profiles: Profiles | None = None

    def content_for(self, handler_input: HandlerInput) -> Content:
        """The content in the request's language."""
        return self.content.get(getattr(handler_input.request_envelope.request, "locale", None))
