"""The published tool surface is reviewed on purpose: snapshot and README table must match."""

from __future__ import annotations

import json
from typing import Any

import pytest

from audience_mcp.app import PUBLISHED_PROMPTS, PUBLISHED_SCHEMAS
from audience_mcp.dev.catalog import (
    README,
    SNAPSHOT,
    TABLE_END,
    TABLE_START,
    list_tools,
    published_prompts_text,
    published_schemas_text,
    readme_table,
    snapshot_text,
)

pytestmark = pytest.mark.anyio

REGENERATE = "run `.venv/bin/python -m audience_mcp.dev.catalog --write` and review the diff"


async def test_every_tool_matches_the_checked_in_snapshot() -> None:
    tools = await list_tools()
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert [t["name"] for t in tools] == [t["name"] for t in expected], REGENERATE
    for tool, snapshot in zip(tools, expected, strict=True):
        assert json.loads(snapshot_text([tool]))[0] == snapshot, f"{tool['name']} drifted; {REGENERATE}"


def test_the_precomputed_schemas_are_what_the_tools_publish_now() -> None:
    """The server lists tools from this file at start-up (core/mcp/published.py)."""
    assert PUBLISHED_SCHEMAS.read_text(encoding="utf-8") == published_schemas_text(), REGENERATE


def test_the_published_prompts_are_what_the_prompts_publish_now() -> None:
    """The server lists prompts from this file at start-up (core/platform.py build_prompt)."""
    assert PUBLISHED_PROMPTS.read_text(encoding="utf-8") == published_prompts_text(), REGENERATE


async def test_the_readme_tool_table_is_generated_from_the_server() -> None:
    readme = README.read_text(encoding="utf-8")
    table = readme[readme.index(TABLE_START) + len(TABLE_START) : readme.index(TABLE_END)].strip()
    assert table == readme_table(await list_tools()), REGENERATE


async def test_every_tool_has_a_description_an_output_schema_and_annotations() -> None:
    for tool in await list_tools():
        assert tool.get("description"), tool["name"]
        assert tool.get("outputSchema", {}).get("type") == "object", tool["name"]
        annotations = tool["annotations"]
        assert "readOnlyHint" in annotations, tool["name"]
        if not annotations["readOnlyHint"]:
            assert "destructiveHint" in annotations and "idempotentHint" in annotations, tool["name"]


async def test_read_only_mode_lists_no_tool_that_writes() -> None:
    tools = await list_tools(read_only=True)
    names = {t["name"] for t in tools}
    assert names == {
        "digital_audience_list_audiences",
        "digital_audience_get_audience",
        "digital_audience_list_platform_accounts",
        "neuroflash_list_workspaces",
        "neuroflash_get_audience_limits",
        "neuroflash_list_audiences",
        "neuroflash_get_audience",
        "neuroflash_get_audience_image",
        "neuroflash_draft_audience_from_url",
        "appizer_list_audiences",
        "appizer_get_audience",
        "audit_audiences",
        "list_recent_changes",
    }
    assert all(t["annotations"]["readOnlyHint"] for t in tools)


def cl100k_tokens(tools: list[dict[str, Any]]) -> int:
    import warnings

    with warnings.catch_warnings():  # bpe_openai loads its table with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai

        encoding = bpe_openai.get_encoding("cl100k_base")
    return len(encoding.encode(json.dumps({"tools": tools}, separators=(",", ":"))))


async def test_the_neuroflash_tool_list_fits_the_context_budget_of_3000_cl100k_tokens() -> None:
    """tools/list is read by the model on every turn; the budget is issue 6's target (neuroflash alone,
    with the shared tools)."""
    assert cl100k_tokens(await list_tools(platforms="neuroflash")) <= 3000


async def test_every_platform_together_fits_5500_cl100k_tokens() -> None:
    """Issue 13: with all platforms enabled, tools/list stays at most 5,500 tokens."""
    assert cl100k_tokens(await list_tools()) <= 5500
