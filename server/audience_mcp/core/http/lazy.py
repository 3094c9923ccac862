"""An httpx2.AsyncClient built on first use.

Building one creates its SSL context and loads the CA store (about 60 ms here), and the server
opens its clients in the lifespan, before it answers `initialize`. Deferring that to the first
request keeps start-up at the SDK's own pace; the first call pays it instead, once.
"""

from __future__ import annotations

from typing import Any

import httpx2


class LazyHttpClient:
    """The few AsyncClient methods the clients use, on a client made at the first of them."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._client: httpx2.AsyncClient | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(**self._options)
        return self._client

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        return await self.client.request(method, url, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        return await self.client.post(url, **kwargs)

    @classmethod
    def for_api(
        cls, *, timeout_seconds: float, network: httpx2.AsyncBaseTransport | None = None, max_connections: int = 100
    ) -> LazyHttpClient:
        """The HTTP client of a platform's API client: every platform's the same timeouts and User-Agent.

        Connecting gets at most 10 s of the request timeout; `network` routes requests elsewhere
        (an in-process sandbox's `httpx2.ASGITransport`).
        """
        return cls(
            transport=network,
            timeout=httpx2.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds)),
            limits=httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections // 5),
            headers={"User-Agent": "audience-mcp"},
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
