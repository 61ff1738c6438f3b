"""The API keeps to its OpenAPI document on SQLite (tests/api/openapi_fuzz.py)."""

from __future__ import annotations

from tests.api.openapi_fuzz import keeps_to_its_document
from tests.api.support import serve


def test_the_api_keeps_to_its_openapi_document(sqlite_url: str) -> None:
    app = serve(sqlite_url)
    try:
        keeps_to_its_document(app, examples=10)
    finally:
        app.stop()
