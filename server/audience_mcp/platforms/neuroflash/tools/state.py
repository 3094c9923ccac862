"""What every tool call shares: the API client, the settings, per-audience locks, the
pending confirmations (core's protocol), and the workspace choice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audience_mcp.core.mcp.confirmations import Confirmations
from audience_mcp.core.mcp.quoting import quoted
from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.locks import LockTimeout, ResourceLocks
from audience_mcp.platforms.neuroflash.api import NeuroflashClient, Workspace
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.settings import Settings


class AudienceLocks:
    """The lock of one audience, for a fetch-merge-write (or a re-read before a delete).

    Backed by the state store's resource locks, so it holds across the server processes that
    share the state file, not only among this process's tasks. Keyed by the audience id alone:
    ids are unique across workspaces, and restore_change knows only the id.
    """

    def __init__(self, locks: ResourceLocks) -> None:
        self._locks = locks

    @asynccontextmanager
    async def hold(self, audience_id: str) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(self._locks.hold(f"neuroflash/audience/{audience_id}"))
            except LockTimeout as exc:
                raise tool_error(
                    f"Another change to audience {quoted(audience_id)} has been in progress for over {exc.waited:g} "
                    "seconds (possibly through another server process); nothing was changed. Try again in a minute."
                ) from None
            yield


@dataclass
class AppState:
    """The lifespan state of the server (one per process, or per in-memory test client)."""

    settings: Settings
    client: NeuroflashClient
    journal: Journal
    locks: AudienceLocks = field(init=False)
    confirmations: Confirmations = field(default_factory=Confirmations)
    image_dir: Path | None = None  # AUDIENCE_MCP_IMAGE_DIR: file_path must lie inside it
    refuse_file_paths: bool = False  # HTTP mode: no file_path unless image_dir is set
    _only_workspace: str | None = None

    def __post_init__(self) -> None:
        self.locks = AudienceLocks(self.journal.locks)

    async def workspaces(self) -> list[Workspace]:
        with api_errors("list workspaces"):
            return await self.client.list_workspaces()

    async def workspace_id(self, explicit: str | None) -> str:
        """Explicit argument, else NEUROFLASH_WORKSPACE_ID, else the only workspace there is."""
        if explicit and explicit.strip():
            return explicit.strip()
        if self.settings.neuroflash.workspace_id:
            return self.settings.neuroflash.workspace_id
        if self._only_workspace:
            return self._only_workspace
        workspaces = await self.workspaces()
        if len(workspaces) == 1:
            self._only_workspace = workspaces[0].id
            return workspaces[0].id
        if not workspaces:
            raise tool_error(
                "These credentials see no workspace. Check the service account in the neuroflash app "
                "(NEUROFLASH_CLIENT_ID) or set NEUROFLASH_WORKSPACE_ID."
            )
        choices = ", ".join(f"{w.name or '(unnamed)'} (id {w.id})" for w in workspaces)
        raise tool_error(
            f"Several workspaces are available; pass workspace_id. Choose one of: {choices}. "
            "(NEUROFLASH_WORKSPACE_ID sets a default.)"
        )


def app_state(ctx: Any) -> AppState:
    """The AppState of the running server, from a tool's Context."""
    state = ctx.request_context.lifespan_context.platform("neuroflash")
    if not isinstance(state, AppState):  # pragma: no cover - a wiring error, not a user error
        raise RuntimeError("the server's lifespan did not provide neuroflash's AppState")
    return state
