"""The server: HTTP API, live event streams, sign-in, roles and client isolation.

``create_app(center, settings)`` builds the ASGI app around a started Writer;
``hearthline serve`` runs it with uvicorn. See docs/server.md.
"""

from hearthline.api.app import create_app
from hearthline.api.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
