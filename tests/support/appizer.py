"""Appizer test plumbing: the real client on an in-process sandbox, and servers built over it.

`make_appizer` builds an MCP server with only Appizer enabled, its client wired to a fresh (or a
given) sandbox app through `httpx2.ASGITransport`. The sandbox's clock and the client's sleeps
share one `FakeClock`, so a wait for a rate-limit reset moves time instead of sleeping.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server.mcpserver import Context, MCPServer
from pydantic import SecretStr

from audience_mcp.app import create_server
from audience_mcp.core.http.requester import RetryPolicy
from audience_mcp.core.store.journal import Journal
from audience_mcp.platforms.appizer.client import AppizerClient
from audience_mcp.platforms.appizer.connection import Backend
from audience_mcp.platforms.appizer.sandbox import AppizerSandbox, SandboxConfig, create_sandbox_app
from tests.support.clocks import FakeClock
from tests.support.harness import make_settings

BASE = "http://sandbox.appizer.test"
# The key every test client sends: a sentinel, so the secret guard (tests/support/secret_guard.py)
# fails any test whose output, tool results or journal rows carry it.
SENTINEL_KEY = "nfsentinel-appizer-api-key-5b2e7c"
APP = "app_123"
OTHER_APP = "app_456"
START = 1_796_000_000.0  # 2026-11-30, a fixed "now" for the sandbox's dates
REFERENCE_BODY: dict[str, Any] = {
    "app_id": "app_123",
    "name": "Active Premium Users",
    "description": "Users with premium plan who were active in the last 7 days",
    "criteria": "Users with plan=premium AND last_active within 7 days",
}


class SharedTime(FakeClock):
    """One clock for the sandbox and the client: the client's sleeps advance it."""

    def __init__(self, start: float = START) -> None:
        super().__init__(start)
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.advance(seconds)


def sandbox_app(time: SharedTime | None = None, **config: Any) -> Any:
    """A fresh sandbox on `time`; `users_per_app` (default 10,000) and the other SandboxConfig fields."""
    config.setdefault("extra_keys", (SENTINEL_KEY,))
    return create_sandbox_app(SandboxConfig(clock=time or SharedTime(), **config))


def client_for(
    app: Any,
    *,
    key: str = SENTINEL_KEY,
    time: SharedTime | None = None,
    retry: RetryPolicy | None = None,
    timeout_seconds: float = 30.0,
) -> AppizerClient:
    clock = time or SharedTime()
    return AppizerClient.connect(
        api_url=f"{BASE}/v1",
        api_key=SecretStr(key),
        timeout_seconds=timeout_seconds,
        network=httpx2.ASGITransport(app=app),
        retry=retry or RetryPolicy(max_attempts=2),
        sleep=clock.sleep,
        wall_clock=clock,
    )


def table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of an appizer_list_audiences result as dicts keyed by its `columns`."""
    return [dict(zip(result["columns"], row, strict=True)) for row in result["audiences"]]


async def raw(app: Any, method: str, path: str, *, key: str | None = SENTINEL_KEY, **kwargs: Any) -> httpx2.Response:
    """A request to the sandbox as any HTTP client would send it (no project code in between)."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as http:
        return await http.request(method, path, headers=headers, **kwargs)


@dataclass
class AppizerHarness:
    server: MCPServer[Any]
    app: Any
    time: SharedTime
    journals: list[Journal] = field(default_factory=list)

    @property
    def sandbox(self) -> AppizerSandbox:
        sandbox: AppizerSandbox = self.app.state.sandbox
        return sandbox

    def client(self, **kwargs: Any) -> Client:
        return Client(self.server, **kwargs)

    async def journal(self, client: Client) -> Journal:
        """The server's state store, through a test-only probe tool."""

        async def _test_probe_journal(ctx: Context) -> str:
            await ctx.request_context.lifespan_context.ready()  # opened on a server's first call
            self.journals.append(ctx.request_context.lifespan_context.services.journal)
            return "ok"

        if not any(t.name == "_test_probe_journal" for t in await self.server.list_tools()):
            self.server.add_tool(_test_probe_journal)
        result = await client.call_tool("_test_probe_journal", {})
        assert not result.is_error, result.content
        return self.journals[-1]


AppizerFactory = Callable[..., AppizerHarness]


@pytest.fixture
def make_appizer() -> Iterator[AppizerFactory]:
    def factory(
        *,
        app: Any = None,
        time: SharedTime | None = None,
        key: str = SENTINEL_KEY,
        default_app: str | None = APP,
        users_per_app: int = 500,
        **settings: Any,
    ) -> AppizerHarness:
        """`app` and `time`: reuse another harness's sandbox (and its clock); a small user base by default."""
        time = time or SharedTime()
        app = app if app is not None else sandbox_app(time, users_per_app=users_per_app)

        def backend(_settings: Any) -> Backend:
            return Backend(client=client_for(app, key=key, time=time), default_app_id=default_app, clock=time)

        server = create_server(make_settings(**settings), backend_factories={"appizer": backend})
        return AppizerHarness(server=server, app=app, time=time)

    yield factory


@pytest.fixture
def appizer(make_appizer: AppizerFactory) -> AppizerHarness:
    return make_appizer()


@pytest.fixture
async def appizer_client(appizer: AppizerHarness) -> AsyncIterator[Client]:
    async with Client(appizer.server) as connected:
        yield connected


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
