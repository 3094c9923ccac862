"""audit_audiences: every enabled platform's checks in one report, ranked and paged by core.

Each platform reads its own audiences and runs its own checks (its `PlatformAuditor`); this tool
picks the platforms and checks, runs the audits one platform after another (their progress
reported as one), and builds one report (core/audit/report.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from audience_mcp.core.audit.findings import AuditOptions, PlatformAudit
from audience_mcp.core.audit.report import AuditReport, build_report
from audience_mcp.core.mcp.errors import tool_error
from audience_mcp.core.platform import Platform, PlatformAuditor, ServerState, server_state

# The longest staleness a check can compare against (100 years): beyond it, dates overflow.
MAX_STALE_DAYS = 36_500


def _auditors(state: ServerState, platforms: list[str] | None) -> list[tuple[Platform, PlatformAuditor]]:
    auditing = {name: p for name, p in state.descriptors.items() if p.auditor is not None}
    wanted = [name.strip().lower() for name in platforms or () if name.strip()]
    unknown = sorted(set(wanted) - set(auditing))
    if unknown:
        raise tool_error(
            f"Unknown or disabled platform{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"This server audits: {', '.join(auditing)}."
        )
    chosen = [auditing[name] for name in auditing if not wanted or name in wanted]
    return [(p, p.auditor()) for p in chosen if p.auditor is not None]


def _checks(auditors: list[tuple[Platform, PlatformAuditor]], checks: list[str] | None) -> frozenset[str]:
    wanted = {name.strip().lower() for name in checks or () if name.strip()}
    known = [name for _, auditor in auditors for name in auditor.checks]
    unknown = sorted(wanted - set(known))
    if unknown:
        raise tool_error(
            f"Unknown check{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. Valid checks: {', '.join(known)}."
        )
    return frozenset(wanted)


def _again(platforms: list[str] | None, checks: frozenset[str], max_findings: int) -> str:
    args = []
    if platforms:
        args.append(f"platforms={sorted(platforms)!r}")
    if checks:
        args.append(f"checks={sorted(checks)!r}")
    if max_findings != 50:
        args.append(f"max_findings={max_findings}")
    return f"audit_audiences({', '.join(args)})"


async def audit_audiences(
    ctx: Context,
    platforms: list[str] | None = None,
    checks: Annotated[list[str] | None, Field(description="Check names; default all")] = None,
    workspace_id: str | None = None,  # neuroflash's; no description: tools/list is at its token budget
    stale_after_days: Annotated[int, Field(ge=1)] = 180,
    max_findings: Annotated[int, Field(ge=1, le=500)] = 50,
    page: Annotated[int, Field(ge=1)] = 1,
) -> AuditReport:
    """Find broken, incomplete, duplicate or stale audiences and plan-limit problems, most severe first;
    each finding names its fix."""
    state = server_state(ctx)
    auditors = _auditors(state, platforms)
    selected = _checks(auditors, checks)
    settings = state.services.settings
    options = AuditOptions(
        now=datetime.now(UTC),
        checks=selected,
        # Nothing is older than a century; a larger number would overflow the date arithmetic.
        stale_after_days=min(stale_after_days, MAX_STALE_DAYS),
        workspace_id=workspace_id,
        read_only=settings.server.read_only,
        max_audiences=settings.server.audit_max_audiences,
        keep_per_check=page * max_findings,
    )
    audits: list[PlatformAudit] = []
    for platform, auditor in auditors:
        if selected and not selected & set(auditor.checks):
            continue  # none of this platform's checks were asked for: don't read its audiences

        async def progress(done: float, total: float | None, message: str, _name: str = platform.name) -> None:
            await ctx.report_progress(done, total, f"{_name}: {message}")

        audits.append(await auditor.run(state.platform(platform.name), options, progress))
    check_order = {
        (platform.name, check): position
        for platform, auditor in auditors
        for position, check in enumerate(auditor.checks)
    }
    return build_report(
        audits,
        check_order=check_order,
        max_findings=max_findings,
        page=page,
        again=_again(platforms, selected, max_findings),
        with_fixes=not options.read_only,
    )
