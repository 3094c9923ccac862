"""Two server processes on one account: their partial updates of one audience must not lose each other.

Two desktop clients on one machine each start their own `audience-mcp` (stdio), both on the
same state file. The API has no conditional PUT, so without a lock the two processes share,
each reads a version, merges its item and writes it back over the other's (issue 10.5: 11 of
20 interests remained). Both processes here run against one standalone sandbox with latency, so
their requests really interleave, and each makes ten concurrent add_interests calls.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import anyio
import mcp_types
import pytest
from mcp import Client, StdioServerParameters

from tests.support.campaigns import (
    FIGURES,
    OWNER,
    WS,
    StandaloneSandbox,
    campaign_timeout,
    clean_env,
    error_message,
    standalone_sandbox,
)

pytestmark = pytest.mark.anyio

PER_PROCESS = 10
LATENCY = [0.002, 0.01]
START = {"name": "Shared leaders", "min_age": 25, "max_age": 45, "residence": "Berlin", "interests": ["AI"]}


def stdio_server(sandbox: StandaloneSandbox, tmp_path: Path, state_db: Path) -> StdioServerParameters:
    """`audience-mcp` as a desktop client starts it, configured for the standalone sandbox."""
    env = clean_env(
        tmp_path,
        NEUROFLASH_API_URL=sandbox.api_url,
        NEUROFLASH_TOKEN_URL=sandbox.token_url,
        NEUROFLASH_CLIENT_ID=OWNER.client_id,
        NEUROFLASH_CLIENT_SECRET="sandbox-secret",
        NEUROFLASH_WORKSPACE_ID=WS,
        AUDIENCE_MCP_STATE_DB=str(state_db),
    )
    return StdioServerParameters(command=sys.executable, args=["-m", "audience_mcp"], env=env, cwd=str(tmp_path))


async def add_interests(client: Client, audience_id: str, names: list[str]) -> list[mcp_types.CallToolResult]:
    results: list[mcp_types.CallToolResult] = []

    async def one(name: str) -> None:
        results.append(
            await client.call_tool("neuroflash_update_audience", {"audience_id": audience_id, "add_interests": [name]})
        )

    async with anyio.create_task_group() as group:
        for name in names:
            group.start_soon(one, name)
    return results


@pytest.mark.timeout(campaign_timeout(90))
async def test_two_server_processes_adding_interests_at_once_lose_none(tmp_path: Path) -> None:
    started = time.perf_counter()
    state_db = tmp_path / "state.db"
    with standalone_sandbox(tmp_path / "sandbox") as sandbox:
        first, second = stdio_server(sandbox, tmp_path, state_db), stdio_server(sandbox, tmp_path, state_db)
        async with Client(first) as one, Client(second) as two:
            created = await one.call_tool("neuroflash_create_audience", START)
            assert not created.is_error and created.structured_content is not None, created.content
            audience_id = created.structured_content["audience"]["id"]
            sandbox.configure_faults(latency=LATENCY)
            batches: dict[str, list[mcp_types.CallToolResult]] = {}

            async def run(name: str, client: Client) -> None:
                batches[name] = await add_interests(
                    client, audience_id, [f"{name} interest {n:02d}" for n in range(PER_PROCESS)]
                )

            with anyio.fail_after(80):
                async with anyio.create_task_group() as group:
                    group.start_soon(run, "first", one)
                    group.start_soon(run, "second", two)
        stored = sandbox.audiences()[audience_id]

    results: list[Any] = batches["first"] + batches["second"]
    failures = [error_message("neuroflash_update_audience", r) for r in results if r.is_error]
    assert not failures, failures[:3]
    expected = {"AI", *(f"{name} interest {n:02d}" for name in ("first", "second") for n in range(PER_PROCESS))}
    assert set(stored["interests"]) == expected, f"lost: {sorted(expected - set(stored['interests']))}"
    assert len(stored["interests"]) == len(expected)
    FIGURES["two processes"] = {
        "processes": 2,
        "concurrent_updates": len(results),
        "kept": len(stored["interests"]) - 1,
        "seconds": round(time.perf_counter() - started, 1),
    }
