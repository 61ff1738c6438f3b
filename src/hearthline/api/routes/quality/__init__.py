"""Quality: scorecard templates per campaign, evaluations of contacts from the log, the
agent's acknowledgement or dispute, resolutions, coaching, trends, calibration and the
weekly sample of contacts to evaluate.

Supervisors and administrators evaluate; a client company's viewers read its
evaluations; an agent reads and answers only their own (never calibration scorings).
"""

from __future__ import annotations

from hearthline.api.routes.quality import evaluations, figures, sample, templates
from hearthline.api.routes.quality.base import router

__all__ = ["evaluations", "figures", "router", "sample", "templates"]
