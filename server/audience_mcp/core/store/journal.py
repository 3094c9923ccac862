"""The change journal: every write through the server, recorded before it is sent.

The neuroflash API has no undo, so the server keeps one. Each write gets a row *before* the
request goes out (status `pending`, with the full before-image), and the row is completed
with the after-image (`succeeded`) or the error text (`failed`). A process killed between
the two leaves a `pending` row: the journal shows that the outcome is unknown rather than
losing the write. Rows hold audience profiles and, for image changes and deletes, the image
bytes; never a token, a secret or a request header (error texts pass the log redactor).

SQLite (stdlib), one connection guarded by a lock, WAL for files; the file survives restarts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from audience_mcp.core.http import wire
from audience_mcp.core.logs import redactor

Action = Literal["create", "update", "delete", "duplicate", "image_set", "image_delete", "restore"]
Status = Literal["pending", "succeeded", "failed"]

_SCHEMA = """
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


@dataclass(frozen=True)
class Change:
    """One journal row."""

    id: int
    created_at: str
    tool: str
    action: str
    workspace_id: str
    audience_id: str | None
    status: str
    error: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    image: dict[str, Any] | None
    restores: int | None
    restored_by: int | None


def _dump(value: dict[str, Any] | None) -> str | None:
    # wire.dumps keeps Decimal shares exact, so a restore sends back the very same literals.
    return None if value is None else wire.dumps(value).decode("utf-8")


def _load(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    value = wire.loads(text)
    return value if isinstance(value, dict) else None


class Journal:
    """Append-mostly store of the server's writes."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            path if path == ":memory:" else str(Path(path).expanduser()), check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def begin(
        self,
        *,
        tool: str,
        action: Action,
        workspace_id: str,
        audience_id: str | None,
        before: dict[str, Any] | None = None,
        image: dict[str, Any] | None = None,
        restores: int | None = None,
    ) -> int:
        """Record a write about to be sent; returns the change id."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO changes (created_at, tool, action, workspace_id, audience_id, status, before_json,"
                " image_json, restores) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                (now, tool, action, workspace_id, audience_id, _dump(before), _dump(image), restores),
            )
            self._db.commit()
            change_id = cursor.lastrowid
        assert change_id is not None
        return change_id

    def succeed(self, change_id: int, *, after: dict[str, Any] | None, audience_id: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE changes SET status = 'succeeded', after_json = ?, audience_id = COALESCE(?, audience_id)"
                " WHERE id = ?",
                (_dump(after), audience_id, change_id),
            )
            self._db.commit()

    def fail(self, change_id: int, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE changes SET status = 'failed', error = ? WHERE id = ?", (redactor.redact(error), change_id)
            )
            self._db.commit()

    def mark_restored(self, change_id: int, by_change_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE changes SET restored_by = ? WHERE id = ?", (by_change_id, change_id))
            self._db.commit()

    @contextmanager
    def recording(
        self,
        *,
        tool: str,
        action: Action,
        workspace_id: str,
        audience_id: str | None,
        before: dict[str, Any] | None = None,
        image: dict[str, Any] | None = None,
        restores: int | None = None,
    ) -> Iterator[Recording]:
        """Record around a write: a block left by an exception marks the change failed."""
        change_id = self.begin(
            tool=tool,
            action=action,
            workspace_id=workspace_id,
            audience_id=audience_id,
            before=before,
            image=image,
            restores=restores,
        )
        recording = Recording(self, change_id)
        try:
            yield recording
        except BaseException as exc:
            if not recording.done:
                self.fail(change_id, str(exc) or type(exc).__name__)
            raise
        if not recording.done:
            # The block finished without saying what it wrote: keep the row honest.
            self.fail(change_id, "the write finished without a recorded result")

    def get(self, change_id: int) -> Change | None:
        if not -(2**63) <= change_id < 2**63:
            return None  # no row has it, and SQLite would raise OverflowError for it
        with self._lock:
            row = self._db.execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        return None if row is None else self._change(row)

    def recent(self, *, audience_id: str | None = None, limit: int = 20) -> list[Change]:
        with self._lock:
            if audience_id:
                rows = self._db.execute(
                    "SELECT * FROM changes WHERE audience_id = ? ORDER BY id DESC LIMIT ?", (audience_id, limit)
                ).fetchall()
            else:
                rows = self._db.execute("SELECT * FROM changes ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._change(row) for row in rows]

    def integrity_ok(self) -> bool:
        with self._lock:
            return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    @staticmethod
    def _change(row: sqlite3.Row) -> Change:
        return Change(
            id=row["id"],
            created_at=row["created_at"],
            tool=row["tool"],
            action=row["action"],
            workspace_id=row["workspace_id"],
            audience_id=row["audience_id"],
            status=row["status"],
            error=row["error"],
            before=_load(row["before_json"]),
            after=_load(row["after_json"]),
            image=_load(row["image_json"]),
            restores=row["restores"],
            restored_by=row["restored_by"],
        )


class Recording:
    """Handle of one change being recorded."""

    def __init__(self, journal: Journal, change_id: int) -> None:
        self._journal = journal
        self.change_id = change_id
        self.done = False

    def succeeded(self, *, after: dict[str, Any] | None, audience_id: str | None = None) -> None:
        self._journal.succeed(self.change_id, after=after, audience_id=audience_id)
        self.done = True
