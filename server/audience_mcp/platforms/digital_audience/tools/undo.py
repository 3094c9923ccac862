"""Digital Audience's undo (the `PlatformUndo` hook of core's restore_change).

- update: the earlier name and description are written back by fetch-merge-write, refused if
  the audience changed since (unless force=true);
- delete: the audience is created again in its campaign with its name and description, under a
  new id; its CRM data cannot come back (it was uploaded through the portal), and the message
  says so;
- activate: cannot be undone from here (no documented route stops a segment); the message says
  where it can be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from mcp.server.elicitation import ElicitationResult

from audience_mcp.core.store.journal import Change
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.core.tools.history import FieldChange, RestoreResult, UndoTarget
from audience_mcp.platforms.digital_audience.tools.audiences import load_audience
from audience_mcp.platforms.digital_audience.tools.errors import api_errors, tool_error
from audience_mcp.platforms.digital_audience.tools.state import DigitalAudienceState

WRITABLE = ("name", "description")


def _writable(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    return {field: (snapshot or {}).get(field) for field in WRITABLE}


class DigitalAudienceUndo:
    actions: ClassVar[Mapping[str, str]] = {
        "update": "puts the earlier name and description back",
        "delete": "re-creates the audience's name, description and campaign (new id, no CRM data)",
        "activate": "cannot be undone from here: stop the segment in the portal or on the ad platform",
    }

    def changed_fields(self, change: Change) -> list[str]:
        before, after = _writable(change.before), _writable(change.after)
        return [field for field in WRITABLE if before[field] != after[field]]

    async def target(self, state: Any, change: Change) -> UndoTarget | None:
        return None  # no undo here deletes anything

    async def undo(
        self,
        state: Any,
        change: Change,
        *,
        force: bool,
        target: UndoTarget | None,
        decision: ElicitationResult[Any],
        confirm_token: str | None,
    ) -> RestoreResult:
        assert isinstance(state, DigitalAudienceState)
        if change.action == "update":
            return await _undo_update(state, change, force)
        if change.action == "delete":
            return await _undo_delete(state, change)
        after = change.after or {}
        raise tool_error(
            f"Change {change.id} activated audience {change.resource_id} (segment {after.get('segmentId')}, flow "
            f"{after.get('flowId')}); an activation cannot be undone from here. Stop the segment in the Digital "
            "Audience portal or on the ad platform's account."
        )


async def _undo_update(state: DigitalAudienceState, change: Change, force: bool) -> RestoreResult:
    audience_id = int(change.resource_id or 0)
    before = _writable(change.before)
    async with state.hold_audience(audience_id):
        current = await load_audience(state, audience_id, "undo the update")
        expected = (change.after or {}).get("updated")
        if not force and expected is not None and current.updated != expected:
            raise tool_error(
                f"Audience {audience_id} changed after change {change.id} (updated {current.updated}, expected "
                f"{expected}); undoing would overwrite that later edit. Check digital_audience_get_audience, then call "
                "again with force=true to undo anyway."
            )
        now = {"name": current.name, "description": current.description}
        changes = [FieldChange(field=f, old=now[f], new=before[f]) for f in WRITABLE if now[f] != before[f]]
        if not changes:
            return RestoreResult(
                status="nothing_to_do",
                change_id=change.id,
                action="update",
                audience_id=str(audience_id),
                message="The audience already has the values from before this change.",
            )
        name = before["name"] if isinstance(before["name"], str) else current.name or ""
        description = before["description"] if isinstance(before["description"], str) else None

        request = {"id": audience_id, "name": name, "description": description}
        written = await journaled_write(
            state.journal,
            state.key(audience_id),
            state.client.update_audience(audience_id, name, description),
            tool="restore_change",
            action="update",
            before=current,
            request=request,
            after=lambda answer: answer if answer is not None else {**current.to_body(), **request},
            restores=change.id,
            errors=api_errors("undo the update", what=f"Audience {audience_id}", writes=True),
        )
    if written.result is not None:
        state.seen(written.result)
    return RestoreResult(
        status="restored",
        change_id=change.id,
        action="update",
        audience_id=str(audience_id),
        message="Undone: the audience has its previous name and description again.",
        changed=changes,
    )


async def _undo_delete(state: DigitalAudienceState, change: Change) -> RestoreResult:
    before = change.before or {}
    name, campaign_id = before.get("name"), before.get("campaignId")
    if not isinstance(name, str) or not isinstance(campaign_id, int):
        raise tool_error(f"Change {change.id} did not keep the audience's name and campaign; it cannot be re-created.")
    description = before.get("description") if isinstance(before.get("description"), str) else None
    written = await journaled_write(
        state.journal,
        state.key(None),
        state.client.create_audience(name, campaign_id, description),
        tool="restore_change",
        action="create",
        request={"name": name, "campaignId": campaign_id, "description": description},
        new_id=lambda audience: str(audience.id),
        restores=change.id,
        errors=api_errors("re-create the deleted audience", what=f"Campaign {campaign_id}", writes=True),
    )
    created = written.result
    state.seen(created)
    return RestoreResult(
        status="restored",
        change_id=change.id,
        action="delete",
        audience_id=change.resource_id,
        new_audience_id=str(created.id),
        message=(
            f"Re-created as a new audience with id {created.id} (the old id cannot come back), with its name, "
            "description and campaign only: its CRM data is gone; upload it again in the Digital Audience portal."
        ),
    )
