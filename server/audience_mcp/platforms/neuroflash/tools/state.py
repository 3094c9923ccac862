"""What every tool call shares: the API client, the settings, per-audience locks, the
pending delete confirmations, and the workspace choice."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from audience_mcp.core.store.journal import Journal
from audience_mcp.platforms.neuroflash.api import Audience, NeuroflashClient, Workspace
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.settings import Settings

CONFIRMATION_TTL_SECONDS = 600.0


class AudienceLocks:
    """One lock per audience id, so a fetch-merge-PUT is never interleaved with another."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[anyio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, audience_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(audience_id, (anyio.Lock(), 0))
        self._locks[audience_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[audience_id]
            if users <= 1:
                del self._locks[audience_id]  # no waiters: don't keep a lock per audience forever
            else:
                self._locks[audience_id] = (lock, users - 1)


@dataclass(frozen=True)
class PendingDeletion:
    token: str
    workspace_id: str
    audience_id: str
    expires_at: float
    preview: Audience


class DeleteConfirmations:
    """Single-use confirmation tokens for deletes, bound to one audience, valid 10 minutes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl: float = CONFIRMATION_TTL_SECONDS) -> None:
        self._clock = clock
        self._ttl = ttl
        self._pending: dict[str, PendingDeletion] = {}

    def issue(self, workspace_id: str, audience: Audience) -> PendingDeletion:
        self._expire()
        pending = PendingDeletion(
            token=secrets.token_urlsafe(12),
            workspace_id=workspace_id,
            audience_id=audience.id,
            expires_at=self._clock() + self._ttl,
            preview=audience,
        )
        self._pending[pending.token] = pending
        return pending

    def redeem(self, token: str, workspace_id: str, audience_id: str) -> PendingDeletion:
        """Consume the token, or raise a ToolError saying how to get a valid one."""
        self._expire()
        pending = self._pending.get(token)
        if pending is None:
            raise tool_error(
                "This confirm_token is unknown, already used or expired (tokens last 10 minutes). "
                f"Call neuroflash_delete_audience(audience_id='{audience_id}') without a token to get a new one."
            )
        if pending.audience_id != audience_id or pending.workspace_id != workspace_id:
            raise tool_error(
                f"This confirm_token was issued for audience '{pending.audience_id}', not '{audience_id}'. "
                "Call neuroflash_delete_audience without a token for the audience you want to delete."
            )
        del self._pending[token]
        return pending

    def seconds_left(self, pending: PendingDeletion) -> int:
        return max(0, int(pending.expires_at - self._clock()))

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[token]


@dataclass
class AppState:
    """The lifespan state of the server (one per process, or per in-memory test client)."""

    settings: Settings
    client: NeuroflashClient
    journal: Journal
    sandbox: object | None = None
    locks: AudienceLocks = field(default_factory=AudienceLocks)
    confirmations: DeleteConfirmations = field(default_factory=DeleteConfirmations)
    image_dir: Path | None = None  # AUDIENCE_MCP_IMAGE_DIR: file_path must lie inside it
    refuse_file_paths: bool = False  # HTTP mode: no file_path unless image_dir is set
    _only_workspace: str | None = None

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
