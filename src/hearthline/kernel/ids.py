"""Typed identifiers. Plain strings at run time; distinct types for mypy."""

from __future__ import annotations

from typing import NewType

ClientId = NewType("ClientId", str)
"""A client company of the firm: the unit of tenancy."""
CampaignId = NewType("CampaignId", str)
QueueId = NewType("QueueId", str)
AgentId = NewType("AgentId", str)
ContactId = NewType("ContactId", str)
CustomerId = NewType("CustomerId", str)
ReasonId = NewType("ReasonId", str)
"""A not-ready reason from the firm's catalogue (break, lunch, training...)."""
