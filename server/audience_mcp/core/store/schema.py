"""The SQLite state store's tables, their version (`PRAGMA user_version`) and the forward migrations.

A journal file outlives the server version that wrote it, so opening a file runs every
migration from the file's version up to `VERSION`, each in one transaction with the version
bump (a crash mid-migration leaves the old version, data intact). A file from a newer server
is refused rather than written with a schema this code does not know.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audience_mcp.core.store.database import Sql

VERSION = 5

_CHANGES_V1 = """
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    tool TEXT NOT NULL,
    action TEXT NOT NULL,
    platform TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    before_json TEXT,
    request_json TEXT,
    after_json TEXT,
    image_json TEXT,
    restores INTEGER,
    restored_by INTEGER
)
"""
_INDEX_V1 = "CREATE INDEX changes_by_resource ON changes (resource_id, id)"


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def _to_v1(db: sqlite3.Connection) -> None:
    """Version 0, the unversioned journal keyed by workspace_id/audience_id, to generic keys.

    Every version-0 file was written by the neuroflash-only server, so its rows are
    neuroflash audiences. The table is rebuilt (not altered) so that a migrated file has
    exactly the schema of a new one; ids and the AUTOINCREMENT counter are kept, since
    restores/restored_by and the users' change ids refer to them.
    """
    if not _has_table(db, "changes"):
        db.execute(_CHANGES_V1)
        db.execute(_INDEX_V1)
        return
    db.execute("ALTER TABLE changes RENAME TO changes_v0")
    db.execute(_CHANGES_V1)
    db.execute(
        "INSERT INTO changes (id, created_at, tool, action, platform, scope_id, resource_type, resource_id, status,"
        " error, before_json, after_json, image_json, restores, restored_by)"
        " SELECT id, created_at, tool, action, 'neuroflash', workspace_id, 'audience', audience_id, status,"
        " error, before_json, after_json, image_json, restores, restored_by FROM changes_v0"
    )
    counter = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes_v0'").fetchone()
    db.execute("DROP TABLE changes_v0")  # its index goes with it
    if counter is not None:
        db.execute("DELETE FROM sqlite_sequence WHERE name = 'changes'")
        db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('changes', ?)", (counter[0],))
    db.execute(_INDEX_V1)


def _to_v2(db: sqlite3.Connection) -> None:
    """Restore claims: the change a restore_change call is undoing right now, one row each.

    A claim is taken in one transaction with the check that the change is not yet undone, so
    concurrent restores of one change (in one process or several on one file) undo it once.
    """
    db.execute(
        "CREATE TABLE restore_claims (change_id INTEGER PRIMARY KEY, token TEXT NOT NULL, claimed_at REAL NOT NULL)"
    )


def _to_v3(db: sqlite3.Connection) -> None:
    """Observations: what the server saw of a resource and when (an audience's size, its state).

    For what the APIs do not keep or cannot list: a size history for drop checks, the audiences
    a platform without a list endpoint has shown this server.
    """
    db.execute(
        "CREATE TABLE observations (id INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT NOT NULL,"
        " scope_id TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT NOT NULL,"
        " seen_at REAL NOT NULL, data_json TEXT NOT NULL)"
    )
    db.execute(
        "CREATE INDEX observations_by_resource"
        " ON observations (platform, resource_type, scope_id, resource_id, seen_at)"
    )


def _to_v4(db: sqlite3.Connection) -> None:
    """Who made each change: the caller's actor ("local" over stdio, "static-token" for the shared
    bearer token, "subject via client" for an OAuth token). Older rows have none (NULL): unknown."""
    db.execute("ALTER TABLE changes ADD COLUMN actor TEXT")


def _to_v5(db: sqlite3.Connection) -> None:
    """Pending confirmations (core/mcp/confirmations.py): a confirm_token outlives the process that
    issued it, so it is redeemed by whichever process (or replica) the second call reaches. Only
    the token's hash is kept: reading the store does not give a token that confirms anything."""
    db.execute(CONFIRMATIONS_TABLE)


CONFIRMATIONS_TABLE = (
    "CREATE TABLE confirmations (token_hash TEXT PRIMARY KEY, request_key TEXT NOT NULL,"
    " expires_at REAL NOT NULL, record_json TEXT NOT NULL)"
)

# MIGRATIONS[n] takes a file from version n to n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_to_v1, _to_v2, _to_v3, _to_v4, _to_v5)
assert len(MIGRATIONS) == VERSION


def migrate(db: sqlite3.Connection) -> None:
    """Bring the file to `VERSION`; `db` must be in autocommit mode (isolation_level=None)."""
    while True:
        # BEGIN IMMEDIATE takes the write lock before the version is read, so two processes
        # opening one old file cannot both run the same migration.
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > VERSION:
                raise RuntimeError(
                    f"The journal file has schema version {version}, newer than this server's {VERSION}; "
                    "upgrade the server or point AUDIENCE_MCP_STATE_DB at another file."
                )
            if version == VERSION:
                db.execute("COMMIT")
                return
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def prune(db: Sql, *, older_than: str) -> int:
    """Delete the changes created before `older_than` (the journal's ISO-8601 UTC format); returns how many.

    Retention (AUDIENCE_MCP_JOURNAL_RETENTION_DAYS) is applied at start-up: the journal holds
    copies of a company's audiences and images, which should not be kept for ever. Timestamps
    share one format (`...T...sssZ`), so they compare as text. `db` is in a transaction of
    either database (the statement is the same).
    """
    return int(db.execute("DELETE FROM changes WHERE created_at < ?", (older_than,)).rowcount)
