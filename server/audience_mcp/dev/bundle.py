"""The MCP Bundle manifest's generated parts: tools, prompts, version and Python runtime.

    python -m audience_mcp.dev.bundle --write   # refresh manifest.json from the server

`manifest.json` (repo root) is hand-written except for the keys this module owns
(`GENERATED_KEYS`): the tool and prompt lists come from the server itself, the version and
the Python requirement from pyproject.toml. tests/test_manifest.py fails when they drift.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import TextContent

from audience_mcp.dev.catalog import list_tools
from audience_mcp.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "manifest.json"
PYPROJECT = ROOT / "pyproject.toml"
GENERATED_KEYS = ("version", "tools", "prompts", "compatibility.runtimes.python")
REGENERATE = "run `.venv/bin/python -m audience_mcp.dev.bundle --write` and review the diff"


async def manifest_tools() -> list[dict[str, str]]:
    """Every tool (read-only mode off, so all of them) as the manifest lists it: name and description."""
    return [{"name": tool["name"], "description": tool.get("description", "")} for tool in await list_tools()]


async def manifest_prompts() -> list[dict[str, Any]]:
    """Every prompt as the MCPB spec lists it: its text is the server's own rendering of the prompt,
    with each argument left as the spec's `${arguments.NAME}` placeholder."""
    from audience_mcp.app import create_server

    settings = Settings(sandbox=True, sandbox_db=":memory:", state_db=":memory:", workspace_id=None)
    entries: list[dict[str, Any]] = []
    async with Client(create_server(settings)) as client:
        for prompt in (await client.list_prompts()).prompts:
            names = [argument.name for argument in prompt.arguments or []]
            rendered = await client.get_prompt(prompt.name, {name: f"${{arguments.{name}}}" for name in names})
            texts = [m.content.text for m in rendered.messages if isinstance(m.content, TextContent)]
            entry: dict[str, Any] = {"name": prompt.name, "description": prompt.description or ""}
            if names:
                entry["arguments"] = names
            entry["text"] = "\n\n".join(texts)
            entries.append(entry)
    return entries


def project_metadata() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return project


def updated_manifest(
    manifest: dict[str, Any], tools: list[dict[str, str]], prompts: list[dict[str, Any]]
) -> dict[str, Any]:
    """The manifest with every generated key set from the server and pyproject.toml."""
    project = project_metadata()
    result = dict(manifest)
    result["version"] = project["version"]
    result["tools"] = tools
    result["prompts"] = prompts
    compatibility = dict(result.get("compatibility", {}))
    compatibility["runtimes"] = {**compatibility.get("runtimes", {}), "python": project["requires-python"]}
    result["compatibility"] = compatibility
    return result


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


async def generated_manifest() -> dict[str, Any]:
    current: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return updated_manifest(current, await manifest_tools(), await manifest_prompts())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite manifest.json")
    args = parser.parse_args()
    text = manifest_text(anyio.run(generated_manifest))
    if not args.write:
        print(text, end="")  # noqa: T201 - a developer command, not the server
        return
    MANIFEST.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
