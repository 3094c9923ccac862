"""Workspace tools: which workspaces the credentials see, and the plan's audience limits."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from audience_mcp.platforms.neuroflash.tools.errors import api_errors
from audience_mcp.platforms.neuroflash.tools.state import app_state


class WorkspaceView(BaseModel):
    id: str
    name: str | None
    role: str | None
    is_default: bool


class WorkspacesResult(BaseModel):
    workspaces: list[WorkspaceView]
    default_workspace_id: str | None = Field(description="Used when a tool gets no workspace_id")


class LimitsResult(BaseModel):
    workspace_id: str
    usage: int | None
    limit: int | None = Field(description="null when unlimited")
    remaining: int | None
    is_unlimited: bool
    can_create: bool


async def neuroflash_list_workspaces(ctx: Context) -> WorkspacesResult:
    """Workspaces these credentials can use, and the default one."""
    state = app_state(ctx)
    workspaces = await state.workspaces()
    default = state.settings.neuroflash.workspace_id or (workspaces[0].id if len(workspaces) == 1 else None)
    return WorkspacesResult(
        workspaces=[WorkspaceView(id=w.id, name=w.name, role=w.role, is_default=w.id == default) for w in workspaces],
        default_workspace_id=default,
    )


async def neuroflash_get_audience_limits(
    ctx: Context,
    workspace_id: str | None = None,
) -> LimitsResult:
    """The plan's audience limit and usage."""
    state = app_state(ctx)
    ws = await state.workspace_id(workspace_id)
    with api_errors("read the limits"):
        limits = await state.client.get_limits(ws)
    create = limits.create
    return LimitsResult(
        workspace_id=ws,
        usage=create.usage,
        limit=create.plan_limit,
        remaining=create.remaining,
        is_unlimited=bool(create.is_unlimited),
        can_create=create.can_create,
    )
