"""What every Appizer tool call shares: the client, the journal, the default app, name locks."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio

from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.platforms.appizer.client import AppizerClient
from audience_mcp.platforms.appizer.models import AudienceSummary
from audience_mcp.platforms.appizer.tools.errors import tool_error

PLATFORM = "appizer"


def audience_key(app_id: str, audience_id: str | None) -> ResourceKey:
    """The journal and observation key of an audience (None: the one a create is about to make)."""
    return ResourceKey(PLATFORM, app_id, "audience", audience_id)


class NameLocks:
    """One in-process lock per (app, name), so two concurrent creates of one name are not both sent.

    Stands in for core's per-resource lock (core/store/locks.py), which is being built; `hold` is
    the one function to point at it.
    """

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], anyio.Lock] = {}

    @asynccontextmanager
    async def hold(self, app_id: str, name: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault((app_id, name.casefold()), anyio.Lock())
        async with lock:
            yield


@dataclass
class AppizerState:
    client: AppizerClient
    journal: Journal
    default_app_id: str | None
    clock: Callable[[], float] = time.time  # wall clock of the observations
    locks: NameLocks = field(default_factory=NameLocks)

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
