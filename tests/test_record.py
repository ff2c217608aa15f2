"""Records: the cheap immutable values the content model, configuration and modes are made of."""

from __future__ import annotations

import pytest

from cramp_coach.config import Config
from cramp_coach.content import Offer, Source
from cramp_coach.record import Record


def test_records_are_immutable_values() -> None:
    source = Source("nhs", "the NHS", "NHS: Leg cramps", "https://www.nhs.uk/")
    assert source == Source("nhs", "the NHS", "NHS: Leg cramps", "https://www.nhs.uk/")
    assert source != Source("nhs", "the NHS", "NHS: Leg cramps", None)
    assert hash(source) == hash(Source("nhs", "the NHS", "NHS: Leg cramps", "https://www.nhs.uk/"))
    assert "title='NHS: Leg cramps'" in repr(source)
    with pytest.raises(AttributeError):
        source.key = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del source.key  # type: ignore[misc]


def test_defaults_and_keywords_work_as_before() -> None:
    assert Offer(("Want more?",), ("More?",)).yes is None
    assert Config(skill_id="x").log_level == "INFO" and Config().skill_id is None
    assert Config() == Config() and Config() != Config(skill_id="x")


def test_a_record_must_be_given_every_field() -> None:
    class Pair(Record):
        __slots__ = ("left", "right")

        def __init__(self, left: int) -> None:
            super().__init__(left=left)  # forgot right

    with pytest.raises(TypeError, match="needs all of"):
        Pair(1)
