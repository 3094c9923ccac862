"""Pending confirmations in the state store: a confirm_token issued by one process, redeemed by any.

A destructive tool's first call returns a single-use token; the second call may reach another
replica (or, over stdio, a restarted server), so the token lives here, not in memory. Only a
hash of the token is stored, so reading the database gives no token that confirms anything.
Redeeming is one `DELETE ... RETURNING`, so two replicas redeeming one token at once cannot
both succeed. What a record holds is opaque here (core/mcp/confirmations.py writes it).
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from audience_mcp.core.store.database import Sql


class _Transactions(Protocol):
    def _transaction(self) -> AbstractContextManager[Sql]: ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class PendingStore(Protocol):
    """Where `Confirmations` keeps its pending records (this table, or a process's memory)."""

    def put(self, token: str, request_key: str, record: str, *, expires_at: float, now: float) -> None: ...

    def take(self, token: str, request_key: str, *, now: float) -> str | None: ...

    def peek(self, token: str, *, now: float) -> str | None: ...


class PendingConfirmations:
    """The `confirmations` table of one state store."""

    def __init__(self, store: _Transactions) -> None:
        self._store = store

    def put(self, token: str, request_key: str, record: str, *, expires_at: float, now: float) -> None:
        with self._store._transaction() as db:
            db.execute("DELETE FROM confirmations WHERE expires_at <= ?", (now,))
            db.execute(
                "INSERT INTO confirmations (token_hash, request_key, expires_at, record_json) VALUES (?, ?, ?, ?)",
                (token_hash(token), request_key, expires_at, record),
            )

    def take(self, token: str, request_key: str, *, now: float) -> str | None:
        """The record, removed, if the token is valid for this request; else None (and kept)."""
        with self._store._transaction() as db:
            row = db.execute(
                "DELETE FROM confirmations WHERE token_hash = ? AND request_key = ? AND expires_at > ?"
                " RETURNING record_json",
                (token_hash(token), request_key, now),
            ).fetchone()
        return None if row is None else str(row["record_json"])

    def peek(self, token: str, *, now: float) -> str | None:
        with self._store._transaction() as db:
            row = db.execute(
                "SELECT record_json FROM confirmations WHERE token_hash = ? AND expires_at > ?",
                (token_hash(token), now),
            ).fetchone()
        return None if row is None else str(row["record_json"])


class MemoryPending:
    """The same in one process's memory: for a `Confirmations` without a state store (tests)."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[str, float, str]] = {}

    def put(self, token: str, request_key: str, record: str, *, expires_at: float, now: float) -> None:
        for key in [k for k, (_, expires, _) in self._records.items() if expires <= now]:
            del self._records[key]
        self._records[token_hash(token)] = (request_key, expires_at, record)

    def take(self, token: str, request_key: str, *, now: float) -> str | None:
        found = self._records.get(token_hash(token))
        if found is None or found[0] != request_key or found[1] <= now:
            return None
        del self._records[token_hash(token)]
        return found[2]

    def peek(self, token: str, *, now: float) -> str | None:
        found = self._records.get(token_hash(token))
        return None if found is None or found[1] <= now else found[2]
