"""digital_audience_delete_audience: never deletes on a first call alone (core's confirmation protocol).

A delete removes "the audience and all connected data" (the API document), so the question says
that the CRM data goes too and that restore_change can bring back only the name, description
and campaign. The user is asked when the client supports elicitation; otherwise the first call
returns a preview and a single-use confirm_token, and only a second call with it deletes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.confirmations import Confirmation, Declined, NeedsConfirmation, Request, ask, confirm
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.digital_audience.models import Audience
from audience_mcp.platforms.digital_audience.tools.audiences import AudienceId, load_audience
from audience_mcp.platforms.digital_audience.tools.errors import api_errors
from audience_mcp.platforms.digital_audience.tools.state import PLATFORM, da_state

TOOL = "digital_audience_delete_audience"


class DeleteConfirmation(Confirmation):
    confirm: bool = Field(description="Yes, delete this audience and its CRM data")


class DeletePreview(BaseModel):
    id: int
    name: str | None
    campaign_name: str | None
    size: int | None = Field(description="CRM rows that are deleted with it")


class DeleteResult(BaseModel):
    status: Literal["deleted", "confirmation_required", "declined"]
    audience_id: int
    message: str
    preview: DeletePreview | None = None
    confirm_token: str | None = None
    expires_in_seconds: int | None = None
    change_id: int | None = None


def delete_question(audience: Audience) -> str:
    size = audience.crm_data.size if audience.crm_data is not None else None
    data = f"its {size} CRM rows" if size else "all connected CRM data"
    return (
        f"Delete the Digital Audience audience '{audience.name}' (id {audience.id}, campaign "
        f"'{audience.campaign_name}') and {data}? restore_change can re-create only its name, description "
        "and campaign, not the data."
    )


async def _audience_to_delete(audience_id: int, confirm_token: str | None, ctx: Context) -> Audience | None:
    if confirm_token:
        return None  # the token carries the audience as it was shown
    return await load_audience(da_state(ctx), audience_id, "delete the audience")


async def _ask_user(
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)], ctx: Context
) -> Elicit[DeleteConfirmation] | None:
    return ask(delete_question(audience) if audience is not None else None, ctx, DeleteConfirmation)


async def digital_audience_delete_audience(
    ctx: Context,
    audience_id: AudienceId,
    audience: Annotated[Audience | None, Resolve(_audience_to_delete)],
    decision: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_ask_user)],
    confirm_token: Annotated[str | None, Field(description="From this tool's previous answer")] = None,
) -> DeleteResult:
    """Delete an audience and all its CRM data. Asks the user if the client can; else returns a preview and
    a confirm_token: call again with it only if the user agrees."""
    state = da_state(ctx)
    request = Request(
        platform=PLATFORM,
        resource_type="audience",
        resource_id=str(audience_id),
        action="delete",
        tool=TOOL,
        arguments={"audience_id": audience_id},
        scope=state.scope,
    )
    preview = None
    if audience is not None:
        size = audience.crm_data.size if audience.crm_data is not None else None
        preview = DeletePreview(id=audience.id, name=audience.name, campaign_name=audience.campaign_name, size=size)
    outcome = confirm(
        state.confirmations,
        request,
        decision=decision,
        token=confirm_token,
        preview=preview.model_dump() if preview is not None else None,
        payload=audience,
        payload_type=Audience,
    )
    if isinstance(outcome, NeedsConfirmation):
        return DeleteResult(
            status="confirmation_required",
            audience_id=audience_id,
            message=outcome.message,
            preview=DeletePreview.model_validate(outcome.preview),
            confirm_token=outcome.token,
            expires_in_seconds=outcome.expires_in_seconds,
        )
    if isinstance(outcome, Declined):
        return DeleteResult(status="declined", audience_id=audience_id, message=outcome.message)
    before = outcome.payload
    assert isinstance(before, Audience)
    written = await journaled_write(
        state.journal,
        state.key(audience_id),
        state.client.delete_audience(audience_id),
        tool=TOOL,
        action="delete",
        before=before,
        errors=api_errors("delete the audience", what=f"Audience {audience_id}", writes=True),
    )
    state.forget(audience_id)
    return DeleteResult(
        status="deleted",
        audience_id=audience_id,
        message="Deleted with its CRM data. restore_change can re-create its name, description and campaign.",
        change_id=written.change_id,
    )
