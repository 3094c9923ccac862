"""The audit report and the Auditor that builds it from audiences fed one at a time.

Memory stays bounded whatever the workspace size: per audience only a small fingerprint is
kept (id, name, position, last update, two group digests); per check only the first
`max_findings` findings (by list position, so the report does not depend on the order in
which concurrently fetched pages arrive) plus a count.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from audience_mcp.core.audit.values import text, timestamp
from audience_mcp.platforms.neuroflash.audit.checks import (
    AUDIENCE_CHECKS,
    CHECKS,
    SEVERITY_RANK,
    AuditParams,
    Issue,
    PlanUsage,
    Severity,
    check_plan_usage,
)
from audience_mcp.platforms.neuroflash.audit.groups import name_key, profile_key

MAX_GROUP_IDS = 20


class AuditedAudience(BaseModel):
    id: str
    name: str | None


class AuditFinding(BaseModel):
    check: str
    severity: Severity
    audiences: list[AuditedAudience]
    audience_count: int = Field(description=f"All affected audiences; `audiences` lists at most {MAX_GROUP_IDS}")
    problem: str
    fix: str | None = Field(description="The tool call that fixes it")


class AuditSummary(BaseModel):
    audiences_scanned: int
    findings: int
    by_severity: dict[str, int]
    by_check: dict[str, int]
    plan_usage: int | None
    plan_limit: int | None = Field(description="null: unlimited or unknown")


class AuditReport(BaseModel):
    summary: AuditSummary
    findings: list[AuditFinding] = Field(description="Most severe first")
    truncated: bool = Field(description="More findings than listed; see summary counts")


class UnknownChecksError(ValueError):
    """A `checks` selection with names that are not checks; the message lists the valid ones."""


def select_checks(names: Iterable[str] | None) -> list[str]:
    """The selected check names in report order; None or empty selects all."""
    wanted = {name.strip().lower() for name in names or ()}
    unknown = sorted(wanted - CHECKS.keys())
    if unknown:
        raise UnknownChecksError(
            f"Unknown check{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. Valid checks: {', '.join(CHECKS)}."
        )
    return [name for name in CHECKS if not wanted or name in wanted]


@dataclass(frozen=True, slots=True)
class _Member:
    """The fingerprint of one audience kept for grouping."""

    position: int
    id: str
    name: str | None
    updated: float  # epoch seconds of updatedAt; -inf when unknown


def _finding(check: str, members: list[_Member], issue: Issue, count: int | None = None) -> AuditFinding:
    return AuditFinding(
        check=check,
        severity=CHECKS[check],
        audiences=[AuditedAudience(id=m.id, name=m.name) for m in members[:MAX_GROUP_IDS]],
        audience_count=len(members) if count is None else count,
        problem=issue.problem,
        fix=issue.fix,
    )


def _group_issue(check: str, members: list[_Member]) -> Issue:
    keep = max(members, key=lambda m: (m.updated, -m.position))
    others = [m for m in members if m is not keep]
    fix = f"neuroflash_delete_audience(audience_id={others[0].id!r})"
    if len(others) > 1:
        rest = len(others) - 1
        fix += " and likewise for the other " + ("copy" if rest == 1 else f"{rest} copies")
    fix += f"; keeps the most recently updated {keep.id!r}"
    if check == "duplicate_names":
        problem = f"{len(members)} audiences share the name {keep.name!r} (ignoring case and spaces)."
        fix += f", or rename: neuroflash_update_audience(audience_id={others[0].id!r}, name='...')"
    else:
        problem = f"{len(members)} audiences have the same profile apart from their names."
    return Issue(problem, fix)


class Auditor:
    """Feed audiences with `add`, then call `report` once."""

    def __init__(self, params: AuditParams, *, checks: Iterable[str] | None = None, max_findings: int = 50) -> None:
        self.params = params
        self.selected = select_checks(checks)
        self.max_findings = max_findings
        self._audience_checks = [(name, AUDIENCE_CHECKS[name]) for name in self.selected if name in AUDIENCE_CHECKS]
        self._by_name = "duplicate_names" in self.selected
        self._by_profile = "near_identical" in self.selected
        self._counts = dict.fromkeys(self.selected, 0)
        # Per check a max-heap (by position) of the first `max_findings` findings.
        self._kept: dict[str, list[tuple[int, int, AuditFinding]]] = {name: [] for name in self.selected}
        self._tiebreak = itertools.count()
        self._seen: set[str] = set()
        self._names: dict[bytes, list[_Member]] = {}
        self._profiles: dict[bytes, list[_Member]] = {}
        self._next_position = 0
        self.scanned = 0

    def add(self, audience: Mapping[str, Any], position: int | None = None) -> None:
        """Check one audience (a list item); `position` is its index in the full list."""
        if position is None:
            position = self._next_position
        self._next_position = max(self._next_position, position + 1)
        audience_id = audience.get("id")
        if not isinstance(audience_id, str) or audience_id in self._seen:
            return  # without an id no tool can reach it; a repeat is a page that shifted under us
        self._seen.add(audience_id)
        self.scanned += 1
        member: _Member | None = None
        for name, check in self._audience_checks:
            issue = check(audience, self.params)
            if issue is not None:
                member = member or self._member(audience, audience_id, position)
                self._keep(name, position, _finding(name, [member], issue))
        if self._by_name and (key := name_key(audience)) is not None:
            member = member or self._member(audience, audience_id, position)
            self._names.setdefault(key, []).append(member)
        if self._by_profile:
            member = member or self._member(audience, audience_id, position)
            self._profiles.setdefault(profile_key(audience), []).append(member)

    @staticmethod
    def _member(audience: Mapping[str, Any], audience_id: str, position: int) -> _Member:
        updated = timestamp(audience.get("updatedAt"))
        return _Member(
            position, audience_id, text(audience.get("name")), updated.timestamp() if updated else float("-inf")
        )

    def _keep(self, check: str, position: int, finding: AuditFinding) -> None:
        self._counts[check] += 1
        heap = self._kept[check]
        entry = (-position, next(self._tiebreak), finding)
        if len(heap) < self.max_findings:
            heapq.heappush(heap, entry)
        elif entry[0] > heap[0][0]:
            heapq.heapreplace(heap, entry)

    def _groups(self, check: str, groups: dict[bytes, list[_Member]]) -> None:
        for members in groups.values():
            if len(members) > 1:
                members.sort(key=lambda m: m.position)
                self._keep(check, members[0].position, _finding(check, members, _group_issue(check, members)))

    def report(self, plan: PlanUsage | None = None) -> AuditReport:
        if self._by_name:
            self._groups("duplicate_names", self._names)
        if self._by_profile:
            self._groups("near_identical", self._profiles)
        if plan is not None and "plan_usage" in self.selected:
            issue = check_plan_usage(plan)
            if issue is not None:
                self._keep("plan_usage", -1, _finding("plan_usage", [], issue, count=0))
        order = {name: index for index, name in enumerate(CHECKS)}
        kept = [
            (SEVERITY_RANK[CHECKS[name]], order[name], -neg, finding)
            for name, heap in self._kept.items()
            for neg, _, finding in heap
        ]
        kept.sort(key=lambda entry: entry[:3])
        findings = [entry[3] for entry in kept[: self.max_findings]]
        total = sum(self._counts.values())
        by_severity = dict.fromkeys(SEVERITY_RANK, 0)
        for name, count in self._counts.items():
            by_severity[CHECKS[name]] += count
        return AuditReport(
            summary=AuditSummary(
                audiences_scanned=self.scanned,
                findings=total,
                by_severity=by_severity,
                by_check=self._counts,
                plan_usage=plan.usage if plan else None,
                plan_limit=plan.limit if plan and not plan.unlimited else None,
            ),
            findings=findings,
            truncated=total > len(findings),
        )
