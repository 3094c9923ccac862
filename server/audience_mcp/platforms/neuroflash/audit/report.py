"""The Auditor: neuroflash's findings, from audiences fed one at a time (core ranks and pages them).

Memory stays bounded whatever the workspace size: per audience only a small fingerprint is
kept (id, name, position, last update, two group digests); per check only the first
`keep_per_check` findings (by list position, so the findings do not depend on the order in
which concurrently fetched pages arrive) plus a count.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from audience_mcp.core.audit.findings import MAX_LISTED_AUDIENCES, AuditedAudience, Finding, PlatformAudit
from audience_mcp.core.audit.values import text, timestamp
from audience_mcp.platforms.neuroflash.audit.checks import (
    AUDIENCE_CHECKS,
    CHECKS,
    AuditParams,
    Issue,
    PlanUsage,
    allowed,
    check_plan_usage,
    not_yours,
)
from audience_mcp.platforms.neuroflash.audit.groups import name_key, profile_key

PLATFORM = "neuroflash"


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
    deletable: bool  # the caller may delete it (permissions.canDelete is not false)


def _finding(check: str, members: list[_Member], issue: Issue, count: int | None = None) -> Finding:
    return Finding(
        platform=PLATFORM,
        check=check,
        severity=CHECKS[check],
        audiences=[AuditedAudience(id=m.id, name=m.name) for m in members[:MAX_LISTED_AUDIENCES]],
        audience_count=len(members) if count is None else count,
        problem=issue.problem,
        fix=issue.fix,
    )


def _group_issue(check: str, members: list[_Member]) -> Issue:
    # Keep the most recent copy the caller cannot delete anyway, else the most recent one.
    keep = max(members, key=lambda m: (not m.deletable, m.updated, -m.position))
    others = [m for m in members if m is not keep]
    if not any(m.deletable for m in others):
        problem = (
            f"{len(members)} audiences share the name {keep.name!r} (ignoring case and spaces)."
            if check == "duplicate_names"
            else f"{len(members)} audiences have the same profile apart from their names."
        )
        return Issue(problem, "Not yours: only their creators can delete or rename these copies; ask them to.")
    if len(others) == 1:
        fix = f"neuroflash_delete_audience(audience_id={others[0].id!r})"
    else:
        # Every id is in the finding's `audiences` (up to MAX_LISTED_AUDIENCES): a fix the model can act on.
        fix = f"neuroflash_delete_audience(audience_id=...) once for each listed audience except {keep.id!r}"
    fix += f"; keeps {'the most recently updated ' if keep.deletable else ''}{keep.id!r}"
    undeletable = [m.id for m in others if not m.deletable]
    if undeletable:
        named = ", ".join(map(repr, undeletable[:5])) + (", ..." if len(undeletable) > 5 else "")
        fix += f" (not yours, skip them: {named}; only their creators can delete them)"
    if check == "duplicate_names":
        problem = f"{len(members)} audiences share the name {keep.name!r} (ignoring case and spaces)."
        fix += f", or give {'it' if len(others) == 1 else 'each'} a distinct name with neuroflash_update_audience"
    else:
        problem = f"{len(members)} audiences have the same profile apart from their names."
    return Issue(problem, fix)


class Auditor:
    """Feed audiences with `add`, then call `report` once."""

    def __init__(self, params: AuditParams, *, checks: Iterable[str] | None = None, keep_per_check: int = 50) -> None:
        self.params = params
        self.selected = select_checks(checks)
        self.keep_per_check = keep_per_check
        self._audience_checks = [(name, AUDIENCE_CHECKS[name]) for name in self.selected if name in AUDIENCE_CHECKS]
        self._by_name = "duplicate_names" in self.selected
        self._by_profile = "near_identical" in self.selected
        self._counts = dict.fromkeys(self.selected, 0)
        # Per check a max-heap (by position) of the first `max_findings` findings.
        self._kept: dict[str, list[tuple[int, int, Finding]]] = {name: [] for name in self.selected}
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
                issue = not_yours(issue, audience)
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
            position,
            audience_id,
            text(audience.get("name")),
            updated.timestamp() if updated else float("-inf"),
            allowed(audience, "canDelete"),
        )

    def _keep(self, check: str, position: int, finding: Finding) -> None:
        self._counts[check] += 1
        heap = self._kept[check]
        entry = (-position, next(self._tiebreak), finding)
        if len(heap) < self.keep_per_check:
            heapq.heappush(heap, entry)
        elif entry[0] > heap[0][0]:
            heapq.heapreplace(heap, entry)

    def _groups(self, check: str, groups: dict[bytes, list[_Member]]) -> None:
        for members in groups.values():
            if len(members) > 1:
                members.sort(key=lambda m: m.position)
                self._keep(check, members[0].position, _finding(check, members, _group_issue(check, members)))

    def report(self, plan: PlanUsage | None = None, *, complete: bool = True) -> PlatformAudit:
        """Every kept finding, in check order then list order (core ranks across platforms)."""
        if self._by_name:
            self._groups("duplicate_names", self._names)
        if self._by_profile:
            self._groups("near_identical", self._profiles)
        if plan is not None and "plan_usage" in self.selected:
            issue = check_plan_usage(plan)
            if issue is not None:
                self._keep("plan_usage", -1, _finding("plan_usage", [], issue, count=0))
        order = {name: index for index, name in enumerate(CHECKS)}
        kept = [(order[name], -neg, finding) for name, heap in self._kept.items() for neg, _, finding in heap]
        kept.sort(key=lambda entry: entry[:2])
        return PlatformAudit(
            platform=PLATFORM,
            audiences_scanned=self.scanned,
            findings=[entry[2] for entry in kept],
            counts=dict(self._counts),
            complete=complete,
            plan_usage=plan.usage if plan else None,
            plan_limit=plan.limit if plan and not plan.unlimited else None,
        )
