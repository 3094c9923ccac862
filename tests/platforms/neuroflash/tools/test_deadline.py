"""One deadline per tool call bounds all its requests, retries and waits (issue 10, hardening).

Before, a GET could take about two minutes at the 30 s request timeout (four attempts with
backoff) and an update four; the sandbox's injected latency stands in for a slow API here.
"""

from __future__ import annotations

import time

import pytest

from tests.support.harness import WS, ServerFactory, tool_error

pytestmark = pytest.mark.anyio


async def test_a_slow_api_is_given_up_at_the_calls_deadline(make_server: ServerFactory) -> None:
    harness = make_server(call_deadline_seconds=0.5)
    audience_id = harness.seed()
    harness.sandbox.faults.configure(latency=5.0)  # well inside the 30 s request timeout
    async with harness.client() as client:
        started = time.monotonic()
        message = await tool_error(client, "neuroflash_get_audience", audience_id=audience_id, workspace_id=WS)
        elapsed = time.monotonic() - started
    assert elapsed < 3.0
    assert "deadline" in message and "nothing was changed" in message


async def test_an_update_shares_one_deadline_over_its_read_and_its_write(make_server: ServerFactory) -> None:
    harness = make_server(call_deadline_seconds=1.0)
    audience_id = harness.seed()
    harness.sandbox.faults.configure(latency=0.7)  # each request alone fits, the read and the PUT do not
    async with harness.client() as client:
        started = time.monotonic()
        message = await tool_error(
            client, "neuroflash_update_audience", audience_id=audience_id, residence="Hamburg", workspace_id=WS
        )
        elapsed = time.monotonic() - started
    assert elapsed < 3.0
    assert "deadline" in message
