"""Appizer's audit (core's audit_audiences hook): read the default app's audiences, then check.

The list has no criteria in the documented shape, so criteria (and the unknown names a create was
answered with) come from this server's journal of its own creates when the list does not carry
them. Every audience read is recorded as an observation; the size-drop check compares it with the
previous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from audience_mcp.core.audit.findings import AuditOptions, PlatformAudit, Severity
from audience_mcp.core.platform import Progress
from audience_mcp.platforms.appizer.audit import CHECKS, PLATFORM, AuditedItem, audit
from audience_mcp.platforms.appizer.models import MAX_LIMIT, AudienceSummary
from audience_mcp.platforms.appizer.tools.errors import api_errors
from audience_mcp.platforms.appizer.tools.state import AppizerState, audience_key

JOURNAL_ROWS = 5000  # the creates read from the journal for criteria


def _journaled(state: AppizerState) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """audience id -> (criteria sent, unknown names in the answer), from this server's creates."""
    known: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    for change in state.journal.recent(platform=PLATFORM, limit=JOURNAL_ROWS):
        if change.action != "create" or change.status != "succeeded" or not change.resource_id:
            continue
        criteria = (change.request or {}).get("criteria")
        unknown = (change.after or {}).get("unknown_fields") or ()
        known[change.resource_id] = (criteria if isinstance(criteria, str) else None, tuple(map(str, unknown)))
    return known


def _previous(state: AppizerState, app: str, audience_id: str) -> int | None:
    history = state.journal.observations.history(audience_key(app, audience_id), limit=2)
    value = history[1].data.get("user_count") if len(history) > 1 else None
    return value if isinstance(value, int) else None


class AppizerAuditor:
    checks: ClassVar[Mapping[str, Severity]] = CHECKS

    async def run(self, state: Any, options: AuditOptions, progress: Progress) -> PlatformAudit:
        assert isinstance(state, AppizerState)
        app = state.default_app_id
        if app is None:  # no app to audit: say so in the summary rather than fail every platform's audit
            return PlatformAudit(
                platform=PLATFORM,
                audiences_scanned=0,
                complete=False,
                note="Not audited: no app chosen. Set APPIZER_APP_ID (Appizer has no route that lists apps).",
            )
        max_pages = max(1, -(-options.max_audiences // MAX_LIMIT))
        audiences: list[AudienceSummary] = []
        complete = False
        with api_errors("audit the audiences", app_id=app):
            async for page, offset in state.client.audiences(app, max_pages=max_pages):
                audiences += page.audiences
                complete = not page.more_after(offset)
                await progress(len(audiences), page.pagination.total, f"Read {len(audiences)} audiences")
        state.observe(app, audiences)
        journaled = _journaled(state)
        items = []
        for audience in audiences:
            criteria, unknown = journaled.get(audience.audience_id, (None, ()))
            listed_unknown = audience.unmodeled_fields().get("unknown_fields")
            if isinstance(listed_unknown, list):
                unknown = tuple(map(str, listed_unknown))
            items.append(
                AuditedItem(
                    audience_id=audience.audience_id,
                    name=audience.name,
                    user_count=audience.user_count,
                    criteria=audience.criteria or criteria,
                    previous_count=_previous(state, app, audience.audience_id),
                    unknown_fields=unknown,
                )
            )
        wanted = frozenset(c for c in options.checks if c in CHECKS)
        return audit(app, items, wanted=wanted, keep_per_check=options.keep_per_check, complete=complete)
