"""MCP prompts: ready-made conversations for hosts that show them (slash commands, menus).

A prompt names only tools the server serves (read-only mode and AUDIENCE_MCP_TOOLSETS leave
some out): a model told to call a tool it cannot see would stall or improvise.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

# The writes an audit finding can lead to, in the order the prompt names them.
_AUDIT_WRITERS = (
    "neuroflash_update_audience",
    "neuroflash_delete_audience",
    "neuroflash_duplicate_audience",
    "neuroflash_set_audience_image",
)


async def _served(ctx: Context) -> set[str]:
    return {tool.name for tool in await ctx.mcp_server.list_tools()}


def create_audience_from_conversation(
    description: Annotated[str, Field(description="What the user said about the audience, if anything")] = "",
) -> str:
    """Create a target audience step by step: collect the required fields, preview, then create."""
    known = f'\n\nWhat the user said so far: "{description}"' if description.strip() else ""
    return (
        "Help me create a neuroflash target audience.\n"
        "1. Collect the required fields: a name (3-100 characters), min_age and max_age (0-120), and "
        "where they live (residence). Also ask for country, native language, interests, needs and pain "
        "points, and the gender split if the user knows it (otherwise the server uses 50% female, 40% male, "
        "7% non-binary, 3% prefer not to say, and says so).\n"
        "2. Ask only for what is missing, in one short message.\n"
        "3. Call neuroflash_create_audience with dry_run=true, show me the result and every item of `adjustments`, "
        "and ask for a yes.\n"
        "4. Only after I agree, call neuroflash_create_audience again without dry_run and tell me the new id." + known
    )


async def audit_workspace(
    ctx: Context,
    workspace_id: Annotated[str, Field(description="Workspace to audit; empty for the default")] = "",
) -> str:
    """Audit all audiences of a workspace and go through the findings with the user."""
    served = await _served(ctx)
    target = f"workspace_id='{workspace_id}'" if workspace_id.strip() else "the default workspace"
    writers = [name for name in _AUDIT_WRITERS if name in served]
    if writers:
        fixes = f"3. Ask me before every write ({', '.join(writers)}), one finding at a time; skip what I decline.\n"
    else:
        fixes = (
            "3. This server only reads: do not try to change anything. For each finding, tell me what to "
            "change, so I can do it in the neuroflash app.\n"
        )
    ending = ""
    if writers:
        ending = "4. At the end, list what was changed"
        if "list_recent_changes" in served:
            undo = " and restore_change can undo it" if "restore_change" in served else ""
            ending += f"; list_recent_changes shows it{undo}"
        ending += "."
    return (
        f"Audit my neuroflash target audiences in {target}.\n"
        "1. Call audit_audiences and summarize the report: how many audiences, how many errors, warnings "
        "and infos, and the plan usage.\n"
        "2. Go through the findings from most to least severe. For each one, explain the problem in one "
        "sentence and propose the fix the report suggests.\n" + fixes + ending
    ).rstrip()


async def bootstrap_from_website(
    ctx: Context, url: Annotated[str, Field(description="The brand's or product's website")]
) -> str:
    """Draft a target audience from a website and review it with the user (then create it, if the server can)."""
    served = await _served(ctx)
    if "neuroflash_create_audience" in served:
        last = (
            "3. When I agree, call neuroflash_create_audience with the `arguments`, changed as I said, and tell "
            "me the new id."
        )
    else:
        last = (
            "3. This server only reads, so it cannot create the audience: give me the final values as a list "
            "I can enter in the neuroflash app."
        )
    return (
        f"Draft a neuroflash target audience from {url}.\n"
        f"1. Call neuroflash_draft_audience_from_url(urls=['{url}']) and show me the drafted `arguments` "
        "and every item of `adjustments`.\n"
        "2. Ask me what to change (name, ages, country, language, interests, needs, pain points).\n" + last
    )
