"""Appizer's audit checks (pure): what is wrong with an app's audiences, each with its fix.

Appizer's API cannot update or delete an audience, so a fix is either a call (a new audience with
better criteria) or a plain statement of what only the dashboard can do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from audience_mcp.core.audit.findings import MAX_LISTED_AUDIENCES, AuditedAudience, Finding, PlatformAudit, Severity
from audience_mcp.platforms.appizer.criteria import signature

PLATFORM = "appizer"
SIZE_DROP_THRESHOLD = 0.30  # a fall of more than 30% since the previous sighting is worth a look
DASHBOARD = "Appizer's API cannot change or delete audiences: do it in the Appizer dashboard."

CHECKS: Mapping[str, Severity] = {
    "appizer_unknown_references": "error",
    "appizer_zero_users": "warning",
    "appizer_size_drop": "warning",
    "appizer_duplicate_names": "warning",
    "appizer_duplicate_criteria": "info",
}


@dataclass(frozen=True)
class AuditedItem:
    """One audience as the audit sees it: the list's fields plus what the state store knows."""

    audience_id: str
    name: str | None
    user_count: int | None
    criteria: str | None  # from the list when the API sends it, else from this server's journal
    previous_count: int | None  # at the previous sighting (an hour or more ago)
    unknown_fields: tuple[str, ...] = ()


def _audience(item: AuditedItem) -> AuditedAudience:
    return AuditedAudience(id=item.audience_id, name=item.name)


def _finding(check: str, items: list[AuditedItem], problem: str, fix: str | None) -> Finding:
    return Finding(
        platform=PLATFORM,
        check=check,
        severity=CHECKS[check],
        audiences=[_audience(i) for i in items[:MAX_LISTED_AUDIENCES]],
        audience_count=len(items),
        problem=problem,
        fix=fix,
    )


def _recreate(app_id: str, item: AuditedItem, hint: str) -> str:
    name = f"{item.name} (fixed)" if item.name else "a new name"
    return f"appizer_create_audience(app_id={app_id!r}, name={name!r}, criteria=...) {hint}; {DASHBOARD}"


def _single(app_id: str, items: Iterable[AuditedItem]) -> Iterable[Finding]:
    for item in items:
        if item.unknown_fields:
            yield _finding(
                "appizer_unknown_references",
                [item],
                f"Its criteria name {', '.join(item.unknown_fields)}, which app {app_id} does not know, so it "
                "matches nobody.",
                _recreate(app_id, item, "with field and event names the app has"),
            )
        elif item.user_count == 0:
            yield _finding(
                "appizer_zero_users",
                [item],
                f"It matches 0 users of app {app_id}.",
                _recreate(app_id, item, "with wider criteria (check values and the time window)"),
            )
        previous, now = item.previous_count, item.user_count
        if previous and now is not None and (previous - now) / previous > SIZE_DROP_THRESHOLD:
            drop = round(100 * (previous - now) / previous)
            yield _finding(
                "appizer_size_drop",
                [item],
                f"Its size fell by {drop}% (from {previous} to {now} users) since the previous sighting.",
                "Check what changed in the app's users or events before the next push; "
                f"appizer_get_audience(audience_id={item.audience_id!r}) shows the current size.",
            )


def _groups(app_id: str, items: list[AuditedItem]) -> Iterable[Finding]:
    by_name: dict[str, list[AuditedItem]] = defaultdict(list)
    by_criteria: dict[str, list[AuditedItem]] = defaultdict(list)
    for item in items:
        if item.name:
            by_name[" ".join(item.name.split()).casefold()].append(item)
        if item.criteria:
            by_criteria[signature(item.criteria)].append(item)
    for group in by_name.values():
        if len(group) > 1:
            yield _finding(
                "appizer_duplicate_names",
                group,
                f"{len(group)} audiences of app {app_id} are named '{group[0].name}'; a push can go to the wrong one.",
                f"Rename all but one in the Appizer dashboard ({DASHBOARD})",
            )
    for key, group in by_criteria.items():
        if len(group) > 1:
            yield _finding(
                "appizer_duplicate_criteria",
                group,
                f"{len(group)} audiences of app {app_id} have the same criteria ('{key}').",
                f"Use one of them; remove the others in the Appizer dashboard ({DASHBOARD})",
            )


def audit(
    app_id: str, items: list[AuditedItem], *, wanted: frozenset[str], keep_per_check: int, complete: bool
) -> PlatformAudit:
    result = PlatformAudit(platform=PLATFORM, audiences_scanned=len(items), complete=complete)
    for finding in (*_single(app_id, items), *_groups(app_id, items)):
        if wanted and finding.check not in wanted:
            continue
        result.counts[finding.check] = result.counts.get(finding.check, 0) + 1
        if result.counts[finding.check] <= keep_per_check:
            result.findings.append(finding)
    return result
