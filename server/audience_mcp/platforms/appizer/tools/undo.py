"""Appizer's undo hook: Appizer has no delete API, so a create cannot be undone from here.

restore_change says so plainly and how to remove the audience in the dashboard; it never asks the
user to confirm a delete that cannot happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from mcp.server.elicitation import ElicitationResult

from audience_mcp.core.store.journal import Change
from audience_mcp.core.tools.history import RestoreResult, UndoTarget
from audience_mcp.platforms.appizer.tools.errors import tool_error

NO_DELETE = "cannot be undone here: Appizer has no delete API; remove it in the Appizer dashboard"


class AppizerUndo:
    actions: ClassVar[Mapping[str, str]] = {"create": NO_DELETE}

    def changed_fields(self, change: Change) -> list[str]:
        return []

    async def target(self, state: Any, change: Change) -> UndoTarget | None:
        return None  # nothing to confirm: the undo cannot delete anything

    async def undo(
        self,
        state: Any,
        change: Change,
        *,
        force: bool,
        target: UndoTarget | None,
        decision: ElicitationResult[Any],
        confirm_token: str | None,
    ) -> RestoreResult:
        name = (change.after or change.request or {}).get("name") or "the audience"
        raise tool_error(
            f"Change {change.id} created '{name}' ({change.resource_id}) in Appizer app {change.scope_id}. "
            "Appizer's API has no delete, so this server cannot undo it, and nothing was changed. To remove it, "
            "the user opens the Appizer dashboard, Audiences, selects the audience and deletes it there."
        )
