"""What a failed write says depends on whether a request actually went out (issue 10, point 12).

"May or may not have been applied" sends the model to check before retrying; it is only true
when bytes reached the API. A token endpoint that fails means the write was never sent. And a
create that is in flight (or whose process dies) leaves a pending journal row that holds the
request body, so a reader can tell what was being created.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import Client

from audience_mcp.app import create_server
from tests.support.harness import WS, Harness, make_settings, tool_error
from tests.support.upstream import EchoConfig, echo_upstream

pytestmark = pytest.mark.anyio

CREATE = {"name": "Pending leads", "min_age": 25, "max_age": 45, "residence": "Berlin"}


@pytest.mark.parametrize("status", [500, 503])
async def test_a_failing_token_endpoint_says_nothing_was_sent(tmp_path: Path, status: int) -> None:
    config = EchoConfig(access_token="nfsbx-never-issued-token-7f2a9c", token_status=status)
    with echo_upstream(config) as base:
        settings = make_settings(
            api_url=f"{base}/api", token_url=f"{base}/oauth/v2/token", client_id="c", client_secret="secret-123456"
        )
        async with Client(create_server(settings)) as client:
            message = await tool_error(client, "neuroflash_create_audience", **CREATE, workspace_id="ws-1")
    assert "may or may not" not in message
    assert "nothing was changed" in message
    assert not any(r.startswith("POST /api/") for r in config.requests)


async def test_a_create_in_flight_is_journaled_pending_with_its_request_body(harness: Harness) -> None:
    harness.sandbox.faults.configure(latency=1.0)
    async with harness.client() as client:
        state = await harness.app_state(client)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(client.call_tool, "neuroflash_create_audience", {**CREATE, "workspace_id": WS})
            with anyio.fail_after(5):
                rows = state.journal.recent(limit=1)
                while not rows:  # polling the journal, as a second process reading the file would
                    await anyio.sleep(0.01)
                    rows = state.journal.recent(limit=1)
            pending = rows[0]
    assert pending.status == "pending" and pending.action == "create"
    assert pending.request is not None
    assert pending.request["name"] == "Pending leads" and pending.request["residence"] == "Berlin"
