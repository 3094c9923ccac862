"""The state store on PostgreSQL: what several HTTP replicas share (`AUDIENCE_MCP_STATE_DB=postgresql://...`).

Every replica sees the same journal, restore claims, observations and pending confirmations,
and the resource locks are PostgreSQL advisory locks, so a fetch-merge-write on one replica
waits for the same resource's on another. Needs the optional extra
`pip install 'audience-mcp[postgres]'` (psycopg 3 and psycopg-pool), imported only here.

Two connection pools: the store's statements run on the event loop's thread, one at a time,
so their pool is small; a held lock keeps its session's connection for the whole
fetch-merge-write, so the locks have a pool of their own and never starve the journal.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread

from audience_mcp.core.secrets import redactor
from audience_mcp.core.store.database import Rows, StateStoreError
from audience_mcp.core.store.locks import (
    WAIT_SECONDS,
    LocalLocks,
    LockTimeout,
    ResourceLocks,
    already_held,
    marked_held,
    poll_until_taken,
)

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool

logger = logging.getLogger(__name__)

EXTRA_HINT = "pip install 'audience-mcp[postgres]'"
CONNECT_SECONDS = 10.0
# Statements of the state store are short; one that takes longer than this is stuck, and a
# stuck one would hold up the event loop it runs on.
STATEMENT_TIMEOUT_MS = 5_000
STORE_POOL_SIZE = 4
LOCK_POOL_SIZE = 20

# pg_advisory_xact_lock key of schema migrations (any fixed 64-bit number; this one spells "audmcp").
_MIGRATION_LOCK = 0x6175_646D_6370


def password_of(url: str) -> str | None:
    """The password in a postgresql:// URL, for the redactor (never shown, logged or journaled)."""
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None


def _modules() -> tuple[Any, Any, Any]:
    try:
        import psycopg
        import psycopg_pool
        from psycopg.rows import dict_row
    except ImportError as exc:
        raise StateStoreError(
            f"AUDIENCE_MCP_STATE_DB is a PostgreSQL URL, which needs the PostgreSQL driver: {EXTRA_HINT}"
        ) from exc
    return psycopg, psycopg_pool, dict_row


def _pg(sql: str) -> str:
    """The store's SQL (`?` placeholders, no `%` of its own) in psycopg's paramstyle."""
    assert "%" not in sql, "put LIKE patterns in the parameters"
    return sql.replace("?", "%s")


class _Sql:
    def __init__(self, connection: Connection[Any]) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[object] = (), /) -> Rows:
        return self._connection.execute(_pg(sql), tuple(params))


class PostgresDatabase:
    """The state store's database on a PostgreSQL server (any number of replicas share it)."""

    def __init__(self, url: str) -> None:
        psycopg, psycopg_pool, dict_row = _modules()
        password = password_of(url)
        if password:
            redactor.add(password)  # in a driver's error text, say
        self._errors: tuple[type[BaseException], ...] = (psycopg.OperationalError, psycopg_pool.PoolTimeout)
        options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"

        def pool(name: str, size: int) -> ConnectionPool[Any]:
            made: ConnectionPool[Any] = psycopg_pool.ConnectionPool(
                url,
                min_size=1,
                max_size=size,
                name=name,
                timeout=CONNECT_SECONDS,
                open=False,
                kwargs={"autocommit": True, "row_factory": dict_row, "options": options},
                # A connection the server closed (a restart, a failover, an idle timeout) is
                # replaced before use, not handed to a tool call to fail there.
                check=psycopg_pool.ConnectionPool.check_connection,
            )
            return made

        self._pool = pool("audience-mcp-store", STORE_POOL_SIZE)
        self._lock_pool = pool("audience-mcp-locks", LOCK_POOL_SIZE)
        try:
            # One plain connection first: it fails fast with the driver's reason (refused, bad
            # password, no such database), where the pool would only time out.
            psycopg.connect(url, connect_timeout=max(1, int(CONNECT_SECONDS))).close()
            self._pool.open(wait=True, timeout=CONNECT_SECONDS)
            self._lock_pool.open(wait=False)
            with self.transaction() as db:
                migrate(db)
        except BaseException as exc:
            self.close()
            if isinstance(exc, self._errors):
                raise StateStoreError(_unreachable(url, exc)) from None
            raise
        self.locks: ResourceLocks = AdvisoryLocks(self._lock_pool, pool_timeout=psycopg_pool.PoolTimeout)

    @contextmanager
    def transaction(self) -> Iterator[_Sql]:
        try:
            with self._pool.connection() as connection, connection.transaction():
                yield _Sql(connection)
        except self._errors as exc:
            raise StateStoreError(
                "The state store (PostgreSQL) did not answer; try again in a moment. "
                f"({redactor.redact(str(exc)).strip()})"
            ) from None

    def close(self) -> None:
        self._lock_pool.close()
        self._pool.close()


def _unreachable(url: str, exc: BaseException) -> str:
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or ''}"
    return redactor.redact(
        f"Could not open the state store on PostgreSQL at {where} (AUDIENCE_MCP_STATE_DB): "
        f"{str(exc).strip() or type(exc).__name__}"
    )


# Migrations ----------------------------------------------------------------------------------

_V1 = (
    "CREATE TABLE changes (id BIGSERIAL PRIMARY KEY, created_at TEXT NOT NULL, tool TEXT NOT NULL,"
    " action TEXT NOT NULL, platform TEXT NOT NULL, scope_id TEXT NOT NULL, resource_type TEXT NOT NULL,"
    " resource_id TEXT, status TEXT NOT NULL, error TEXT, before_json TEXT, request_json TEXT, after_json TEXT,"
    " image_json TEXT, restores BIGINT, restored_by BIGINT, actor TEXT)",
    "CREATE INDEX changes_by_resource ON changes (resource_id, id)",
    "CREATE TABLE restore_claims (change_id BIGINT PRIMARY KEY, token TEXT NOT NULL,"
    " claimed_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE observations (id BIGSERIAL PRIMARY KEY, platform TEXT NOT NULL, scope_id TEXT NOT NULL,"
    " resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, seen_at DOUBLE PRECISION NOT NULL,"
    " data_json TEXT NOT NULL)",
    "CREATE INDEX observations_by_resource ON observations (platform, resource_type, scope_id, resource_id, seen_at)",
    "CREATE TABLE confirmations (token_hash TEXT PRIMARY KEY, request_key TEXT NOT NULL,"
    " expires_at DOUBLE PRECISION NOT NULL, record_json TEXT NOT NULL)",
)

# MIGRATIONS[n] takes the database from version n to n + 1. Version 1 is the SQLite store's
# version 5 in one step: no PostgreSQL store predates it.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
VERSION = len(MIGRATIONS)


def migrate(db: _Sql) -> None:
    """Bring the database to `VERSION`, inside the caller's transaction.

    The transaction first takes an advisory lock that only migrations take, so replicas that
    start together run each migration once: the others wait, then find the version current.
    `schema_migrations` keeps one row per applied version (its key would refuse a second).
    """
    db.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    row = db.execute("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations").fetchone()
    version = int(row["version"])
    if version > VERSION:
        raise StateStoreError(
            f"The state store on PostgreSQL has schema version {version}, newer than this server's {VERSION}; "
            "upgrade the server or point AUDIENCE_MCP_STATE_DB at another database."
        )
    for step in range(version, VERSION):
        for statement in MIGRATIONS[step]:
            db.execute(statement)
        db.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, now())", (step + 1,))
        logger.info("State store on PostgreSQL migrated to schema version %d", step + 1)


# Advisory locks ------------------------------------------------------------------------------


def lock_id(key: str) -> int:
    """The 64-bit advisory lock number of a resource key (a collision only makes two keys share a lock)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


class AdvisoryLocks:
    """`ResourceLocks` across replicas: a session advisory lock, held on its own connection.

    Within the process, `LocalLocks` queues the tasks first, so one connection per key polls.
    A replica that dies loses its connection, and PostgreSQL releases its locks at once: no
    lease to wait out. Taking is polled with `pg_try_advisory_lock` (never a blocking wait in a
    worker thread that a cancelled caller could leave holding a lock).
    """

    def __init__(self, pool: ConnectionPool[Any], *, pool_timeout: type[Exception]) -> None:
        self._pool = pool
        self._pool_timeout = pool_timeout
        self._local = LocalLocks()

    @asynccontextmanager
    async def hold(self, key: str, *, wait_seconds: float = WAIT_SECONDS) -> AsyncIterator[None]:
        if already_held(self, key):
            yield
            return
        started = time.monotonic()
        number = lock_id(key)

        async def take() -> bool:
            with anyio.CancelScope(shield=True):  # a lock taken must be known, to be released
                taken: bool = await anyio.to_thread.run_sync(_try_lock, connection, number)
            return taken

        async with self._local.hold(key, wait_seconds=wait_seconds):
            try:
                # Shielded (and bounded by the wait): a cancelled caller must not leave a connection
                # checked out that nobody gives back.
                with anyio.CancelScope(shield=True):
                    connection = await anyio.to_thread.run_sync(self._connection, max(0.1, wait_seconds))
            except self._pool_timeout:  # every lock connection busy for as long as the caller waits
                raise LockTimeout(key, wait_seconds) from None
            try:
                await poll_until_taken(take, key, wait_seconds=wait_seconds, started=started)
                try:
                    with marked_held(self, key):
                        yield
                finally:
                    with anyio.CancelScope(shield=True):  # released even when the holder was cancelled
                        await anyio.to_thread.run_sync(_unlock, connection, number)
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._pool.putconn, connection)

    def _connection(self, timeout: float) -> Connection[Any]:
        connection: Connection[Any] = self._pool.getconn(timeout=timeout)
        return connection

    def close(self) -> None:
        """The pool is closed with the database."""


def _try_lock(connection: Connection[Any], number: int) -> bool:
    row = connection.execute("SELECT pg_try_advisory_lock(%s) AS taken", (number,)).fetchone()
    return bool(row and row["taken"])


def _unlock(connection: Connection[Any], number: int) -> None:
    try:
        connection.execute("SELECT pg_advisory_unlock(%s)", (number,))
    except Exception:
        # The session may still hold the lock: end it, so PostgreSQL releases it (the pool
        # replaces a closed connection).
        logger.warning("Could not release a resource lock; closing its connection")
        connection.close()
