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


async def test_the_state_store_is_opened_on_the_first_tool_call_not_at_start(tmp_path: Path) -> None:
    # A host starts the server and lists its tools on every launch; most launches call no tool.
    params = server_params(tmp_path, "--sandbox")
    state_db = tmp_path / "state.db"
    params.env = {**(params.env or {}), "AUDIENCE_MCP_STATE_DB": str(state_db)}
    async with Client(params) as client:
        assert (await client.list_tools()).tools
        assert not state_db.exists() and not (tmp_path / "sandbox.db").exists()
        listed = await client.call_tool("neuroflash_list_audiences", {})
        assert not listed.is_error, listed.content
        assert state_db.exists()


async def test_a_state_store_that_cannot_be_opened_is_a_tool_error_and_the_server_goes_on(tmp_path: Path) -> None:
    params = server_params(tmp_path, "--sandbox")
    (tmp_path / "a-file").write_text("not a directory")
    params.env = {**(params.env or {}), "AUDIENCE_MCP_STATE_DB": str(tmp_path / "a-file" / "state.db")}
    async with Client(params) as client:
        for _ in range(2):  # refused each time, as long as the setting is wrong; nothing hangs
            result = await client.call_tool("neuroflash_list_audiences", {})
            assert result.is_error
            text = result.content[0].text  # type: ignore[union-attr]
            assert "Could not open this server's files" in text and "audience-mcp check" in text, text
        assert (await client.list_tools()).tools  # the server still answers
