"""History tools: what the server changed (the journal), and undoing one change.

restore_change undoes by the inverse write:
- update: a fetch-merge-PUT of the before-image, refused if the audience changed since
  (unless force=true), so an undo never overwrites someone else's later edit;
- delete: the audience is created again from its before-image (a new id), image included;
- create / duplicate: the created audience is deleted, with the same confirmation as
  neuroflash_delete_audience;
- image change: the previous image is uploaded again (or removed if there was none).
The undo is itself a journaled change.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from audience_mcp.core.store.journal import Change
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.api import Audience, ImageUpload
from audience_mcp.platforms.neuroflash.tools.deletion import (
    DeleteConfirmation,
    DeletePreview,
    ask_to_delete,
    confirm_and_delete,
    delete_request,
)
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.journaling import audience_key, image_to_restore
from audience_mcp.platforms.neuroflash.tools.profiles import API_FIELDS, FieldChange, diff, profile_from_body
from audience_mcp.platforms.neuroflash.tools.state import AppState, app_state

UNDOABLE = ("create", "update", "delete", "duplicate", "image_set", "image_delete")


class ChangeView(BaseModel):
    change_id: int
    time: str
    tool: str
    action: str
    status: Literal["pending", "succeeded", "failed"]
    audience_id: str | None
    audience_name: str | None
    changed_fields: list[str]
    error: str | None = None
    restored_by: int | None = None


class ChangesResult(BaseModel):
    changes: list[ChangeView]


class RestoreResult(BaseModel):
    status: Literal["restored", "nothing_to_do", "confirmation_required", "declined"]
    change_id: int
    action: str
    audience_id: str | None
    new_audience_id: str | None = Field(default=None, description="Set when a deleted audience was re-created")
    message: str
    changed: list[FieldChange] = Field(default_factory=list)
    preview: DeletePreview | None = None
    confirm_token: str | None = None


def _writable(audience_json: dict[str, Any] | None) -> dict[str, Any]:
    if not audience_json:
        return {}
    return Audience.model_validate(audience_json).profile().to_body()


def _view(change: Change) -> ChangeView:
    name = (change.after or change.before or {}).get("name")
    fields = (
        [c.field for c in diff(_writable(change.before), _writable(change.after))] if change.action == "update" else []
    )
    return ChangeView(
        change_id=change.id,
        time=change.created_at,
        tool=change.tool,
        action=change.action,
        status=change.status,
        audience_id=change.resource_id,
        audience_name=name if isinstance(name, str) else None,
        changed_fields=fields,
        error=change.error,
        restored_by=change.restored_by,
    )


async def list_recent_changes(
    ctx: Context,
    audience_id: Annotated[str | None, Field(description="Only this audience")] = None,
    platform: str | None = None,  # no description: tools/list is at its token budget
    limit: Annotated[int, Field(ge=1, le=200)] = 20,
) -> ChangesResult:
    """Changes this server made, newest first; undo one with restore_change."""
    state = app_state(ctx)
    changes = state.journal.recent(platform=platform, resource_id=audience_id, limit=limit)
    return ChangesResult(changes=[_view(c) for c in changes])


def _undoable(state: AppState, change_id: int) -> Change:
    change = state.journal.get(change_id)
    if change is None:
        raise tool_error(f"No change {change_id} in the journal. Call list_recent_changes for valid ids.")
    if change.restored_by is not None:
        raise tool_error(f"Change {change_id} was already undone by change {change.restored_by}.")
    if change.status == "pending":
        raise tool_error(
            f"The outcome of change {change_id} is unknown (the server stopped while sending it). "
            "Check the audience with neuroflash_get_audience before doing anything."
        )
    if change.status == "failed":
        raise tool_error(f"Change {change_id} failed, so nothing was changed and there is nothing to undo.")
    if change.action not in UNDOABLE:
        raise tool_error(f"A '{change.action}' change cannot be undone; undo the original change instead.")
    return change


async def _audience_to_remove(change_id: int, confirm_token: str | None, ctx: Context) -> Audience | None:
    """For an undone create/duplicate: the audience that would be deleted (None otherwise)."""
    state = app_state(ctx)
    change = state.journal.get(change_id)
    if confirm_token or change is None or change.action not in ("create", "duplicate") or not change.resource_id:
        return None
    if change.status != "succeeded" or change.restored_by is not None:
        return None
    with api_errors("undo the create", audience_id=change.resource_id):
        return await state.client.get_audience(change.scope_id, change.resource_id)


async def _ask_to_remove(
    audience: Annotated[Audience | None, Resolve(_audience_to_remove)], ctx: Context
) -> Elicit[DeleteConfirmation] | None:
    return ask_to_delete(audience, ctx)


async def restore_change(
    ctx: Context,
    change_id: Annotated[int, Field(description="From list_recent_changes")],
    audience: Annotated[Audience | None, Resolve(_audience_to_remove)],
    decision: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_ask_to_remove)],
    force: Annotated[bool, Field(description="Undo an update despite later edits")] = False,
    confirm_token: Annotated[str | None, Field(description="Confirms undoing a create")] = None,
) -> RestoreResult:
    """Undo a change from list_recent_changes: reverts an update, re-creates a deleted audience (new id),
    deletes a created one (after confirmation), or restores an image."""
    state = app_state(ctx)
    change = _undoable(state, change_id)
    if change.action in ("create", "duplicate"):
        return await _undo_create(state, change, audience, decision, confirm_token)
    if change.action == "update":
        return await _undo_update(state, change, force)
    if change.action == "delete":
        return await _undo_delete(state, change)
    return await _undo_image(state, change)


async def _undo_create(
    state: AppState,
    change: Change,
    audience: Audience | None,
    decision: ElicitationResult[DeleteConfirmation],
    confirm_token: str | None,
) -> RestoreResult:
    audience_id = change.resource_id or ""
    # Its own action: a token shown for neuroflash_delete_audience does not confirm this undo.
    request = delete_request(
        change.scope_id, audience_id, tool="restore_change", action="restore", arguments={"change_id": change.id}
    )
    result = await confirm_and_delete(
        state, request, audience=audience, decision=decision, confirm_token=confirm_token, restores=change.id
    )
    status: Literal["restored", "confirmation_required", "declined"] = (
        "restored" if result.status == "deleted" else result.status
    )
    message = "Undone: the audience was deleted." if status == "restored" else result.message
    return RestoreResult(
        status=status,
        change_id=change.id,
        action=change.action,
        audience_id=audience_id,
        message=message,
        preview=result.preview,
        confirm_token=result.confirm_token,
    )


async def _undo_update(state: AppState, change: Change, force: bool) -> RestoreResult:
    audience_id = change.resource_id or ""
    ws = change.scope_id
    before = _writable(change.before)
    async with state.locks.hold(audience_id):
        with api_errors("undo the update", audience_id=audience_id):
            current = await state.client.get_audience(ws, audience_id)
        expected = (change.after or {}).get("updatedAt")
        if not force and expected is not None and current.updated_at != expected:
            raise tool_error(
                f"The audience changed after change {change.id} (updated_at {current.updated_at}, expected "
                f"{expected}); undoing would overwrite that later edit. Check neuroflash_get_audience, then call again "
                "with force=true to undo anyway."
            )
        now = current.profile().to_body()
        # The before-image wins for every field it had; profile fields it did not have are dropped
        # again, and fields this server does not model (a newer schema's) are kept as they are now.
        profile_fields = set(API_FIELDS.values())
        target = {k: v for k, v in now.items() if k not in before and k not in profile_fields}
        target.update(before)
        changes = diff(now, target)
        if not changes:
            return RestoreResult(
                status="nothing_to_do",
                change_id=change.id,
                action="update",
                audience_id=audience_id,
                message="The audience already has the values from before this change.",
            )
        # Snapshots of the model itself, as every write keeps them: shares stay numbers (a JSON-mode
        # dump here once journaled them as strings).
        await journaled_write(
            state.journal,
            audience_key(ws, audience_id),
            state.client.update_audience(ws, audience_id, profile_from_body(target)),
            tool="restore_change",
            action="update",
            before=current,
            request=target,
            restores=change.id,
            errors=api_errors("undo the update", audience_id=audience_id, writes=True),
        )
    return RestoreResult(
        status="restored",
        change_id=change.id,
        action="update",
        audience_id=audience_id,
        message="Undone: the audience has its previous values again.",
        changed=changes,
    )


async def _undo_delete(state: AppState, change: Change) -> RestoreResult:
    ws = change.scope_id
    body = _writable(change.before)
    written = await journaled_write(
        state.journal,
        audience_key(ws, None),
        state.client.create_audience(ws, profile_from_body(body)),
        tool="restore_change",
        action="create",
        request=body,
        new_id=lambda audience: audience.id,
        restores=change.id,
        errors=api_errors("re-create the deleted audience", writes=True),
    )
    created = written.result
    message = f"Re-created as a new audience with id {created.id} (the old id cannot come back)."
    if change.image and change.image.get("base64"):
        with api_errors("restore the image", audience_id=created.id, writes=True):
            await state.client.set_image(ws, created.id, ImageUpload.model_validate(change.image))
        message += " Its image was restored too."
    return RestoreResult(
        status="restored",
        change_id=change.id,
        action="delete",
        audience_id=change.resource_id,
        new_audience_id=created.id,
        message=message,
    )


async def _undo_image(state: AppState, change: Change) -> RestoreResult:
    ws, audience_id = change.scope_id, change.resource_id or ""
    key = audience_key(ws, audience_id)
    errors = api_errors("restore the image", audience_id=audience_id, writes=True)
    upload = image_to_restore(change.id, change.image)  # refuses when the earlier image is unknown
    if upload is not None:
        await journaled_write(
            state.journal,
            key,
            state.client.set_image(ws, audience_id, upload),
            tool="restore_change",
            action="image_set",
            restores=change.id,
            errors=errors,
        )
        message = "Undone: the previous image is back."
    else:
        await journaled_write(
            state.journal,
            key,
            state.client.delete_image(ws, audience_id),
            tool="restore_change",
            action="image_delete",
            restores=change.id,
            errors=errors,
        )
        message = "Undone: the audience had no image before, so the image was removed."
    return RestoreResult(
        status="restored", change_id=change.id, action=change.action, audience_id=audience_id, message=message
    )
