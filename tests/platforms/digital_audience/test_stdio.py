"""End to end: `audience-mcp --sandbox` as a stdio subprocess lists the Digital Audience tools and runs
a campaign -> audience -> activation (token) lifecycle."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.anyio


def params(tmp_path: Path) -> StdioServerParameters:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
    }
    env["AUDIENCE_MCP_SANDBOX_DB"] = str(tmp_path / "sandbox.db")
    env["AUDIENCE_MCP_STATE_DB"] = str(tmp_path / "state.db")
    return StdioServerParameters(
        command=sys.executable, args=["-m", "audience_mcp", "--sandbox"], env=env, cwd=str(tmp_path)
    )


async def test_the_sandbox_server_serves_digital_audience_over_stdio(tmp_path: Path) -> None:
    async with Client(params(tmp_path)) as client:
        assert client.instructions and "digital_audience_list_audiences" in client.instructions
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"digital_audience_create_audience", "digital_audience_activate_audience"} <= names

        async def ok(tool: str, **args: Any) -> dict[str, Any]:
            result = await client.call_tool(tool, args)
            assert not result.is_error, result.content
            assert isinstance(result.structured_content, dict)
            return result.structured_content

        campaign = await ok("digital_audience_create_campaign", name="Stdio campaign")
        audience = (
            await ok("digital_audience_create_audience", name="Stdio CRM", campaign_id=campaign["campaign_id"])
        )["audience"]
        args = {"audience_id": audience["id"], "account_id": 502, "start_date": "2099-03-01", "end_date": "for 7 days"}
        token = (await ok("digital_audience_activate_audience", **args))["confirm_token"]
        activated = await ok("digital_audience_activate_audience", **args, confirm_token=token)

        assert activated["status"] == "activated" and activated["preview"]["end_date"] == "2099-03-08T00:00:00Z"
        listed = (await ok("digital_audience_list_audiences"))["audiences"]
        assert [(row["name"], row["activation"]) for row in listed] == [("Stdio CRM", "Active")]
