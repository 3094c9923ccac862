"""The change journal: every write through the server, recorded before it is sent.

The platforms' APIs have no undo, so the server keeps one. Each write gets a row *before* the
request goes out (status `pending`, with the full before-image and the request body), and the
row is completed with the after-image (`succeeded`) or the error text (`failed`). A process
killed between the two leaves a `pending` row: the journal shows that the outcome is unknown
rather than losing the write. A row is keyed by (platform, scope_id, resource_type,
resource_id), e.g. ("neuroflash", workspace id, "audience", audience id). Rows hold resource
snapshots and, for image changes and deletes, image bytes; never a token, a secret or a
request header (rows pass the one redactor, core/secrets.py).

The journal is one part of the state store, with the restore claims, the observations, the
pending confirmations and the resource locks: all on one database (database.py), a SQLite file
by default or PostgreSQL for replicas (postgres.py), migrated forward on open. Tools write
through `writes.journaled_write`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from audience_mcp.core.http import wire
from audience_mcp.core.secrets import redactor
from audience_mcp.core.store import schema
from audience_mcp.core.store.database import Database, Sql, open_database
from audience_mcp.core.store.keys import ResourceKey
from audience_mcp.core.store.locks import ResourceLocks
from audience_mcp.core.store.observations import Observations
from audience_mcp.core.store.pending import PendingConfirmations

logger = logging.getLogger(__name__)

Action = Literal["create", "update", "delete", "duplicate", "image_set", "image_delete", "activate"]
Status = Literal["pending", "succeeded", "failed"]
__all__ = ["Action", "Change", "Journal", "ResourceKey", "RestoreClaim", "Status"]

# A claim older than this is taken to belong to a process that died mid-restore. Generous: a
# restore's API calls are bounded by the call deadline, far below it.
CLAIM_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class RestoreClaim:
    """The outcome of claiming a change for its undo: won, or who has it."""

    won: bool
    token: str = ""
    restored_by: int | None = None  # the change is undone already, by this one


@dataclass(frozen=True)
class Change:
    """One journal row."""

    id: int
    created_at: str
    tool: str
    action: str
    platform: str
    scope_id: str
    resource_type: str
    resource_id: str | None
    status: str
    error: str | None
    before: dict[str, Any] | None
    request: dict[str, Any] | None
    after: dict[str, Any] | None
    image: dict[str, Any] | None
    restores: int | None
    restored_by: int | None
    actor: str | None = None  # who made it; None for rows journaled before actors were kept


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _dump(value: Mapping[str, Any] | None) -> str | None:
    # wire.dumps writes a Decimal as its literal, so a restore sends back the very same numbers.
    # Snapshots hold API data, which could echo a credential: masked like every text that leaves.
    return None if value is None else wire.dumps(redactor.redact_value(dict(value))).decode("utf-8")


def _load(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    value = wire.loads(text)
    return value if isinstance(value, dict) else None


class Journal:
    """The state store: the journal's rows here, the other tables as attributes sharing its database."""

    def __init__(self, location: str, *, retention_days: int | None = None) -> None:
        """Open (create, migrate) the store `AUDIENCE_MCP_STATE_DB` names: a SQLite file, `:memory:`
        or a postgresql:// URL. `retention_days` drops older changes now (0/None: keep all)."""
        self.database: Database = open_database(location)
        if retention_days:
            cutoff = _timestamp(datetime.now(UTC) - timedelta(days=retention_days))
            with self._transaction() as db:
                removed = schema.prune(db, older_than=cutoff)
            if removed:
                logger.info("Dropped %d journal changes older than %d days", removed, retention_days)
        self.observations = Observations(self)
        self.confirmations = PendingConfirmations(self)
        # The locks reach as far as the database does (see locks.py and postgres.py).
        self.locks: ResourceLocks = self.database.locks

    def close(self) -> None:
        self.database.close()

    def _transaction(self) -> AbstractContextManager[Sql]:
        return self.database.transaction()

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
        actor: str | None = None,
    ) -> int:
        """Record a write about to be sent (by `actor`, see core/auth/caller.py); returns the change id."""
        now = _timestamp(datetime.now(UTC))
        with self._transaction() as db:
            row = db.execute(
                "INSERT INTO changes (created_at, tool, action, platform, scope_id, resource_type, resource_id,"
                " status, before_json, request_json, image_json, restores, actor)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id",
                (
                    now,
                    tool,
                    action,
                    key.platform,
                    key.scope_id,
                    key.resource_type,
                    key.resource_id,
                    _dump(before),
                    _dump(request),
                    _dump(image),
                    restores,
                    None if actor is None else redactor.redact(actor),
                ),
            ).fetchone()
        return int(row["id"])

    def succeed(self, change_id: int, *, after: Mapping[str, Any] | None, resource_id: str | None = None) -> None:
        """Complete a change; a succeeded restore marks the change it undid in the same transaction.

        So the journal never shows an undo without the undone change saying so, or the reverse,
        whenever the process stops. A pending or failed restore marks nothing: it undid nothing.
        """
        with self._transaction() as db:
            db.execute(
                "UPDATE changes SET status = 'succeeded', after_json = ?, resource_id = COALESCE(?, resource_id)"
                " WHERE id = ?",
                (_dump(after), resource_id, change_id),
            )
            db.execute(
                "UPDATE changes SET restored_by = ? WHERE id = (SELECT restores FROM changes WHERE id = ?)",
                (change_id, change_id),
            )

    def fail(self, change_id: int, error: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE changes SET status = 'failed', error = ? WHERE id = ?", (redactor.redact(error), change_id)
            )

    def claim_restore(self, change_id: int) -> RestoreClaim:
        """Claim `change_id` for undoing it; one caller wins until it releases the claim.

        Checked in one transaction with the change's `restored_by`, so a change undone a moment
        ago is reported as undone, not claimed again.
        """
        now = time.time()
        token = secrets.token_hex(8)
        with self._transaction() as db:
            # Claim first, then look: a restore that finished (marked the change, released its
            # claim) before this claim was taken is seen by the read after it, on either database.
            # The upsert replaces only a stale claim, atomically; a fresh one makes it a no-op.
            won = db.execute(
                "INSERT INTO restore_claims (change_id, token, claimed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (change_id) DO UPDATE SET token = excluded.token, claimed_at = excluded.claimed_at"
                " WHERE restore_claims.claimed_at <= ? RETURNING token",
                (change_id, token, now, now - CLAIM_TTL_SECONDS),
            ).fetchone()
            row = db.execute("SELECT restored_by FROM changes WHERE id = ?", (change_id,)).fetchone()
            if row is not None and row["restored_by"] is not None:
                if won is not None:
                    db.execute("DELETE FROM restore_claims WHERE change_id = ? AND token = ?", (change_id, token))
                return RestoreClaim(won=False, restored_by=row["restored_by"])
        if won is None:
            return RestoreClaim(won=False)
        return RestoreClaim(won=True, token=token)

    def release_restore(self, change_id: int, claim: RestoreClaim) -> None:
        """Give up a won claim (whatever the outcome: a succeeded undo has marked the change)."""
        if not claim.won:
            return
        with self._transaction() as db:
            db.execute("DELETE FROM restore_claims WHERE change_id = ? AND token = ?", (change_id, claim.token))

    def get(self, change_id: int) -> Change | None:
        if not -(2**63) <= change_id < 2**63:
            return None  # no row has it, and SQLite would raise OverflowError for it
        with self._transaction() as db:
            row = db.execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        return None if row is None else _change(row)

    def recent(
        self,
        *,
        platform: str | None = None,
        resource_id: str | None = None,
        actor: str | None = None,
        limit: int = 20,
    ) -> list[Change]:
        """Newest first; an empty or None filter does not filter. `actor` matches any part of the
        actor, ignoring case (a subject, a client id, or "subject via client" whole)."""
        platform, resource_id = platform or None, resource_id or None
        pattern = f"%{_like_escaped(actor.lower())}%" if actor else None
        with self._transaction() as db:
            rows = db.execute(
                "SELECT * FROM changes WHERE (CAST(? AS TEXT) IS NULL OR platform = ?)"
                " AND (CAST(? AS TEXT) IS NULL OR resource_id = ?)"
                " AND (CAST(? AS TEXT) IS NULL OR lower(actor) LIKE ? ESCAPE '!')"
                " ORDER BY id DESC LIMIT ?",
                (platform, platform, resource_id, resource_id, pattern, pattern, limit),
            ).fetchall()
        return [_change(row) for row in rows]


def _like_escaped(text: str) -> str:
    """`text` matched literally inside a LIKE pattern (escape character `!`)."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _change(row: Any) -> Change:
    return Change(
        id=row["id"],
        created_at=row["created_at"],
        tool=row["tool"],
        action=row["action"],
        platform=row["platform"],
        scope_id=row["scope_id"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        status=row["status"],
        error=row["error"],
        before=_load(row["before_json"]),
        request=_load(row["request_json"]),
        after=_load(row["after_json"]),
        image=_load(row["image_json"]),
        restores=row["restores"],
        restored_by=row["restored_by"],
        actor=row["actor"],
    )
