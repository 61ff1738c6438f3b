"""Events (and configuration values) to JSON and back, through Pydantic ``TypeAdapter``s.

The event log stores each event as its class name (``type``) and a JSON payload of its
fields, ``at`` included; the class name picks the adapter on the way back. Routing
events and crm events share the one registry, ``EVENT_CLASSES``. Decoding is on the
recovery path (a full replay decodes every event), so adapters are built once, here.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from hearthline.crm.events import CRM_EVENT_TYPES, CrmEvent
from hearthline.routing.errors import RoutingError
from hearthline.routing.events import EVENT_TYPES, Event

AnyEvent = Event | CrmEvent
T = TypeVar("T")

EVENT_CLASSES: dict[str, type[AnyEvent]] = {**EVENT_TYPES, **CRM_EVENT_TYPES}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(cls) for name, cls in EVENT_CLASSES.items()
}
_VALUE_ADAPTERS: dict[object, TypeAdapter[Any]] = {}


class CodecError(ValueError):
    """A stored payload that does not decode: a corrupt row or an unknown event type."""


def type_name(event: AnyEvent) -> str:
    return type(event).__name__


def encode(event: AnyEvent) -> str:
    """The JSON payload of ``event``."""
    try:
        adapter = _ADAPTERS[type(event).__name__]
    except KeyError:
        raise CodecError(f"not an event type the log knows: {type(event).__name__}") from None
    return adapter.dump_json(event).decode()


def decode(type_: str, payload: str | bytes) -> AnyEvent:
    """The event stored as ``type_`` with ``payload``."""
    adapter = _ADAPTERS.get(type_)
    if adapter is None:
        raise CodecError(f"unknown event type {type_!r} in the log")
    try:
        event: AnyEvent = adapter.validate_json(payload)
    except ValidationError as exc:
        raise CodecError(f"{type_} payload does not decode: {exc.errors()[0]['msg']}") from None
    except RoutingError as exc:  # a config value's own check (__post_init__) refused it
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
