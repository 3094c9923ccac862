"""Audiences as the list endpoint returns them, for the pure check tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from audience_mcp.core.audit.report import AuditReport, build_report
from audience_mcp.platforms.neuroflash.audit import CHECKS, Auditor, AuditParams, PlanUsage

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
RECENT = "2026-05-20T08:30:00.123Z"
REMOVE = object()  # an override that deletes the key


def audience(audience_id: str = "a1", **overrides: Any) -> dict[str, Any]:
    """A clean audience (passes every check) with these wire fields changed or removed."""
    body: dict[str, Any] = {
        "_embedded": {"image": {"id": "img", "url": "https://storage.test/img.png"}, "permissions": {}},
        "id": audience_id,
        "name": f"Audience {audience_id}",
        "minAge": 25,
        "maxAge": 45,
        "residence": "Berlin",
        "genderDistribution": {
            "female": Decimal("0.5"),
            "male": Decimal("0.4"),
            "nonBinary": Decimal("0.07"),
            "preferNotToSay": Decimal("0.03"),
        },
        "interests": ["AI", "content marketing"],
        "needs": ["scale content production"],
        "painPoints": ["manual workflows"],
        "country": "DE",
        "nativeLanguage": "de",
        "shared": True,
        "createdAt": "2025-01-14T16:20:59.000Z",
        "updatedAt": RECENT,
        "viewedAt": RECENT,
    }
    for key, value in overrides.items():
        if value is REMOVE:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def shares(female: Any, male: Any, non_binary: Any, prefer_not_to_say: Any) -> dict[str, Any]:
    return {"female": female, "male": male, "nonBinary": non_binary, "preferNotToSay": prefer_not_to_say}


def audit(
    audiences: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    plan: PlanUsage | None = None,
    checks: Iterable[str] | None = None,
    max_findings: int = 50,
    page: int = 1,
    stale_after_days: int = 180,
    wide_age_span: int = 40,
) -> AuditReport:
    """The report audit_audiences builds from neuroflash's findings over these audiences (no I/O)."""
    auditor = Auditor(
        AuditParams(now=now, stale_after_days=stale_after_days, wide_age_span=wide_age_span),
        checks=checks,
        keep_per_check=page * max_findings,
    )
    for audience in audiences:
        auditor.add(audience)
    return build_report(
        [auditor.report(plan)],
        check_order={("neuroflash", check): position for position, check in enumerate(CHECKS)},
        max_findings=max_findings,
        page=page,
        again="audit_audiences()",
    )
