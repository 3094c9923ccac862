"""Retries: what is retried, how often, how long it waits, and what must never be retried.

Faults come from the sandbox (scripted statuses answered before the handler runs). Dropped
connections at an exact moment are the one thing the sandbox cannot produce, so those tests
wrap the sandbox transport in a transport that fails on cue.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from audience_mcp.platforms.neuroflash.api import (
    APIConnectionError,
    NeuroflashClient,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from tests.support.api import guide_profile, workspace
from tests.support.clocks import RecordedSleep

pytestmark = pytest.mark.anyio

AUDIENCES = "/api/audience-service/v1/workspaces/{workspaceId}/target-audiences"


async def test_a_get_is_retried_after_503_until_it_succeeds(
    client: NeuroflashClient, sandbox: Any, recorded_sleep: RecordedSleep
) -> None:
    ws = await workspace(client)
    sandbox.stats.reset()
    sandbox.faults.script([503, 502, None])
    page = await client.list_audiences(ws)
    assert page.page.total_elements == 0
    assert sandbox.stats.counts[f"GET {AUDIENCES}"] == 3
    assert len(recorded_sleep.waits) == 2
    assert all(0 <= w <= 4.0 for w in recorded_sleep.waits)


async def test_a_get_gives_up_after_max_attempts_with_a_server_error(client: NeuroflashClient, sandbox: Any) -> None:
    ws = await workspace(client)
    sandbox.stats.reset()
    sandbox.faults.script([503, 503, 503, 503, 503])
    with pytest.raises(ServerError) as caught:
        await client.list_audiences(ws)
    assert caught.value.status == 503
    assert sandbox.stats.counts[f"GET {AUDIENCES}"] == 4


async def test_a_500_is_not_retried(client: NeuroflashClient, sandbox: Any) -> None:
    ws = await workspace(client)
    sandbox.stats.reset()
    sandbox.faults.script([500])
    with pytest.raises(ServerError):
        await client.list_audiences(ws)
    assert sandbox.stats.counts[f"GET {AUDIENCES}"] == 1


async def test_a_create_refused_with_429_waits_retry_after_and_creates_once(
    client: NeuroflashClient, sandbox: Any, recorded_sleep: RecordedSleep
) -> None:
    ws = await workspace(client)
    sandbox.faults.configure(retry_after=2)
    sandbox.faults.script([429, None])
    created = await client.create_audience(ws, guide_profile())
    assert created.id
    assert recorded_sleep.waits == [2.0]
    assert sandbox.store.count(ws) == 1


async def test_a_create_answered_503_is_not_retried_so_no_duplicate_can_appear(
    client: NeuroflashClient, sandbox: Any
) -> None:
    ws = await workspace(client)
    sandbox.stats.reset()
    sandbox.faults.script([503, None])
    with pytest.raises(ServerError):
        await client.create_audience(ws, guide_profile())
    assert sandbox.stats.counts[f"POST {AUDIENCES}"] == 1


async def test_a_put_is_retried_after_503(client: NeuroflashClient, sandbox: Any) -> None:
    ws = await workspace(client)
    created = await client.create_audience(ws, guide_profile())
    profile = created.profile()
    profile.residence = "Munich"
    sandbox.faults.script([503, None])
    updated = await client.update_audience(ws, created.id, profile)
    assert updated.residence == "Munich"


async def test_a_429_whose_retry_after_exceeds_the_cap_is_raised_with_the_hint(make_client: Any, sandbox: Any) -> None:
    async with make_client(retry=RetryPolicy(retry_after_cap=5)) as client:
        ws = await workspace(client)
        sandbox.faults.configure(retry_after=120)
        sandbox.faults.script([429])
        with pytest.raises(RateLimitError) as caught:
            await client.list_audiences(ws)
    assert caught.value.retry_after == 120


class FailingTransport(httpx2.AsyncBaseTransport):
    """Delegates to the sandbox, failing chosen requests before or after they reach it."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, plan: list[str]) -> None:
        self.inner = inner
        # Per API request: "connect", "connect-timeout", "pool-timeout" (never sent), "read" (sent,
        # answer lost), "ok".
        self.plan = plan
        self.sent = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if "/oauth/" in request.url.path or not self.plan:
            return await self.inner.handle_async_request(request)
        step = self.plan.pop(0)
        if step == "connect":
            raise httpx2.ConnectError("connection refused", request=request)
        if step == "connect-timeout":
            raise httpx2.ConnectTimeout("no connection in time", request=request)
        if step == "pool-timeout":
            raise httpx2.PoolTimeout("no free connection in the pool", request=request)
        response = await self.inner.handle_async_request(request)
        self.sent += 1
        if step == "read":
            await response.aread()
            raise httpx2.ReadError("connection reset", request=request)
        return response


async def test_a_create_that_never_left_is_retried(make_client: Any, sandbox_app: Any, sandbox: Any) -> None:
    failing = FailingTransport(httpx2.ASGITransport(app=sandbox_app), [])
    async with make_client(network=failing) as client:
        ws = await workspace(client)
        failing.plan = ["connect", "ok"]
        created = await client.create_audience(ws, guide_profile())
    assert created.id and sandbox.store.count(ws) == 1


async def test_a_create_whose_answer_was_lost_is_not_retried(make_client: Any, sandbox_app: Any, sandbox: Any) -> None:
    failing = FailingTransport(httpx2.ASGITransport(app=sandbox_app), [])
    async with make_client(network=failing) as client:
        ws = await workspace(client)
        failing.plan = ["read", "ok"]
        with pytest.raises(APIConnectionError) as caught:
            await client.create_audience(ws, guide_profile())
    assert caught.value.reached_server is None
    assert failing.sent == 1 and sandbox.store.count(ws) == 1


async def test_a_get_whose_answer_was_lost_is_retried(make_client: Any, sandbox_app: Any) -> None:
    failing = FailingTransport(httpx2.ASGITransport(app=sandbox_app), [])
    async with make_client(network=failing) as client:
        ws = await workspace(client)
        failing.plan = ["read", "ok"]
        page = await client.list_audiences(ws)
    assert page.data == [] and failing.sent == 2


@pytest.mark.parametrize("never_sent", ["connect-timeout", "pool-timeout"])
async def test_a_create_that_timed_out_before_it_left_is_retried(
    make_client: Any, sandbox_app: Any, sandbox: Any, never_sent: str
) -> None:
    # A connect or pool timeout means no request left: before, it counted as "may have been
    # applied", so a create was not retried and the model was told to check for a duplicate.
    failing = FailingTransport(httpx2.ASGITransport(app=sandbox_app), [])
    async with make_client(network=failing) as client:
        ws = await workspace(client)
        failing.plan = [never_sent, "ok"]
        created = await client.create_audience(ws, guide_profile())
    assert created.id and sandbox.store.count(ws) == 1 and failing.sent == 1


async def test_a_create_that_never_connects_says_it_never_reached_the_server(
    make_client: Any, sandbox_app: Any, sandbox: Any
) -> None:
    failing = FailingTransport(httpx2.ASGITransport(app=sandbox_app), [])
    async with make_client(network=failing, retry=RetryPolicy(max_attempts=2)) as client:
        ws = await workspace(client)
        failing.plan = ["connect-timeout", "pool-timeout"]
        with pytest.raises(APIConnectionError) as caught:
            await client.create_audience(ws, guide_profile())
    assert caught.value.reached_server is False and sandbox.store.count(ws) == 0


async def test_a_put_whose_first_answer_was_lost_may_have_been_applied_even_if_the_retry_cannot_connect(
    make_client: Any, sandbox_app: Any, sandbox: Any
) -> None:
    failing = FailingTransport(httpx2.ASGITransport(app=sandbox_app), [])
    async with make_client(network=failing, retry=RetryPolicy(max_attempts=2)) as client:
        ws = await workspace(client)
        created = await client.create_audience(ws, guide_profile())
        failing.plan = ["read", "connect"]
        with pytest.raises(APIConnectionError) as caught:
            await client.update_audience(ws, created.id, guide_profile(residence="Munich"))
    assert caught.value.reached_server is None
