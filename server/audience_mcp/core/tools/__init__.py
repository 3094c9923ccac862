"""The tools every platform shares: one audit across platforms, the change journal and its undo.

They know no platform: each enabled platform brings its audit and undo as hooks
(`core.platform.Platform.auditor` / `.undo`), which these tools call.
"""

from __future__ import annotations

from collections.abc import Sequence

from audience_mcp.core.mcp.annotations import read_only, writes
from audience_mcp.core.mcp.registry import Toolset, ToolSpec

# Named, not imported: a tool's module is imported when the tool is built (registry.ToolSpec).
_TOOLS = "audience_mcp.core.tools"


def toolsets() -> Sequence[Toolset]:
    return (
        Toolset(
            "audit", "Audit audiences", (ToolSpec(f"{_TOOLS}.audit:audit_audiences", read_only("Audit audiences")),)
        ),
        Toolset(
            "history",
            "The change journal and undo",
            (
                ToolSpec(f"{_TOOLS}.history:list_recent_changes", read_only("List recent changes")),
                ToolSpec(
                    f"{_TOOLS}.history:restore_change", writes("Restore change", idempotent=False, destructive=True)
                ),
            ),
        ),
    )
