"""Agents in bulk, from a CSV file: a dry run that lists every bad row, then an import
that applies every row or none."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from hearthline.api.agent_csv import CsvRefused, Parsed, Problem, parse
from hearthline.api.deps import Admin, Ctx
from hearthline.api.errors import ApiError
from hearthline.api.routes.admin.base import follow, router
from hearthline.api.schemas import ImportProblem, ImportReport
from hearthline.routing.config import AgentProfile
from hearthline.routing.errors import ConfigError
from hearthline.service.actions import agents_import
from hearthline.store.queries import config as queries

# Thousands of agents fit in well under a megabyte.
MAX_FILE_BYTES = 1024 * 1024
_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Agents as CSV (UTF-8): id,name,skills (returns:3;claims:2),"
        "campaigns (acme-returns;acme-sales).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.post(
    "/agents/import",
    response_model=ImportReport,
    openapi_extra=_CSV_BODY,
    responses={413: {"description": "the file is too large"}},
)
async def import_agents(
    request: Request,
    me: Admin,
    ctx: Ctx,
    dry_run: Annotated[bool, Query(description="check every row, change nothing")] = False,
) -> ImportReport | JSONResponse:
    """Creates or changes the agents of a CSV file. With ``dry_run`` nothing changes and
    the answer lists every bad row; without it, a file with any bad row is refused as a
    whole (422, with the same list) and otherwise every agent is saved and audited."""
    text = await _csv_text(request)
    skills = await ctx.db(queries.known_skills, ctx.engine)
    try:
        parsed = parse(text, known_skills=skills, known_campaigns=ctx.directory.campaign_client)
    except CsvRefused as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    profiles = _profiles(parsed)
    existing = {str(a.id) for a in await ctx.db(queries.agents, ctx.engine)}
    report = ImportReport(
        dry_run=dry_run,
        applied=False,
        rows=len(parsed.rows) + len({p.line for p in parsed.problems}),
        created=[str(p.id) for p in profiles if p.id not in existing],
        updated=[str(p.id) for p in profiles if p.id in existing],
        problems=[
            ImportProblem(line=p.line, agent_id=p.agent_id, reason=p.reason)
            for p in parsed.problems
        ],
    )
    if dry_run:
        return report
    if report.problems:
        lines = sorted({p.line for p in report.problems})
        shown = ", ".join(str(n) for n in lines[:10]) + ("..." if len(lines) > 10 else "")
        return JSONResponse(
            status_code=422,
            content={
                "error": "invalid",
                "message": f"{len(lines)} bad rows (lines {shown}); nothing was imported",
                "problems": [p.model_dump() for p in report.problems],
            },
        )
    follow(ctx, await ctx.db(agents_import.import_agents, ctx.writer, me, profiles))
    report.applied = True
    return report


def _profiles(parsed: Parsed) -> list[AgentProfile]:
    """The good rows as the core's profiles; one the core refuses becomes a problem."""
    out = []
    for row in parsed.rows:
        try:
            out.append(AgentProfile.of(row.id, row.skills, row.campaigns, name=row.name))
        except ConfigError as exc:
            parsed.problems.append(Problem(row.line, row.id, str(exc)))
    return out


async def _csv_text(request: Request) -> str:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FILE_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise _too_large()
        chunks.append(chunk)
    if size == 0:
        raise ApiError(422, "invalid", "send the agents as the request body (CSV)")
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid", f"the file is not UTF-8 text (byte {exc.start})") from None


def _too_large() -> ApiError:
    return ApiError(413, "too-large", f"the file may be at most {MAX_FILE_BYTES} bytes")
