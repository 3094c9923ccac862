"""`Journal.recording`, the pre-generic call with neuroflash's workspace_id/audience_id keywords.

Kept only so that a tool module not yet moved to `writes.journaled_write` (the URL bootstrap)
keeps journaling while that move happens in parallel; delete this module and the mixin once
nothing calls `journal.recording(` any more. New code uses `journaled_write`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.core.store.snapshots import snapshot

if TYPE_CHECKING:
    from audience_mcp.core.store.journal import Action


class _Writes(Protocol):
    def begin(
        self,
        key: ResourceKey,
        *,
        tool: str,
        action: Action,
        before: Mapping[str, Any] | None = None,
        request: Mapping[str, Any] | None = None,
        image: Mapping[str, Any] | None = None,
        restores: int | None = None,
    ) -> int: ...

    def succeed(self, change_id: int, *, after: Mapping[str, Any] | None, resource_id: str | None = None) -> None: ...

    def fail(self, change_id: int, error: str) -> None: ...


class Recording:
    """Handle of one change being recorded."""

    def __init__(self, journal: _Writes, change_id: int) -> None:
        self._journal = journal
        self.change_id = change_id
        self.done = False

    def succeeded(self, *, after: Mapping[str, Any] | None, audience_id: str | None = None) -> None:
        self._journal.succeed(self.change_id, after=snapshot(after), resource_id=audience_id)
        self.done = True


class NeuroflashRecording:
    """Mixin of `Journal`: the old keywords, mapped to the key every pre-generic row had."""

    @contextmanager
    def recording(
        self: _Writes,
        *,
        tool: str,
        action: Action,
        workspace_id: str,
        audience_id: str | None,
        before: Mapping[str, Any] | None = None,
        image: Mapping[str, Any] | None = None,
        restores: int | None = None,
    ) -> Iterator[Recording]:
        key = ResourceKey("neuroflash", workspace_id, "audience", audience_id)
        change_id = self.begin(key, tool=tool, action=action, before=before, image=image, restores=restores)
        recording = Recording(self, change_id)
        try:
            yield recording
        except BaseException as exc:
            if not recording.done:
                self.fail(change_id, str(exc) or type(exc).__name__)
            raise
        if not recording.done:
            # The block finished without saying what it wrote: keep the row honest.
            self.fail(change_id, "the write finished without a recorded result")
