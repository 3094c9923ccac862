"""Platform accounts, and digital_audience_activate_audience: confirmed like a delete.

An activation creates a segment on someone's ad account (it can spend money there), so it goes
through core's confirmation protocol. Everything that could make it fail (the audience, the
account, the window) is checked before the user is asked: nobody is asked to confirm what
cannot succeed. The token is bound to the exact arguments, so it never confirms another window
or account.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, ConfigDict, Field

from audience_mcp.core.mcp.confirmations import Confirmation, Declined, NeedsConfirmation, Request, ask, confirm
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.digital_audience.dates import normalize_window
from audience_mcp.platforms.digital_audience.models import ActivationRequest, Audience, PlatformAccount
from audience_mcp.platforms.digital_audience.tools.audiences import AudienceId, clean_name, load_audience
from audience_mcp.platforms.digital_audience.tools.errors import api_errors, tool_error
from audience_mcp.platforms.digital_audience.tools.state import PLATFORM, da_state
from audience_mcp.platforms.digital_audience.tools.views import AccountView, account_view

TOOL = "digital_audience_activate_audience"
logger = logging.getLogger(__name__)


class AccountsResult(BaseModel):
    accounts: list[AccountView]


class ActivateConfirmation(Confirmation):
    confirm: bool = Field(description="Yes, create this segment on the ad account")


class ActivationPreview(BaseModel):
    audience_id: int
    audience_name: str | None
    account_id: int
    account_name: str | None
    platform: str | None
    start_date: str
    end_date: str
    segment_name: str


class ActivateResult(BaseModel):
    status: Literal["activated", "confirmation_required", "declined"]
    message: str
    preview: ActivationPreview | None = None
    adjustments: list[str] = Field(default_factory=list)
    confirm_token: str | None = None
    expires_in_seconds: int | None = None
    flow_id: str | None = None
    segment_id: str | None = None
    change_id: int | None = None


class ActivationPlan(BaseModel):
    """What the user is asked to confirm; kept with a confirm_token in the state store (as JSON)."""

    model_config = ConfigDict(frozen=True)

    audience: Audience
    account: PlatformAccount
    request: ActivationRequest
    adjustments: tuple[str, ...]

    @property
    def preview(self) -> ActivationPreview:
        return ActivationPreview(
            audience_id=self.audience.id,
            audience_name=self.audience.name,
            account_id=self.account.id,
            account_name=self.account.name,
            platform=self.account.platform_display_name or self.account.platform_name,
            start_date=self.request.start_date,
            end_date=self.request.end_date,
            segment_name=self.request.name,
        )

    def question(self) -> str:
        p = self.preview
        return (
            f"Activate the audience '{p.audience_name}' (id {p.audience_id}) on the {p.platform} account "
            f"'{p.account_name}' (id {p.account_id}) from {p.start_date} to {p.end_date}? This creates the segment "
            f"'{p.segment_name}' on that ad account and cannot be undone from here."
        )


async def digital_audience_list_platform_accounts(ctx: Context) -> AccountsResult:
    """Ad-platform accounts an audience can be activated on: id, name, platform, advertiser."""
    state = da_state(ctx)
    with api_errors("list the platform accounts"):
        accounts = await state.client.list_platform_accounts()
    return AccountsResult(accounts=[account_view(a) for a in accounts])


async def _plan(
    audience_id: int,
    account_id: int,
    start_date: str,
    end_date: str,
    name: str | None,
    description: str | None,
    confirm_token: str | None,
    ctx: Context,
) -> ActivationPlan | None:
    """The checked activation (None with a token: the token carries the plan the user saw)."""
    if confirm_token:
        return None
    state = da_state(ctx)
    with api_errors("activate the audience"):
        window = normalize_window(start_date, end_date, now=datetime.now(UTC))
        segment_name = clean_name(name, "name") if name is not None else None
    audience = await load_audience(state, audience_id, "activate the audience")
    with api_errors("activate the audience", what=f"Platform account {account_id}"):
        accounts = await state.client.list_platform_accounts()
    account = next((a for a in accounts if a.id == account_id), None)
    if account is None:
        valid = ", ".join(f"{a.id} ({a.name})" for a in accounts) or "none"
        raise tool_error(f"No platform account {account_id}. Valid account_id values: {valid}.")
    segment_name = segment_name or audience.name or f"Audience {audience.id}"
    text = (description or "").strip() or audience.description or f"Activation of audience {audience.id}"
    request = ActivationRequest(
        audience_id=audience.id,
        account_id=account.id,
        name=segment_name,
        description=text,
        start_date=window.start_iso,
        end_date=window.end_iso,
    )
    return ActivationPlan(audience=audience, account=account, request=request, adjustments=window.adjustments)


async def _ask_user(
    plan: Annotated[ActivationPlan | None, Resolve(_plan)], ctx: Context
) -> Elicit[ActivateConfirmation] | None:
    return ask(plan.question() if plan is not None else None, ctx, ActivateConfirmation)


async def digital_audience_activate_audience(
    ctx: Context,
    audience_id: AudienceId,
    account_id: Annotated[int, Field(ge=1, description="From digital_audience_list_platform_accounts")],
    start_date: Annotated[str, Field(description="e.g. 2027-01-01 or 'next Monday'")],
    end_date: Annotated[str, Field(description="A date or a duration from the start: 'for 30 days'")],
    plan: Annotated[ActivationPlan | None, Resolve(_plan)],
    decision: Annotated[ElicitationResult[ActivateConfirmation], Resolve(_ask_user)],
    name: Annotated[str | None, Field(description="Segment name; default the audience's")] = None,
    description: str | None = None,
    confirm_token: Annotated[str | None, Field(description="From this tool's previous answer")] = None,
) -> ActivateResult:
    """Activate an audience on an ad account for a date window (creates a segment there). Asks the user if
    the client can; else returns a preview and a confirm_token: call again with it only if the user agrees."""
    state = da_state(ctx)
    arguments: dict[str, Any] = {"audience_id": audience_id, "account_id": account_id}
    arguments.update(start_date=start_date, end_date=end_date)
    arguments.update({k: v for k, v in (("name", name), ("description", description)) if v is not None})
    request = Request(
        platform=PLATFORM,
        resource_type="audience",
        resource_id=str(audience_id),
        action="activate",
        tool=TOOL,
        arguments=arguments,
        # The token confirms exactly this account, window and segment, nothing else.
        scope=repr((state.scope, account_id, start_date, end_date, name, description)),
    )
    outcome = confirm(
        state.confirmations,
        request,
        decision=decision,
        token=confirm_token,
        preview=plan.preview.model_dump() if plan is not None else None,
        payload=plan,
        payload_type=ActivationPlan,
    )
    if isinstance(outcome, NeedsConfirmation):
        assert plan is not None
        return ActivateResult(
            status="confirmation_required",
            message=outcome.message,
            preview=ActivationPreview.model_validate(outcome.preview),
            adjustments=list(plan.adjustments),
            confirm_token=outcome.token,
            expires_in_seconds=outcome.expires_in_seconds,
        )
    if isinstance(outcome, Declined):
        return ActivateResult(status="declined", message=outcome.message.replace("done", "activated"))
    confirmed = outcome.payload
    assert isinstance(confirmed, ActivationPlan)
    written = await journaled_write(
        state.journal,
        state.key(audience_id),
        state.client.activate_audience(confirmed.request),
        tool=TOOL,
        action="activate",
        before=confirmed.audience,
        request=confirmed.request,
        errors=api_errors("activate the audience", what=f"Audience {audience_id}", writes=True),
    )
    activation = written.result
    try:
        await load_audience(state, audience_id, "read the activated audience")  # its new state, for the list
    except ToolError:  # the activation succeeded; a failed re-read must not hide that
        logger.info("Could not re-read audience %s after its activation", audience_id)
    return ActivateResult(
        status="activated",
        message="Activated: the segment was created on the ad account. This cannot be undone from here.",
        preview=confirmed.preview,
        adjustments=list(confirmed.adjustments),
        flow_id=activation.flow_id,
        segment_id=str(activation.segment_id) if activation.segment_id is not None else None,
        change_id=written.change_id,
    )
