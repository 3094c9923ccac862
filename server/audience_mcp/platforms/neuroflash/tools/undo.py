"""neuroflash's undo (the `PlatformUndo` hook of core's restore_change): the inverse write.

- update: a fetch-merge-PUT of the before-image, refused if the audience changed since
  (unless force=true), so an undo never overwrites someone else's later edit;
- delete: the audience is created again from its before-image (a new id), image included;
- create / duplicate: the created audience is deleted, with the same confirmation as
  neuroflash_delete_audience;
- image change: the previous image is uploaded again (or removed if there was none).
The undo is itself a journaled change. Which change may be undone at all, the claim that keeps
concurrent calls from undoing it twice, and the question are core's (core/tools/history.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from mcp.server.elicitation import ElicitationResult

from audience_mcp.core.store.journal import Change
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.core.tools.history import FieldChange, RestoreResult, UndoTarget
from audience_mcp.platforms.neuroflash.api import Audience, ImageUpload, NotFoundError
from audience_mcp.platforms.neuroflash.tools.deletion import confirm_and_delete, delete_question, delete_request
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.journaling import audience_key, image_to_restore
from audience_mcp.platforms.neuroflash.tools.profiles import API_FIELDS, diff, profile_from_body
from audience_mcp.platforms.neuroflash.tools.state import AppState

PLATFORM = "neuroflash"


def _writable(audience_json: dict[str, Any] | None) -> dict[str, Any]:
    if not audience_json:
        return {}
    return Audience.model_validate(audience_json).profile().to_body()


class NeuroflashUndo:
    """restore_change's neuroflash half: what each action's undo does, and doing it."""

    actions: ClassVar[Mapping[str, str]] = {
        "create": "deletes the created audience (after the user's yes)",
        "duplicate": "deletes the copy (after the user's yes)",
        "update": "puts the earlier values back",
        "delete": "re-creates the audience with a new id",
        "image_set": "puts the previous image back",
        "image_delete": "puts the deleted image back",
    }

    def changed_fields(self, change: Change) -> list[str]:
        return [c.field for c in diff(_writable(change.before), _writable(change.after))]

    async def target(self, state: Any, change: Change) -> UndoTarget | None:
        """For an undone create/duplicate: the audience that would be deleted, and the question."""
        if change.action not in ("create", "duplicate") or not change.resource_id:
            return None
        assert isinstance(state, AppState)
        audience = await _created_audience(state, change)
        question = delete_question(audience)
        if question is None:
            return None  # not the caller's to delete: the undo refuses it without asking
        return UndoTarget(question=question, preview=_preview(audience), payload=audience)

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
        assert isinstance(state, AppState)
        if change.action in ("create", "duplicate"):
            audience = target.payload if target is not None else None
            return await _undo_create(state, change, audience, decision, confirm_token)
        if change.action == "update":
            return await _undo_update(state, change, force)
        if change.action == "delete":
            return await _undo_delete(state, change)
        return await _undo_image(state, change)


def _preview(audience: Audience) -> dict[str, Any]:
    return {"id": audience.id, "name": audience.name, "updated_at": audience.updated_at}


async def _created_audience(state: AppState, change: Change) -> Audience:
    audience_id = change.resource_id or ""
    with api_errors("undo the create", audience_id=audience_id):
        try:
            return await state.client.get_audience(change.scope_id, audience_id)
        except NotFoundError:
            raise tool_error(_already_gone(state, change)) from None


def _already_gone(state: AppState, change: Change) -> str:
    """Undoing a create whose audience is gone: say which change deleted it, when the journal knows."""
    for later in state.journal.recent(platform=PLATFORM, resource_id=change.resource_id, limit=50):
        if later.action == "delete" and later.status == "succeeded" and later.id > change.id:
            return (
                f"Audience '{change.resource_id}' was already deleted (change {later.id}), so there is nothing to undo "
                f"for change {change.id}."
            )
    return (
        f"Audience '{change.resource_id}' no longer exists (deleted outside this server), so there is nothing to "
        f"undo for change {change.id}."
    )


async def _undo_create(
    state: AppState,
    change: Change,
    audience: Audience | None,
    decision: ElicitationResult[Any],
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
        preview=result.preview.model_dump() if result.preview is not None else None,
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
        changed=[FieldChange(field=c.field, old=c.old, new=c.new) for c in changes],
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
        status="restored",
        change_id=change.id,
        action=change.action,
        audience_id=audience_id,
        message=message,
    )
