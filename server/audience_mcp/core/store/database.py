"""The database under the state store: SQLite (a file on this machine) or PostgreSQL (shared by replicas).

The journal, observations and confirmations are written once, in the SQL both databases speak:
`?` placeholders (the PostgreSQL side turns them into psycopg's `%s`), `INSERT ... RETURNING`,
`ON CONFLICT ... DO UPDATE`, rows read by column name. What differs lives behind `Database`:
how a transaction is opened, the schema and its migrations, the resource locks.

`open_database(location)` picks the database from `AUDIENCE_MCP_STATE_DB`: a `postgresql://`
URL, or a SQLite file (`:memory:` forgets on exit). psycopg is imported only for a URL.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from audience_mcp.core.files import private_file
from audience_mcp.core.store import schema
from audience_mcp.core.store.location import is_postgres
from audience_mcp.core.store.locks import ResourceLocks, open_locks


class StateStoreError(RuntimeError):
    """The state store cannot be used right now (PostgreSQL: missing driver, unreachable, refused).

    SQLite raises its own errors: a local file that fails is not a "try again" condition.
    """


def state_store_problem(exc: BaseException) -> StateStoreError | None:
    """The StateStoreError inside what a server's start raised (possibly an exception group)."""
    if isinstance(exc, StateStoreError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = state_store_problem(inner)
            if found is not None:
                return found
    return None


class Rows(Protocol):
    """What a statement gives back (sqlite3's and psycopg's cursors both are this)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Sql(Protocol):
    """A connection inside a transaction: run one statement with `?` placeholders."""

    def execute(self, sql: str, params: Sequence[object] = (), /) -> Rows: ...


class Database(Protocol):
    """One state store's database: its transactions and its resource locks."""

    locks: ResourceLocks

    def transaction(self) -> AbstractContextManager[Sql]: ...

    def close(self) -> None: ...


def open_database(location: str) -> Database:
    """The database `AUDIENCE_MCP_STATE_DB` names, created and migrated to this server's schema."""
    if is_postgres(location):
        from audience_mcp.core.store.postgres import PostgresDatabase  # psycopg: only when asked for

        return PostgresDatabase(location.strip())
    return SQLiteDatabase(location)


class SQLiteDatabase:
    """One connection guarded by a lock, WAL for files; every transaction `BEGIN IMMEDIATE`.

    The file survives restarts and is migrated forward on open (`schema`); the locks share the
    file, so they reach every process on this machine that uses it (see locks.py).
    """

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        # Autocommit mode: every transaction here is explicit, so what must be atomic together
        # (a migration step, a restore and its mark) is visibly so. private_file: 0600, the
        # store holds the company's audiences and images.
        self._db = sqlite3.connect(private_file(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        schema.migrate(self._db)
        self.locks: ResourceLocks = open_locks(path)

    @contextmanager
    def transaction(self) -> Iterator[Sql]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        self.locks.close()
        with self._lock:
            self._db.close()
