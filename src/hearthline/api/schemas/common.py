"""What every body shares: the base models, identifiers and text, command results."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from hearthline.kernel.text import MAX_TEXT_BYTES, text_problem

IDENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,99}$"
CONTACT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,179}$"
# A contact as the core names it, also a callback it made (``<contact>~cb``).
CORE_CONTACT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+~-]{0,199}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ().-]{0,39}$"


def printable(value: str) -> str:
    # Lengths are checked in characters by the annotations; bytes by the log's own rule.
    problem = text_problem(value, limit=4 * MAX_TEXT_BYTES)
    if problem is not None:
        raise ValueError(f"the text {problem}")
    return value


Ident = Annotated[str, StringConstraints(pattern=IDENT_PATTERN)]
ContactIdent = Annotated[str, StringConstraints(pattern=CONTACT_PATTERN)]
Phone = Annotated[str, StringConstraints(pattern=PHONE_PATTERN)]
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(printable)]
Text = Annotated[str, StringConstraints(max_length=65_536), AfterValidator(printable)]
FieldValue = Annotated[str, StringConstraints(max_length=4096), AfterValidator(printable)]
# A row id: the databases' integer columns hold at most 2**31 - 1 (PostgreSQL refuses more).
ROW_ID_MAX = 2**31 - 1
Seconds = Annotated[float, Field(ge=0, le=86_400 * 366)]
Priority = Annotated[int, Field(ge=-1000, le=1000)]


class In(BaseModel):
    """Base of request bodies: unknown fields and non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EventRef(Out):
    id: int
    type: str


class CommandResult(Out):
    """The events a command produced, durable in the log."""

    events: list[EventRef]
    last_event_id: int
