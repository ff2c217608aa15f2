"""Reading what Alexa will send tomorrow with the SDK model of today.

The SDK's DefaultSerializer refuses a whole envelope for one value its model does not know: a
new SessionEndedRequest error type, dialogState or confirmation status, a new request type.
Alexa adds such values without notice. So before the SDK reads a payload, `clean` walks it
along the model's own declarations (`deserialized_types`, `attribute_map`, enum classes,
discriminator maps) and drops each optional value the model cannot read, exactly as if Alexa
had left it out. A request type the model does not know is read as an `UnknownRequest`: the
base Request's fields (type, id, timestamp, locale) and nothing the skill would act on.

Only the paths present in the payload are walked, so nothing is imported that the SDK would
not import to read it anyway.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.request import Request

log = logging.getLogger(__name__)

_DROP: Any = object()  # what `clean` returns for a value the model cannot read
_NATIVE: dict[str, type] = {
    "int": int,
    "long": int,
    "float": float,
    "str": str,
    "bool": bool,
    "date": date,
    "datetime": datetime,
    "object": object,
}


class UnknownRequest(Request):
    """A request of a type this SDK model does not know (`object_type` keeps the type)."""

    def __init__(
        self,
        object_type: str | None = None,
        request_id: str | None = None,
        timestamp: datetime | None = None,
        locale: str | None = None,
    ) -> None:
        self.object_type = object_type
        self.request_id = request_id
        self.timestamp = timestamp
        self.locale = locale

    @classmethod
    def get_real_child_model(cls, data: dict[str, str]) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"


def _load(name: str) -> Any:
    module, _, attribute = name.rpartition(".")
    return getattr(__import__(module, fromlist=[attribute]), attribute)


def _subtype(kind: str, opening: str) -> str:
    return kind[len(opening) : -1]


def clean(value: Any, kind: Any) -> Any:
    """`value` with everything the model type `kind` (a class or the SDK's type string)
    cannot read left out; `_DROP` when `value` itself cannot be read."""
    if value is None:
        return None
    if isinstance(kind, str):
        if kind.startswith("list["):
            if not isinstance(value, list):
                return _DROP
            inner = _subtype(kind, "list[")
            if "," in inner:  # a tuple-like list of mixed types: none in the request model
                return value
            items = (clean(item, inner) for item in value)
            return [item for item in items if item is not _DROP]
        if kind.startswith("dict("):
            if not isinstance(value, dict):
                return _DROP
            inner = _subtype(kind, "dict(").split(", ", 1)[-1]
            entries = ((key, clean(item, inner)) for key, item in value.items())
            return {key: item for key, item in entries if item is not _DROP}
        try:
            kind = _NATIVE[kind] if kind in _NATIVE else _load(kind)
        except (ImportError, AttributeError, ValueError):
            return _DROP
    if kind is object or kind is str or kind is bool:
        return value
    if kind is int or kind is float:
        try:
            kind(value)
        except (TypeError, ValueError, OverflowError):
            return _DROP
        return value
    if kind is datetime or kind is date:
        return value if _readable_time(value) else _DROP
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            known = value in kind._value2member_map_
        except TypeError:  # unhashable
            known = False
        return value if known else _DROP
    if not hasattr(kind, "deserialized_types"):
        return value
    return _clean_model(value, kind)


def _readable_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    from dateutil.parser import parse  # type: ignore[import-untyped]  # as the SDK reads times

    try:
        parse(value)
    except (ValueError, OverflowError):
        return False
    return True


def _clean_model(value: Any, kind: Any) -> Any:
    if not isinstance(value, dict):
        return _DROP
    if hasattr(kind, "get_real_child_model"):
        try:
            name = kind.get_real_child_model(value)
        except (KeyError, TypeError):
            name = None
        if not name:
            return _DROP  # an unknown kind of a nested object: as if absent
        try:
            kind = _load(name)
        except (ImportError, AttributeError):
            return _DROP
    names: dict[str, str] = getattr(kind, "attribute_map", {})
    readable: dict[str, Any] = {}
    for attribute, declared in kind.deserialized_types.items():
        key = names.get(attribute, attribute)
        if key in value:
            item = clean(value[key], declared)
            if item is not _DROP:
                readable[key] = item
    known = {names.get(a, a) for a in kind.deserialized_types}
    for key, item in value.items():  # extras: the SDK sets them as attributes of the object
        if key not in known and not key.startswith("_") and not hasattr(kind, key):
            readable[key] = item
    return readable


def _request_type_unknown(request: Any) -> bool:
    return (
        isinstance(request, dict)
        and isinstance(request.get("type"), str)
        and request["type"] not in Request.discriminator_value_class_map
    )


class TolerantSerializer(DefaultSerializer):
    """The SDK's serializer, reading payloads through `clean` first (responses it writes, and
    Alexa API answers it reads, are unchanged apart from that)."""

    def deserialize(self, payload: str | None, obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            return super().deserialize(payload, obj_type)  # the SDK's own error
        if obj_type is RequestEnvelope and isinstance(data, dict):
            request = data.get("request")
            if _request_type_unknown(request):
                log.info("unknown request type")
                rest = {key: item for key, item in data.items() if key != "request"}
                envelope = self._read(rest, RequestEnvelope)
                envelope.request = self._read(request, UnknownRequest)
                return envelope
        return self._read(data, obj_type)

    def _read(self, data: Any, obj_type: Any) -> Any:
        cleaned = clean(data, obj_type)
        return super().deserialize(json.dumps(data if cleaned is _DROP else cleaned), obj_type)
