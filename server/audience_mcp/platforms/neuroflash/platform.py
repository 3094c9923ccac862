"""neuroflash as a platform of the server: its toolsets, prompts and lifespan state.

Importing this module imports no tool, client or sandbox module; the callables below do, when
the server enables neuroflash.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from audience_mcp.core.mcp.annotations import read_only, writes
from audience_mcp.core.mcp.registry import Toolset, ToolSpec
from audience_mcp.core.platform import Platform, PromptSpec, deferred

INSTRUCTIONS = """\
neuroflash target audiences:
- Find audiences with neuroflash_list_audiences (concise pages), then neuroflash_get_audience for one.
- neuroflash_create_audience and neuroflash_update_audience normalize input (percent shares, \
country/language names, comma lists) and report it in `adjustments`; tell the user about them. \
Use dry_run to preview.
- neuroflash_update_audience changes only the fields you pass; use add_*/remove_* for list items.
- neuroflash_delete_audience asks for confirmation; never pass a confirm_token the user did not approve.
- Only an audience's creator can change it; neuroflash_duplicate_audience makes your own copy.
- neuroflash_draft_audience_from_url drafts an audience from a website (writes nothing).
- Workspace: workspace_id, else the configured or only one (neuroflash_list_workspaces)."""


# Named, not imported: a tool's module is imported when the tool is built (registry.ToolSpec).
_TOOLS = "audience_mcp.platforms.neuroflash.tools"


def toolsets() -> Sequence[Toolset]:
    return (
        Toolset(
            "neuroflash_workspaces",
            "Workspaces and the plan's audience limits",
            (
                ToolSpec(f"{_TOOLS}.workspaces:neuroflash_list_workspaces", read_only("List workspaces")),
                ToolSpec(f"{_TOOLS}.workspaces:neuroflash_get_audience_limits", read_only("Get audience limits")),
            ),
        ),
        Toolset(
            "neuroflash_audiences",
            "List, read, create, update, duplicate and delete target audiences",
            (
                ToolSpec(f"{_TOOLS}.audiences:neuroflash_list_audiences", read_only("List audiences")),
                ToolSpec(f"{_TOOLS}.audiences:neuroflash_get_audience", read_only("Get audience")),
                ToolSpec(f"{_TOOLS}.audiences:neuroflash_create_audience", writes("Create audience", idempotent=False)),
                ToolSpec(f"{_TOOLS}.audiences:neuroflash_update_audience", writes("Update audience", idempotent=True)),
                ToolSpec(
                    f"{_TOOLS}.audiences:neuroflash_duplicate_audience", writes("Duplicate audience", idempotent=False)
                ),
                ToolSpec(
                    f"{_TOOLS}.audiences:neuroflash_record_audience_usage",
                    writes("Record audience usage", idempotent=False),
                ),
                ToolSpec(
                    f"{_TOOLS}.deletion:neuroflash_delete_audience",
                    writes("Delete audience", idempotent=True, destructive=True),
                ),
            ),
        ),
        Toolset(
            "neuroflash_images",
            "An audience's image",
            (
                ToolSpec(f"{_TOOLS}.images:neuroflash_get_audience_image", read_only("Get audience image")),
                ToolSpec(
                    f"{_TOOLS}.images:neuroflash_set_audience_image", writes("Set audience image", idempotent=True)
                ),
                ToolSpec(
                    f"{_TOOLS}.images:neuroflash_delete_audience_image",
                    writes("Delete audience image", idempotent=True, destructive=True),
                ),
            ),
        ),
        Toolset(
            "neuroflash_drafts",
            "Draft an audience from a website",
            (ToolSpec(f"{_TOOLS}.drafts:neuroflash_draft_audience_from_url", read_only("Draft audience from URL")),),
        ),
    )


def prompts() -> Sequence[PromptSpec]:
    texts = "audience_mcp.platforms.neuroflash.prompts"  # named, not imported (core.platform.PromptSpec)
    return (
        # It ends in a create, which read-only mode does not offer.
        PromptSpec(f"{texts}:create_audience_from_conversation", writes=True),
        PromptSpec(f"{texts}:audit_workspace"),
        PromptSpec(f"{texts}:bootstrap_from_website"),
    )


@asynccontextmanager
async def open_state(settings: Any, services: Any) -> AsyncIterator[Any]:
    """The AppState every neuroflash tool shares: one API client (real or sandbox) for the lifespan."""
    from audience_mcp.core.mcp.confirmations import Confirmations
    from audience_mcp.platforms.neuroflash.connection import open_backend
    from audience_mcp.platforms.neuroflash.tools.state import AppState

    backend = services.backend_factory("neuroflash", open_backend)(settings)
    state = AppState(
        settings=settings,
        client=backend.client,
        journal=services.journal,
        confirmations=Confirmations(clock=services.clock, store=services.journal.confirmations),
        image_dir=services.image_dir,
        refuse_file_paths=services.refuse_file_paths,
    )
    try:
        yield state
    finally:
        await backend.client.aclose()


PLATFORM = Platform(
    name="neuroflash",
    title="neuroflash target audiences",
    toolsets=toolsets,
    prompts=prompts,
    open_state=open_state,
    instructions=INSTRUCTIONS,
    sandbox_mount=deferred("audience_mcp.platforms.neuroflash.sandbox.server", "mount_for"),
    auditor=deferred("audience_mcp.platforms.neuroflash.tools.audit", "NeuroflashAuditor"),
    undo=deferred("audience_mcp.platforms.neuroflash.tools.undo", "NeuroflashUndo"),
)
