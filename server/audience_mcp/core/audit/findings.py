"""What an audit finds, for every platform: one shape of finding, one notion of severity.

A platform's checks produce `Finding`s (with the call that fixes each one); core ranks, pages and
summarizes them across platforms (`report.py`). Nothing here reads a platform's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}

# A group finding (e.g. 49 identical audiences) lists at most this many members; the count says all.
MAX_LISTED_AUDIENCES = 100


class AuditedAudience(BaseModel):
    id: str
    name: str | None


class Finding(BaseModel):
    platform: str
    check: str
    severity: Severity
    audiences: list[AuditedAudience]
    audience_count: int = Field(
        description=f"All affected (0: the plan); `audiences` lists {MAX_LISTED_AUDIENCES} at most"
    )
    problem: str
    fix: str | None = Field(description="The call that fixes it")


@dataclass(frozen=True)
class AuditOptions:
    """What the caller asked of an audit; each platform reads the options that apply to it."""

    now: datetime
    checks: frozenset[str] = frozenset()  # empty: every check
    stale_after_days: int = 180
    wide_age_span: int = 40  # no tool parameter: tools/list is at its token budget
    workspace_id: str | None = None  # neuroflash's scope; other platforms ignore it
    read_only: bool = False  # the server offers no writing tool: fixes must not name one
    max_audiences: int = 100_000  # per platform: stop reading (and say so) past this many
    keep_per_check: int = 50  # findings a platform keeps per check (enough for the page asked for)

    def wants(self, check: str) -> bool:
        return not self.checks or check in self.checks


@dataclass
class PlatformAudit:
    """One platform's findings, all of them (core pages them), and what it read."""

    platform: str
    audiences_scanned: int
    findings: list[Finding] = field(default_factory=list)
    # Findings per check, including any the platform did not keep (it keeps a bounded number).
    counts: dict[str, int] = field(default_factory=dict)
    complete: bool = True  # False: it stopped at max_audiences (or the upstream's end was not reached)
    plan_usage: int | None = None
    plan_limit: int | None = None
    note: str | None = None  # what the model should know of this platform's audit (e.g. what it could not read)
