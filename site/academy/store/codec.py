"""Turning the domain's dataclasses into JSON documents and back."""

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar, Union

T = TypeVar("T")


def to_doc(value: Any) -> Any:
    """A JSON-ready copy of a dataclass (recursively)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_doc(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_doc(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_doc(v) for k, v in value.items()}
    return value


Decoder = Callable[[Any], Any]

# One decoder per field of each dataclass, built from its type hints on first
# use: a learner file holds thousands of attempts, and reading the hints and
# matching them for every value took most of the time of opening the store.
_FIELDS: dict[type, dict[str, Decoder]] = {}


def from_doc(cls: type[T], doc: dict[str, Any]) -> T:
    """Rebuild a dataclass from a document written by `to_doc`."""
    fields = _FIELDS.get(cls)
    if fields is None:
        hints = typing.get_type_hints(cls)
        fields = {
            f.name: _decoder(hints[f.name])
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        }
        _FIELDS[cls] = fields
    return cls(**{k: fields[k](v) for k, v in doc.items() if k in fields})


def _same(value: Any) -> Any:
    return value


def _or_none(decode: Decoder) -> Decoder:
    """`decode`, passing None through: any field may be absent in a document."""
    return lambda value: None if value is None else decode(value)


def _decoder(hint: Any) -> Decoder:
    """A function turning a JSON value back into a value of type `hint`."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decoder(inner[0])
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])
        return _or_none(lambda value: tuple(map(item, value)))
    if origin is dict:
        entry = _decoder(typing.get_args(hint)[1])
        if entry is _same:
            return _or_none(dict)
        return _or_none(lambda value: {k: entry(v) for k, v in value.items()})
    if hint is datetime:
        return _or_none(datetime.fromisoformat)
    if hint is date:
        return _or_none(date.fromisoformat)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _or_none(hint)
    if dataclasses.is_dataclass(hint):
        cls = typing.cast(type, hint)
        return _or_none(lambda value: from_doc(cls, value))
    if hint is float:
        # JSON writes 2.0 as 2; a float field reads it back as a float.
        return lambda value: float(value) if type(value) is int else value
    return _same
