"""audit_audiences: read every audience of a workspace and report what needs fixing.

The tool only fetches and feeds: list pages of the maximum size, the first alone (it tells the
total), the rest concurrently but a few at a time, each page handed to the pure Auditor
(`audience_mcp.platforms.neuroflash.audit`) as it arrives and then dropped. Pages are read as raw JSON
(`fields.RawPage`) with fractions as `Decimal`, so gender shares are summed from their exact
literals, and so one audience with garbled fields (exactly what an audit looks for) cannot fail
the whole page the way strict model parsing would.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from anyio.abc import ObjectSendStream
from mcp.server.mcpserver import Context
from pydantic import Field

from audience_mcp.platforms.neuroflash.api import MAX_PAGE_SIZE, APIError, NeuroflashClient
from audience_mcp.platforms.neuroflash.audit import Auditor, AuditParams, AuditReport, PlanUsage, UnknownChecksError
from audience_mcp.platforms.neuroflash.fields import RawPage
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.state import app_state

CONCURRENT_PAGES = 6
Page = list[dict[str, Any]]


async def _fetch_page(client: NeuroflashClient, workspace_id: str, page: int) -> RawPage:
    return RawPage.read(await client.list_audiences_raw(workspace_id, page=page, size=MAX_PAGE_SIZE), page)


async def _limits(client: NeuroflashClient, workspace_id: str) -> PlanUsage:
    return PlanUsage.from_limit((await client.get_limits(workspace_id)).create)


async def audit_audiences(
    ctx: Context,
    workspace_id: str | None = None,
    stale_after_days: Annotated[int, Field(ge=1)] = 180,
    wide_age_span: Annotated[int, Field(ge=1, description="Flag age ranges wider than this")] = 40,
    checks: Annotated[list[str] | None, Field(description="Check names; default all")] = None,
    max_findings: Annotated[int, Field(ge=1, le=500)] = 50,
) -> AuditReport:
    """Check every audience for broken, incomplete, duplicate or stale data and the plan limit; each
    finding has the call that fixes it."""
    try:
        auditor = Auditor(
            AuditParams(now=datetime.now(UTC), stale_after_days=stale_after_days, wide_age_span=wide_age_span),
            checks=checks,
            max_findings=max_findings,
        )
    except UnknownChecksError as exc:
        raise tool_error(str(exc)) from None
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    client = state.client
    with api_errors("audit the audiences"):
        first = await _fetch_page(client, ws, 1)
        plan = await _limits(client, ws)
    total_pages = max(first.total_pages, 1)
    for index, audience in enumerate(first.audiences):
        auditor.add(audience, index)
    del first
    await ctx.report_progress(1, total_pages, f"Read page 1 of {total_pages}")

    failures: list[APIError] = []
    send, receive = anyio.create_memory_object_stream[tuple[int, Page]]()
    limiter = anyio.CapacityLimiter(CONCURRENT_PAGES)

    async def fetch(page: int, out: ObjectSendStream[tuple[int, Page]]) -> None:
        async with out, limiter:  # the slot is held until the page is handed over: few pages in memory
            try:
                items = (await _fetch_page(client, ws, page)).audiences
            except APIError as exc:
                failures.append(exc)
                task_group.cancel_scope.cancel()
                return
            await out.send((page, items))

    async with anyio.create_task_group() as task_group:
        async with send:
            for page in range(2, total_pages + 1):
                task_group.start_soon(fetch, page, send.clone())
        pages_read = 1
        async with receive:
            async for page, items in receive:
                offset = (page - 1) * MAX_PAGE_SIZE
                for index, audience in enumerate(items):
                    auditor.add(audience, offset + index)
                pages_read += 1
                await ctx.report_progress(pages_read, total_pages, f"Read page {pages_read} of {total_pages}")
    if failures:
        with api_errors("audit the audiences"):
            raise failures[0]
    return auditor.report(plan)
