"""Limits on what an agent may type, checked before anything is stored."""

from __future__ import annotations

import datetime as dt

from hearthline.crm.config import FieldKind, FormField
from hearthline.crm.errors import NoteRefused
from hearthline.kernel.text import text_problem

MAX_NOTE_BYTES = 64 * 1024
MAX_FIELD_BYTES = 4 * 1024
MAX_FIELDS = 200
MAX_NAME_CHARS = 100
# A correction's reason, and who made it.
MAX_REASON_BYTES = 1000


def check_text(text: object, *, what: str, limit: int) -> str:
    """Valid UTF-8 text of at most ``limit`` bytes, or a NoteRefused naming the problem."""
    if not isinstance(text, str):
        raise NoteRefused(f"{what} must be text, not {type(text).__name__}")
    problem = text_problem(text, limit=limit)
    if problem is not None:
        raise NoteRefused(f"{what} {problem}")
    return text


def check_fields(
    fields: object, form: dict[str, FormField], *, campaign: str
) -> tuple[tuple[str, str], ...]:
    if not isinstance(fields, tuple):
        raise NoteRefused(f"fields must be a tuple of (name, value) pairs, not {fields!r:.60}")
    if len(fields) > MAX_FIELDS:
        raise NoteRefused(f"{len(fields)} fields; the limit is {MAX_FIELDS}")
    seen: set[str] = set()
    for pair in fields:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise NoteRefused(f"a field must be a (name, value) pair, not {pair!r:.60}")
        name = check_text(pair[0], what="a field name", limit=MAX_NAME_CHARS)
        value = check_text(pair[1], what=f"field {name!r}", limit=MAX_FIELD_BYTES)
        spec = form.get(name)
        if spec is None:
            known = ", ".join(sorted(form)) or "none"
            raise NoteRefused(
                f"campaign {campaign!r} has no form field {name!r}; its fields: {known}"
            )
        if name in seen:
            raise NoteRefused(f"field {name!r} is given twice")
        seen.add(name)
        if value:
            _check_kind(spec, value)
    return fields


def _check_kind(spec: FormField, value: str) -> None:
    kind = spec.kind
    if kind is FieldKind.NUMBER:
        try:
            float(value)
        except ValueError:
            raise NoteRefused(f"field {spec.name!r} must be a number, got {value!r:.40}") from None
    elif kind is FieldKind.BOOLEAN and value not in ("true", "false"):
        raise NoteRefused(f"field {spec.name!r} must be 'true' or 'false', got {value!r:.40}")
    elif kind is FieldKind.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise NoteRefused(
                f"field {spec.name!r} must be a date (YYYY-MM-DD), got {value!r:.40}"
            ) from None
    elif kind is FieldKind.CHOICE and value not in spec.choices:
        raise NoteRefused(
            f"field {spec.name!r} must be one of {', '.join(spec.choices)}; got {value!r:.40}"
        )
