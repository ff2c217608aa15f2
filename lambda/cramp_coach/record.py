"""Small immutable records, cheap to define.

`typing.NamedTuple` compiles a constructor for every class as its module loads: about 0.7
million instructions each, and a cold start defines a dozen (most of the content model).
A `Record` subclass lists its fields in `__slots__`, annotates them, and writes a typed
`__init__` that passes every value on by name; it gets immutability, equality, hashing and a
readable repr here, at about a tenth of the cost to define.
"""

from __future__ import annotations

from typing import Any


class Record:
    __slots__: tuple[str, ...] = ()

    def __init__(self, **values: Any) -> None:
        if len(values) != len(self.__slots__):  # a field left out (an unknown one fails below)
            raise TypeError(f"{type(self).__name__} needs all of {', '.join(self.__slots__)}")
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Record)
            and type(other) is type(self)
            and other.values() == self.values()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"
