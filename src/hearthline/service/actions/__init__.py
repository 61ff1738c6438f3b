"""Table writes outside the routing core, one module per area.

Each action writes its change and its audit record in one transaction, checks what it
must, and refuses with a service error (``NotFound``, ``Conflict``, ``BadCommand``)
naming the problem. Routed configuration goes through the writer's ``update_*`` with
:func:`audit.audited`, so the core, the log, the tables and the record change together.
"""
