"""Errors as JSON: ``{"error": code, "message": text}``, never a traceback.

Refusals by the core or the crm checks are conflicts with the current state (409), an
unknown id is 404, malformed input 422, a store that cannot take a write 503. Anything
else is logged here with its traceback and answered with a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from hearthline.crm.errors import CrmError, UnknownContact, UnknownOutcome
from hearthline.quality.errors import QualityError, WrongStatus
from hearthline.routing.errors import RoutingError, UnknownEntity
from hearthline.service.errors import (
    BadCommand,
    NotFound,
    ServiceError,
    StoreUnavailable,
    WriterStopped,
)
from hearthline.wfm.errors import ScheduleError, ScheduleInvalid, UnknownChange, UnknownShift

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error answer has this shape."""

    error: str
    message: str


class ApiError(Exception):
    """An answer other than success, raised from anywhere in a request."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(404, "not-found", f"no {what} {str(ident)[:200]!r}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def unauthenticated(message: str = "sign in first") -> ApiError:
    return ApiError(401, "unauthenticated", message)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Not signed in"),
        (403, "Not allowed for this user"),
        (404, "Not found, or not visible to this user"),
        (409, "Refused in the current state"),
        (422, "Invalid input"),
        (429, "Too many attempts"),
        (503, "The store is unavailable"),
    )
}


def _body(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def domain_status(exc: Exception) -> tuple[int, str]:
    """The HTTP status and code of a refusal by the service, the core or the crm checks."""
    if isinstance(exc, (UnknownEntity, UnknownContact, NotFound, UnknownShift, UnknownChange)):
        return 404, "not-found"
    if isinstance(exc, (ScheduleInvalid, UnknownOutcome)):
        return 422, exc.code
    if isinstance(exc, BadCommand):
        return 422, exc.code
    if isinstance(exc, QualityError):
        return (409, exc.code) if isinstance(exc, WrongStatus) else (422, exc.code)
    if isinstance(exc, (StoreUnavailable, WriterStopped)):
        return 503, exc.code
    if isinstance(exc, (RoutingError, CrmError, ServiceError, ScheduleError)):
        return 409, exc.code
    return 500, "internal"


def install(app: FastAPI) -> None:
    """Registers the handlers that turn every failure into an ``ErrorBody``."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _body(exc.status, exc.code, exc.message, exc.headers)

    async def domain_error(_: Request, exc: Exception) -> JSONResponse:
        status, code = domain_status(exc)
        return _body(status, code, str(exc)[:1000])

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _body(422, "invalid", describe_validation(exc.errors()))

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {
            404: "not-found",
            405: "method-not-allowed",
            408: "timeout",
            413: "too-large",
        }.get(exc.status_code, "http")
        headers = dict(exc.headers) if exc.headers else None
        return _body(exc.status_code, code, str(exc.detail), headers)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _body(500, "internal", "internal error")

    app.add_exception_handler(ApiError, api_error)
    for kind in (RoutingError, CrmError, ServiceError, ScheduleError, QualityError):
        app.add_exception_handler(kind, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def describe_validation(errors: Any) -> str:
    """One readable line for the first few problems: 'body.priority: Input should be...'."""
    parts = []
    for err in list(errors)[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"
