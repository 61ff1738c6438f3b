"""Events (and configuration values) to JSON and back, through Pydantic ``TypeAdapter``s.

The event log stores each event as its class name (``type``) and a JSON payload of its
fields, ``at`` included; the class name picks the adapter on the way back. A ``Codec``
knows the event classes it is given: the service builds the one codec from its registry
of domains (``service/domains.py``), so a new domain's events are stored by adding the
domain there. Decoding is on the recovery path (a full replay decodes every event), so
adapters are built once, with the codec.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from hearthline.kernel.domain import DomainEvent

T = TypeVar("T")
_VALUE_ADAPTERS: dict[object, TypeAdapter[Any]] = {}


class CodecError(ValueError):
    """A stored payload that does not decode: a corrupt row or an unknown event type."""


class Codec:
    def __init__(self, event_classes: Iterable[type]) -> None:
        self.classes: dict[str, type] = {}
        for cls in event_classes:
            if self.classes.setdefault(cls.__name__, cls) is not cls:
                raise CodecError(f"two event classes are named {cls.__name__}")
        self._adapters: dict[str, TypeAdapter[Any]] = {
            name: TypeAdapter(cls) for name, cls in self.classes.items()
        }

    def encode(self, event: DomainEvent) -> str:
        """The JSON payload of ``event``."""
        try:
            adapter = self._adapters[type(event).__name__]
        except KeyError:
            raise CodecError(f"not an event type the log knows: {type(event).__name__}") from None
        return adapter.dump_json(event).decode()

    def decode(self, type_: str, payload: str | bytes) -> DomainEvent:
        """The event stored as ``type_`` with ``payload``."""
        adapter = self._adapters.get(type_)
        if adapter is None:
            raise CodecError(f"unknown event type {type_!r} in the log")
        try:
            event: DomainEvent = adapter.validate_json(payload)
        except ValidationError as exc:
            raise CodecError(f"{type_} payload does not decode: {exc.errors()[0]['msg']}") from None
        except Exception as exc:  # a value's own check (__post_init__) refused it
            raise CodecError(f"{type_} payload does not decode: {exc}") from None
        return event


def value_adapter(tp: type[T] | Any) -> TypeAdapter[Any]:
    """A cached adapter for a configuration value (escalation steps, form choices...)."""
    adapter = _VALUE_ADAPTERS.get(tp)
    if adapter is None:
        adapter = _VALUE_ADAPTERS[tp] = TypeAdapter(tp)
    return adapter


def dump_value(tp: Any, value: object) -> str:
    return value_adapter(tp).dump_json(value).decode()


def load_value(tp: Any, text: str | bytes) -> Any:
    return value_adapter(tp).validate_json(text)
