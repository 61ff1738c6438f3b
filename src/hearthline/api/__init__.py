"""The server: HTTP API, live event streams, sign-in, roles and client isolation.

``create_app(center, settings)`` builds the ASGI app around a started Writer;
``hearthline serve`` runs it with uvicorn. See docs/server.md.
"""

from typing import TYPE_CHECKING

from hearthline.kernel.lazy import lazy_exports

if TYPE_CHECKING:
    from hearthline.api.app import create_app
    from hearthline.api.settings import ServerSettings

# Imported on first use: `hearthline init` or `token` need no web application.
__getattr__ = lazy_exports(
    __name__,
    {"create_app": "hearthline.api.app", "ServerSettings": "hearthline.api.settings"},
)

__all__ = ["ServerSettings", "create_app"]
