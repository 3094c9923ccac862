"""Tools listed from precomputed schemas: nothing is built at start-up, calls behave as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel, Field

from audience_mcp import app
from audience_mcp.app import PUBLISHED_PROMPTS, PUBLISHED_SCHEMAS, all_toolsets, create_server
from audience_mcp.core.mcp.annotations import read_only
from audience_mcp.core.mcp.published import DeferredPrompt, DeferredTool, PublishedSchemas, fingerprint, published_entry
from audience_mcp.core.mcp.registry import Toolset, ToolSpec, build_tools
from audience_mcp.core.platform import build_prompt
from audience_mcp.platforms import PLATFORM_MODULES, load_platform
from audience_mcp.settings import Settings
from tests.support import clean_env

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


# Runs in a fresh interpreter: which tool modules a real-mode neuroflash server has imported when.
_IMPORTS_PROBE = """
import json, sys
import anyio
from mcp import Client
from audience_mcp.app import create_server
from audience_mcp.settings import Settings

TOOL_MODULES = [f"audience_mcp.platforms.neuroflash.tools.{name}"
                for name in ("audiences", "deletion", "drafts", "images", "workspaces")]
TOOL_MODULES += ["audience_mcp.core.tools.audit", "audience_mcp.core.tools.history"]
TOOL_MODULES += ["audience_mcp.platforms.neuroflash.prompts"]

def imported():
    return [name for name in TOOL_MODULES if name in sys.modules]

async def main():
    seen = {}
    server = create_server(Settings(_env_file=None, client_id="c", client_secret="s", state_db=":memory:"))
    seen["created"] = imported()
    async with Client(server) as client:
        listed = await client.list_tools()
        prompts = await client.list_prompts()
        seen["listed"] = imported()
        result = await client.call_tool("neuroflash_get_audience", {})  # refused: audience_id is missing
        seen["called"] = imported()
        seen["refused"] = result.is_error
        await client.get_prompt("create_audience_from_conversation", {})
        seen["prompted"] = imported()
    seen["tools"], seen["prompts"] = len(listed.tools), len(prompts.prompts)
    print(json.dumps(seen))

anyio.run(main)
"""


def test_a_real_server_imports_a_tool_module_only_when_one_of_its_tools_is_called(tmp_path: Path) -> None:
    """Start-up, tools/list and prompts/list import no tool or prompt module (the platforms name
    them); a call imports the module of the tool called, prompts/get the prompts' module."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["tools"] > 10 and seen["prompts"] == 3 and seen["created"] == [] and seen["listed"] == []
    assert seen["refused"] is True
    assert seen["called"] == ["audience_mcp.platforms.neuroflash.tools.audiences"]
    assert seen["prompted"] == [*seen["called"], "audience_mcp.platforms.neuroflash.prompts"]


async def prompt_answers(server: MCPServer[Any]) -> list[Any]:
    arguments = {
        "create_audience_from_conversation": [{}, {"description": "Leads in Berlin"}],
        "audit_workspace": [{}, {"workspace_id": "ws-1"}],
        "bootstrap_from_website": [{"url": "https://shop.example.de"}, {}],  # the second misses `url`
    }
    async with Client(server) as client:
        answers: list[Any] = [p.model_dump(mode="json") for p in (await client.list_prompts()).prompts]
        for name, calls in arguments.items():
            for given in calls:
                try:
                    answers.append((await client.get_prompt(name, given)).model_dump(mode="json"))
                except Exception as exc:  # the refusal of a missing argument, compared as text
                    answers.append(f"{type(exc).__name__}: {exc}")
    return answers


async def test_deferred_prompts_list_and_render_exactly_as_prompts_built_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(_env_file=None, sandbox=True, sandbox_db=":memory:", state_db=":memory:")
    deferred = create_server(settings)
    monkeypatch.setattr(app, "PUBLISHED_PROMPTS", Path("no-such-file.json"))  # every prompt built at start-up
    eager = create_server(settings)
    specs = load_platform("neuroflash").prompts()
    shipped, missing = PublishedSchemas.load(PUBLISHED_PROMPTS), PublishedSchemas.load(Path("no-such-file.json"))
    assert all(isinstance(build_prompt(spec, shipped), DeferredPrompt) for spec in specs)
    assert not any(isinstance(build_prompt(spec, missing), DeferredPrompt) for spec in specs)
    assert await prompt_answers(deferred) == await prompt_answers(eager)


def test_a_tool_named_by_module_and_function_is_deferred_like_one_given_as_a_function() -> None:
    named = [Toolset("echoing", "Echo", (ToolSpec(f"{__name__}:echo", read_only("Echo")),))]
    (tool,) = build_tools(named, read_only=False, schemas=schemas_made_now())
    assert isinstance(tool, DeferredTool) and not tool.built
    assert fingerprint(f"{__name__}:echo") == fingerprint(echo) is not None


def test_a_tool_whose_source_cannot_be_read_is_built_at_start_up() -> None:
    assert fingerprint("no.such.module:echo") is None and fingerprint(f"{__name__}:no_such_function") is None
    missing = PublishedSchemas({"echo": {**published_entry(echo, build_tools(TOOLSETS, read_only=False)[0])}})
    assert missing.get("echo", "no.such.module:echo") is None
