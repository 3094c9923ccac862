"""State files are the owner's only (0600) and the journal forgets changes past its retention.

Issue 10, hardening: the journal (before-images of a company's audiences, image bytes) and the
sandbox database were created with the umask's mode, world-readable on most systems; and the
journal grew for ever.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mcp import Client

from audience_mcp.core.store.journal import Journal, ResourceKey
from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig, create_sandbox_app
from tests.support import harness as tool_harness
from tests.support.harness import STORED_BODY, Harness, ServerFactory, call

pytestmark = pytest.mark.anyio

make_server = tool_harness.make_server  # the tool tests' fixture, registered here
KEY = ResourceKey("neuroflash", "ws", "audience", "a-1")
BEFORE = {**STORED_BODY, "id": "a-1"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _permissive_umask() -> object:
    previous = os.umask(0o022)  # the usual default: new files 0644
    yield
    os.umask(previous)


def test_a_new_journal_and_its_wal_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.db"
    journal = Journal(str(path))
    journal.begin(KEY, tool="t", action="update", before={"name": "x"})
    try:
        assert mode(path) == 0o600
        assert mode(Path(f"{path}-wal")) == 0o600
        assert mode(path.parent) == 0o700
    finally:
        journal.close()


def test_a_new_sandbox_database_is_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    app = create_sandbox_app(SandboxConfig(db_path=str(path)))
    try:
        assert mode(path) == 0o600
    finally:
        app.state.sandbox.close()


def test_a_state_file_the_locks_open_first_is_the_owners_only(tmp_path: Path) -> None:
    from audience_mcp.core.store.locks import SQLiteLocks

    path = tmp_path / "locks-first.db"
    locks = SQLiteLocks(str(path))
    try:
        locks._connection()  # the table is made on first use; no public call needs a running loop
        assert mode(path) == 0o600
    finally:
        locks.close()


def test_an_existing_file_keeps_its_owners_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    Journal(str(path)).close()
    assert mode(path) == 0o640


def age(path: Path, change_id: int, days: float) -> None:
    moment = datetime.now(UTC) - timedelta(days=days)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE changes SET created_at = ? WHERE id = ?",
            (moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"), change_id),
        )


async def test_changes_past_the_retention_are_gone_when_the_server_starts(
    tmp_path: Path, make_server: ServerFactory
) -> None:
    path = tmp_path / "state.db"
    journal = Journal(str(path))
    old = journal.begin(KEY, tool="neuroflash_update_audience", action="update", before=BEFORE)
    kept = journal.begin(KEY, tool="neuroflash_update_audience", action="update", before=BEFORE)
    journal.close()
    age(path, old, days=91)
    age(path, kept, days=89)

    harness: Harness = make_server(state_db=str(path))  # AUDIENCE_MCP_JOURNAL_RETENTION_DAYS: 90 by default
    async with Client(harness.server) as client:
        changes = (await call(client, "list_recent_changes"))["changes"]

    assert [change["change_id"] for change in changes] == [kept]


async def test_retention_zero_keeps_everything(tmp_path: Path, make_server: ServerFactory) -> None:
    path = tmp_path / "state.db"
    journal = Journal(str(path))
    old = journal.begin(KEY, tool="neuroflash_update_audience", action="update", before=BEFORE)
    journal.close()
    age(path, old, days=4000)

    harness: Harness = make_server(state_db=str(path), journal_retention_days=0)
    async with Client(harness.server) as client:
        changes = (await call(client, "list_recent_changes"))["changes"]

    assert [change["change_id"] for change in changes] == [old]
