"""neuroflash's audit (the `PlatformAuditor` hook of core's audit_audiences): read, then check.

It only fetches and feeds: list pages of the maximum size, the first alone (it tells the total),
the rest by a fixed number of workers, each page handed to the pure Auditor
(`audience_mcp.platforms.neuroflash.audit`) as it arrives and then dropped. Pages are read as raw
JSON (`fields.RawPage`) with fractions as `Decimal`, so gender shares are summed from their exact
literals, and so one audience with garbled fields (exactly what an audit looks for) cannot fail
the whole page the way strict model parsing would.

The upstream's page count is not trusted: at most `options.max_audiences` audiences are read
(AUDIENCE_MCP_AUDIT_MAX_AUDIENCES), and the summary says when the audit stopped there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream

from audience_mcp.core.audit.findings import AuditOptions, PlatformAudit, Severity
from audience_mcp.core.platform import Progress
from audience_mcp.platforms.neuroflash.api import MAX_PAGE_SIZE, APIError, NeuroflashClient
from audience_mcp.platforms.neuroflash.audit import CHECKS, Auditor, AuditParams, PlanUsage
from audience_mcp.platforms.neuroflash.fields import RawPage
from audience_mcp.platforms.neuroflash.tools.errors import api_errors
from audience_mcp.platforms.neuroflash.tools.state import AppState

CONCURRENT_PAGES = 6
Page = list[dict[str, Any]]


async def _fetch_page(client: NeuroflashClient, workspace_id: str, page: int) -> RawPage:
    return RawPage.read(await client.list_audiences_raw(workspace_id, page=page, size=MAX_PAGE_SIZE), page)


async def _limits(client: NeuroflashClient, workspace_id: str) -> PlanUsage:
    return PlanUsage.from_limit((await client.get_limits(workspace_id)).create)


class NeuroflashAuditor:
    checks: ClassVar[Mapping[str, Severity]] = CHECKS

    async def run(self, state: Any, options: AuditOptions, progress: Progress) -> PlatformAudit:
        assert isinstance(state, AppState)
        auditor = Auditor(
            AuditParams(
                now=options.now, stale_after_days=options.stale_after_days, wide_age_span=options.wide_age_span
            ),
            checks=[c for c in options.checks if c in CHECKS],
            keep_per_check=options.keep_per_check,
        )
        ws = await state.workspace_id(options.workspace_id)
        client = state.client
        with api_errors("audit the audiences"):
            first = await _fetch_page(client, ws, 1)
            plan = await _limits(client, ws)
        claimed_pages = max(first.total_pages, 1)
        readable_pages = max(1, -(-options.max_audiences // MAX_PAGE_SIZE))
        total_pages = min(claimed_pages, readable_pages)
        for index, audience in enumerate(first.audiences):
            auditor.add(audience, index)
        del first
        await progress(1, total_pages, f"Read page 1 of {total_pages}")
        await _read_rest(client, ws, auditor, total_pages, progress)
        return auditor.report(plan, complete=claimed_pages <= total_pages)


async def _read_rest(client: NeuroflashClient, ws: str, auditor: Auditor, total_pages: int, progress: Progress) -> None:
    """Pages 2..total_pages by CONCURRENT_PAGES workers: a fixed number of tasks, whatever the total."""
    failures: list[APIError] = []
    pages = iter(range(2, total_pages + 1))
    send, receive = anyio.create_memory_object_stream[tuple[int, Page]]()

    async def worker(out: ObjectSendStream[tuple[int, Page]]) -> None:
        async with out:
            for page in pages:  # one shared iterator: each page is taken by one worker
                try:
                    items = (await _fetch_page(client, ws, page)).audiences
                except APIError as exc:
                    failures.append(exc)
                    task_group.cancel_scope.cancel()
                    return
                await out.send((page, items))

    async def feed(inbox: ObjectReceiveStream[tuple[int, Page]]) -> None:
        pages_read = 1
        async with inbox:
            async for page, items in inbox:
                offset = (page - 1) * MAX_PAGE_SIZE
                for index, audience in enumerate(items):
                    auditor.add(audience, offset + index)
                pages_read += 1
                await progress(pages_read, total_pages, f"Read page {pages_read} of {total_pages}")

    async with anyio.create_task_group() as task_group:
        async with send:
            for _ in range(min(CONCURRENT_PAGES, max(total_pages - 1, 0))):
                task_group.start_soon(worker, send.clone())
        task_group.start_soon(feed, receive)
    if failures:
        with api_errors("audit the audiences"):
            raise failures[0]
