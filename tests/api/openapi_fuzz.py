"""The OpenAPI document against a served app: generated requests, as an administrator.

No answer may be a server error, and every answer must match the document (status
code, content type, body schema). One test module per database (test_schemathesis.py,
test_schemathesis_pg.py), so that they run on two workers side by side.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from hearthline.service.actions.tokens import add_token as create_token
from hearthline.store import tables as s
from tests.api.support import Served

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def admin_token(app: Served) -> str:
    with app.writer.engine.begin() as conn:
        admin = conn.execute(select(s.users.c.id).where(s.users.c.username == "admin")).scalar()
        assert admin is not None
        _, secret = create_token(conn, user_id=admin, name="fuzz", scope="user", now=0.0)
    return secret


def keeps_to_its_document(app: Served, examples: int) -> None:
    """``examples`` generated requests per operation; every failure is reported."""
    # The document is built on its first request: seconds of CPU, many more on a busy
    # machine, so its loading waits for it rather than for schemathesis's 10 s default.
    schema = schemathesis.openapi.from_url(app.url + "/api/openapi.json", timeout=300)
    headers = {"Authorization": f"Bearer {admin_token(app)}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            # Hypothesis wraps a failure it could not repeat: say what the first one was.
            inner = [str(e)[:400] for e in getattr(exc, "exceptions", ())]
            failures.append(f"{operation.label}: {str(exc)[:800]} {inner}")
    assert operations > 70
    assert failures == [], "\n\n".join(failures)
