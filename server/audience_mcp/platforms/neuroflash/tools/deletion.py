"""neuroflash_delete_audience: never deletes on a first call alone.

When the client supports elicitation, the user is asked (naming the audience) through the
SDK's `Resolve`/`Elicit`, which works on both protocol generations. Otherwise the first call
returns a preview and a single-use `confirm_token` (bound to that audience, valid 10 minutes),
and a second call with the token deletes. A declined or cancelled question deletes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.api import Audience
from audience_mcp.platforms.neuroflash.tools.errors import api_errors
from audience_mcp.platforms.neuroflash.tools.journaling import NO_IMAGE, audience_key, image_snapshot
from audience_mcp.platforms.neuroflash.tools.state import AppState, app_state


class DeleteConfirmation(BaseModel):
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


def ask_to_delete(audience: Audience | None, ctx: Context) -> Elicit[DeleteConfirmation] | None:
    """Ask the user when the client can be asked; None means: use the token flow."""
    capabilities = ctx.client_capabilities
    if audience is None or capabilities is None or capabilities.elicitation is None:
        return None
    return Elicit(
        f"Delete the target audience '{audience.name}' (id {audience.id})? This cannot be undone.",
        DeleteConfirmation,
    )


async def _ask_user(
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)], ctx: Context
) -> Elicit[DeleteConfirmation] | None:
    return ask_to_delete(audience, ctx)


async def confirm_and_delete(
    state: AppState,
    *,
    workspace_id: str,
    audience_id: str,
    audience: Audience | None,
    decision: ElicitationResult[DeleteConfirmation],
    confirm_token: str | None,
    tool: str,
    restores: int | None = None,
) -> DeleteResult:
    """The confirmation rule of every delete: a redeemed token, or the user's yes; else a preview.

    `audience` is the audience as fetched for the question or the preview (None when a token
    was given: the token's preview is used). The delete is journaled with the full
    before-image and the image bytes, so restore_change can bring it back; with `restores`,
    the undone change is marked in the same transaction as this delete's success.
    """
    if confirm_token:
        audience = state.confirmations.redeem(confirm_token, workspace_id, audience_id).preview
    elif isinstance(decision, AcceptedElicitation) and isinstance(decision.data, DeleteConfirmation):
        if not decision.data.confirm:
            return DeleteResult(status="declined", audience_id=audience_id, message="Not confirmed; nothing deleted.")
    elif isinstance(decision, AcceptedElicitation) and audience is not None:
        pending = state.confirmations.issue(workspace_id, audience)
        return DeleteResult(
            status="confirmation_required",
            audience_id=audience_id,
            message=(
                f"Not deleted yet. Show the user this preview and ask; if they agree, call {tool} again "
                "with confirm_token."
            ),
            preview=_preview(audience),
            confirm_token=pending.token,
            expires_in_seconds=state.confirmations.seconds_left(pending),
        )
    else:
        return DeleteResult(
            status="declined",
            audience_id=audience_id,
            message="The user declined or dismissed the question; nothing deleted.",
        )
    assert audience is not None
    image = await image_snapshot(state, workspace_id, audience_id, audience.image) if audience.image else NO_IMAGE
    written = await journaled_write(
        state.journal,
        audience_key(workspace_id, audience_id),
        state.client.delete_audience(workspace_id, audience_id),
        tool=tool,
        action="delete",
        before=audience,
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
    return await confirm_and_delete(
        state,
        workspace_id=ws,
        audience_id=audience_id,
        audience=audience,
        decision=decision,
        confirm_token=confirm_token,
        tool="neuroflash_delete_audience",
    )
