"""Reports: read models computed from the event log.

``stats`` is the pure projection (queue and agent figures per interval); the store keeps
its output in read-model tables that can be rebuilt from the log at any time.
"""
