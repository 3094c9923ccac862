"""MCP prompts: ready-made conversations for hosts that show them (slash commands, menus)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field


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


def audit_workspace(
    workspace_id: Annotated[str, Field(description="Workspace to audit; empty for the default")] = "",
) -> str:
    """Audit all audiences of a workspace and fix the findings one by one, asking before each change."""
    target = f"workspace_id='{workspace_id}'" if workspace_id.strip() else "the default workspace"
    return (
        f"Audit my neuroflash target audiences in {target}.\n"
        "1. Call audit_audiences and summarize the report: how many audiences, how many errors, warnings "
        "and infos, and the plan usage.\n"
        "2. Go through the findings from most to least severe. For each one, explain the problem in one "
        "sentence and propose the fix the report suggests.\n"
        "3. Ask me before every write (neuroflash_update_audience, neuroflash_delete_audience, "
        "neuroflash_duplicate_audience, images), one "
        "finding at a time; skip what I decline.\n"
        "4. At the end, list what was changed; list_recent_changes shows it and restore_change can undo it."
    )


def bootstrap_from_website(url: Annotated[str, Field(description="The brand's or product's website")]) -> str:
    """Draft a target audience from a website, review it with the user, then create it."""
    return (
        f"Bootstrap a neuroflash target audience from {url}.\n"
        f"1. Call neuroflash_bootstrap_audience_from_url(urls=['{url}']) (create=false) and show me the "
        "drafted profile "
        "and its adjustments.\n"
        "2. Ask me what to change (name, ages, country, language, interests, needs, pain points).\n"
        "3. When I agree, call neuroflash_bootstrap_audience_from_url again with create=true and my changes as "
        "overrides, or neuroflash_create_audience with the final values, and tell me the new id."
    )
