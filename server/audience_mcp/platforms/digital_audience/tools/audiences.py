"""Campaign and audience tools: create, get, list (what this server saw), update (fetch-merge-write)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from audience_mcp.core.http.errors import APIError
from audience_mcp.core.normalize import NormalizationError
from audience_mcp.core.normalize.text import collapse_whitespace
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.digital_audience.models import Audience
from audience_mcp.platforms.digital_audience.tools.errors import api_errors, tool_error
from audience_mcp.platforms.digital_audience.tools.state import PLATFORM, DigitalAudienceState, da_state
from audience_mcp.platforms.digital_audience.tools.views import AudienceView, ResponseFormat, audience_view

AudienceId = Annotated[int, Field(ge=1)]
NAME_MAX = 255  # not documented; a guard against pasting a whole text as a name


class CampaignResult(BaseModel):
    campaign_id: int
    name: str | None
    change_id: int


class AudienceResult(BaseModel):
    audience: AudienceView


class CreateResult(BaseModel):
    created: bool
    audience: AudienceView | None = None
    request_body: dict[str, Any] | None = Field(default=None, description="dry_run: what would be sent")
    change_id: int | None = None


class FieldChange(BaseModel):
    field: str
    old: str | None
    new: str | None


class UpdateResult(BaseModel):
    updated: bool
    changed: list[FieldChange]
    audience: AudienceView | None = None
    request_body: dict[str, Any] | None = Field(default=None, description="dry_run: what would be sent")
    change_id: int | None = None


class KnownAudience(BaseModel):
    id: int
    name: str | None
    campaign_id: int | None
    state: str | None
    activation: str | None
    last_seen: str


class KnownAudiences(BaseModel):
    audiences: list[KnownAudience]


def clean_name(raw: str, field: str = "name") -> str:
    name = collapse_whitespace(raw)
    if not name or len(name) > NAME_MAX:
        raise NormalizationError(field, f"{field}: send a name of 1 to {NAME_MAX} characters.")
    return name


def clean_description(raw: str | None) -> str | None:
    return None if raw is None else raw.strip()


async def load_audience(state: DigitalAudienceState, audience_id: int, action: str) -> Audience:
    """The audience as it is now (remembered for digital_audience_list_audiences)."""
    with api_errors(action, what=f"Audience {audience_id}"):
        audience = await state.client.get_audience(audience_id)
    state.seen(audience)
    return audience


async def digital_audience_create_campaign(ctx: Context, name: str) -> CampaignResult:
    """Create a campaign (audiences belong to one)."""
    state = da_state(ctx)
    with api_errors("create the campaign"):
        clean = clean_name(name)
    written = await journaled_write(
        state.journal,
        state.key(None, "campaign"),
        state.client.create_campaign(clean),
        tool="digital_audience_create_campaign",
        action="create",
        request={"name": clean},
        new_id=lambda campaign: str(campaign.id),
        errors=api_errors("create the campaign", writes=True),
    )
    return CampaignResult(campaign_id=written.result.id, name=written.result.name, change_id=written.change_id)


async def digital_audience_create_audience(
    ctx: Context,
    name: str,
    campaign_id: Annotated[int, Field(ge=1)],
    description: str | None = None,
    dry_run: Annotated[bool, Field(description="Preview; write nothing")] = False,
) -> CreateResult:
    """Create an empty CRM audience in a campaign; CRM data is uploaded in the portal, not here."""
    state = da_state(ctx)
    with api_errors("create the audience"):
        clean = clean_name(name)
    body: dict[str, Any] = {"name": clean, "campaignId": campaign_id}
    text = clean_description(description)
    if text is not None:
        body["description"] = text
    if dry_run:
        return CreateResult(created=False, request_body=body)
    written = await journaled_write(
        state.journal,
        state.key(None),
        state.client.create_audience(clean, campaign_id, text),
        tool="digital_audience_create_audience",
        action="create",
        request=body,
        new_id=lambda audience: str(audience.id),
        errors=api_errors("create the audience", what=f"Campaign {campaign_id}", writes=True),
    )
    state.seen(written.result)
    return CreateResult(created=True, audience=audience_view(written.result), change_id=written.change_id)


async def digital_audience_get_audience(
    ctx: Context,
    audience_id: AudienceId,
    response_format: Annotated[ResponseFormat, Field(description="detailed adds the CRM history")] = "concise",
) -> AudienceResult:
    """One audience: state, activation, size, match rates."""
    state = da_state(ctx)
    audience = await load_audience(state, audience_id, "get the audience")
    return AudienceResult(audience=audience_view(audience, response_format))


async def digital_audience_list_audiences(ctx: Context) -> KnownAudiences:
    """Audiences this server created, loaded or activated, with their last-seen state (the API has no
    list endpoint; get others by id)."""
    state = da_state(ctx)
    rows = []
    for seen in state.journal.observations.latest(PLATFORM, "audience", scope_id=state.scope):
        data = seen.data
        if data.get("deleted") or not isinstance(data.get("id"), int):
            continue
        rows.append(
            KnownAudience(
                id=data["id"],
                name=data.get("name"),
                campaign_id=data.get("campaignId"),
                state=data.get("audienceState"),
                activation=data.get("activationStatus"),
                last_seen=datetime.fromtimestamp(seen.seen_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        )
    return KnownAudiences(audiences=rows)


async def digital_audience_update_audience(
    ctx: Context,
    audience_id: AudienceId,
    name: str | None = None,
    description: Annotated[str | None, Field(description="'' clears it")] = None,
    dry_run: Annotated[bool, Field(description="Preview; write nothing")] = False,
) -> UpdateResult:
    """Change name and/or description; the rest stays."""
    state = da_state(ctx)
    if name is None and description is None:
        raise tool_error("Nothing to update: pass name or description.")
    with api_errors("update the audience"):
        new_name = clean_name(name) if name is not None else None
    # The update body is the whole writable part (id, name, description): an omitted description
    # may be cleared, so every field is sent, read from the audience as it is now.
    async with state.hold_audience(audience_id):
        current = await load_audience(state, audience_id, "update the audience")
        target_name = new_name if new_name is not None else current.name or ""
        target_description = current.description if description is None else (description.strip() or None)
        changes = [
            FieldChange(field=field, old=old, new=new)
            for field, old, new in (
                ("name", current.name, target_name),
                ("description", current.description, target_description),
            )
            if old != new
        ]
        body = {"id": audience_id, "name": target_name, "description": target_description}
        if not changes:
            return UpdateResult(updated=False, changed=[], audience=audience_view(current))
        if dry_run:
            return UpdateResult(updated=False, changed=changes, request_body=body)
        written = await journaled_write(
            state.journal,
            state.key(audience_id),
            state.client.update_audience(audience_id, target_name, target_description),
            tool="digital_audience_update_audience",
            action="update",
            before=current,
            request=body,
            after=lambda answer: answer if answer is not None else {**current.to_body(), **body},
            errors=api_errors("update the audience", what=f"Audience {audience_id}", writes=True),
        )
        # The update's answer is undocumented: the audience is read back. The write is done by now,
        # so a failed read-back must not be reported as a failed update.
        try:
            after = await state.client.get_audience(audience_id)
        except APIError:
            return UpdateResult(
                updated=True,
                changed=changes,
                change_id=written.change_id,
                audience=audience_view(written.result) if written.result is not None else None,
            )
    state.seen(after)
    # The post-write check: what the API now holds is what was sent, nothing else moved.
    if (after.name, after.description) != (target_name, target_description):
        raise tool_error(
            f"Digital Audience answered the update of audience {audience_id}, but it now holds name "
            f"{after.name!r} and description {after.description!r}. Check it with digital_audience_get_audience; "
            f"restore_change({written.change_id}) puts the earlier values back."
        )
    return UpdateResult(updated=True, changed=changes, audience=audience_view(after), change_id=written.change_id)
