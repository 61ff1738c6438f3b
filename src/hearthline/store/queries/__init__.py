"""The read side of the store, per area: plain rows (frozen dataclasses, tuples, dicts)
for the api and the service to build their own answers from.

Every function takes an ``Engine`` (it opens a connection for the read) or a
``Connection`` (it reads inside the caller's transaction).
"""
