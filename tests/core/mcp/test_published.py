"""Tools listed from precomputed schemas: nothing is built at start-up, calls behave as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel, Field

from audience_mcp.app import PUBLISHED_SCHEMAS, all_toolsets
from audience_mcp.core.mcp.annotations import read_only
from audience_mcp.core.mcp.published import DeferredTool, PublishedSchemas, fingerprint, published_entry
from audience_mcp.core.mcp.registry import Toolset, ToolSpec, build_tools
from audience_mcp.platforms import PLATFORM_MODULES, load_platform

pytestmark = pytest.mark.anyio


class Echo(BaseModel):
    said: str
    times: int


async def echo(
    text: Annotated[str, Field(description="What to repeat", min_length=1)], times: int = 1
) -> Echo:  # the docstring and signature are what the fingerprint sees
    """Repeat some text."""
    return Echo(said=text * times, times=times)


TOOLSETS = [Toolset("echoing", "Echo", (ToolSpec(echo, read_only("Echo")),))]


def schemas_made_now() -> PublishedSchemas:
    """What `dev.catalog --write` would store for the tools above."""
    (tool,) = build_tools(TOOLSETS, read_only=False)
    return PublishedSchemas({"echo": published_entry(echo, tool)})


async def calls(server: MCPServer[None]) -> list[dict[str, Any]]:
    async with Client(server) as client:
        listed = [tool.model_dump(mode="json", by_alias=True) for tool in (await client.list_tools()).tools]
        results = [
            (await client.call_tool("echo", arguments)).model_dump(mode="json", by_alias=True)
            for arguments in ({"text": "ab", "times": 2}, {"text": ""}, {"times": "x"})
        ]
    return [*listed, *results]


def test_a_tool_with_a_current_entry_is_listed_from_it_and_not_built_at_start_up() -> None:
    (tool,) = build_tools(TOOLSETS, read_only=False, schemas=schemas_made_now())
    assert isinstance(tool, DeferredTool) and not tool.built
    (eager,) = build_tools(TOOLSETS, read_only=False)
    assert (tool.name, tool.description, tool.parameters, tool.output_schema, tool.annotations) == (
        eager.name,
        eager.description,
        eager.parameters,
        eager.output_schema,
        eager.annotations,
    )


async def test_a_deferred_tool_answers_every_call_exactly_as_the_tool_built_at_start_up() -> None:
    deferred = build_tools(TOOLSETS, read_only=False, schemas=schemas_made_now())
    eager = build_tools(TOOLSETS, read_only=False)
    assert await calls(MCPServer("t", tools=deferred)) == await calls(MCPServer("t", tools=eager))
    assert isinstance(deferred[0], DeferredTool) and deferred[0].built  # built by the first call, kept


def test_an_entry_made_from_another_signature_is_ignored_and_the_tool_built_at_start_up() -> None:
    entry = published_entry(echo, build_tools(TOOLSETS, read_only=False)[0])

    async def changed(
        text: Annotated[str, Field(description="What to repeat", min_length=1)], times: int = 2
    ) -> Echo:  # the same function, with another default
        """Repeat some text."""
        return Echo(said=text * times, times=times)

    changed.__name__, changed.__qualname__ = echo.__name__, echo.__qualname__
    assert fingerprint(changed) != entry["fingerprint"]
    stale = PublishedSchemas({"echo": {**entry, "input_schema": {"type": "object", "properties": {}}}})
    toolsets = [Toolset("e", "E", (ToolSpec(changed, read_only("Echo")),))]
    (tool,) = build_tools(toolsets, read_only=False, schemas=stale)
    assert not isinstance(tool, DeferredTool)
    assert tool.parameters["properties"]["times"]["default"] == 2


def test_a_missing_or_broken_file_means_every_tool_is_built_at_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "published_tools.json"
    broken.write_text("{not json", encoding="utf-8")
    for path in (tmp_path / "missing.json", broken):
        (tool,) = build_tools(TOOLSETS, read_only=False, schemas=PublishedSchemas.load(path))
        assert not isinstance(tool, DeferredTool)


def test_the_server_builds_none_of_its_tools_at_start_up() -> None:
    """The shipped file is current (test_catalog checks its content), so every tool is deferred."""
    toolsets = all_toolsets(load_platform(name) for name in PLATFORM_MODULES)
    tools = build_tools(toolsets, read_only=False, schemas=PublishedSchemas.load(PUBLISHED_SCHEMAS))
    assert tools and [t.name for t in tools if not isinstance(t, DeferredTool)] == []
    assert list(json.loads(PUBLISHED_SCHEMAS.read_text(encoding="utf-8"))) == [t.name for t in tools]
