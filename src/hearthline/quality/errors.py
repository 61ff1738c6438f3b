"""Refusals of scorecards, answers and evaluation steps; each names what was wrong."""

from __future__ import annotations


class QualityError(Exception):
    """Base of the quality refusals. ``code`` is stable for programs to test."""

    code = "invalid"


class ScorecardRefused(QualityError):
    """A template breaks a rule: no questions, a repeated id, a weight not positive..."""


class AnswersRefused(QualityError):
    """Answers that do not fit the template's questions."""


class WrongStatus(QualityError):
    """An evaluation step that its current status does not allow."""

    code = "conflict"
