"""Audience tools: list, get, create, update (fetch-merge-PUT), duplicate, record usage."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.quoting import quoted
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.api import MAX_PAGE_SIZE, APIError, Audience
from audience_mcp.platforms.neuroflash.models import DuplicationRequest
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.journaling import audience_key
from audience_mcp.platforms.neuroflash.tools.permissions import require_updatable
from audience_mcp.platforms.neuroflash.tools.profiles import (
    API_FIELDS,
    FieldChange,
    body_problems,
    build_profile,
    diff,
    merge_update,
    profile_from_body,
)
from audience_mcp.platforms.neuroflash.tools.state import AppState, app_state
from audience_mcp.platforms.neuroflash.tools.views import (
    SUMMARY_COLUMNS,
    AudienceView,
    ResponseFormat,
    SummaryCell,
    audience_view,
    by_parameter,
    summary_row,
)

logger = logging.getLogger(__name__)

# Loose input types on purpose: the normalizers accept what models send (percent strings,
# aliases, comma-separated lists, numeric strings) and explain what they changed.
Shares = Annotated[
    dict[str, Any] | str | None,
    Field(
        description='Fractions or percents, e.g. {"female": 0.55, "male": 0.45} or "60% women, 40% men"; '
        "missing keys are 0; omitted: 50% female, 40% male, 7% nonBinary, 3% preferNotToSay"
    ),
]
# List parameters take a list or comma-separated text; the create/update descriptions say so once.
TextList = list[str] | str | None
Age = Annotated[int | str, Field(description="0-120")]
WorkspaceId = str | None
AudienceId = str


class AudiencePageResult(BaseModel):
    columns: list[str]
    audiences: list[list[SummaryCell]] = Field(description="One row per audience, in `columns` order")
    page: int
    page_size: int
    total: int
    total_pages: int
    has_more: bool


class AudienceResult(BaseModel):
    audience: AudienceView


class CreateResult(BaseModel):
    created: bool
    audience: AudienceView | None = None
    request_body: dict[str, Any] | None = Field(default=None, description="dry_run: what would be sent, by parameter")
    adjustments: list[str]
    change_id: int | None = Field(default=None, description="Journal entry; restore_change can undo it")


class UpdateResult(BaseModel):
    updated: bool
    changed: list[FieldChange]
    audience: AudienceView | None = None
    request_body: dict[str, Any] | None = Field(default=None, description="dry_run: what would be sent, by parameter")
    adjustments: list[str]
    change_id: int | None = Field(default=None, description="Journal entry; restore_change can undo it")


class DuplicateResult(BaseModel):
    original_id: str
    duplicate: AudienceView
    change_id: int | None = Field(default=None, description="Journal entry; restore_change can undo it")


class UsageResult(BaseModel):
    audience_id: str
    recorded: bool


async def neuroflash_list_audiences(
    ctx: Context,
    search: Annotated[str | None, Field(description="Part of the name")] = None,
    country: Annotated[str | None, Field(description="Name or ISO code")] = None,
    native_language: Annotated[str | None, Field(description="Name or ISO code")] = None,
    page: Annotated[int, Field(ge=1)] = 1,
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 20,
    workspace_id: WorkspaceId = None,
) -> AudiencePageResult:
    """Audiences as a table of concise summaries, a page at a time; filter by name, country or language."""
    from audience_mcp.core.normalize import normalize_country, normalize_language

    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("list audiences"):
        country_code = normalize_country(country).value
        language = normalize_language(native_language).value
        result = await state.client.list_audiences(
            ws, page=page, size=page_size, search=search, country=country_code, native_language=language
        )
    info = result.page
    total_pages = info.total_pages
    return AudiencePageResult(
        columns=list(SUMMARY_COLUMNS),
        audiences=[summary_row(a) for a in result.data],
        page=info.current_page or page,
        page_size=info.size or page_size,
        total=info.total_elements,
        total_pages=total_pages,
        has_more=page < total_pages,
    )


async def neuroflash_get_audience(
    ctx: Context,
    audience_id: AudienceId,
    response_format: Annotated[
        ResponseFormat, Field(description="detailed adds dates, creator, image, rights")
    ] = "concise",
    workspace_id: WorkspaceId = None,
) -> AudienceResult:
    """Get one target audience."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("get the audience", audience_id=audience_id):
        audience = await state.client.get_audience(ws, audience_id)
    return AudienceResult(audience=audience_view(audience, response_format))


async def neuroflash_create_audience(
    ctx: Context,
    name: Annotated[str, Field(description="3-100 characters")],
    min_age: Age,
    max_age: Age,
    residence: Annotated[str, Field(description="e.g. 'Berlin'")],
    gender_distribution: Shares = None,
    interests: TextList = None,
    needs: TextList = None,
    pain_points: TextList = None,
    country: Annotated[str | None, Field(description="Name or ISO code")] = None,
    native_language: Annotated[str | None, Field(description="Name or ISO code")] = None,
    shared: Annotated[bool, Field(description="Visible to the workspace")] = False,
    dry_run: Annotated[bool, Field(description="Preview; write nothing")] = False,
    workspace_id: WorkspaceId = None,
) -> CreateResult:
    """Create a target audience (each call creates one). Lists: a list or comma-separated text. Tell the
    user the returned adjustments."""
    state = app_state(ctx)
    with api_errors("create the audience"):
        draft = build_profile(
            name=name,
            min_age=min_age,
            max_age=max_age,
            residence=residence,
            gender_distribution=gender_distribution,
            interests=interests,
            needs=needs,
            pain_points=pain_points,
            country=country,
            native_language=native_language,
            shared=shared,
        )
    if dry_run:
        return CreateResult(created=False, request_body=by_parameter(draft.body), adjustments=draft.adjustments)
    ws = await state.workspace_id(workspace_id)
    written = await journaled_write(
        state.journal,
        audience_key(ws, None),
        state.client.create_audience(ws, profile_from_body(draft.body)),
        tool="neuroflash_create_audience",
        action="create",
        request=draft.body,
        new_id=lambda created: created.id,
        errors=api_errors("create the audience", writes=True),
    )
    return CreateResult(
        created=True,
        audience=audience_view(written.result, "detailed"),
        adjustments=draft.adjustments,
        change_id=written.change_id,
    )


async def neuroflash_update_audience(
    ctx: Context,
    audience_id: AudienceId,
    name: Annotated[str | None, Field(description="3-100 characters")] = None,
    min_age: Age | None = None,
    max_age: Age | None = None,
    residence: str | None = None,
    gender_distribution: Annotated[dict[str, Any] | str | None, Field(description="As in create")] = None,
    interests: TextList = None,
    needs: TextList = None,
    pain_points: TextList = None,
    country: Annotated[str | None, Field(description="'' removes it")] = None,
    native_language: Annotated[str | None, Field(description="'' removes it")] = None,
    shared: Annotated[bool | None, Field(description="Visible to the workspace")] = None,
    add_interests: TextList = None,
    remove_interests: TextList = None,
    add_needs: TextList = None,
    remove_needs: TextList = None,
    add_pain_points: TextList = None,
    remove_pain_points: TextList = None,
    expected_updated_at: Annotated[str | None, Field(description="Refuse if updated_at differs")] = None,
    dry_run: Annotated[bool, Field(description="Preview; write nothing")] = False,
    workspace_id: WorkspaceId = None,
) -> UpdateResult:
    """Change only the given fields; the rest stays. interests/needs/pain_points replace a list;
    add_*/remove_* edit items."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    args = {
        "name": name,
        "min_age": min_age,
        "max_age": max_age,
        "residence": residence,
        "gender_distribution": gender_distribution,
        "interests": interests,
        "needs": needs,
        "pain_points": pain_points,
        "country": country,
        "native_language": native_language,
        "shared": shared,
        "add_interests": add_interests,
        "remove_interests": remove_interests,
        "add_needs": add_needs,
        "remove_needs": remove_needs,
        "add_pain_points": add_pain_points,
        "remove_pain_points": remove_pain_points,
    }
    if all(value is None for value in args.values()):
        raise tool_error("Nothing to update: pass at least one field to change, e.g. add_interests=['SEO'].")
    if expected_updated_at is not None:
        from audience_mcp.core.normalize.timestamps import check_timestamp

        with api_errors("update the audience"):
            check_timestamp(expected_updated_at, "expected_updated_at")
    # One update of an audience at a time through this server, so two concurrent partial updates
    # cannot read the same version and overwrite each other's change.
    async with state.locks.hold(audience_id):
        with api_errors("update the audience", audience_id=audience_id):
            current = await state.client.get_audience(ws, audience_id)
        require_updatable(current, "update the audience")  # before a preview or a PUT that would be refused
        if expected_updated_at is not None and expected_updated_at != current.updated_at:
            raise tool_error(
                f"The audience changed since you read it (updated_at is now {current.updated_at}, "
                f"not {expected_updated_at}). Call neuroflash_get_audience to see the current version, "
                "then decide again."
            )
        before = current.profile().to_body()
        with api_errors("update the audience"):
            draft = merge_update(before, args)
        changes = diff(before, draft.body)
        if not changes:
            return UpdateResult(
                updated=False, changed=[], audience=audience_view(current), adjustments=draft.adjustments
            )
        problems = body_problems(draft.body)
        if problems:
            raise tool_error(
                "The stored audience has data the API would refuse on save: "
                + "; ".join(problems)
                + ". Pass corrected values for these fields in the same neuroflash_update_audience call."
            )
        if dry_run:
            return UpdateResult(
                updated=False, changed=changes, request_body=by_parameter(draft.body), adjustments=draft.adjustments
            )
        written = await journaled_write(
            state.journal,
            audience_key(ws, audience_id),
            state.client.update_audience(ws, audience_id, profile_from_body(draft.body)),
            tool="neuroflash_update_audience",
            action="update",
            before=current,
            request=draft.body,
            errors=api_errors("update the audience", audience_id=audience_id, writes=True),
        )
        # The API has no conditional PUT: a writer that takes no lock of ours (another API client)
        # can overwrite this change right after it lands. Read it back while still holding the lock.
        now = await _stored_after_write(state, ws, audience_id)
        if now is not None:
            _check_kept(draft.body, changes, now, audience_id, written.change_id)
    return UpdateResult(
        updated=True,
        changed=changes,
        audience=audience_view(now or written.result, "detailed"),
        adjustments=draft.adjustments,
        change_id=written.change_id,
    )


async def _stored_after_write(state: AppState, workspace_id: str, audience_id: str) -> Audience | None:
    """The audience as stored right after a write; None if that read fails (the PUT's answer stands)."""
    try:
        return await state.client.get_audience(workspace_id, audience_id)
    except APIError as exc:
        logger.warning("Could not read audience %s back after its update: %s", audience_id, type(exc).__name__)
        return None


def _check_kept(
    sent: dict[str, Any], changes: list[FieldChange], now: Audience, audience_id: str, change_id: int
) -> None:
    """Report a conflict when a field this update set no longer holds what was sent."""
    stored_body = now.profile().to_body()
    keys = [API_FIELDS.get(c.field, c.field) for c in changes]
    differs = diff({k: sent.get(k) for k in keys}, {k: stored_body.get(k) for k in keys})
    if differs:
        raise tool_error(
            f"Conflict: the update was sent (change {change_id}), but audience {quoted(audience_id)} now holds other "
            f"values in {', '.join(c.field for c in differs)}: another client wrote it at the same time. Call "
            "neuroflash_get_audience to see what it holds now, then decide with the user whether to apply the "
            "change again."
        )


async def neuroflash_duplicate_audience(
    ctx: Context,
    audience_id: AudienceId,
    new_name: Annotated[str | None, Field(description="Defaults to '<name> (Copy)'")] = None,
    workspace_id: WorkspaceId = None,
) -> DuplicateResult:
    """Copy an audience (also someone else's) into a new one you own."""
    from audience_mcp.core.normalize import normalize_name

    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("duplicate the audience"):
        name = normalize_name(new_name, "new_name").value if new_name is not None else None
    # Keyed by the new audience (known once it answers), as restore_change undoes it by deleting that.
    written = await journaled_write(
        state.journal,
        audience_key(ws, None),
        state.client.duplicate_audience(ws, audience_id, name),
        tool="neuroflash_duplicate_audience",
        action="duplicate",
        request=DuplicationRequest.named(name).to_body(),  # the body as the client sends it
        after=lambda result: result.duplicate,
        new_id=lambda result: result.duplicate.id,
        errors=api_errors("duplicate the audience", audience_id=audience_id, writes=True),
    )
    duplicate = written.result.duplicate
    return DuplicateResult(
        original_id=audience_id, duplicate=audience_view(duplicate, "detailed"), change_id=written.change_id
    )


async def neuroflash_record_audience_usage(
    ctx: Context, audience_id: AudienceId, workspace_id: WorkspaceId = None
) -> UsageResult:
    """Mark an audience as used (sets viewed_at)."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("record the usage", audience_id=audience_id):
        await state.client.record_usage(ws, audience_id)
    return UsageResult(audience_id=audience_id, recorded=True)
