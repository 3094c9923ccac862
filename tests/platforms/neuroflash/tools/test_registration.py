"""Which tools are listed, and the annotations a host uses to decide what to ask the user."""

from __future__ import annotations

import mcp_types
import pytest
from mcp import Client

from tests.support.harness import ServerFactory

pytestmark = pytest.mark.anyio

READ_TOOLS = {
    "neuroflash_list_workspaces",
    "neuroflash_get_audience_limits",
    "neuroflash_list_audiences",
    "neuroflash_get_audience",
    "neuroflash_get_audience_image",
    "neuroflash_draft_audience_from_url",
}
WRITE_TOOLS = {
    "neuroflash_create_audience",
    "neuroflash_update_audience",
    "neuroflash_duplicate_audience",
    "neuroflash_record_audience_usage",
    "neuroflash_delete_audience",
    "neuroflash_set_audience_image",
    "neuroflash_delete_audience_image",
}


async def listed(client: Client) -> dict[str, mcp_types.Tool]:
    return {tool.name: tool for tool in (await client.list_tools()).tools}


def hints(tool: mcp_types.Tool) -> mcp_types.ToolAnnotations:
    assert tool.annotations is not None, f"{tool.name} has no annotations"
    return tool.annotations


async def test_every_tool_is_listed_by_default(client: Client) -> None:
    assert set(await listed(client)) >= READ_TOOLS | WRITE_TOOLS


async def test_read_only_mode_lists_only_tools_that_read(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)
    async with harness.client() as client:
        tools = await listed(client)

    assert set(tools) >= READ_TOOLS
    assert not set(tools) & WRITE_TOOLS
    # Tools added later are covered too: whatever read-only mode lists must say it only reads.
    assert [name for name, tool in tools.items() if hints(tool).read_only_hint is not True] == []


async def test_read_only_mode_cannot_call_a_write_tool(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)
    audience_id = harness.seed()
    async with harness.client() as client:
        result = await client.call_tool("neuroflash_update_audience", {"audience_id": audience_id, "name": "Changed"})

    assert result.is_error is True
    assert harness.sandbox.stats.total() == 0


async def test_read_tools_are_annotated_read_only(client: Client) -> None:
    tools = await listed(client)

    for name in READ_TOOLS:
        assert hints(tools[name]).read_only_hint is True, name
    for name in WRITE_TOOLS:
        assert hints(tools[name]).read_only_hint is False, name


async def test_write_annotations_say_what_repeating_a_call_does(client: Client) -> None:
    tools = await listed(client)

    assert hints(tools["neuroflash_delete_audience"]).destructive_hint is True
    assert hints(tools["neuroflash_delete_audience_image"]).destructive_hint is True
    assert hints(tools["neuroflash_create_audience"]).idempotent_hint is False
    assert hints(tools["neuroflash_duplicate_audience"]).idempotent_hint is False
    assert hints(tools["neuroflash_update_audience"]).idempotent_hint is True
    assert hints(tools["neuroflash_update_audience"]).destructive_hint is False
    assert hints(tools["neuroflash_create_audience"]).destructive_hint is False


async def test_every_tool_has_a_title_and_a_description(client: Client) -> None:
    for tool in (await listed(client)).values():
        assert hints(tool).title, tool.name
        assert tool.description and len(tool.description) > 20, tool.name
        assert tool.output_schema is not None, tool.name
