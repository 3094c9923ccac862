"""End to end: the stdio server in sandbox mode, and the server against `sandbox-api` over real HTTP."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from audience_mcp.platforms.appizer.sandbox.service import API_KEY

pytestmark = pytest.mark.anyio


def stdio(tmp_path: Path, *args: str, **env: str) -> StdioServerParameters:
    variables = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
    }
    variables.update(AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"), AUDIENCE_MCP_STATE_DB=":memory:", **env)
    return StdioServerParameters(
        command=sys.executable, args=["-m", "audience_mcp", *args], env=variables, cwd=str(tmp_path)
    )


async def test_the_sandbox_server_lists_the_appizer_tools_and_creates_a_segment(tmp_path: Path) -> None:
    async with Client(stdio(tmp_path, "--sandbox")) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"appizer_list_audiences", "appizer_get_audience", "appizer_create_audience"} <= names
        created = await client.call_tool(
            "appizer_create_audience",
            {"name": "Active Premium Users", "criteria": "Users with plan=premium AND last_active within 7 days"},
        )
        assert not created.is_error, created.content
        assert created.structured_content["user_count"] > 0  # type: ignore[index]


async def test_the_server_reaches_the_standalone_sandbox_over_http(tmp_path: Path, sandbox_api: str) -> None:
    params = stdio(
        tmp_path,
        APPIZER_API_KEY=API_KEY,
        APPIZER_API_URL=f"{sandbox_api}/appizer/v1",
        APPIZER_APP_ID="app_456",
        AUDIENCE_MCP_PLATFORMS="appizer",
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert not [n for n in names if n.startswith("neuroflash_")]
        created = await client.call_tool("appizer_create_audience", {"name": "US", "criteria": "Users from country=US"})
        assert not created.is_error, created.content
        listed = await client.call_tool("appizer_list_audiences", {})
    assert listed.structured_content["app_id"] == "app_456"  # type: ignore[index]
    assert listed.structured_content["audiences"][0][1] == "US"  # type: ignore[index]
