"""One audit report across platforms: findings ranked by severity and reach, paged, summarized.

Ranking: errors first (what makes updates fail); then findings that reach many audiences (a plan
limit, which concerns every audience, or a group of 49 copies) before findings about one
audience each, so 49 single-audience warnings cannot push them off the page; within each, warnings
before infos, wider reach first, then the platform's own check order.

A report never hides what it leaves out: `left_out` says how many findings are not on this page,
of which checks, and the call that shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from audience_mcp.core.audit.findings import SEVERITY_RANK, Finding, PlatformAudit, Severity

READ_ONLY_FIX = "None here: this server is read-only. Make the change in the platform's own app."


class PlatformSummary(BaseModel):
    platform: str
    audiences_scanned: int
    complete: bool = Field(description="false: stopped reading at the audit's bound; findings cover what was read")
    plan_usage: int | None = None
    plan_limit: int | None = Field(default=None, description="null: unlimited, unknown or not applicable")
    note: str | None = None


class AuditSummary(BaseModel):
    audiences_scanned: int
    findings: int
    by_severity: dict[str, int]
    by_check: dict[str, int]
    platforms: list[PlatformSummary]


class AuditReport(BaseModel):
    summary: AuditSummary
    findings: list[Finding]  # most severe and widest-reaching first (the tool description says so)
    truncated: bool  # more findings than listed; left_out says which and how to get them
    left_out: str | None = None


def _reach(finding: Finding, scanned: dict[str, int]) -> int:
    # audience_count 0 marks an account-wide finding (the plan): it concerns every audience.
    return finding.audience_count or max(scanned.get(finding.platform, 0), 1)


def ranked(audits: Sequence[PlatformAudit], check_order: dict[tuple[str, str], int]) -> list[Finding]:
    """Every finding of every platform, in report order (stable: same data, same order)."""
    scanned = {audit.platform: audit.audiences_scanned for audit in audits}
    indexed = [(finding, position) for audit in audits for position, finding in enumerate(audit.findings)]
    indexed.sort(
        key=lambda item: (
            item[0].severity != "error",
            _reach(item[0], scanned) <= 1,
            SEVERITY_RANK[item[0].severity],
            -_reach(item[0], scanned),
            check_order.get((item[0].platform, item[0].check), len(check_order)),
            item[1],
        )
    )
    return [finding for finding, _ in indexed]


def build_report(
    audits: Sequence[PlatformAudit],
    *,
    check_order: dict[tuple[str, str], int],
    max_findings: int,
    page: int,
    again: str,
    with_fixes: bool = True,
) -> AuditReport:
    """The report's page `page` of `max_findings` findings; `again` is the call that repeats this audit
    (e.g. "audit_audiences(platforms=['neuroflash'])"), into which the paging arguments are put."""
    findings = ranked(audits, check_order)
    counts: dict[str, int] = {}
    by_severity: dict[str, int] = dict.fromkeys(SEVERITY_RANK, 0)
    severity_of: dict[str, Severity] = {f.check: f.severity for f in findings}
    for audit in audits:
        for check, count in audit.counts.items():
            counts[check] = counts.get(check, 0) + count
    for check, count in counts.items():
        if check in severity_of:
            by_severity[severity_of[check]] += count
    total = max(len(findings), sum(counts.values()))
    start = (page - 1) * max_findings
    shown = findings[start : start + max_findings]
    if not with_fixes:  # read-only mode: a fix would name a tool the server does not offer
        shown = [finding.model_copy(update={"fix": READ_ONLY_FIX}) for finding in shown]
    # A platform keeps a bounded number of findings per check (enough for this page): what lies
    # beyond is counted, and its checks named, from the counts.
    kept = {check: sum(1 for f in findings if f.check == check) for check in counts}
    after_checks = {f.check for f in findings[start + len(shown) :]}
    after_checks |= {check for check, count in counts.items() if count > kept.get(check, 0)}
    left_out = _left_out(
        remaining=total - start - len(shown),
        earlier=min(start, total),
        checks=sorted(after_checks),
        size=max_findings,
        page=page,
        again=again,
    )
    return AuditReport(
        summary=AuditSummary(
            audiences_scanned=sum(a.audiences_scanned for a in audits),
            findings=total,
            by_severity=by_severity,
            by_check=counts,
            platforms=[
                PlatformSummary(
                    platform=a.platform,
                    audiences_scanned=a.audiences_scanned,
                    complete=a.complete,
                    plan_usage=a.plan_usage,
                    plan_limit=a.plan_limit,
                    note=a.note,
                )
                for a in audits
            ],
        ),
        findings=shown,
        truncated=left_out is not None,
        left_out=left_out,
    )


def _left_out(*, remaining: int, earlier: int, checks: list[str], size: int, page: int, again: str) -> str | None:
    parts: list[str] = []
    if remaining > 0:
        parts.append(
            f"{remaining} more finding{'s' if remaining != 1 else ''} after these ({', '.join(checks)}): "
            f"call {_with(again, f'page={page + 1}')} for the next {min(size, remaining)}, or pass checks=[...] "
            "to see one check's findings"
        )
    if earlier > 0:
        parts.append(f"{earlier} more severe finding{'s' if earlier != 1 else ''} are on earlier pages")
    return "; ".join(parts) + "." if parts else None


def _with(call: str, argument: str) -> str:
    head = call[:-1]
    return f"{head}{', ' if not head.endswith('(') else ''}{argument})"
