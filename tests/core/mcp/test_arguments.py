"""ArgumentCheckedTool on a tool of no platform: what any platform's tools get from the registry."""

from __future__ import annotations

from typing import Annotated

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.annotations import read_only
from audience_mcp.core.mcp.registry import Toolset, ToolSpec, build_tools

pytestmark = pytest.mark.anyio


class Found(BaseModel):
    tags: list[str]
    page_size: int


async def find_things(
    tags: Annotated[list[str], Field(description="Tag names")],
    page_size: Annotated[int, Field(ge=1, le=50)] = 10,
) -> Found:
    """Find things."""
    return Found(tags=tags, page_size=page_size)


def served() -> Client:
    tools = build_tools(
        [Toolset("things", "Things", (ToolSpec(find_things, read_only("Find things")),))], read_only=False
    )
    return Client(MCPServer("test", tools=tools))


async def test_repairs_are_reported_in_adjustments_even_when_the_result_has_none() -> None:
    async with served() as client:
        result = await client.call_tool("find_things", {"tags": "red, blue", "pageSize": 5})

    assert result.is_error is False
    assert result.structured_content == {
        "tags": ["red", "blue"],
        "page_size": 5,
        "adjustments": ["pageSize: read as page_size", 'tags: read the text "red, blue" as the list ["red", "blue"]'],
    }


async def test_refusals_name_the_parameter_what_was_sent_and_what_to_send() -> None:
    async with served() as client:
        unknown = await client.call_tool("find_things", {"tags": ["a"], "colour": "red"})
        wrong = await client.call_tool("find_things", {"tags": ["a"], "page_size": True})
        out_of_range = await client.call_tool("find_things", {"tags": [1], "page_size": 99})

    assert unknown.content[0].text == (  # type: ignore[union-attr]
        "Error executing tool find_things: Unknown argument: colour; nothing was sent. find_things accepts: tags, "
        "page_size. Call it again with only these, or tell the user the other values cannot be stored."
    )
    assert wrong.content[0].text == (  # type: ignore[union-attr]
        "Error executing tool find_things: page_size: got true; send a whole number from 1 to 50. "
        "Nothing was sent; call find_things again with corrected arguments."
    )
    assert out_of_range.content[0].text == (  # type: ignore[union-attr]
        "Error executing tool find_things: tags: got [1]; send a list of text items (tag names). "
        "page_size: 99 is out of range; send a whole number from 1 to 50. "
        "Nothing was sent; call find_things again with corrected arguments."
    )


async def test_an_unknown_name_is_quoted_short_and_sendable() -> None:
    async with served() as client:
        result = await client.call_tool("find_things", {"tags": ["a"], "x" * 5000: 1, "bad\ud800": 2})

    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error is True
    assert "x" * 39 + "…" in text and "x" * 41 not in text
    assert "bad\ufffd" in text and "\ud800" not in text
