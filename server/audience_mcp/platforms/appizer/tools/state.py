"""What every Appizer tool call shares: the client, the journal, the default app, name locks."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.core.store.locks import LockTimeout, ResourceLocks
from audience_mcp.platforms.appizer.client import AppizerClient
from audience_mcp.platforms.appizer.models import AudienceSummary
from audience_mcp.platforms.appizer.tools.errors import tool_error

PLATFORM = "appizer"


def audience_key(app_id: str, audience_id: str | None) -> ResourceKey:
    """The journal and observation key of an audience (None: the one a create is about to make)."""
    return ResourceKey(PLATFORM, app_id, "audience", audience_id)


class NameLocks:
    """One lock per (app, name), so two concurrent creates of one name are not both sent.

    The state store's resource locks (core/store/locks.py): they hold across the server
    processes that share the state file, not only among this process's tasks.
    """

    def __init__(self, locks: ResourceLocks) -> None:
        self._locks = locks

    @asynccontextmanager
    async def hold(self, app_id: str, name: str) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(self._locks.hold(f"{PLATFORM}/{app_id}/name/{name.casefold()}"))
            except LockTimeout as exc:
                raise tool_error(
                    f"Another create of this name has been in progress for over {exc.waited:g} seconds (possibly "
                    "through another server process); nothing was sent. Call appizer_list_audiences to see whether "
                    "it exists now."
                ) from None
            yield


@dataclass
class AppizerState:
    client: AppizerClient
    journal: Journal
    default_app_id: str | None
    clock: Callable[[], float] = time.time  # wall clock of the observations
    locks: NameLocks = field(init=False)

    def __post_init__(self) -> None:
        self.locks = NameLocks(self.journal.locks)

    def app_id(self, explicit: str | None) -> str:
        """The explicit app_id, else APPIZER_APP_ID (Appizer documents no route that lists apps)."""
        if explicit and explicit.strip():
            return explicit.strip()
        if self.default_app_id:
            return self.default_app_id
        raise tool_error("No Appizer app chosen: pass app_id (from the Appizer dashboard) or set APPIZER_APP_ID.")

    def observe(self, app_id: str, audiences: list[AudienceSummary]) -> None:
        """Record each audience's size in the state store (Appizer keeps no history of it)."""
        moment = self.clock()
        for audience in audiences:
            if audience.user_count is None:
                continue
            self.journal.observations.record(
                audience_key(app_id, audience.audience_id),
                {"user_count": audience.user_count, "name": audience.name},
                at=moment,
            )


def appizer_state(ctx: Any) -> AppizerState:
    state = ctx.request_context.lifespan_context.platform(PLATFORM)
    if not isinstance(state, AppizerState):  # pragma: no cover - a wiring error
        raise RuntimeError("the server's lifespan did not provide Appizer's state")
    return state
