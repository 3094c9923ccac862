"""Prompts are listed with descriptions and arguments, and render with what they are given."""

from __future__ import annotations

import pytest
from mcp import Client

from audience_mcp.app import create_server
from audience_mcp.settings import Settings

pytestmark = pytest.mark.anyio


def server(read_only: bool = False) -> Client:
    settings = Settings(_env_file=None, sandbox=True, sandbox_db=":memory:", state_db=":memory:", read_only=read_only)  # type: ignore[call-arg]
    return Client(create_server(settings))


async def test_the_three_prompts_are_listed_with_descriptions_and_arguments() -> None:
    async with server() as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == {"create_audience_from_conversation", "audit_workspace", "bootstrap_from_website"}
    assert all(p.description for p in prompts.values())
    url = {a.name: a for a in prompts["bootstrap_from_website"].arguments or []}["url"]
    assert url.required is True and url.description


async def test_bootstrap_from_website_renders_the_url_into_its_steps() -> None:
    async with server() as client:
        result = await client.get_prompt("bootstrap_from_website", {"url": "https://shop.example.de"})
    text = result.messages[0].content.text  # type: ignore[union-attr]
    assert "neuroflash_draft_audience_from_url(urls=['https://shop.example.de'])" in text
    assert "call neuroflash_create_audience with the `arguments`" in text


async def test_create_audience_from_conversation_uses_dry_run_and_carries_what_the_user_said() -> None:
    async with server() as client:
        result = await client.get_prompt(
            "create_audience_from_conversation", {"description": "German-speaking marketing leads aged 25-45"}
        )
    text = result.messages[0].content.text  # type: ignore[union-attr]
    assert "dry_run=true" in text and "German-speaking marketing leads aged 25-45" in text


async def test_audit_workspace_asks_before_each_write() -> None:
    async with server() as client:
        result = await client.get_prompt("audit_workspace", {"workspace_id": "ws-1"})
    text = result.messages[0].content.text  # type: ignore[union-attr]
    assert "audit_audiences" in text and "workspace_id='ws-1'" in text and "Ask me before every write" in text


async def test_read_only_mode_offers_no_prompt_that_ends_in_a_create() -> None:
    async with server(read_only=True) as client:
        names = {p.name for p in (await client.list_prompts()).prompts}
    assert names == {"audit_workspace", "bootstrap_from_website"}


async def every_tool_name() -> set[str]:
    async with server() as client:
        return {tool.name for tool in (await client.list_tools()).tools}


@pytest.mark.parametrize(
    ("prompt", "args"), [("audit_workspace", {}), ("bootstrap_from_website", {"url": "https://shop.example.de"})]
)
async def test_in_read_only_mode_a_prompt_names_no_tool_the_server_does_not_serve(
    prompt: str, args: dict[str, str]
) -> None:
    all_tools = await every_tool_name()
    async with server(read_only=True) as client:
        served = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.get_prompt(prompt, args)
    text = result.messages[0].content.text  # type: ignore[union-attr]

    named = {name for name in all_tools if name in text}
    assert named, text  # it still names the tools it uses
    assert named <= served, f"{prompt} names {sorted(named - served)}, which read-only mode does not serve"
    assert "only reads" in text


async def test_outside_read_only_mode_the_audit_prompt_names_the_writes_it_asks_about() -> None:
    async with server() as client:
        result = await client.get_prompt("audit_workspace", {})
    text = result.messages[0].content.text  # type: ignore[union-attr]

    assert "neuroflash_update_audience" in text and "restore_change can undo it" in text
