"""The one way a value becomes a journal snapshot.

Snapshots must keep numbers as numbers: a restore sends a before-image back, and a share
journaled as the string "0.55" (what pydantic's JSON mode makes of a Decimal) is not what
was read. So models are dumped in Python mode, where Decimals stay Decimal, and the journal
writes them with the exact-decimal codec (`core.http.wire`) as JSON number literals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

from pydantic import BaseModel

Snapshottable = BaseModel | Mapping[str, Any] | None


@overload
def snapshot(value: BaseModel | Mapping[str, Any]) -> dict[str, Any]: ...


@overload
def snapshot(value: None) -> None: ...


def snapshot(value: Snapshottable) -> dict[str, Any] | None:
    """A model by wire name (fields that were given, plus unknown ones), or a copy of a mapping."""
    if value is None:
        return None
    if isinstance(value, BaseModel):
        dumped: dict[str, Any] = value.model_dump(by_alias=True, exclude_unset=True)
        return dumped
    return dict(value)
