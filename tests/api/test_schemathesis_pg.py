"""The API keeps to its OpenAPI document on PostgreSQL (tests/api/openapi_fuzz.py): fewer
requests than on SQLite, which finds the document's own mistakes; the point here is the
database's own refusals."""

from __future__ import annotations

import pytest

from tests.api.openapi_fuzz import keeps_to_its_document
from tests.api.support import serve


@pytest.mark.postgres
def test_the_api_keeps_to_its_openapi_document_on_postgresql(pg_url: str) -> None:
    app = serve(pg_url)
    try:
        keeps_to_its_document(app, examples=4)
    finally:
        app.stop()
