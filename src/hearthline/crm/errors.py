"""Refusals of notes and outcomes. Each says what was wrong; a refusal stores nothing."""

from __future__ import annotations


class CrmError(Exception):
    """Base of every refusal by the crm checks. ``code`` is stable for programs to test."""

    code = "crm-error"


class UnknownContact(CrmError):
    code = "unknown"


class NoteRefused(CrmError):
    """The note, a form field or the outcome breaks a rule (size, encoding, order...)."""

    code = "invalid"


class UnknownOutcome(CrmError):
    """A correction names an outcome its campaign does not have."""

    code = "unknown-outcome"
