"""neuroflash_delete_audience: never deletes on a first call alone.

The confirmation is core's protocol (core/mcp/confirmations): the user is asked (naming the
audience) when the client supports elicitation; otherwise the first call returns a preview and
a single-use `confirm_token` (bound to that audience, action and tool, valid 10 minutes), and a
second call with the token deletes. A declined or cancelled question deletes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.confirmations import Confirmation, Declined, NeedsConfirmation, Request, ask, confirm
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.api import Audience
from audience_mcp.platforms.neuroflash.tools.errors import api_errors
from audience_mcp.platforms.neuroflash.tools.journaling import NO_IMAGE, audience_key, image_snapshot
from audience_mcp.platforms.neuroflash.tools.state import AppState, app_state


class DeleteConfirmation(Confirmation):
    confirm: bool = Field(description="Yes, delete this audience permanently")


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


async def _audience_to_delete(
    audience_id: str, confirm_token: str | None, workspace_id: str | None, ctx: Context
) -> Audience | None:
    """The audience as it is now, for the question or the preview (not needed with a token)."""
    if confirm_token:
        return None
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("delete the audience", audience_id=audience_id):
        return await state.client.get_audience(ws, audience_id)


def delete_question(audience: Audience) -> str:
    """The question the user is asked before `audience` is deleted."""
    return f"Delete the target audience '{audience.name}' (id {audience.id})? This cannot be undone."


def ask_to_delete(audience: Audience | None, ctx: Context) -> Elicit[DeleteConfirmation] | None:
    """Ask the user when the client can be asked; None means: use the token flow."""
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
    was given: the one kept with the token is used). The delete is journaled with the full
    before-image and the image bytes, so restore_change can bring it back; with `restores`,
    the undone change is marked in the same transaction as this delete's success.
    """
    workspace_id, audience_id = request.scope, request.resource_id
    preview = _preview(audience).model_dump() if audience is not None else None
    outcome = confirm(
        state.confirmations, request, decision=decision, token=confirm_token, preview=preview, payload=audience
    )
    if isinstance(outcome, NeedsConfirmation):
        return DeleteResult(
            status="confirmation_required",
            audience_id=audience_id,
            message=(
                f"Not deleted yet. Show the user this preview and ask; if they agree, call {request.tool} again "
                "with confirm_token."
            ),
            preview=DeletePreview.model_validate(outcome.preview),
            confirm_token=outcome.token,
            expires_in_seconds=outcome.expires_in_seconds,
        )
    if isinstance(outcome, Declined):
        message = (
            "Not confirmed; nothing deleted."
            if outcome.answered_no
            else "The user declined or dismissed the question; nothing deleted."
        )
        return DeleteResult(status="declined", audience_id=audience_id, message=message)
    before = outcome.payload
    assert isinstance(before, Audience)  # what this module passed as the payload
    image = await image_snapshot(state, workspace_id, audience_id, before.image) if before.image else NO_IMAGE
    written = await journaled_write(
        state.journal,
        audience_key(workspace_id, audience_id),
        state.client.delete_audience(workspace_id, audience_id),
        tool=request.tool,
        action="delete",
        before=before,
        image=image,
        restores=restores,
        errors=api_errors("delete the audience", audience_id=audience_id, writes=True),
    )
    return DeleteResult(status="deleted", audience_id=audience_id, message="Deleted.", change_id=written.change_id)


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
