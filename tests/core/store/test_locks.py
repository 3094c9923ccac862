"""Resource locks: one holder per key across two stores on one database, re-entrant, time-bounded, always released.

"Two processes" are two state stores on one SQLite file or one PostgreSQL database (advisory locks).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.locks import LocalLocks, LockTimeout, ResourceLocks, SQLiteLocks, open_locks

pytestmark = pytest.mark.anyio


@pytest.fixture
def two_processes(state_location: str) -> Iterator[tuple[ResourceLocks, ResourceLocks]]:
    """The locks of two state stores on one database: what two server processes (or replicas) have."""
    first, second = Journal(state_location), Journal(state_location)
    yield first.locks, second.locks
    first.close()
    second.close()


async def test_only_one_store_holds_a_key_at_a_time(two_processes: tuple[ResourceLocks, ResourceLocks]) -> None:
    inside = 0
    most = 0

    async def critical(locks: ResourceLocks) -> None:
        nonlocal inside, most
        async with locks.hold("audience/a"):
            inside += 1
            most = max(most, inside)
            await anyio.sleep(0.01)
            inside -= 1

    async with anyio.create_task_group() as group:
        for n in range(10):
            group.start_soon(critical, two_processes[n % 2])

    assert most == 1


async def test_different_keys_do_not_wait_for_each_other(two_processes: tuple[ResourceLocks, ResourceLocks]) -> None:
    first, second = two_processes
    async with first.hold("audience/a"):
        with anyio.fail_after(2):
            async with second.hold("audience/b"):
                pass


@pytest.mark.parametrize("kind", ["sqlite", "local"])
async def test_a_holder_asking_again_is_not_blocked_by_itself(tmp_path: Path, kind: str) -> None:
    locks = open_locks(str(tmp_path / "state.db") if kind == "sqlite" else ":memory:")
    try:
        with anyio.fail_after(2):
            async with locks.hold("audience/a"), locks.hold("audience/a"):
                pass
    finally:
        locks.close()


async def test_waiting_gives_up_after_the_wait(two_processes: tuple[ResourceLocks, ResourceLocks]) -> None:
    first, second = two_processes
    async with first.hold("audience/a"):
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            async with second.hold("audience/a", wait_seconds=0.3):
                pass
        assert 0.3 <= time.monotonic() - started < 2


async def test_a_lock_is_released_when_the_holder_fails(two_processes: tuple[ResourceLocks, ResourceLocks]) -> None:
    first, second = two_processes
    with pytest.raises(RuntimeError):
        async with first.hold("audience/a"):
            raise RuntimeError("the write failed")

    with anyio.fail_after(2):
        async with second.hold("audience/a", wait_seconds=1):
            pass


async def test_a_lock_is_released_when_the_holder_is_cancelled(
    two_processes: tuple[ResourceLocks, ResourceLocks],
) -> None:
    first, second = two_processes
    with anyio.move_on_after(0.2):
        async with first.hold("audience/a"):
            await anyio.sleep(10)

    async with second.hold("audience/a", wait_seconds=1):
        pass


async def test_the_lease_of_a_process_that_died_holding_the_lock_lapses(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    survivor = SQLiteLocks(str(path))
    async with survivor.hold("audience/other"):  # creates the table
        pass
    with sqlite3.connect(path) as db:  # a dead process's row, its lease run out a moment ago
        db.execute("INSERT INTO resource_locks VALUES ('audience/a', '999:dead', ?)", (time.time() - 1,))
    try:
        with anyio.fail_after(2):
            async with survivor.hold("audience/a", wait_seconds=1):
                pass
    finally:
        survivor.close()


async def _foreign_row(locks: SQLiteLocks, path: Path, owner: str) -> None:
    """A lock row of another process, its lease still running for a minute."""
    async with locks.hold("audience/other"):  # creates the table
        pass
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO resource_locks VALUES ('audience/a', ?, ?)", (owner, time.time() + 60))


@pytest.mark.skipif(os.name != "posix", reason="process probing is POSIX-only; elsewhere the lease lapses")
@pytest.mark.parametrize("who", ["a killed process", "an earlier process with this pid"])
async def test_the_lock_of_a_process_that_is_gone_is_taken_over_at_once(tmp_path: Path, who: str) -> None:
    if who == "a killed process":
        child = await anyio.run_process([sys.executable, "-c", "import os; print(os.getpid())"])
        pid = int(child.stdout)  # ended and reaped: the pid names no process now
    else:
        pid = os.getpid()
    locks = SQLiteLocks(str(tmp_path / "state.db"))
    try:
        await _foreign_row(locks, tmp_path / "state.db", f"{pid}:0badc0ffee00:1")
        with anyio.fail_after(2):
            async with locks.hold("audience/a", wait_seconds=1):
                pass
    finally:
        locks.close()


async def test_the_lock_of_a_live_process_is_waited_for(tmp_path: Path) -> None:
    locks = SQLiteLocks(str(tmp_path / "state.db"))
    try:
        await _foreign_row(locks, tmp_path / "state.db", f"{os.getppid()}:0badc0ffee00:1")
        with pytest.raises(LockTimeout):
            async with locks.hold("audience/a", wait_seconds=0.3):
                pass
    finally:
        locks.close()


async def test_a_memory_store_locks_within_the_process() -> None:
    assert isinstance(open_locks(":memory:"), LocalLocks)


HOLDER = """
import sys, time, anyio
from audience_mcp.core.store.journal import Journal

async def main() -> None:
    journal = Journal(sys.argv[1])
    async with journal.locks.hold("audience/a"):
        print("held", flush=True)
        time.sleep(60)

anyio.run(main)
"""


async def test_the_advisory_lock_of_a_killed_replica_is_free_at_once(postgres_url: str) -> None:
    """PostgreSQL ends a dead replica's session and with it the lock: no lease to wait out."""
    survivor = Journal(postgres_url)
    process = await anyio.open_process([sys.executable, "-c", HOLDER, postgres_url])
    try:
        assert process.stdout is not None
        with anyio.fail_after(20):
            assert b"held" in await process.stdout.receive()
        with pytest.raises(LockTimeout):
            async with survivor.locks.hold("audience/a", wait_seconds=0.3):
                pass
        process.kill()
        await process.wait()
        with anyio.fail_after(5):
            async with survivor.locks.hold("audience/a", wait_seconds=5):
                pass
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await process.aclose()
        survivor.close()
