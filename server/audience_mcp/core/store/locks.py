"""Per-resource locks for a fetch-merge-write, across the server processes that share a state store.

The platforms' APIs have no conditional write (no ETag, no If-Match), so two writers that read
the same version and each write back their merge lose one change. A tool holds the resource's
lock from the read to the write. What that guarantees depends on the store:

- `LocalLocks` (a `:memory:` store): the tasks of one process.
- `SQLiteLocks` (a state file): every process using that file on one machine. A lock is a row
  (key, owner, expiry) taken in a `BEGIN IMMEDIATE` transaction, so exactly one process inserts
  it; the others poll until it is gone or has expired. A lock whose process is gone (killed
  mid-write) is taken over at once on POSIX; elsewhere its lease lapses.
- `AdvisoryLocks` (a PostgreSQL store, postgres.py): every replica using that database, on any machine.

No store protects against writers that do not take these locks (other API clients, the
platform's own app): the tools re-read after writing to notice those.

A lock is re-entrant per task (a holder that asks again is not blocked by itself), bounded in
time (waiting gives up after `wait_seconds` with `LockTimeout`; a held lease lapses after
`lease_seconds`) and released on every exit, errors and cancellation included.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

import anyio
import anyio.to_thread

from audience_mcp.core.files import private_file

WAIT_SECONDS = 30.0
# Longer than any one fetch-merge-write (each request has its own timeout, and a tool call its deadline).
LEASE_SECONDS = 120.0

# Tells this process from an earlier one that had the same pid (containers restart at low pids).
_PROCESS = secrets.token_hex(6)

# The locks the current task holds, so asking again is a no-op (re-entrant) instead of a deadlock.
_held: ContextVar[frozenset[tuple[int, str]]] = ContextVar("audience_mcp_held_locks", default=frozenset())


def already_held(locks: object, key: str) -> bool:
    """Whether the current task holds `locks`' lock on `key` (then `hold` must not wait for it)."""
    return (id(locks), key) in _held.get()


@contextmanager
def marked_held(locks: object, key: str) -> Iterator[None]:
    """Inside: the current task holds `locks`' lock on `key`, so asking again is a no-op."""
    token = _held.set(_held.get() | {(id(locks), key)})
    try:
        yield
    finally:
        _held.reset(token)


class LockTimeout(Exception):
    """Another holder kept the lock longer than the caller would wait."""

    def __init__(self, key: str, waited: float) -> None:
        super().__init__(f"lock {key!r} still held by another writer after {waited:g} s")
        self.key = key
        self.waited = waited


async def poll_until_taken(
    take: Callable[[], Awaitable[bool]], key: str, *, wait_seconds: float, started: float
) -> None:
    """Ask `take` until it takes the lock, backing off from 5 ms to 100 ms between tries.

    `started` is the `time.monotonic()` of the caller's first wait (queueing in `LocalLocks`
    counts too); past `wait_seconds` from it, `LockTimeout`.
    """
    delay = 0.005
    while not await take():
        waited = time.monotonic() - started
        if waited >= wait_seconds:
            raise LockTimeout(key, wait_seconds)
        await anyio.sleep(min(delay, wait_seconds - waited))
        delay = min(delay * 2, 0.1)


class ResourceLocks(Protocol):
    """What a tool needs: hold one resource's lock around a read-modify-write."""

    def hold(self, key: str, *, wait_seconds: float = WAIT_SECONDS) -> AbstractAsyncContextManager[None]: ...

    def close(self) -> None: ...


class LocalLocks:
    """Locks of one process: one anyio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[anyio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str, *, wait_seconds: float = WAIT_SECONDS) -> AsyncIterator[None]:
        if already_held(self, key):
            yield
            return
        lock, users = self._locks.get(key, (anyio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            try:
                with anyio.fail_after(wait_seconds):
                    await lock.acquire()
            except TimeoutError:
                raise LockTimeout(key, wait_seconds) from None
            try:
                with marked_held(self, key):
                    yield
            finally:
                lock.release()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]  # no waiters: don't keep a lock per resource forever
            else:
                self._locks[key] = (lock, users - 1)

    def close(self) -> None:
        """Nothing to release: the locks live in this process."""


_TABLE = (
    "CREATE TABLE IF NOT EXISTS resource_locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)"
)


class SQLiteLocks:
    """Locks shared by the processes using one SQLite file: a lease row per held key.

    Within the process, `LocalLocks` queues the tasks first, so only one task per key polls the
    file. The connection is opened on first use (start-up does not pay for it) and is separate
    from the journal's, so a waiting lock never holds up a journal write.
    """

    def __init__(self, path: str, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self._path = str(Path(path).expanduser())
        self._lease = lease_seconds
        self._local = LocalLocks()
        self._guard = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            # The table lives outside the journal's versioned schema: it holds only leases, which
            # no migration needs to carry, and a server of another version can share the file.
            # private_file: should the locks open the state file first, it is still created 0600.
            db = sqlite3.connect(private_file(self._path), check_same_thread=False, isolation_level=None, timeout=10)
            db.execute(_TABLE)
            self._db = db
        return self._db

    def _take(self, key: str, owner: str) -> bool:
        now = time.time()  # wall clock: the expiry is compared by other processes
        with self._guard:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM resource_locks WHERE key = ? AND expires_at <= ?", (key, now))
                row = db.execute("SELECT owner FROM resource_locks WHERE key = ?", (key,)).fetchone()
                if row is not None and _owner_gone(row[0]):
                    db.execute("DELETE FROM resource_locks WHERE key = ? AND owner = ?", (key, row[0]))
                taken = db.execute(
                    "INSERT OR IGNORE INTO resource_locks (key, owner, expires_at) VALUES (?, ?, ?)",
                    (key, owner, now + self._lease),
                ).rowcount
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return taken == 1

    def _release(self, key: str, owner: str) -> None:
        with self._guard:
            self._connection().execute("DELETE FROM resource_locks WHERE key = ? AND owner = ?", (key, owner))

    @asynccontextmanager
    async def hold(self, key: str, *, wait_seconds: float = WAIT_SECONDS) -> AsyncIterator[None]:
        if already_held(self, key):
            yield
            return
        started = time.monotonic()
        async with self._local.hold(key, wait_seconds=wait_seconds):
            owner = f"{os.getpid()}:{_PROCESS}:{secrets.token_hex(8)}"
            # Off the event loop: BEGIN IMMEDIATE may wait for another process's transaction.
            await poll_until_taken(
                lambda: anyio.to_thread.run_sync(self._take, key, owner),
                key,
                wait_seconds=wait_seconds,
                started=started,
            )
            try:
                with marked_held(self, key):
                    yield
            finally:
                with anyio.CancelScope(shield=True):  # released even when the holder was cancelled
                    await anyio.to_thread.run_sync(self._release, key, owner)

    def close(self) -> None:
        with self._guard:
            if self._db is not None:
                self._db.close()
                self._db = None


def _owner_gone(owner: str) -> bool:
    """Whether the process that took a lock has ended (so it will never release it).

    The state file is on this machine, so its pids are ours to ask. Only on POSIX: elsewhere
    os.kill would not probe but terminate, and the lease's expiry has to do.
    """
    pid_text, _, rest = owner.partition(":")
    process = rest.partition(":")[0]
    if os.name != "posix" or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return process != _PROCESS  # an earlier process that had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, under another user
        return False
    return False


def open_locks(state_db: str) -> ResourceLocks:
    """The locks that go with a state store file (`:memory:`: this process only)."""
    return LocalLocks() if state_db == ":memory:" else SQLiteLocks(state_db)
