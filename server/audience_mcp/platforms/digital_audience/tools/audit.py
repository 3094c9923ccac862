"""Digital Audience's audit (the `PlatformAuditor` hook of audit_audiences): the known audiences.

No endpoint lists audiences, so the audit reads those this server has seen (the state store's
observations), each loaded afresh, a few at a time, at most AUDIENCE_MCP_AUDIT_MAX_AUDIENCES.
An audience that is gone is marked deleted and skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import anyio

from audience_mcp.core.audit.findings import AuditOptions, Finding, PlatformAudit, Severity
from audience_mcp.core.http.errors import APIError, NotFoundError
from audience_mcp.core.platform import Progress
from audience_mcp.platforms.digital_audience.audit.checks import (
    CHECKS,
    Thresholds,
    audience_findings,
    duplicate_names,
)
from audience_mcp.platforms.digital_audience.tools.errors import api_errors
from audience_mcp.platforms.digital_audience.tools.state import PLATFORM, DigitalAudienceState

CONCURRENT_LOADS = 4


class DigitalAudienceAuditor:
    checks: ClassVar[Mapping[str, Severity]] = CHECKS

    async def run(self, state: Any, options: AuditOptions, progress: Progress) -> PlatformAudit:
        assert isinstance(state, DigitalAudienceState)
        known = [
            int(seen.data["id"])
            for seen in state.journal.observations.latest(PLATFORM, "audience", scope_id=state.scope)
            if not seen.data.get("deleted") and isinstance(seen.data.get("id"), int)
        ]
        ids = known[: options.max_audiences]
        loaded: dict[int, dict[str, Any]] = {}
        failures: list[APIError] = []
        limiter = anyio.Semaphore(CONCURRENT_LOADS)

        async def load(audience_id: int) -> None:
            async with limiter:
                try:
                    audience = await state.client.get_audience(audience_id)
                except NotFoundError:
                    state.forget(audience_id)
                    return
                except APIError as exc:
                    failures.append(exc)
                    return
            state.seen(audience)
            loaded[audience_id] = audience.to_body()
            await progress(len(loaded), len(ids), f"Read {len(loaded)} of {len(ids)} audiences")

        async with anyio.create_task_group() as group:
            for audience_id in ids:
                group.start_soon(load, audience_id)
        if failures:
            with api_errors("audit the audiences"):
                raise failures[0]
        audiences = [loaded[i] for i in ids if i in loaded]  # the list's order, not the arrival order
        findings: list[Finding] = [f for a in audiences for f in audience_findings(a, options.now, Thresholds())]
        findings.extend(duplicate_names(audiences))
        findings = [f for f in findings if options.wants(f.check)]
        counts: dict[str, int] = {}
        kept: list[Finding] = []
        for finding in findings:
            counts[finding.check] = counts.get(finding.check, 0) + 1
            if counts[finding.check] <= options.keep_per_check:
                kept.append(finding)
        return PlatformAudit(
            platform=PLATFORM,
            audiences_scanned=len(audiences),
            findings=kept,
            counts=counts,
            complete=len(ids) == len(known),
        )
