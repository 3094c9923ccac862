"""Observations: what the server saw of a platform's resources, and when.

Some facts no API keeps for us: how an audience's size changed (Appizer reports only the current
`user_count`), or which audiences exist on a platform with no list endpoint (Digital Audience).
A platform records what it sees here; the state store keeps a bounded history per resource:
at most one row per resource per `min_interval` (a newer sighting within it replaces the latest
row's data) and at most `keep` rows per resource. Replicas that see one resource at the same
moment may each add a row (PostgreSQL runs these transactions side by side): a history with
one sighting too many, never a lost one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from audience_mcp.core.http import wire
from audience_mcp.core.store.keys import ResourceKey

if TYPE_CHECKING:
    from audience_mcp.core.store.database import Sql

HOUR = 3600.0
KEEP_PER_RESOURCE = 200


@dataclass(frozen=True)
class Observation:
    key: ResourceKey
    seen_at: float  # epoch seconds
    data: dict[str, Any]


class _Transactions(Protocol):
    def _transaction(self) -> AbstractContextManager[Sql]: ...


def _data(text: str) -> dict[str, Any]:
    value = wire.loads(text)
    return value if isinstance(value, dict) else {}


def _row(row: Any) -> Observation:
    key = ResourceKey(row["platform"], row["scope_id"], row["resource_type"], row["resource_id"])
    return Observation(key=key, seen_at=row["seen_at"], data=_data(row["data_json"]))


class Observations:
    """The observations table of one state store (a Journal's connection and its transactions)."""

    def __init__(self, store: _Transactions) -> None:
        self._store = store

    def record(
        self,
        key: ResourceKey,
        data: Mapping[str, Any],
        *,
        at: float | None = None,
        min_interval: float = HOUR,
        keep: int = KEEP_PER_RESOURCE,
    ) -> None:
        """Record a sighting of `key`; within `min_interval` of the latest row, that row is updated."""
        if key.resource_id is None:
            raise ValueError("an observation needs a resource id")
        now = time.time() if at is None else at
        text = wire.dumps(dict(data)).decode("utf-8")
        where = "platform = ? AND resource_type = ? AND scope_id = ? AND resource_id = ?"
        args = (key.platform, key.resource_type, key.scope_id, key.resource_id)
        with self._store._transaction() as db:
            latest = db.execute(
                f"SELECT id, seen_at FROM observations WHERE {where} ORDER BY seen_at DESC, id DESC LIMIT 1",  # noqa: S608 - fixed text
                args,
            ).fetchone()
            if latest is not None and 0 <= now - latest["seen_at"] < min_interval:
                db.execute("UPDATE observations SET data_json = ? WHERE id = ?", (text, latest["id"]))
                return
            db.execute(
                "INSERT INTO observations (platform, scope_id, resource_type, resource_id, seen_at, data_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key.platform, key.scope_id, key.resource_type, key.resource_id, now, text),
            )
            db.execute(
                f"DELETE FROM observations WHERE {where} AND id NOT IN"  # noqa: S608 - fixed text
                f" (SELECT id FROM observations WHERE {where} ORDER BY seen_at DESC, id DESC LIMIT ?)",
                (*args, *args, keep),
            )

    def history(self, key: ResourceKey, *, limit: int = 50) -> list[Observation]:
        """The sightings of one resource, newest first."""
        with self._store._transaction() as db:
            rows = db.execute(
                "SELECT * FROM observations WHERE platform = ? AND resource_type = ? AND scope_id = ?"
                " AND resource_id = ? ORDER BY seen_at DESC, id DESC LIMIT ?",
                (key.platform, key.resource_type, key.scope_id, key.resource_id, limit),
            ).fetchall()
        return [_row(row) for row in rows]

    def latest(self, platform: str, resource_type: str, *, scope_id: str | None = None) -> Iterator[Observation]:
        """The newest sighting of every resource of this type (of one scope, if given), newest first."""
        with self._store._transaction() as db:
            rows = db.execute(
                "SELECT o.* FROM observations o JOIN (SELECT MAX(id) AS id FROM observations"
                " WHERE platform = ? AND resource_type = ? AND (CAST(? AS TEXT) IS NULL OR scope_id = ?)"
                " GROUP BY scope_id, resource_id) newest ON o.id = newest.id ORDER BY o.seen_at DESC, o.id DESC",
                (platform, resource_type, scope_id, scope_id),
            ).fetchall()
        return iter([_row(row) for row in rows])
