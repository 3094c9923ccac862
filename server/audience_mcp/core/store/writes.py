"""`journaled_write`: the only way a tool sends a write, so every write is journaled alike.

The row is written (pending) before the request starts, completed with the after-image when
it answers, or marked failed with the error the user saw. Every snapshot goes through
`snapshots.snapshot`, so no tool can journal numbers differently from another.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from audience_mcp.core.auth.caller import current_actor
from audience_mcp.core.store.database import StateStoreError
from audience_mcp.core.store.journal import Action, Journal
from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.core.store.snapshots import Snapshottable, snapshot

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written(Generic[T]):
    result: T
    change_id: int


def _itself(result: object) -> Snapshottable:
    if result is None or isinstance(result, BaseModel | Mapping):
        return result
    raise TypeError(f"cannot journal a {type(result).__name__}; pass after= to say what to keep")


async def journaled_write(
    journal: Journal,
    key: ResourceKey,
    send: Awaitable[T],
    *,
    tool: str,
    action: Action,
    before: Snapshottable = None,
    request: Snapshottable = None,
    image: Snapshottable = None,
    after: Callable[[T], Snapshottable] = _itself,
    new_id: Callable[[T], str] | None = None,
    restores: int | None = None,
    errors: AbstractContextManager[object] | None = None,
) -> Written[T]:
    """Journal, then await `send` (not started yet: a coroutine runs only once awaited).

    `errors` wraps the send, so a failure is journaled with the message the user gets (the
    platform's translation of its API error). `after` picks what of the answer to keep
    (default: the answer itself); `new_id` names the created resource of a create.
    `restores` makes this the undo of that change, marked as undone when this succeeds.
    The row names the current caller (core/auth/caller.py), set per tool call.
    """
    try:
        change_id = journal.begin(
            key,
            tool=tool,
            action=action,
            before=snapshot(before),
            request=snapshot(request),
            image=snapshot(image),
            restores=restores,
            actor=current_actor(),
        )
    except BaseException:
        if inspect.iscoroutine(send):
            send.close()  # never sent: no "coroutine was never awaited" warning
        raise
    try:
        with errors if errors is not None else nullcontext():
            result = await send
    except BaseException as exc:
        try:
            journal.fail(change_id, str(exc) or type(exc).__name__)
        except StateStoreError as lost:  # the user must see why the write failed, not this
            logger.error("Change %d stays pending in the journal: %s", change_id, lost)
        raise
    # Should a snapshot fail here, the row stays pending: the write did go out, so "unknown"
    # is the honest status, not "failed".
    try:
        journal.succeed(change_id, after=snapshot(after(result)), resource_id=new_id(result) if new_id else None)
    except StateStoreError as lost:
        # The platform applied the write: reporting a failure would invite a second one. The row
        # stays pending ("may or may not have been applied"), which is what the journal can say.
        logger.error("Change %d was applied but stays pending in the journal: %s", change_id, lost)
    return Written(result, change_id)
