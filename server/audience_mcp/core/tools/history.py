"""list_recent_changes and restore_change: the journal of every platform's writes, and undoing one.

The journal is core's; what an undo does is the platform's (its `PlatformUndo` hook): revert an
update by a fetch-merge-write, re-create a deleted resource, delete a created one after the
user's yes. This module checks what can be undone at all, claims the change in the state store
so that concurrent calls undo it once, and asks the question when the platform says the undo
deletes something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.confirmations import Confirmation, ask
from audience_mcp.core.mcp.errors import tool_error
from audience_mcp.core.platform import PlatformUndo, ServerState, server_state
from audience_mcp.core.store.journal import Change, Journal, RestoreClaim


class FieldChange(BaseModel):
    field: str
    old: Any
    new: Any


class ChangeView(BaseModel):
    change_id: int
    time: str
    platform: str
    tool: str
    action: str
    status: Literal["pending", "succeeded", "failed"]
    audience_id: str | None
    audience_name: str | None
    changed_fields: list[str]
    error: str | None = None
    restored_by: int | None = None
    actor: str | None = None


class ChangesResult(BaseModel):
    changes: list[ChangeView]


class RestoreResult(BaseModel):
    status: Literal["restored", "nothing_to_do", "confirmation_required", "declined"]
    change_id: int
    action: str
    audience_id: str | None
    new_audience_id: str | None = Field(default=None, description="Set when a deleted audience was re-created")
    message: str
    changed: list[FieldChange] = Field(default_factory=list)
    preview: dict[str, Any] | None = None
    confirm_token: str | None = None


@dataclass(frozen=True)
class UndoTarget:
    """What undoing a change would delete: the question for the user, the preview, and what the
    platform needs to act (opaque here)."""

    question: str
    preview: dict[str, Any]
    payload: Any


class UndoConfirmation(Confirmation):
    confirm: bool = Field(description="Yes, undo this change")


def _journal(state: ServerState) -> Journal:
    journal = state.services.journal
    assert isinstance(journal, Journal)
    return journal


def _undo_of(state: ServerState, change: Change) -> PlatformUndo | None:
    platform = state.descriptors.get(change.platform)
    return platform.undo() if platform is not None and platform.undo is not None else None


def _view(state: ServerState, change: Change) -> ChangeView:
    name = (change.after or change.before or {}).get("name")
    undo = _undo_of(state, change)
    fields = undo.changed_fields(change) if undo is not None and change.action == "update" else []
    return ChangeView(
        change_id=change.id,
        time=change.created_at,
        platform=change.platform,
        tool=change.tool,
        action=change.action,
        status=change.status,
        audience_id=change.resource_id,
        audience_name=name if isinstance(name, str) else None,
        changed_fields=fields,
        error=change.error,
        restored_by=change.restored_by,
        actor=change.actor,
    )


async def list_recent_changes(
    ctx: Context,
    audience_id: Annotated[str | None, Field(description="Only this audience")] = None,
    platform: str | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 20,
    actor: str | None = None,
) -> ChangesResult:
    """Changes this server made, newest first, each with its change_id."""
    state = server_state(ctx)
    changes = _journal(state).recent(platform=platform, resource_id=audience_id, actor=actor, limit=limit)
    return ChangesResult(changes=[_view(state, c) for c in changes])


def _undoable(state: ServerState, change_id: int) -> tuple[Change, PlatformUndo]:
    change = _journal(state).get(change_id)
    if change is None:
        raise tool_error(f"No change {change_id} in the journal. Call list_recent_changes for valid ids.")
    if change.restored_by is not None:
        raise tool_error(f"Change {change_id} was already undone by change {change.restored_by}.")
    if change.status == "pending":
        raise tool_error(
            f"The outcome of change {change_id} is unknown (the server stopped while sending it). "
            f"Check the audience on {change.platform} (its get tool) before doing anything."
        )
    if change.status == "failed":
        raise tool_error(f"Change {change_id} failed, so nothing was changed and there is nothing to undo.")
    platform = state.descriptors.get(change.platform)
    if platform is None:
        raise tool_error(
            f"Change {change_id} was made on {change.platform}, which this server does not serve now "
            "(see AUDIENCE_MCP_PLATFORMS); it can be undone only where that platform is enabled."
        )
    undo = platform.undo() if platform.undo is not None else None
    if undo is None or change.action not in undo.actions:
        raise tool_error(f"A '{change.action}' change on {change.platform} cannot be undone from here.")
    return change, undo


async def _undo_target(change_id: int, confirm_token: str | None, ctx: Context) -> UndoTarget | None:
    """What the undo would delete, for the question (None: the undo deletes nothing, or a token was given)."""
    if confirm_token:
        return None
    state = server_state(ctx)
    change = _journal(state).get(change_id)
    if change is None or change.status != "succeeded" or change.restored_by is not None:
        return None  # restore_change itself says why
    undo = _undo_of(state, change)
    if undo is None or change.action not in undo.actions:
        return None
    return await undo.target(state.platform(change.platform), change)


async def _ask(
    target: Annotated[UndoTarget | None, Resolve(_undo_target)], ctx: Context
) -> Elicit[UndoConfirmation] | None:
    return ask(target.question if target is not None else None, ctx, UndoConfirmation)


def _claim_refused(change_id: int, claim: RestoreClaim) -> str:
    if claim.restored_by is not None:
        return f"Change {change_id} was already undone by change {claim.restored_by}."
    return (
        f"Change {change_id} is being undone by another call right now. Call list_recent_changes in a moment "
        "to see its outcome; do not call restore_change again for it."
    )


async def restore_change(
    ctx: Context,
    change_id: Annotated[int, Field(description="From list_recent_changes")],
    target: Annotated[UndoTarget | None, Resolve(_undo_target)],
    decision: Annotated[ElicitationResult[UndoConfirmation], Resolve(_ask)],
    force: Annotated[bool, Field(description="Undo an update despite later edits (whole earlier version)")] = False,
    confirm_token: Annotated[str | None, Field(description="Confirms undoing a create")] = None,
) -> RestoreResult:
    """Undo a change from list_recent_changes: reverts an update, re-creates a deleted audience (new id),
    deletes a created one (after confirmation), or restores an image."""
    state = server_state(ctx)
    change, undo = _undoable(state, change_id)
    journal = _journal(state)
    # One winner among concurrent calls (and processes sharing the state store): the others are
    # told who is undoing it, instead of undoing it again (a re-created audience twice, say).
    claim = journal.claim_restore(change_id)
    if not claim.won:
        raise tool_error(_claim_refused(change_id, claim))
    try:
        return await undo.undo(
            state.platform(change.platform),
            change,
            force=force,
            target=target,
            decision=decision,
            confirm_token=confirm_token,
        )
    finally:
        journal.release_restore(change_id, claim)
