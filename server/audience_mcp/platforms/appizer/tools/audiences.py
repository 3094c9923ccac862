"""Appizer audience tools: list (a table), get (by paging the list), create (journaled)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from audience_mcp.core.store.snapshots import snapshot
from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.appizer import criteria as criteria_rules
from audience_mcp.platforms.appizer.models import MAX_LIMIT, AudienceSummary, CreateAudienceRequest, CreatedAudience
from audience_mcp.platforms.appizer.tools.errors import api_errors, tool_error
from audience_mcp.platforms.appizer.tools.state import AppizerState, appizer_state, audience_key

# A name search reads at most this many list pages (100 audiences each) and says when it stopped.
MAX_SEARCH_PAGES = 10
# Appizer documents no name limits; 100 keeps names readable in its dashboard and in push tooling.
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 500
COLUMNS = ("audience_id", "name", "user_count", "created_at", "updated_at")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

AppId = Annotated[str | None, Field(description="Default: APPIZER_APP_ID")]
Cell = str | int | None


class AudienceTable(BaseModel):
    app_id: str
    columns: list[str]
    audiences: list[list[Cell]] = Field(description="One row per audience, in `columns` order")
    page: int
    page_size: int
    total: int | None
    has_more: bool
    note: str | None = None


class AudienceView(BaseModel):
    audience_id: str
    name: str | None
    description: str | None
    user_count: int | None
    created_at: str | None
    updated_at: str | None
    criteria: str | None = None
    previous_user_count: int | None = Field(default=None, description="At the previous sighting (an hour+ ago)")


class AudienceResult(BaseModel):
    app_id: str
    audience: AudienceView


class CreateResult(BaseModel):
    created: bool
    app_id: str
    criteria: str = Field(description="As sent")
    audience_id: str | None = None
    user_count: int | None = None
    request_body: dict[str, Any] | None = Field(default=None, description="dry_run: what would be sent")
    adjustments: list[str]
    warnings: list[str]
    change_id: int | None = None


def _row(audience: AudienceSummary) -> list[Cell]:
    return [audience.audience_id, audience.name, audience.user_count, audience.created_at, audience.updated_at]


async def appizer_list_audiences(
    ctx: Context,
    app_id: AppId = None,
    search: Annotated[str | None, Field(description="Part of the name")] = None,
    page: Annotated[int, Field(ge=1)] = 1,
    page_size: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20,
) -> AudienceTable:
    """An app's push audiences as a table, a page at a time; search by name reads up to 1,000."""
    state = appizer_state(ctx)
    app = state.app_id(app_id)
    offset = (page - 1) * page_size
    with api_errors("list audiences", app_id=app):
        if not search or not search.strip():
            result = await state.client.list_audiences(app, limit=page_size, offset=offset)
            state.observe(app, result.audiences)
            return AudienceTable(
                app_id=app,
                columns=list(COLUMNS),
                audiences=[_row(a) for a in result.audiences],
                page=page,
                page_size=page_size,
                total=result.pagination.total,
                has_more=result.more_after(offset),
            )
        wanted = search.strip().casefold()
        matches: list[AudienceSummary] = []
        complete = False
        async for listed, listed_offset in state.client.audiences(app, max_pages=MAX_SEARCH_PAGES):
            state.observe(app, listed.audiences)
            matches += [a for a in listed.audiences if wanted in (a.name or "").casefold()]
            complete = not listed.more_after(listed_offset)
    note = None if complete else f"Searched the first {MAX_SEARCH_PAGES * MAX_LIMIT} audiences only."
    return AudienceTable(
        app_id=app,
        columns=list(COLUMNS),
        audiences=[_row(a) for a in matches[offset : offset + page_size]],
        page=page,
        page_size=page_size,
        total=len(matches) if complete else None,
        has_more=offset + page_size < len(matches),
        note=note,
    )


def _previous_count(state: AppizerState, app: str, audience_id: str) -> int | None:
    history = state.journal.observations.history(audience_key(app, audience_id), limit=2)
    value = history[1].data.get("user_count") if len(history) > 1 else None
    return value if isinstance(value, int) else None


async def appizer_get_audience(ctx: Context, audience_id: str, app_id: AppId = None) -> AudienceResult:
    """One audience with its size and the size at the previous sighting. Appizer has no get-by-id,
    so this pages the list (one request per 100 audiences)."""
    state = appizer_state(ctx)
    app = state.app_id(app_id)
    with api_errors("get the audience", app_id=app):
        found = await state.client.find_audience(app, audience_id)
    if found is None:
        raise tool_error(
            f"No audience '{audience_id}' in app {app}. Call appizer_list_audiences(search=...) for valid ids."
        )
    state.observe(app, [found])
    view = AudienceView.model_validate(found.model_dump(include=set(AudienceView.model_fields)))
    view.previous_user_count = _previous_count(state, app, found.audience_id)
    return AudienceResult(app_id=app, audience=view)


def _checked_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise tool_error("name is empty; give the audience a descriptive name (Appizer's best practice).")
    if len(text) > MAX_NAME_LENGTH or _CONTROL.search(name.replace("\n", " ").replace("\t", " ")):
        raise tool_error(
            f"name must be 1-{MAX_NAME_LENGTH} characters without control characters (this server's limit, "
            "so names stay readable in Appizer's dashboard); shorten it."
        )
    return text


async def appizer_create_audience(
    ctx: Context,
    name: Annotated[str, Field(description="1-100 characters")],
    criteria: Annotated[
        str | None, Field(description="e.g. 'Users with plan=premium AND last_active within 7 days'")
    ] = None,
    conditions: Annotated[
        list[dict[str, Any]] | str | None,
        Field(
            description='Instead of criteria, ANDed: {"field","op","value"}, {"field","within_days"|"before"|"after"}, '
            '{"event","op":">"|"<","count"}, {"event","within_days"}, {"not":{...}}'
        ),
    ] = None,
    description: str | None = None,
    app_id: AppId = None,
    dry_run: Annotated[bool, Field(description="Preview; write nothing")] = False,
) -> CreateResult:
    """Create a push audience from criteria; returns how many users it reaches. Not undoable:
    Appizer has no delete API. Tell the user the adjustments and warnings."""
    state = appizer_state(ctx)
    app = state.app_id(app_id)
    clean_name = _checked_name(name)
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise tool_error(
            f"description is longer than {MAX_DESCRIPTION_LENGTH} characters (this server's limit); shorten it."
        )
    with api_errors("create the audience", app_id=app):
        built = criteria_rules.build(criteria, _condition_list(conditions))
    request = CreateAudienceRequest(app_id=app, name=clean_name, criteria=built.text, description=description or None)
    adjustments = list(built.adjustments)
    if clean_name != name:
        adjustments.append("whitespace in name collapsed")
    if dry_run:
        return CreateResult(
            created=False,
            app_id=app,
            criteria=built.text,
            request_body=request.to_body(),
            adjustments=adjustments,
            warnings=[],
        )
    async with state.locks.hold(app, clean_name):
        written = await journaled_write(
            state.journal,
            audience_key(app, None),
            state.client.create_audience(request),
            tool="appizer_create_audience",
            action="create",
            request=request.to_body(),
            after=snapshot,
            new_id=lambda created: created.audience_id,
            errors=api_errors("create the audience", app_id=app, writes=True),
        )
    created: CreatedAudience = written.result
    state.observe(
        app, [AudienceSummary(audience_id=created.audience_id, name=clean_name, user_count=created.user_count)]
    )
    return CreateResult(
        created=True,
        app_id=app,
        criteria=built.text,
        audience_id=created.audience_id,
        user_count=created.user_count,
        adjustments=adjustments,
        warnings=_warnings(app, created),
        change_id=written.change_id,
    )


def _condition_list(conditions: list[dict[str, Any]] | str | None) -> list[Any] | None:
    """Models sometimes send the list as JSON text: read it; other text belongs in `criteria`."""
    if not isinstance(conditions, str):
        return conditions
    try:
        parsed = json.loads(conditions)
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        return parsed
    raise tool_error(
        "conditions must be a list of objects like {'field': 'plan', 'value': 'premium'}; put text in criteria."
    )


def _warnings(app: str, created: CreatedAudience) -> list[str]:
    warnings = []
    if created.unknown_fields:
        warnings.append(f"Appizer knows no field or event {', '.join(created.unknown_fields)} in app {app}.")
    if created.user_count == 0:
        warnings.append(
            f"The criteria match no user of app {app}: check field names and values (e.g. plan=premium, "
            "country=US) and the time window."
        )
    return warnings
