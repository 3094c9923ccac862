"""What every Digital Audience tool call shares: the client, the journal, confirmations, locks.

The per-audience lock is the state store's resource lock (core/store/locks.py), so a
fetch-merge-write holds across the server processes sharing the state file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from audience_mcp.core.mcp.confirmations import Confirmations
from audience_mcp.core.mcp.errors import tool_error
from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.core.store.locks import LockTimeout
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

    @asynccontextmanager
    async def hold_audience(self, audience_id: int) -> AsyncIterator[None]:
        """One fetch-merge-write of an audience at a time, across processes sharing the state store."""
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(
                    self.journal.locks.hold(f"{PLATFORM}/{self.scope}/audience/{audience_id}")
                )
            except LockTimeout as exc:
                raise tool_error(
                    f"Another change to audience {audience_id} has been in progress for over {exc.waited:g} seconds "
                    "(possibly through another server process); nothing was changed. Try again in a minute."
                ) from None
            yield

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
