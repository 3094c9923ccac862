"""The journal store: pending-first writes, failures, ordering, filters, persistence, migrations."""

from __future__ import annotations

import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import anyio
import pytest

from audience_mcp.core.store import schema
from audience_mcp.core.store.database import StateStoreError
from audience_mcp.core.store.journal import Journal, ResourceKey
from audience_mcp.core.store.writes import journaled_write
from tests.support.campaigns import integrity_ok
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.anyio

A1 = ResourceKey("neuroflash", "ws", "audience", "a1")

# The journal as the unversioned, neuroflash-only server created it (schema version 0).
V0_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    tool TEXT NOT NULL,
    action TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    audience_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    before_json TEXT,
    after_json TEXT,
    image_json TEXT,
    restores INTEGER,
    restored_by INTEGER
);
CREATE INDEX IF NOT EXISTS changes_by_audience ON changes (audience_id, id);
"""


async def _answer(value: dict[str, object] | None) -> dict[str, object] | None:
    return value


async def _refused() -> None:
    raise RuntimeError("plan limit reached")


async def test_a_write_is_recorded_pending_before_it_is_sent_and_completed_after(state_location: str) -> None:
    journal = Journal(state_location)
    seen = []

    async def send() -> dict[str, str]:
        (pending,) = journal.recent()
        seen.append(pending)
        return {"name": "New"}

    written = await journaled_write(
        journal, A1, send(), tool="t", action="update", before={"name": "Old"}, request={"name": "New"}
    )

    assert seen[0].status == "pending" and seen[0].before == {"name": "Old"} and seen[0].request == {"name": "New"}
    change = journal.get(written.change_id)
    assert change is not None and change.status == "succeeded" and change.after == {"name": "New"}
    assert (change.platform, change.scope_id, change.resource_type, change.resource_id) == (
        "neuroflash",
        "ws",
        "audience",
        "a1",
    )


async def test_a_write_that_raises_is_recorded_as_failed_with_its_message(state_location: str) -> None:
    journal = Journal(state_location)
    with pytest.raises(RuntimeError):
        await journaled_write(journal, A1, _refused(), tool="t", action="create")
    (change,) = journal.recent()
    assert change.status == "failed" and change.error == "plan limit reached"


async def test_a_create_is_keyed_by_the_id_its_answer_names(state_location: str) -> None:
    journal = Journal(state_location)
    new = ResourceKey("neuroflash", "ws", "audience", None)
    written = await journaled_write(
        journal, new, _answer({"id": "n1"}), tool="t", action="create", new_id=lambda body: str((body or {})["id"])
    )
    change = journal.get(written.change_id)
    assert change is not None and change.resource_id == "n1"


async def test_decimals_are_journaled_as_exact_json_numbers(state_location: str) -> None:
    journal = Journal(state_location)
    shares = {"female": Decimal("0.3333333333333333333"), "male": Decimal("0.6666666666666666667")}
    written = await journaled_write(journal, A1, _answer({"genderDistribution": shares}), tool="t", action="update")

    with journal._transaction() as db:
        text = db.execute("SELECT after_json FROM changes").fetchone()["after_json"]
    assert text == '{"genderDistribution":{"female":0.3333333333333333333,"male":0.6666666666666666667}}'
    change = journal.get(written.change_id)
    assert change is not None and change.after == {"genderDistribution": shares}


async def test_a_succeeded_restore_marks_the_undone_change_and_a_failed_one_does_not(state_location: str) -> None:
    journal = Journal(state_location)
    original = await journaled_write(journal, A1, _answer(None), tool="t", action="update")
    with pytest.raises(RuntimeError):
        await journaled_write(journal, A1, _refused(), tool="restore_change", action="update", restores=1)
    assert journal.get(original.change_id).restored_by is None  # type: ignore[union-attr]

    undo = await journaled_write(
        journal, A1, _answer(None), tool="restore_change", action="update", restores=original.change_id
    )
    assert journal.get(original.change_id).restored_by == undo.change_id  # type: ignore[union-attr]


def test_a_restore_and_its_mark_are_one_transaction() -> None:
    journal = Journal(":memory:")
    original = journal.begin(A1, tool="t", action="update")
    journal.succeed(original, after=None)
    undo = journal.begin(A1, tool="restore_change", action="update", restores=original)
    # The mark cannot be written: the success of the restore must not be kept without it.
    with journal._transaction() as db:
        db.execute(
            "CREATE TRIGGER refuse_mark BEFORE UPDATE OF restored_by ON changes BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    with pytest.raises(sqlite3.IntegrityError):
        journal.succeed(undo, after=None)
    assert journal.get(undo).status == "pending"  # type: ignore[union-attr]
    assert journal.get(original).restored_by is None  # type: ignore[union-attr]


async def test_recent_is_newest_first_and_filters_by_platform_and_resource(state_location: str) -> None:
    journal = Journal(state_location)
    keys = [A1, ResourceKey("neuroflash", "ws", "audience", "b"), ResourceKey("other", "s", "doc", "a1"), A1]
    for key in keys:
        await journaled_write(journal, key, _answer(None), tool="t", action="update")
    assert [c.id for c in journal.recent()] == [4, 3, 2, 1]
    assert [c.id for c in journal.recent(resource_id="a1")] == [4, 3, 1]
    assert [c.id for c in journal.recent(platform="neuroflash")] == [4, 2, 1]
    assert [c.id for c in journal.recent(platform="neuroflash", resource_id="a1")] == [4, 1]
    assert [c.id for c in journal.recent(platform="", resource_id="")] == [4, 3, 2, 1]
    assert len(journal.recent(limit=1)) == 1


async def test_the_journal_survives_reopening(state_location: str) -> None:
    first = Journal(state_location)
    await journaled_write(first, A1, _answer(None), tool="t", action="delete", before={"name": "Kept"})
    first.close()
    second = Journal(state_location)
    (change,) = second.recent()
    assert change.before == {"name": "Kept"}
    second.close()


async def test_the_journal_file_survives_reopening_intact(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "journal.db"
    first = Journal(str(path))
    await journaled_write(first, A1, _answer(None), tool="t", action="delete", before={"name": "Kept"})
    first.close()
    second = Journal(str(path))
    (change,) = second.recent()
    assert change.before == {"name": "Kept"} and integrity_ok(path)


def _old_journal(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.executescript(V0_SCHEMA)
        rows = [
            (1, "2024-01-01T00:00:00.000Z", "neuroflash_update_audience", "update", "ws1", "a1", "succeeded", None,
             '{"name":"Old","genderDistribution":{"female":0.55,"male":0.45}}', '{"name":"New"}', None, None, 3),
            (2, "2024-01-01T00:00:01.000Z", "neuroflash_create_audience", "create", "ws1", None, "pending", None,
             None, None, None, None, None),
            (3, "2024-01-01T00:00:02.000Z", "restore_change", "update", "ws1", "a1", "succeeded", None,
             '{"name":"New"}', '{"name":"Old"}', None, 1, None),
            (7, "2024-01-01T00:00:03.000Z", "neuroflash_delete_audience", "delete", "ws2", "a2", "failed",
             "not allowed", '{"name":"Gone"}', None, '{"none":true}', None, None),
        ]  # fmt: skip
        db.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("UPDATE sqlite_sequence SET seq = 9 WHERE name = 'changes'")  # as after rolled-back ids


def test_a_journal_of_the_unversioned_schema_is_migrated_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    _old_journal(path)

    journal = Journal(str(path))

    changes = journal.recent(platform="neuroflash")
    assert [c.id for c in changes] == [7, 3, 2, 1]
    assert all(c.platform == "neuroflash" and c.resource_type == "audience" for c in changes)
    first = journal.get(1)
    assert first is not None and (first.scope_id, first.resource_id, first.restored_by) == ("ws1", "a1", 3)
    assert first.before == {"name": "Old", "genderDistribution": {"female": Decimal("0.55"), "male": Decimal("0.45")}}
    assert first.after == {"name": "New"} and first.request is None
    gone = journal.get(7)
    assert gone is not None and (gone.scope_id, gone.status, gone.error, gone.image) == (
        "ws2",
        "failed",
        "not allowed",
        {"none": True},
    )
    assert [c.id for c in journal.recent(resource_id="a1")] == [3, 1]
    assert journal.begin(A1, tool="t", action="update") == 10, "an id was reused"
    journal.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
        assert {row[0] for row in db.execute("SELECT name FROM sqlite_master")} >= {"changes", "changes_by_resource"}
        assert "changes_v0" not in {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert integrity_ok(path)


def test_a_migrated_journal_has_the_schema_of_a_new_one(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _old_journal(old)
    Journal(str(old)).close()
    Journal(str(new)).close()

    def tables(path: Path) -> set[tuple[str, str]]:
        with sqlite3.connect(path) as db:
            return set(db.execute("SELECT name, sql FROM sqlite_master WHERE name != 'sqlite_sequence'"))

    assert tables(old) == tables(new)


def test_reopening_a_current_journal_migrates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal = Journal(str(path))
    change_id = journal.begin(A1, tool="t", action="update")
    journal.close()
    again = Journal(str(path))
    assert [c.id for c in again.recent()] == [change_id]


def test_a_journal_from_a_newer_server_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this server"):
        Journal(str(path))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION + 1
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_a_version_3_journal_gains_an_empty_actor_and_new_rows_name_theirs(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with sqlite3.connect(path, isolation_level=None) as db:
        for step in schema.MIGRATIONS[:3]:
            step(db)
        db.execute("PRAGMA user_version = 3")
        db.execute(
            "INSERT INTO changes (created_at, tool, action, platform, scope_id, resource_type, resource_id, status)"
            " VALUES ('2026-01-01T00:00:00.000Z', 't', 'update', 'neuroflash', 'ws', 'audience', 'a1', 'succeeded')"
        )
    journal = Journal(str(path))
    old = journal.get(1)
    assert old is not None and old.actor is None
    new = journal.begin(A1, tool="t", action="update", actor="alice@example.com via crm-bot")
    assert [c.id for c in journal.recent(actor="ALICE")] == [new]
    assert [c.id for c in journal.recent(actor="crm-bot")] == [new]
    assert journal.recent(actor="bob") == []
    assert [c.id for c in journal.recent()] == [new, 1]
    journal.close()


def test_an_actor_filter_matches_its_text_literally(state_location: str) -> None:
    journal = Journal(state_location)
    percent = journal.begin(A1, tool="t", action="update", actor="100%_bot")
    journal.begin(A1, tool="t", action="update", actor="1000 bots")
    assert [c.id for c in journal.recent(actor="100%_")] == [percent]
    assert [c.id for c in journal.recent(actor="0%")] == [percent]
    journal.close()


def test_a_claim_is_won_once_across_stores_and_not_again_once_the_change_is_undone(state_location: str) -> None:
    first, second = Journal(state_location), Journal(state_location)
    change = first.begin(A1, tool="t", action="delete")
    first.succeed(change, after=None)

    won = first.claim_restore(change)
    assert won.won and not second.claim_restore(change).won
    undo = first.begin(A1, tool="restore_change", action="create", restores=change)
    first.succeed(undo, after=None)
    first.release_restore(change, won)

    late = second.claim_restore(change)
    assert not late.won and late.restored_by == undo
    first.close()
    second.close()


def test_postgres_stores_opened_at_once_migrate_once(postgres_url: str) -> None:
    """Replicas starting together: each migration runs in one of them, the others find it done."""
    import threading

    stores: list[Journal] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            stores.append(Journal(postgres_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(stores) == 6
    with stores[0]._transaction() as db:
        versions = [row["version"] for row in db.execute("SELECT version FROM schema_migrations").fetchall()]
    from audience_mcp.core.store import postgres

    assert versions == list(range(1, postgres.VERSION + 1))
    for store in stores:
        store.close()


def test_a_postgres_store_from_a_newer_server_is_refused(postgres_url: str) -> None:
    from audience_mcp.core.store import postgres

    Journal(postgres_url).close()
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (%s, now())", (postgres.VERSION + 1,))
    with pytest.raises(postgres.StateStoreError, match="newer than this server"):
        Journal(postgres_url)


def test_an_unreachable_postgres_store_is_named_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("psycopg_pool")
    from audience_mcp.core.store import postgres

    monkeypatch.setattr(postgres, "CONNECT_SECONDS", 1.0)
    url = "postgresql://audience:pg-unreachable-secret@127.0.0.1:9/state"
    with pytest.raises(postgres.StateStoreError) as refused:
        Journal(url)
    assert "127.0.0.1:9/state" in str(refused.value) and "AUDIENCE_MCP_STATE_DB" in str(refused.value)
    assert "pg-unreachable-secret" not in str(refused.value)


def test_a_postgres_url_without_the_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from audience_mcp.core.store.database import StateStoreError

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(StateStoreError, match=r"needs the PostgreSQL driver: pip install 'audience-mcp\[postgres\]'"):
        Journal("postgresql://audience@127.0.0.1:9/state")


async def test_a_write_applied_while_the_postgres_store_is_unreachable_is_not_reported_failed(
    postgres_url: str,
    postgres_server: PostgresServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The platform applied it: a failure would invite a second write. The row stays pending, and
    the store recovers once the database is back."""
    import psycopg

    monkeypatch.setattr("audience_mcp.core.store.postgres.CONNECT_SECONDS", 1.0)
    journal = Journal(postgres_url)
    database = postgres_url.rsplit("/", 1)[1]

    def allow_connections(allowed: bool) -> None:
        with psycopg.connect(postgres_server.admin_url, autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {database} WITH ALLOW_CONNECTIONS {str(allowed).lower()}")
            if not allowed:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))

    async def send_while_the_database_goes_away() -> dict[str, str]:
        allow_connections(False)
        return {"id": "a1"}

    written = await journaled_write(journal, A1, send_while_the_database_goes_away(), tool="t", action="update")

    assert written.result == {"id": "a1"}
    assert "was applied but stays pending in the journal" in caplog.text
    allow_connections(True)
    # The pool reconnects in the background with a backoff (psycopg_pool), so the first read
    # after the database is back may still find no connection: recovery is the store answering
    # again within a bounded time, not at once.
    deadline = time.monotonic() + 30
    while True:
        try:
            change = journal.get(written.change_id)
            break
        except StateStoreError:
            if time.monotonic() > deadline:
                raise
            await anyio.sleep(0.2)
    assert change is not None and change.status == "pending"
    journal.close()
