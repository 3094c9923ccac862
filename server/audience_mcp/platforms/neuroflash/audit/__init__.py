"""Pure audit checks over target audiences: no I/O, no MCP. The auditor hook feeds them list pages."""

from audience_mcp.platforms.neuroflash.audit.checks import (
    AUDIENCE_CHECKS,
    CHECKS,
    AuditParams,
    Issue,
    PlanUsage,
)
from audience_mcp.platforms.neuroflash.audit.report import Auditor, UnknownChecksError, select_checks

__all__ = [
    "AUDIENCE_CHECKS",
    "CHECKS",
    "AuditParams",
    "Auditor",
    "Issue",
    "PlanUsage",
    "UnknownChecksError",
    "select_checks",
]
