"""End to end: the console script as a stdio subprocess, driven by the SDK's stdio client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.anyio


def server_params(tmp_path: Path, *args: str) -> StdioServerParameters:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "DIGITAL_AUDIENCE_"))
    }
    env["AUDIENCE_MCP_SANDBOX_DB"] = str(tmp_path / "sandbox.db")
    return StdioServerParameters(command=sys.executable, args=["-m", "audience_mcp", *args], env=env, cwd=str(tmp_path))


async def test_the_stdio_server_lists_tools_and_runs_an_audience_lifecycle(tmp_path: Path) -> None:
    async with Client(server_params(tmp_path, "--sandbox")) as client:
        assert client.instructions and "neuroflash_list_audiences" in client.instructions
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"neuroflash_create_audience", "neuroflash_update_audience", "neuroflash_delete_audience"} <= names

        created = await client.call_tool(
            "neuroflash_create_audience",
            {"name": "Stdio leads", "min_age": 25, "max_age": 45, "residence": "Berlin", "country": "Germany"},
        )
        assert not created.is_error, created.content
        audience_id = created.structured_content["audience"]["id"]  # type: ignore[index]

        updated = await client.call_tool(
            "neuroflash_update_audience", {"audience_id": audience_id, "add_interests": "SEO"}
        )
        assert not updated.is_error and updated.structured_content["changed"][0]["field"] == "interests"  # type: ignore[index]

        listed = await client.call_tool("neuroflash_list_audiences", {})
        assert listed.structured_content["total"] == 1  # type: ignore[index]

        missing = await client.call_tool("neuroflash_get_audience", {"audience_id": "no-such-id"})
        assert missing.is_error and "neuroflash_list_audiences" in missing.content[0].text  # type: ignore[union-attr]


async def test_sandbox_data_survives_a_restart_of_the_server(tmp_path: Path) -> None:
    args = {"name": "Kept leads", "min_age": 30, "max_age": 40, "residence": "Hamburg"}
    async with Client(server_params(tmp_path, "--sandbox")) as client:
        assert not (await client.call_tool("neuroflash_create_audience", args)).is_error
    async with Client(server_params(tmp_path, "--sandbox")) as client:
        listed = await client.call_tool("neuroflash_list_audiences", {"search": "kept"})
    assert listed.structured_content["total"] == 1  # type: ignore[index]


async def test_read_only_flag_hides_every_writing_tool(tmp_path: Path) -> None:
    async with Client(server_params(tmp_path, "--sandbox", "--read-only")) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "neuroflash_create_audience" not in names and "neuroflash_delete_audience" not in names
    assert "neuroflash_list_audiences" in names
