"""The registry: toolsets chosen by name, read-only mode as one filter on the annotations."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from audience_mcp.app import PlatformChoiceError, create_server, enabled_platforms
from audience_mcp.core.mcp.annotations import read_only, writes
from audience_mcp.core.mcp.registry import Toolset, ToolSpec, UnknownToolsetError, build_tools, select_toolsets
from audience_mcp.settings import Settings

pytestmark = pytest.mark.anyio


async def look() -> str:
    """Reads."""
    return "looked"


async def change() -> str:
    """Writes."""
    return "changed"


async def draft() -> str:
    """Writes only when asked."""
    return "drafted"


TOOLSETS = [
    Toolset("reading", "Reads", (ToolSpec(look, read_only("Look")),)),
    Toolset(
        "writing",
        "Writes",
        (
            ToolSpec(change, writes("Change", idempotent=False)),
            ToolSpec(draft, writes("Draft", idempotent=False), read_only_annotations=read_only("Draft")),
        ),
    ),
]


def names(read_only_mode: bool, wanted: list[str] | None = None) -> list[str]:
    return [tool.name for tool in build_tools(select_toolsets(TOOLSETS, wanted or []), read_only=read_only_mode)]


def test_read_only_mode_drops_every_writer_and_serves_a_draft_tool_as_read_only() -> None:
    assert names(False) == ["look", "change", "draft"]
    assert names(True) == ["look", "draft"]
    served = {tool.name: tool for tool in build_tools(TOOLSETS, read_only=True)}
    assert served["draft"].annotations is not None and served["draft"].annotations.read_only_hint is True


def test_toolsets_are_chosen_by_name_in_declaration_order() -> None:
    assert names(False, ["writing"]) == ["change", "draft"]
    assert names(False, [" Writing ", "reading"]) == ["look", "change", "draft"]


def test_an_unknown_toolset_names_the_known_ones() -> None:
    with pytest.raises(UnknownToolsetError, match=r"unknown toolsets: nope \(known: reading, writing\)"):
        select_toolsets(TOOLSETS, ["nope"])


async def test_published_tools_are_callable_through_the_sdk_with_compact_text() -> None:
    server: MCPServer[None] = MCPServer("t", tools=build_tools(TOOLSETS, read_only=False))
    async with Client(server) as client:
        listed = await client.list_tools()
        result = await client.call_tool("look", {})
    assert [tool.name for tool in listed.tools] == ["look", "change", "draft"]
    assert not result.is_error and result.content[0].text == "looked"  # type: ignore[union-attr]


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, state_db=":memory:", sandbox_db=":memory:", **values)


def test_platforms_are_enabled_by_credentials_sandbox_mode_or_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEUROFLASH_CLIENT_ID", "NEUROFLASH_CLIENT_SECRET", "NEUROFLASH_ACCESS_TOKEN", "APPIZER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert enabled_platforms(settings()) == []
    assert enabled_platforms(settings(sandbox=True)) == ["neuroflash", "digital_audience", "appizer"]
    assert enabled_platforms(settings(client_id="c", client_secret="s")) == ["neuroflash"]
    assert enabled_platforms(settings(appizer_api_key="k")) == ["appizer"]
    da_login = {
        "digital_audience_api_url": "https://da.example",
        "digital_audience_username": "u",
        "digital_audience_password": "p",
    }
    assert enabled_platforms(settings(**da_login)) == ["digital_audience"]
    assert enabled_platforms(settings(**{**da_login, "digital_audience_password": ""})) == []
    assert enabled_platforms(settings(platforms="neuroflash")) == ["neuroflash"]
    with pytest.raises(PlatformChoiceError, match="unknown platforms: tiktok"):
        enabled_platforms(settings(platforms="tiktok"))


def test_a_server_without_any_platform_says_how_to_enable_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEUROFLASH_CLIENT_ID", "NEUROFLASH_CLIENT_SECRET", "NEUROFLASH_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(PlatformChoiceError, match="--sandbox"):
        create_server(settings())


async def test_the_toolsets_setting_limits_the_served_tools() -> None:
    server = create_server(settings(sandbox=True, toolsets="neuroflash_workspaces,history"))
    async with Client(server) as client:
        listed = await client.list_tools()
    assert [tool.name for tool in listed.tools] == [
        "neuroflash_list_workspaces",
        "neuroflash_get_audience_limits",
        "list_recent_changes",
        "restore_change",
    ]


async def test_read_only_instructions_name_no_writing_tool() -> None:
    server = create_server(settings(sandbox=True, read_only=True))
    async with Client(server) as client:
        instructions = client.instructions or ""
        listed = {tool.name for tool in (await client.list_tools()).tools}
    for writer in ("create", "update", "delete", "duplicate", "restore"):
        assert writer not in instructions.replace("created", ""), instructions
        assert not any(writer in name for name in listed), listed
