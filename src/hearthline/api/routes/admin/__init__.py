"""Administration: client companies, campaigns, queues, skills, agents, users, reasons,
outcomes and forms, numbers, API tokens, center settings; every change audited.

One router, its endpoints grouped by area in the modules imported here.
"""

from __future__ import annotations

from hearthline.api.routes.admin import (
    firm,
    imports,
    menus,
    numbers,
    pay,
    people,
    routing,
    tokens,
)
from hearthline.api.routes.admin.base import router

__all__ = ["firm", "imports", "menus", "numbers", "pay", "people", "router", "routing", "tokens"]
