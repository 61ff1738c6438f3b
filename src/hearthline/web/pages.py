"""The page routes and static files, added to the server's app by ``mount``."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

HERE = Path(__file__).resolve().parent
PAGE_DIR = HERE / "pages"
STATIC_DIR = HERE / "static"

# Path -> the HTML file it serves. The sign-in page sends a signed-in user on by role.
PAGES: dict[str, str] = {
    "/": "signin.html",
    "/agent": "agent.html",
    "/supervisor": "supervisor.html",
    "/admin": "admin.html",
    "/planning": "planning.html",
    "/reports": "reports.html",
    "/knowledge": "knowledge.html",
    "/quality": "quality.html",
    "/pay": "pay.html",
    # A person as a caller (docs/voice.md, "The call page"); its API says who may.
    "/call": "call.html",
}

# Only our own files: no inline script, no third-party origin, not framed by others.
# 'self' in connect-src also covers the same-origin WebSocket (ws: / wss:).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    )
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time: an agent must never run yesterday's page after an upgrade.
    "Cache-Control": "no-cache",
}
_MOUNTED_FLAG = "hearthline_web_mounted"


class _Static(StaticFiles):
    """Static files that browsers revalidate (a cheap 304) instead of trusting a stale copy."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def mount(app: FastAPI) -> None:
    """Adds the pages and ``/static`` to ``app``; calling it twice changes nothing."""
    if getattr(app.state, _MOUNTED_FLAG, False):
        return
    setattr(app.state, _MOUNTED_FLAG, True)
    for path, filename in PAGES.items():
        app.add_api_route(
            path,
            _page_endpoint(PAGE_DIR / filename),
            methods=["GET"],
            include_in_schema=False,
            name=f"page:{filename.removesuffix('.html')}",
        )
    app.add_api_route(
        "/sw.js", _service_worker, methods=["GET"], include_in_schema=False, name="page:sw"
    )
    app.add_api_route(
        "/favicon.ico", _favicon, methods=["GET"], include_in_schema=False, name="page:favicon"
    )
    app.mount("/static", _Static(directory=STATIC_DIR), name="static")


def _page_endpoint(file: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    page.__name__ = f"page_{file.stem}"
    return page


async def _service_worker() -> FileResponse:
    # Served from the root so that its scope covers every page.
    return FileResponse(
        STATIC_DIR / "js" / "sw.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


async def _favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=308)
