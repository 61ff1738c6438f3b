"""``/api/docs``: the interactive API reference, served whole from this server.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` package, not a CDN, and the
page runs no inline script, so its Content-Security-Policy allows this origin alone: a
compromised third party can put nothing into a page that holds an administrator's
session.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

_ASSETS = "/api/docs/assets"
_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Swagger UI sets styles on its elements as it renders them.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    )
)
_HEADERS = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"}

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hearthline API</title>
<link rel="stylesheet" href="{_ASSETS}/swagger-ui.css">
<link rel="icon" href="{_ASSETS}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{_ASSETS}/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
"""

_START = """window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  layout: "BaseLayout",
});
"""


def mount_docs(app: FastAPI) -> None:
    """Adds the page, its start script and Swagger UI's files to ``app``."""

    async def page() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers=_HEADERS)

    async def start() -> Response:
        return Response(_START, media_type="text/javascript; charset=utf-8", headers=_HEADERS)

    app.add_api_route("/api/docs", page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/api/docs/start.js", start, methods=["GET"], include_in_schema=False)
    app.mount(_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="api-docs-assets")
