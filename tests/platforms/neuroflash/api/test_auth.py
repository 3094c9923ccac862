"""The token cache: reuse, early refresh, one refresh under concurrency, 401 recovery."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from audience_mcp.core.http.auth import ClientCredentialsAuth
from audience_mcp.platforms.neuroflash.api import NeuroflashClient
from tests.support.api import workspace
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.anyio
TOKEN = "POST /oauth/v2/token"


async def test_the_token_is_requested_once_and_reused(client: NeuroflashClient, sandbox: Any) -> None:
    ws = await workspace(client)
    for _ in range(5):
        await client.list_audiences(ws)
    assert sandbox.stats.counts[TOKEN] == 1
    auth = client.requester.auth
    assert isinstance(auth, ClientCredentialsAuth) and auth.token_requests == 1


async def test_the_token_is_refreshed_shortly_before_it_expires(make_client: Any, sandbox: Any) -> None:
    clock = FakeClock()
    async with make_client(clock=clock) as client:
        await client.list_workspaces()
        clock.advance(14399 - 120)  # still well inside the lifetime
        await client.list_workspaces()
        assert sandbox.stats.counts[TOKEN] == 1
        clock.advance(90)  # within the refresh margin of a minute
        await client.list_workspaces()
    assert sandbox.stats.counts[TOKEN] == 2


async def test_concurrent_calls_with_a_cold_cache_share_one_token_request(
    client: NeuroflashClient, sandbox: Any
) -> None:
    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(client.list_workspaces)
    assert sandbox.stats.counts[TOKEN] == 1


async def test_a_token_the_server_expired_is_replaced_once_and_the_call_succeeds(make_client: Any) -> None:
    from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig, create_sandbox_app

    server_clock = FakeClock()
    app = create_sandbox_app(SandboxConfig(db_path=":memory:", clock=server_clock))
    sandbox = app.state.sandbox
    async with make_client(app=app) as client:
        await client.list_workspaces()
        server_clock.advance(20_000)  # the sandbox expired the token; the client's clock did not move
        workspaces = await client.list_workspaces()
    assert workspaces
    assert sandbox.stats.counts[TOKEN] == 2
    assert sandbox.stats.counts["GET /api/workspace-service/v1/workspaces"] == 3
