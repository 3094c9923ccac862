"""What every Digital Audience tool call shares: the client, the journal, confirmations, locks.

The per-audience lock is in-process until core's per-resource lock in the state store lands
(core/store/locks.py); `hold_audience` is the one function to point at it then.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio

from audience_mcp.core.mcp.confirmations import Confirmations
from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.platforms.digital_audience.client import DigitalAudienceClient
from audience_mcp.platforms.digital_audience.models import Audience

PLATFORM = "digital_audience"


@dataclass
class DigitalAudienceState:
    client: DigitalAudienceClient
    journal: Journal
    # Keys journal rows and observations: the same ids on another API (or the sandbox) are others.
    scope: str
    confirmations: Confirmations = field(default_factory=Confirmations)
    _locks: dict[int, tuple[anyio.Lock, int]] = field(default_factory=dict)

    @asynccontextmanager
    async def hold_audience(self, audience_id: int) -> AsyncIterator[None]:
        """One fetch-merge-write of an audience at a time (in-process; see the module docstring)."""
        lock, users = self._locks.get(audience_id, (anyio.Lock(), 0))
        self._locks[audience_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[audience_id]
            if users <= 1:
                del self._locks[audience_id]
            else:
                self._locks[audience_id] = (lock, users - 1)

    def key(self, audience_id: int | None, resource_type: str = "audience") -> ResourceKey:
        return ResourceKey(PLATFORM, self.scope, resource_type, None if audience_id is None else str(audience_id))

    def seen(self, audience: Audience) -> None:
        """Remember an audience and its last-seen state: no API lists audiences (list_audiences reads this)."""
        self.journal.observations.record(self.key(audience.id), audience.to_body(), min_interval=0)

    def forget(self, audience_id: int) -> None:
        """Mark a deleted audience, so the list no longer offers it."""
        self.journal.observations.record(self.key(audience_id), {"id": audience_id, "deleted": True}, min_interval=0)


def da_state(ctx: Any) -> DigitalAudienceState:
    state = ctx.request_context.lifespan_context.platform(PLATFORM)
    if not isinstance(state, DigitalAudienceState):  # pragma: no cover - a wiring error
        raise RuntimeError("the server's lifespan did not provide Digital Audience's state")
    return state
