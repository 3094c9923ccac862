"""Bearer auth that paces requests by Appizer's rate-limit headers (an `httpx2.Auth` flow).

Appizer sends `X-RateLimit-Limit/Remaining/Reset` (FACTS.md). When `Remaining` reaches 0 the next
request would only earn a 429, so it waits for the reset instead, if that comes within
`max_wait` (the call deadline); otherwise it fails at once without sending anything. Being the
auth flow, it sees every attempt, the requester's retries included.

`X-RateLimit-Reset` is *unconfirmed*: a value above 10^9 is read as epoch seconds (the common
GitHub-style header), a smaller one as seconds from now.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

import anyio
import httpx2
from pydantic import SecretStr

from audience_mcp.core.http.errors import RateLimitError

EPOCH_THRESHOLD = 1_000_000_000


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class RateLimitPacer:
    """What the last response said about the budget, and the wait it implies."""

    def __init__(
        self,
        *,
        max_wait: float,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._max_wait = max_wait
        self._sleep = sleep
        self._wall = wall_clock
        self._resume_at: float | None = None  # epoch seconds; None: budget left
        self.limit: int | None = None
        self.remaining: int | None = None

    def observe(self, response: httpx2.Response) -> None:
        remaining = _number(response.headers.get("x-ratelimit-remaining"))
        limit = _number(response.headers.get("x-ratelimit-limit"))
        self.limit = int(limit) if limit is not None else self.limit
        if remaining is None:
            return
        self.remaining = int(remaining)
        reset = _number(response.headers.get("x-ratelimit-reset"))
        if self.remaining > 0 or reset is None:
            self._resume_at = None
            return
        self._resume_at = reset if reset > EPOCH_THRESHOLD else self._wall() + reset

    async def wait(self, request: httpx2.Request) -> None:
        if self._resume_at is None:
            return
        delay = self._resume_at - self._wall()
        if delay > self._max_wait:
            raise RateLimitError(
                f"Appizer's rate-limit budget is used up until it resets in {round(delay)} s",
                retry_after=delay,
                status=429,
                code="RATE_LIMIT_EXCEEDED",
                method=request.method,
                path=request.url.path,
            )
        self._resume_at = None
        if delay > 0:
            await self._sleep(delay)


class PacedBearer(httpx2.Auth):
    """`Authorization: Bearer <key>`, sent only when the rate-limit budget allows."""

    def __init__(self, key: SecretStr, pacer: RateLimitPacer) -> None:
        self._key = key
        self.pacer = pacer

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        raise RuntimeError("PacedBearer works with httpx2.AsyncClient only")

    async def async_auth_flow(self, request: httpx2.Request) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        await self.pacer.wait(request)
        request.headers["Authorization"] = f"Bearer {self._key.get_secret_value()}"
        response = yield request
        self.pacer.observe(response)

    def __repr__(self) -> str:
        return "PacedBearer(key='**********')"
