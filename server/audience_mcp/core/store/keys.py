"""The key of a journaled change, the same for every platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceKey:
    """What a change is about, e.g. ("neuroflash", workspace id, "audience", audience id).

    `resource_id` is None for a create until the write answers with the new id.
    """

    platform: str
    scope_id: str
    resource_type: str
    resource_id: str | None
