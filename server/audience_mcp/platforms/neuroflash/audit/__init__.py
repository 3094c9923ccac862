"""Pure audit checks over target audiences: no I/O, no MCP. The tool feeds them list pages."""

from audience_mcp.platforms.neuroflash.audit.checks import (
    AUDIENCE_CHECKS,
    CHECKS,
    AuditParams,
    Issue,
    PlanUsage,
    Severity,
)
from audience_mcp.platforms.neuroflash.audit.report import (
    AuditedAudience,
    AuditFinding,
    Auditor,
    AuditReport,
    AuditSummary,
    UnknownChecksError,
    select_checks,
)

__all__ = [
    "AUDIENCE_CHECKS",
    "CHECKS",
    "AuditFinding",
    "AuditParams",
    "AuditReport",
    "AuditSummary",
    "AuditedAudience",
    "Auditor",
    "Issue",
    "PlanUsage",
    "Severity",
    "UnknownChecksError",
    "select_checks",
]
