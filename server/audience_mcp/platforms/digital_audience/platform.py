"""Digital Audience as a platform of the server: its toolsets and lifespan state.

Importing this module imports no tool, client or sandbox module; the callables below do, when
the server enables Digital Audience.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from audience_mcp.core.mcp.annotations import read_only, writes
from audience_mcp.core.mcp.registry import Toolset, ToolSpec
from audience_mcp.core.platform import Platform, PromptSpec, deferred

INSTRUCTIONS = """\
Digital Audience CRM audiences:
- No API lists audiences: digital_audience_list_audiences shows those this server has seen; CRM data is \
uploaded in the Digital Audience portal, not through these tools.
- digital_audience_delete_audience and digital_audience_activate_audience ask for confirmation; never \
pass a confirm_token the user did not approve. Tell the user the activation's `adjustments`."""


# Named, not imported: a tool's module is imported when the tool is built (registry.ToolSpec).
_TOOLS = "audience_mcp.platforms.digital_audience.tools"


def toolsets() -> Sequence[Toolset]:
    return (
        Toolset(
            "digital_audience_audiences",
            "Digital Audience campaigns and CRM audiences",
            (
                ToolSpec(
                    f"{_TOOLS}.audiences:digital_audience_create_campaign", writes("Create campaign", idempotent=False)
                ),
                ToolSpec(f"{_TOOLS}.audiences:digital_audience_list_audiences", read_only("List known audiences")),
                ToolSpec(f"{_TOOLS}.audiences:digital_audience_get_audience", read_only("Get audience")),
                ToolSpec(
                    f"{_TOOLS}.audiences:digital_audience_create_audience",
                    writes("Create CRM audience", idempotent=False),
                ),
                ToolSpec(
                    f"{_TOOLS}.audiences:digital_audience_update_audience", writes("Update audience", idempotent=True)
                ),
                ToolSpec(
                    f"{_TOOLS}.deletion:digital_audience_delete_audience",
                    writes("Delete audience", idempotent=True, destructive=True),
                ),
            ),
        ),
        Toolset(
            "digital_audience_activation",
            "Ad-platform accounts and activating audiences on them",
            (
                ToolSpec(
                    f"{_TOOLS}.activation:digital_audience_list_platform_accounts", read_only("List platform accounts")
                ),
                # Destructive in the annotations' sense: it spends on someone's ad account.
                ToolSpec(
                    f"{_TOOLS}.activation:digital_audience_activate_audience",
                    writes("Activate audience", idempotent=False, destructive=True),
                ),
            ),
        ),
    )


def prompts() -> Sequence[PromptSpec]:
    return ()


@asynccontextmanager
async def open_state(settings: Any, services: Any) -> AsyncIterator[Any]:
    from audience_mcp.core.mcp.confirmations import Confirmations
    from audience_mcp.platforms.digital_audience.connection import open_backend
    from audience_mcp.platforms.digital_audience.tools.state import DigitalAudienceState

    backend = services.backend_factory("digital_audience", open_backend)(settings)
    if settings.server.sandbox:
        # The in-process sandbox keeps nothing across restarts (its ids start over): its audiences are
        # this process's, so what an earlier run saw is not listed as if it still existed.
        scope = f"sandbox-{secrets.token_hex(4)}"
    else:
        scope = settings.digital_audience.digital_audience_api_url or "default"
    state = DigitalAudienceState(
        client=backend.client,
        journal=services.journal,
        scope=scope,
        confirmations=Confirmations(clock=services.clock, store=services.journal.confirmations),
    )
    try:
        yield state
    finally:
        await backend.client.aclose()


PLATFORM = Platform(
    name="digital_audience",
    title="Digital Audience CRM audiences",
    toolsets=toolsets,
    prompts=prompts,
    open_state=open_state,
    instructions=INSTRUCTIONS,
    sandbox_mount=deferred("audience_mcp.platforms.digital_audience.sandbox.server", "mount_for"),
    auditor=deferred("audience_mcp.platforms.digital_audience.tools.audit", "DigitalAudienceAuditor"),
    undo=deferred("audience_mcp.platforms.digital_audience.tools.undo", "DigitalAudienceUndo"),
)
