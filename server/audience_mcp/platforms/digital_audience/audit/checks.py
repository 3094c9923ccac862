"""Digital Audience's checks over the known audiences (pure: wire dicts in, findings out).

CRM data reaches Digital Audience only as a file upload in its portal (or S3/SFTP folders), so a
finding about the data names what only the portal can do; the others name the fixing call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from audience_mcp.core.audit.findings import MAX_LISTED_AUDIENCES, AuditedAudience, Finding, Severity
from audience_mcp.core.audit.values import timestamp

PLATFORM = "digital_audience"
PORTAL = "Only the Digital Audience portal can do this: upload the CRM file there (this server cannot)."

# Every check by name, in report order within a severity.
CHECKS: dict[str, Severity] = {
    "no_crm_data": "warning",
    "insights_pending": "warning",
    "low_match_rate": "warning",
    "duplicate_names_in_campaign": "warning",
    "activation_ended": "info",
    "never_activated": "info",
}


@dataclass(frozen=True)
class Thresholds:
    insights_pending: timedelta = timedelta(hours=24)
    match_rate: float = 0.30  # per data type


def _who(audience: Mapping[str, Any]) -> AuditedAudience:
    name = audience.get("name")
    return AuditedAudience(id=str(audience.get("id")), name=name if isinstance(name, str) else None)


def _one(check: str, audience: Mapping[str, Any], problem: str, fix: str | None) -> Finding:
    return Finding(
        platform=PLATFORM,
        check=check,
        severity=CHECKS[check],
        audiences=[_who(audience)],
        audience_count=1,
        problem=problem,
        fix=fix,
    )


def _latest_rates(audience: Mapping[str, Any]) -> dict[str, float]:
    crm = audience.get("crmData")
    history = crm.get("history") if isinstance(crm, dict) else None
    uploads = history.get("history") if isinstance(history, dict) else None
    if not isinstance(uploads, dict) or not uploads:
        return {}
    latest = uploads[max(uploads)]
    rates = latest.get("matchRates") if isinstance(latest, dict) else None
    if not isinstance(rates, dict):
        return {}
    return {str(k): float(v) for k, v in rates.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def audience_findings(audience: Mapping[str, Any], now: datetime, limits: Thresholds) -> Iterable[Finding]:
    ident = audience.get("id")
    state = audience.get("audienceState")
    if state == "NODATA":
        yield _one("no_crm_data", audience, "The audience has no CRM data, so it matches nobody.", PORTAL)
    crm = audience.get("crmData")
    insights = crm.get("insightsState") if isinstance(crm, dict) else None
    since = timestamp(audience.get("dataUpdated"))
    if insights == "PENDING" and since is not None and now - since > limits.insights_pending:
        hours = int((now - since).total_seconds() // 3600)
        yield _one(
            "insights_pending",
            audience,
            f"Insights have been pending for {hours} hours since the last upload.",
            "Check the upload in the Digital Audience portal; contact their support if it stays pending.",
        )
    low = {kind: rate for kind, rate in _latest_rates(audience).items() if rate < limits.match_rate}
    if low:
        shown = ", ".join(f"{kind} {rate:.0%}" for kind, rate in sorted(low.items()))
        yield _one(
            "low_match_rate",
            audience,
            f"Match rate below {limits.match_rate:.0%}: {shown}.",
            "Clean the CRM file (formats, duplicates) and upload it again in the Digital Audience portal.",
        )
    end = timestamp(audience.get("endDate"))
    if end is not None and end < now:
        yield _one(
            "activation_ended",
            audience,
            f"The activation window ended on {audience.get('endDate')}.",
            f"digital_audience_activate_audience(audience_id={ident}, account_id=..., start_date=..., end_date=...)",
        )
    elif state not in ("NODATA", None) and audience.get("activationStatusId") in (0, None) and end is None:
        yield _one(
            "never_activated",
            audience,
            "The audience has data but was never activated on an ad account.",
            f"digital_audience_activate_audience(audience_id={ident}, account_id=..., start_date=..., end_date=...)",
        )


def duplicate_names(audiences: Iterable[Mapping[str, Any]]) -> Iterable[Finding]:
    groups: dict[tuple[Any, str], list[Mapping[str, Any]]] = defaultdict(list)
    for audience in audiences:
        name = audience.get("name")
        if isinstance(name, str) and name.strip():
            groups[(audience.get("campaignId"), name.strip().casefold())].append(audience)
    for (campaign, _), members in groups.items():
        if len(members) < 2:
            continue
        first = members[1]
        yield Finding(
            platform=PLATFORM,
            check="duplicate_names_in_campaign",
            severity=CHECKS["duplicate_names_in_campaign"],
            audiences=[_who(m) for m in members[:MAX_LISTED_AUDIENCES]],
            audience_count=len(members),
            problem=f"{len(members)} audiences in campaign {campaign} share the name {members[0].get('name')!r}.",
            fix=f"digital_audience_update_audience(audience_id={first.get('id')}, name='...')",
        )
