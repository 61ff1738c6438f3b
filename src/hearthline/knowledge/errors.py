"""The knowledge domain's refusals."""

from __future__ import annotations


class KnowledgeError(ValueError):
    """Input the knowledge domain refuses; the message names the field and the problem."""
