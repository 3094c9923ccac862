"""Results as the model reads them: structured content plus the same JSON, compact, as text."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import mcp_types
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel

from audience_mcp.core.mcp.annotations import read_only
from audience_mcp.core.mcp.registry import Toolset, ToolSpec, build_tools
from audience_mcp.core.secrets import redactor

pytestmark = pytest.mark.anyio


class Row(BaseModel):
    name: str
    tags: list[str]


class Page(BaseModel):
    rows: list[Row]
    note: str | None = None


async def read_page(broken: bool = False) -> Page:
    """A page as an API could return it; `broken` quotes a lone surrogate from the API's JSON."""
    bad = "\ud800" if broken else ""
    return Page(rows=[Row(name=f"Grüße {bad}😀", tags=["a", f"b{bad}"])], note=None)


async def call(fn: Callable[..., Awaitable[object]], **arguments: object) -> mcp_types.CallToolResult:
    """`fn` served as a tool through the registry (as every tool is), called once in memory."""
    server: MCPServer[None] = MCPServer(
        "t", tools=build_tools([Toolset("t", "T", (ToolSpec(fn, read_only("Read")),))], read_only=False)
    )
    async with Client(server) as client:
        return await client.call_tool(fn.__name__, arguments)


async def structured_and_text(broken: bool) -> tuple[dict[str, object], str]:
    result = await call(read_page, broken=broken)
    assert not result.is_error and isinstance(result.structured_content, dict)
    (block,) = result.content
    assert isinstance(block, mcp_types.TextContent)
    return result.structured_content, block.text


async def test_the_text_is_the_structured_content_as_compact_json() -> None:
    structured, text = await structured_and_text(broken=False)
    assert structured == {"rows": [{"name": "Grüße 😀", "tags": ["a", "b"]}], "note": None}
    assert text == json.dumps(structured, ensure_ascii=False, separators=(",", ":"))


async def test_a_lone_surrogate_in_a_result_becomes_a_replacement_character_in_both() -> None:
    structured, text = await structured_and_text(broken=True)
    assert structured == {"rows": [{"name": "Grüße \ufffd😀", "tags": ["a", "b\ufffd"]}], "note": None}
    assert text == json.dumps(structured, ensure_ascii=False, separators=(",", ":"))
    text.encode("utf-8")  # sendable: the stdio writer encodes every message as UTF-8


# A secret with the characters JSON escapes (a quote, a backslash) and one it does not (ü): the
# result's text is searched once instead of walking the structure, so every spelling must be found.
ODD_SECRET = 'tök"en\\-5f0c2a9b'


class Echo(BaseModel):
    message: str
    by_key: dict[str, int]


async def echo_secret() -> Echo:
    """What an upstream that echoes a credential would make a tool return."""
    return Echo(message=f"upstream said: token={ODD_SECRET}", by_key={ODD_SECRET: 1})


async def test_a_secret_in_a_result_is_masked_in_the_text_and_the_structured_content() -> None:
    redactor.register(ODD_SECRET)
    result = await call(echo_secret)
    assert not result.is_error
    (block,) = result.content
    assert isinstance(block, mcp_types.TextContent)
    assert result.structured_content == {"message": "upstream said: token=***", "by_key": {"***": 1}}
    assert block.text == json.dumps(result.structured_content, ensure_ascii=False, separators=(",", ":"))
    for spelling in (ODD_SECRET, json.dumps(ODD_SECRET)[1:-1], json.dumps(ODD_SECRET, ensure_ascii=False)[1:-1]):
        assert spelling not in block.text and spelling not in json.dumps(result.structured_content)


async def built_result() -> mcp_types.CallToolResult:
    """A tool that builds its own result (an image block, say) and quotes what an upstream said."""
    return mcp_types.CallToolResult(
        content=[mcp_types.TextContent(type="text", text=f"upstream said {ODD_SECRET} \ud800")],
        structured_content={"said": ODD_SECRET},
    )


async def test_a_result_the_tool_built_is_sent_as_built_redacted_and_sendable() -> None:
    redactor.register(ODD_SECRET)
    result = await call(built_result)
    (block,) = result.content
    assert isinstance(block, mcp_types.TextContent)
    assert block.text == "upstream said *** \ufffd"  # not the JSON of the whole result object
    assert result.structured_content == {"said": "***"}
