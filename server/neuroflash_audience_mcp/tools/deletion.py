"""delete_audience: never deletes on a first call alone.

When the client supports elicitation, the user is asked (naming the audience) through the
SDK's `Resolve`/`Elicit`, which works on both protocol generations. Otherwise the first call
returns a preview and a single-use `confirm_token` (bound to that audience, valid 10 minutes),
and a second call with the token deletes. A declined or cancelled question deletes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from neuroflash_audience_mcp.api import Audience
from neuroflash_audience_mcp.tools.annotations import writes
from neuroflash_audience_mcp.tools.errors import api_errors
from neuroflash_audience_mcp.tools.state import app_state


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


async def _ask_user(
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)], ctx: Context
) -> Elicit[DeleteConfirmation] | None:
    """Ask the user when the client can be asked; None means: use the token flow."""
    capabilities = ctx.client_capabilities
    if audience is None or capabilities is None or capabilities.elicitation is None:
        return None
    return Elicit(
        f"Delete the target audience '{audience.name}' (id {audience.id})? This cannot be undone.",
        DeleteConfirmation,
    )


async def delete_audience(
    ctx: Context,
    audience_id: Annotated[str, Field(description="Audience id (from list_audiences)")],
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)],
    decision: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_ask_user)],
    confirm_token: Annotated[str | None, Field(description="From this tool's previous answer")] = None,
    workspace_id: Annotated[str | None, Field(description="Defaults to the configured or only workspace")] = None,
) -> DeleteResult:
    """Delete an audience permanently, after confirmation: the user is asked if the client supports it;
    otherwise the first call returns a preview and a confirm_token, and a second call with that token
    deletes. Show the user the preview before confirming."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    if confirm_token:
        state.confirmations.redeem(confirm_token, ws, audience_id)
    elif isinstance(decision, AcceptedElicitation) and isinstance(decision.data, DeleteConfirmation):
        if not decision.data.confirm:
            return DeleteResult(status="declined", audience_id=audience_id, message="Not confirmed; nothing deleted.")
    elif isinstance(decision, AcceptedElicitation) and audience is not None:
        pending = state.confirmations.issue(ws, audience)
        return DeleteResult(
            status="confirmation_required",
            audience_id=audience_id,
            message=(
                "Not deleted yet. Show the user this preview and ask; if they agree, call delete_audience again "
                "with confirm_token."
            ),
            preview=_preview(audience),
            confirm_token=pending.token,
            expires_in_seconds=state.confirmations.seconds_left(pending),
        )
    else:
        return DeleteResult(status="declined", audience_id=audience_id, message="The user declined; nothing deleted.")
    with api_errors("delete the audience", audience_id=audience_id, writes=True):
        await state.client.delete_audience(ws, audience_id)
    return DeleteResult(status="deleted", audience_id=audience_id, message="Deleted.")


def register(server: MCPServer, *, read_only_mode: bool) -> None:
    if not read_only_mode:
        server.add_tool(delete_audience, annotations=writes("Delete audience", idempotent=True, destructive=True))
