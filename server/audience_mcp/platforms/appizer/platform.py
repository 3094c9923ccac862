"""Appizer as a platform of the server: its toolset, lifespan state, audit and undo hooks.

Importing this module imports no tool, client or sandbox module; the callables below do, when
the server enables Appizer (APPIZER_API_KEY set, or sandbox mode).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from audience_mcp.core.mcp.annotations import read_only, writes
from audience_mcp.core.mcp.registry import Toolset, ToolSpec
from audience_mcp.core.platform import Platform, PromptSpec, deferred

INSTRUCTIONS = """\
Appizer push audiences (per app: app_id, default APPIZER_APP_ID):
- appizer_create_audience takes criteria text or structured conditions and returns user_count; \
use dry_run to preview. Appizer cannot update or delete audiences through its API."""


# Named, not imported: a tool's module is imported when the tool is built (registry.ToolSpec).
_TOOLS = "audience_mcp.platforms.appizer.tools"


def toolsets() -> Sequence[Toolset]:
    return (
        Toolset(
            "appizer_audiences",
            "List, read and create Appizer push audiences",
            (
                ToolSpec(f"{_TOOLS}.audiences:appizer_list_audiences", read_only("List Appizer audiences")),
                ToolSpec(f"{_TOOLS}.audiences:appizer_get_audience", read_only("Get Appizer audience")),
                ToolSpec(
                    f"{_TOOLS}.audiences:appizer_create_audience", writes("Create Appizer audience", idempotent=False)
                ),
            ),
        ),
    )


def prompts() -> Sequence[PromptSpec]:
    return ()


@asynccontextmanager
async def open_state(settings: Any, services: Any) -> AsyncIterator[Any]:
    """One Appizer client (real or sandbox) for the lifespan, and the default app."""
    from audience_mcp.platforms.appizer.connection import open_backend
    from audience_mcp.platforms.appizer.tools.state import AppizerState

    backend = services.backend_factory("appizer", open_backend)(settings)
    state = AppizerState(
        client=backend.client, journal=services.journal, default_app_id=backend.default_app_id, clock=backend.clock
    )
    try:
        yield state
    finally:
        await backend.client.aclose()


PLATFORM = Platform(
    name="appizer",
    title="Appizer push audiences",
    toolsets=toolsets,
    prompts=prompts,
    open_state=open_state,
    instructions=INSTRUCTIONS,
    sandbox_mount=deferred("audience_mcp.platforms.appizer.sandbox.server", "mount_for"),
    auditor=deferred("audience_mcp.platforms.appizer.tools.audit", "AppizerAuditor"),
    undo=deferred("audience_mcp.platforms.appizer.tools.undo", "AppizerUndo"),
)
