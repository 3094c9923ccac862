"""create_server(settings) -> MCPServer: everything is built here, nothing at import.

The lifespan opens one API client (real or sandbox) and yields the AppState every tool
shares; the toolsets register themselves, and read-only mode leaves out every tool that
writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from mcp.server.mcpserver import MCPServer

from audience_mcp import __version__
from audience_mcp.core.logs import configure_logging
from audience_mcp.core.mcp.results import with_compact_text
from audience_mcp.core.mcp.schemas import compact_schema, optional_without_null, outline_output_schema
from audience_mcp.core.store.journal import Journal
from audience_mcp.platforms.neuroflash import prompts
from audience_mcp.platforms.neuroflash.connection import Backend, open_backend
from audience_mcp.platforms.neuroflash.tools import audiences, audit, bootstrap, deletion, history, images, workspaces
from audience_mcp.platforms.neuroflash.tools.state import AppState, DeleteConfirmations
from audience_mcp.settings import Settings

logger = logging.getLogger(__name__)

TOOLSETS = (workspaces, audiences, deletion, images, bootstrap, audit, history)

INSTRUCTIONS = """\
Manage neuroflash marketing target audiences.
- Find audiences with neuroflash_list_audiences (concise pages), then neuroflash_get_audience for one.
- neuroflash_create_audience and neuroflash_update_audience normalize input (percent shares, country/language names, \
comma lists) and report it in `adjustments`; tell the user about them. Use dry_run to preview.
- neuroflash_update_audience changes only the fields you pass; use add_*/remove_* for list items.
- neuroflash_delete_audience asks for confirmation; never pass a confirm_token the user did not approve.
- Only an audience's creator can change it; neuroflash_duplicate_audience makes your own copy.
- neuroflash_bootstrap_audience_from_url drafts a profile from a website.
- audit_audiences checks every audience for broken or incomplete data and suggests fixes.
- Every write is journaled: list_recent_changes shows it, restore_change undoes it.
- Workspace: workspace_id, else the configured or only one (neuroflash_list_workspaces)."""

BackendFactory = Callable[[Settings], Backend]


def _publish_compactly(server: MCPServer[AppState]) -> None:
    """Shrink every advertised schema (schemas.py) and every result's text (results.py).

    Validation still uses the pydantic models. The SDK has no public hook for published
    schemas, so this reaches into the tool manager once, at construction, before anything
    has read them.
    """
    for tool in server._tool_manager.list_tools():
        tool.fn = with_compact_text(tool.fn)
        tool.description = " ".join(tool.description.split())  # docstring indentation is not for the model
        tool.parameters = optional_without_null(compact_schema(tool.parameters))
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = outline_output_schema(compact_schema(tool.fn_metadata.output_schema))


def create_server(
    settings: Settings,
    *,
    backend_factory: BackendFactory = open_backend,
    clock: Callable[[], float] = time.monotonic,
    refuse_file_paths: bool = False,
) -> MCPServer[AppState]:
    """Build the MCP server for these settings.

    `backend_factory` lets tests hand in a sandbox; `clock` drives the expiry of delete
    confirmations, so tests can let ten minutes pass without waiting. `refuse_file_paths`
    (HTTP mode) keeps remote clients from reading the server's files outside AUDIENCE_MCP_IMAGE_DIR.
    """
    configure_logging(secrets=settings.secret_values())

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        backend = backend_factory(settings)
        journal = Journal(settings.server.state_db)
        state = AppState(
            settings=settings,
            client=backend.client,
            journal=journal,
            sandbox=backend.sandbox,
            confirmations=DeleteConfirmations(clock=clock),
            image_dir=Path(settings.server.image_dir) if settings.server.image_dir else None,
            refuse_file_paths=refuse_file_paths,
        )
        try:
            yield state
        finally:
            journal.close()
            await backend.client.aclose()

    server: MCPServer[AppState] = MCPServer(
        "audiences",
        title="neuroflash target audiences",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
    )
    for toolset in TOOLSETS:
        toolset.register(server, read_only_mode=settings.server.read_only)
    prompts.register(server, read_only_mode=settings.server.read_only)
    _publish_compactly(server)
    # MCPServer configures logging on construction; make sure its handlers redact too.
    configure_logging(secrets=settings.secret_values())
    return server
