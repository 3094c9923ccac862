"""neuroflash_delete_audience: never deletes on a first call alone.

The confirmation is core's protocol (core/mcp/confirmations): the user is asked (naming the
audience) when the client supports elicitation; otherwise the first call returns a preview and
a single-use `confirm_token` (bound to that audience, action and tool, valid 10 minutes), and a
second call with the token deletes. A declined or cancelled question deletes nothing.

Nobody is asked about a delete that cannot succeed (the caller is not the creator). What the
user agreed to is what is deleted: right before the DELETE the audience is read again, under
its lock, and if it changed since the preview or the question, nothing is deleted and a fresh
preview and token come back. The journal keeps the audience as it was when deleted.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.confirmations import Confirmation, Declined, NeedsConfirmation, Request, ask, confirm
from audience_mcp.core.mcp.quoting import quoted
from audience_mcp.core.store.journal import Change
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.api import Audience, NotFoundError
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.journaling import NO_IMAGE, PLATFORM, audience_key, image_backup
from audience_mcp.platforms.neuroflash.tools.permissions import may_delete, require_deletable
from audience_mcp.platforms.neuroflash.tools.profiles import diff
from audience_mcp.platforms.neuroflash.tools.state import AppState, app_state

# What restore_change brings back of a deleted audience, and what it cannot: said in every question.
RESTORE_NOTE = (
    "restore_change can re-create it from the server's journal (profile and image), but under a new id, "
    "and its creation date and usage history do not come back."
)


class DeleteConfirmation(Confirmation):
    confirm: bool = Field(description="Yes, delete this audience")


class DeletePreview(BaseModel):
    id: str
    name: str | None
    created_by_user_id: str | None
    updated_at: str | None


class DeleteResult(BaseModel):
    status: Literal["deleted", "confirmation_required", "declined"]
    audience_id: str
    message: str
    preview: DeletePreview | None = None
    confirm_token: str | None = None
    expires_in_seconds: int | None = None
    change_id: int | None = Field(default=None, description="Journal entry; restore_change can undo it")


def _preview(audience: Audience) -> DeletePreview:
    return DeletePreview(
        id=audience.id,
        name=audience.name,
        created_by_user_id=audience.created_by_user_id,
        updated_at=audience.updated_at,
    )


def deleted_by_this_server(state: AppState, workspace_id: str, audience_id: str) -> Change | None:
    """The journal's succeeded delete of this audience, if this server deleted it."""
    for change in state.journal.recent(platform=PLATFORM, resource_id=audience_id, limit=50):
        if change.action == "delete" and change.status == "succeeded" and change.scope_id == workspace_id:
            return change
    return None


async def current_audience(state: AppState, workspace_id: str, audience_id: str) -> Audience:
    """The audience as it is now; a 404 for one this server deleted says so (and how to undo it)."""
    with api_errors("delete the audience", audience_id=audience_id):
        try:
            return await state.client.get_audience(workspace_id, audience_id)
        except NotFoundError as exc:
            deleted = (
                deleted_by_this_server(state, workspace_id, audience_id) if exc.code != "WORKSPACE_NOT_FOUND" else None
            )
            if deleted is None:
                raise
            raise tool_error(
                f"Audience {quoted(audience_id)} was already deleted (change {deleted.id}, {deleted.created_at}); "
                "there is nothing left to delete. If that delete was a mistake, "
                f"restore_change(change_id={deleted.id}) re-creates it under a new id."
            ) from None


async def _audience_to_delete(
    audience_id: str, confirm_token: str | None, workspace_id: str | None, ctx: Context
) -> Audience | None:
    """The audience as it is now, for the question or the preview (not needed with a token)."""
    if confirm_token:
        return None
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    return await current_audience(state, ws, audience_id)


def delete_question(audience: Audience) -> str | None:
    """The question the user is asked before `audience` is deleted; None for a delete the caller
    may not make, which is refused instead of asked about."""
    if not may_delete(audience):
        return None
    # The version is part of the question: a client on the 2026-07-28 protocol answers in a
    # later round, and the SDK re-asks instead of reusing an answer given to other wording.
    version = f", last changed {quoted(audience.updated_at)}" if audience.updated_at else ""
    return (
        f"Delete the target audience {quoted(audience.name or '')} (id {quoted(audience.id)}{version})? "
        f"It disappears from neuroflash at once. {RESTORE_NOTE}"
    )


def ask_to_delete(audience: Audience | None, ctx: Context) -> Elicit[DeleteConfirmation] | None:
    """Ask the user when the client can be asked; None means: use the token flow (or refuse, see
    `confirm_and_delete`: a delete the caller may not make is never asked about)."""
    return ask(delete_question(audience) if audience is not None else None, ctx, DeleteConfirmation)


async def _ask_user(
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)], ctx: Context
) -> Elicit[DeleteConfirmation] | None:
    return ask_to_delete(audience, ctx)


def delete_request(
    workspace_id: str, audience_id: str, *, tool: str, action: str, arguments: dict[str, object]
) -> Request:
    """What a token confirms: this action on this audience, through this tool (named in every message)."""
    return Request(
        platform="neuroflash",
        resource_type="audience",
        resource_id=audience_id,
        action=action,
        tool=tool,
        arguments=arguments,
        scope=workspace_id,
    )


def changes_since(shown: Audience, now: Audience) -> list[str]:
    """What differs between the audience the user was shown and the audience now (empty: nothing)."""
    changed = [c.field for c in diff(shown.profile().to_body(), now.profile().to_body())]
    if (shown.image.id if shown.image else None) != (now.image.id if now.image else None):
        changed.append("image")
    if not changed and shown.updated_at != now.updated_at:
        changed.append("updated_at")
    return changed


def _needs_confirmation(
    request: Request, token: str, seconds: int, preview: dict[str, object], why: str
) -> DeleteResult:
    return DeleteResult(
        status="confirmation_required",
        audience_id=request.resource_id,
        message=(
            f"{why}Show the user this preview and ask; if they agree, call {request.tool} again with confirm_token."
        ),
        preview=DeletePreview.model_validate(preview),
        confirm_token=token,
        expires_in_seconds=seconds,
    )


async def confirm_and_delete(
    state: AppState,
    request: Request,
    *,
    audience: Audience | None,
    decision: ElicitationResult[DeleteConfirmation],
    confirm_token: str | None,
    restores: int | None = None,
) -> DeleteResult:
    """The confirmation rule of every delete: a redeemed token, or the user's yes; else a preview.

    `audience` is the audience as fetched for the question or the preview (None when a token
    was given: the one kept with the token is what the user agreed to). The audience is read
    again right before the DELETE; when it changed since, a new preview and token come back
    instead. The delete is journaled with the audience as deleted and its image bytes, so
    restore_change can bring it back; with `restores`, the undone change is marked in the same
    transaction as this delete's success.
    """
    workspace_id, audience_id = request.scope, request.resource_id
    if audience is not None:
        require_deletable(audience)  # before anyone is asked, or a token is handed out
    preview = _preview(audience).model_dump() if audience is not None else None
    outcome = confirm(
        state.confirmations,
        request,
        decision=decision,
        token=confirm_token,
        preview=preview,
        payload=audience,
        payload_type=Audience,
    )
    if isinstance(outcome, NeedsConfirmation):
        return _needs_confirmation(
            request, outcome.token, outcome.expires_in_seconds, outcome.preview, "Not deleted yet. "
        )
    if isinstance(outcome, Declined):
        message = (
            "Not confirmed; nothing deleted."
            if outcome.answered_no
            else "The user declined or dismissed the question; nothing deleted."
        )
        return DeleteResult(status="declined", audience_id=audience_id, message=message)
    agreed = outcome.payload
    assert isinstance(agreed, Audience)  # what this module passed as the payload
    # Held from the re-read to the DELETE, so no write of this server (any process) slips in between.
    async with state.locks.hold(audience_id):
        current = await current_audience(state, workspace_id, audience_id)
        require_deletable(current)
        changed = changes_since(agreed, current)
        if changed:
            pending = state.confirmations.issue(request, _preview(current).model_dump(), current)
            return _needs_confirmation(
                request,
                pending.token,
                state.confirmations.seconds_left(pending),
                pending.preview,
                f"Not deleted: the audience changed since the user agreed ({', '.join(changed)}), so they agreed to "
                "another version. ",
            )
        image = (
            await image_backup(state, workspace_id, audience_id, current.image, action="delete the audience")
            if current.image
            else NO_IMAGE
        )
        written = await journaled_write(
            state.journal,
            audience_key(workspace_id, audience_id),
            state.client.delete_audience(workspace_id, audience_id),
            tool=request.tool,
            action="delete",
            before=current,
            image=image,
            restores=restores,
            errors=api_errors("delete the audience", audience_id=audience_id, writes=True),
        )
    return DeleteResult(
        status="deleted",
        audience_id=audience_id,
        message=(
            f"Deleted. If that was a mistake, restore_change(change_id={written.change_id}) re-creates it "
            "under a new id."
        ),
        change_id=written.change_id,
    )


async def neuroflash_delete_audience(
    ctx: Context,
    audience_id: str,
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)],
    decision: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_ask_user)],
    confirm_token: Annotated[str | None, Field(description="From this tool's previous answer")] = None,
    workspace_id: str | None = None,
) -> DeleteResult:
    """Delete an audience. Asks the user if the client can; else returns a preview and a confirm_token:
    show it, and call again with the token only if the user agrees."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    request = delete_request(
        ws, audience_id, tool="neuroflash_delete_audience", action="delete", arguments={"audience_id": audience_id}
    )
    return await confirm_and_delete(state, request, audience=audience, decision=decision, confirm_token=confirm_token)
