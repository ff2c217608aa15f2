"""Counts for the operator, in CloudWatch's Embedded Metric Format (EMF), with no personal data.

While a request is handled, `count()` adds to the request's tally (a Counter in its request
attributes: microseconds, nothing imported). Once the response is built, `Write` hands the
tally over, to be turned into one EMF line by aws-lambda-powertools' serializer and written to
the sink: stdout (CloudWatch Logs picks it up on Lambda; the web service's log collector does
the same), or a file (`make run`'s chat keeps its transcript clean). On Lambda that happens
after the response has gone (afterwards.py), so the serializer's import, which the first line
of a process pays, stays off the answer's path; bench/README.md gives the figures.

What a line may hold, and nothing else: the dimensions Locale (one the skill has words for,
else "other"), Period (day or night) and Screen (yes or no), and counts whose names are built
from the `Metric` names below and bounded kinds: intent and request names the skill declares
(anything else is "Other"), topic keys from content/, a fallback's context, an error's kind.
Never an id, a slot value or a word that was heard.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from . import person, session
from .afterwards import AFTERWARDS
from .intents import SPOKEN, Intent, Request

if TYPE_CHECKING:
    from .config import Config

log = logging.getLogger(__name__)

_KEY = "metrics"  # request attribute: this request's Tally


class Metric(StrEnum):
    """Every metric's name, declared once. Those marked "per kind" are written as
    `<name>.<kind>` (e.g. `Fallback.Routine`), one count per kind."""

    REQUEST = "Request"  # per kind: the intent's name, or the request type for other requests
    TURN = "Turns"  # requests the person made (spoken, or touched): the fallback rate's base
    COLD_START = "ColdStart"  # the first request a process answers
    FALLBACK = "Fallback"  # per kind: Context
    TOPIC = "Topic"  # per kind: the topic answered (content/ key)
    RED_FLAG = "RedFlag"  # per kind: the red-flag topic answered
    ROUTINE_STARTED = "RoutineStarted"
    ROUTINE_RESUMED = "RoutineResumed"
    ROUTINE_COMPLETED = "RoutineCompleted"
    ROUTINE_ABANDONED = "RoutineAbandoned"  # stopped, paused, or left before its last stretch
    REMINDER_CREATED = "ReminderCreated"
    REMINDER_CHANGED = "ReminderChanged"
    REMINDER_REFUSED = "ReminderPermissionRefused"
    ERROR = "Error"  # per kind: ErrorKind


class Dimension(StrEnum):
    LOCALE = "Locale"
    PERIOD = "Period"
    SCREEN = "Screen"


class Context(StrEnum):
    """Where a fallback happened."""

    TOP_LEVEL = "TopLevel"  # nothing was pending
    ROUTINE = "Routine"  # inside the stretches
    DIALOG = "Dialog"  # a question or a reminder's time was pending


class ErrorKind(StrEnum):
    STORE = "Store"  # the person's state could not be read or written
    SERVICE = "Service"  # an Alexa service API failed
    CONTENT = "Content"  # the words could not be loaded
    OTHER = "Other"


OTHER = "Other"  # an intent or request name the skill does not declare
OTHER_LOCALE = "other"
# The answers that send a person to urgent or medical help, by intent (the NLU evaluation,
# cramp_coach.local.nlu, groups its red-flag lines by the same set).
RED_FLAG_INTENTS = frozenset(
    {
        "EmergencyIntent",
        "BloodClotIntent",
        "LongCrampIntent",
        "StrokeIntent",
        "NerveSignsIntent",
        "MedicineIntent",
        "ChildLegPainIntent",
        "DoseIntent",
    }
)


@dataclass(slots=True)
class Tally:
    """One request's counts, until its line is written."""

    counts: Counter[str] = field(default_factory=Counter)
    write: Callable[[HandlerInput, Tally], None] | None = None
    written: bool = False


def _tally(handler_input: HandlerInput) -> Tally:
    attributes = handler_input.attributes_manager.request_attributes
    tally = attributes.get(_KEY)
    if not isinstance(tally, Tally):
        tally = attributes[_KEY] = Tally()
    return tally


def count(handler_input: HandlerInput, metric: Metric, kind: str | None = None) -> None:
    """One more of `metric` (of `kind`, for the metrics counted per kind) in this request."""
    _tally(handler_input).counts[f"{metric}.{kind}" if kind else str(metric)] += 1


def topic(handler_input: HandlerInput, key: str, intent: str) -> None:
    """A topic was answered: counted by its content key, and as a red flag when it is one."""
    count(handler_input, Metric.TOPIC, key)
    if intent in RED_FLAG_INTENTS:
        count(handler_input, Metric.RED_FLAG, key)


def fallback(handler_input: HandlerInput, place: str) -> None:
    """A turn that was not understood, where it happened (context.Place's value)."""
    kind = {"nowhere": Context.TOP_LEVEL, "routine": Context.ROUTINE}.get(place, Context.DIALOG)
    count(handler_input, Metric.FALLBACK, kind)


def session_ended(handler_input: HandlerInput) -> None:
    """The session ended (timeout, the person walked away) with the stretches under way."""
    if session.attributes(handler_input).get(session.ROUTINE):
        count(handler_input, Metric.ROUTINE_ABANDONED)


def error_kind(error: BaseException) -> ErrorKind:
    from ask_sdk_core.exceptions import PersistenceException
    from ask_sdk_model.services import ServiceException

    from .content import ContentError

    if isinstance(error, PersistenceException):
        return ErrorKind.STORE
    if isinstance(error, ServiceException):
        return ErrorKind.SERVICE
    if isinstance(error, ContentError):
        return ErrorKind.CONTENT
    return ErrorKind.OTHER


def failed(handler_input: HandlerInput, error: BaseException) -> None:
    """The error handler's answer: the error counted by kind, and the line written (response
    interceptors do not run after an exception)."""
    count(handler_input, Metric.ERROR, error_kind(error))
    tally = _tally(handler_input)
    if tally.write is not None:
        tally.write(handler_input, tally)


def request_name(handler_input: HandlerInput, topics: Collection[str] = ()) -> str:
    """The intent's name for an intent request, else the request's type: only names the skill
    declares (intents.py, or content/'s topic intents, `topics`), never one a request makes up."""
    request = handler_input.request_envelope.request
    kind = getattr(request, "object_type", None)
    if kind == Request.INTENT:
        name = getattr(getattr(request, "intent", None), "name", None)
        return str(name) if name in _INTENTS or name in topics else OTHER
    return str(kind) if kind in _REQUESTS else OTHER


_INTENTS: set[str] = {str(i) for i in Intent}
_REQUESTS = frozenset(str(r) for r in Request)


def has_screen(handler_input: HandlerInput) -> bool:
    from ask_sdk_core.utils import get_supported_interfaces

    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    except (AttributeError, TypeError):  # an envelope without a device (events)
        return False


# --- writing ----------------------------------------------------------------------------------


class Sink:
    """Where lines go: stdout, or appended to a file. One line at a time (threads share it)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            if self.path is None:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            else:
                with open(self.path, "a", encoding="utf-8") as out:
                    out.write(line + "\n")


def load_serializer() -> None:
    """Import the serializer now (a long-lived web service, at start): no request pays for it."""
    import aws_lambda_powertools.metrics  # noqa: F401


def serialize(namespace: str, dimensions: dict[str, str], counts: Counter[str]) -> str:
    """One EMF line, through aws-lambda-powertools (imported on the first line a process writes).
    No service dimension (an empty service): the dimensions are ours alone."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    emf = EphemeralMetrics(namespace=namespace, service="")
    for name, value in dimensions.items():
        emf.add_dimension(name=name, value=value)
    for metric, total in sorted(counts.items()):
        emf.add_metric(name=metric, unit=MetricUnit.Count, value=total)
    blob = emf.serialize_metric_set()
    emf.clear_metrics()
    return json.dumps(blob, separators=(",", ":"))


class Writer:
    """Writes each request's line; counts the process's first request as its cold start."""

    def __init__(
        self,
        config: Config,
        locales: Callable[[], Collection[str]],
        topics: Callable[[HandlerInput], Collection[str]],
    ) -> None:
        self.enabled = config.metrics
        self.namespace = config.metrics_namespace
        self.locales = locales  # those the skill has words for
        self.topics = topics  # the request's locale's topic intents
        self.sink: Callable[[str], None] = Sink(config.metrics_file)
        self.later: Callable[[Callable[[], None]], None] = AFTERWARDS.later
        self._cold = True

    def dimensions(self, handler_input: HandlerInput) -> dict[str, str]:
        locale = str(getattr(handler_input.request_envelope.request, "locale", None))
        return {
            Dimension.LOCALE: locale if locale in self.locales() else OTHER_LOCALE,
            Dimension.PERIOD: "night" if person.of(handler_input).mode.night else "day",
            Dimension.SCREEN: "yes" if has_screen(handler_input) else "no",
        }

    def write(self, handler_input: HandlerInput, tally: Tally) -> None:
        if tally.written:
            return
        tally.written = True
        if not self.enabled:
            return
        counts = Counter(tally.counts)
        kind = getattr(handler_input.request_envelope.request, "object_type", None)
        if kind in SPOKEN:  # said or touched
            counts[Metric.TURN] += 1
        if self._cold:
            self._cold = False
            counts[Metric.COLD_START] += 1
        try:
            topics = self.topics(handler_input)
        except Exception:  # no words to be had: only the names intents.py declares
            topics = frozenset()
        counts[f"{Metric.REQUEST}.{request_name(handler_input, topics)}"] += 1
        dimensions = self.dimensions(handler_input)

        def write_metrics() -> None:  # serialized once the answer has gone (afterwards.py)
            self.sink(serialize(self.namespace, dimensions, counts))

        self.later(write_metrics)


class Begin(AbstractRequestInterceptor):
    """First: this request's tally, and who writes it."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[_KEY] = Tally(write=self.writer.write)


class Write(AbstractResponseInterceptor):
    """Last: the response is built; the request's line is written."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        _ = response
        tally = _tally(handler_input)
        if tally.write is not None:
            tally.write(handler_input, tally)
