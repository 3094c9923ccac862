"""SQLite storage for audiences and their images (stdlib ``sqlite3`` only).

One connection shared by every request, guarded by a lock (``check_same_thread=False``), so
the limit check and the insert of a create or duplicate happen atomically: concurrent
creates can never overshoot the plan limit. The client-owned part of an audience is kept
verbatim as JSON text in ``body`` (decimal literals intact, unknown fields included); the
server-owned fields and the columns needed for filtering and ordering live in columns. The
list query does the count and ``LIMIT/OFFSET`` in SQL over an index on the workspace and the
creation order, which keeps a 200-item page of a 10,000-audience workspace in milliseconds.

Ordering is newest ``createdAt`` first with the id as tie-breaker, which is stable across
pages. Name search and the country/language filters are case-insensitive (Python
``casefold`` of the value is stored beside it, so non-ASCII names fold correctly too).
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from audience_mcp.core.files import private_file
from audience_mcp.core.sandboxkit.clock import now_ms, to_ms
from audience_mcp.core.sandboxkit.jsonio import JsonObject, loads
from audience_mcp.platforms.neuroflash.sandbox.accounts import SANDBOX_ACCOUNTS, account_by_user_id
from audience_mcp.platforms.neuroflash.sandbox.records import (
    AUDIENCE_SELECT,
    IMAGE_BY_AUDIENCE,
    IMAGE_WITH_DATA_BY_ID,
    SCHEMA,
    AudienceRecord,
    ImageData,
    ImageRecord,
    LimitReached,
    indexed_columns,
    row_to_record,
)
from audience_mcp.platforms.neuroflash.sandbox.validation import ImageUpload

TimestampLike = str | datetime | float | int


class Store:
    """All audiences and images of one sandbox."""

    def __init__(self, db_path: str, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            private_file(db_path),  # 0600: test data and service accounts are the owner's only
            check_same_thread=False,
            isolation_level=None,
        )
        with self._lock:
            if db_path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _now(self) -> int:
        return now_ms(self._clock)

    # -- writes -----------------------------------------------------------------------------

    def _insert(
        self,
        conn: sqlite3.Connection,
        audience_id: str,
        workspace_id: str,
        body: JsonObject,
        created_by_user_id: str,
        owner_customer_id: int | None,
        created_at: int,
        updated_at: int,
        viewed_at: int | None,
    ) -> None:
        conn.execute(
            "INSERT INTO audiences (id, workspace_id, created_by_user_id, owner_customer_id, shared, name,"
            " name_folded, country, country_folded, native_language, native_language_folded, body,"
            " created_at, updated_at, viewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                audience_id,
                workspace_id,
                created_by_user_id,
                owner_customer_id,
                *indexed_columns(body),
                created_at,
                updated_at,
                viewed_at,
            ),
        )

    def _check_limit(self, conn: sqlite3.Connection, workspace_id: str, limit: int | None) -> None:
        if limit is None:
            return
        usage = self._count(conn, workspace_id)
        if usage >= limit:
            raise LimitReached(usage, limit)

    def insert_raw(
        self,
        workspace_id: str,
        body: JsonObject,
        *,
        created_by_user_id: str = SANDBOX_ACCOUNTS[0].user_id,
        created_at: TimestampLike | None = None,
        updated_at: TimestampLike | None = None,
        viewed_at: TimestampLike | None = None,
        image: ImageData | None = None,
        owner_customer_id: int | None = None,
    ) -> str:
        """Store ``body`` verbatim, bypassing all validation and the limit; return the id.

        A string ``id`` in the body is used as the audience id (handy for fixed test data);
        otherwise a uuid4 is drawn. Timestamps accept ISO strings, datetimes or epoch seconds
        and default to now; ``viewed_at`` defaults to ``created_at``.
        """
        raw_id = body.get("id")
        audience_id = raw_id if isinstance(raw_id, str) else str(uuid.uuid4())
        now = self._now()
        created = to_ms(created_at) if created_at is not None else now
        updated = to_ms(updated_at) if updated_at is not None else created
        viewed = to_ms(viewed_at) if viewed_at is not None else created
        if owner_customer_id is None:
            account = account_by_user_id(created_by_user_id)
            owner_customer_id = account.customer_id if account else None
        with self._transaction() as conn:
            self._insert(
                conn,
                audience_id,
                workspace_id,
                body,
                created_by_user_id,
                owner_customer_id,
                created,
                updated,
                viewed,
            )
            if image is not None:
                upload = ImageUpload(image.data, image.content_type, image.file_name)
                self._put_image(conn, audience_id, upload, created_by_user_id, created)
        return audience_id

    def create(
        self,
        workspace_id: str,
        body: JsonObject,
        *,
        created_by_user_id: str,
        owner_customer_id: int | None,
        limit: int | None,
    ) -> AudienceRecord:
        """Insert a validated audience; raises :class:`LimitReached` atomically with the check."""
        audience_id = str(uuid.uuid4())
        with self._transaction() as conn:
            self._check_limit(conn, workspace_id, limit)
            now = self._now()
            self._insert(conn, audience_id, workspace_id, body, created_by_user_id, owner_customer_id, now, now, now)
        record = self.get(audience_id)
        assert record is not None
        return record

    def duplicate(
        self,
        source: AudienceRecord,
        body: JsonObject,
        *,
        created_by_user_id: str,
        owner_customer_id: int | None,
        limit: int | None,
    ) -> AudienceRecord:
        """Insert a copy of ``source`` with ``body``; copies its image under a new image id."""
        audience_id = str(uuid.uuid4())
        with self._transaction() as conn:
            self._check_limit(conn, source.workspace_id, limit)
            now = self._now()
            self._insert(
                conn,
                audience_id,
                source.workspace_id,
                body,
                created_by_user_id,
                owner_customer_id,
                now,
                now,
                now,
            )
            conn.execute(
                "INSERT INTO images (id, audience_id, created_by_user_id, file_name, content_type, size, data,"
                " created_at, updated_at) SELECT ?, ?, ?, file_name, content_type, size, data, ?, ?"
                " FROM images WHERE audience_id = ?",
                (str(uuid.uuid4()), audience_id, created_by_user_id, now, now, source.id),
            )
        record = self.get(audience_id)
        assert record is not None
        return record

    def replace(self, audience_id: str, body: JsonObject) -> AudienceRecord | None:
        """Full replacement of the body; ``updatedAt`` strictly increases (at least +1 ms)."""
        with self._transaction() as conn:
            row = conn.execute("SELECT updated_at FROM audiences WHERE id = ?", (audience_id,)).fetchone()
            if row is None:
                return None
            updated = max(self._now(), int(row[0]) + 1)
            conn.execute(
                "UPDATE audiences SET shared = ?, name = ?, name_folded = ?, country = ?, country_folded = ?,"
                " native_language = ?, native_language_folded = ?, body = ?, updated_at = ? WHERE id = ?",
                (
                    *indexed_columns(body),
                    updated,
                    audience_id,
                ),
            )
        return self.get(audience_id)

    def delete(self, audience_id: str) -> bool:
        """Delete an audience and (by cascade) its image."""
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM audiences WHERE id = ?", (audience_id,))
            return cursor.rowcount > 0

    def mark_viewed(self, audience_id: str) -> bool:
        """Record a usage: ``viewedAt`` becomes now, and like ``updatedAt`` it always moves forward
        (at least +1 ms), so a client can observe the usage even within one clock tick."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE audiences SET viewed_at = max(?, coalesce(viewed_at, 0) + 1) WHERE id = ?",
                (self._now(), audience_id),
            )
            return cursor.rowcount > 0

    def reset(self) -> None:
        """Wipe every audience and image."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM images")
            conn.execute("DELETE FROM audiences")

    # -- images -----------------------------------------------------------------------------

    def _put_image(
        self, conn: sqlite3.Connection, audience_id: str, upload: ImageUpload, user_id: str, now: int
    ) -> None:
        existing = conn.execute("SELECT id FROM images WHERE audience_id = ?", (audience_id,)).fetchone()
        if existing is None:
            conn.execute(
                "INSERT INTO images (id, audience_id, created_by_user_id, file_name, content_type, size, data,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(uuid.uuid4()),
                    audience_id,
                    user_id,
                    upload.file_name,
                    upload.content_type,
                    len(upload.data),
                    upload.data,
                    now,
                    now,
                ),
            )
        else:
            conn.execute(
                "UPDATE images SET created_by_user_id = ?, file_name = ?, content_type = ?, size = ?, data = ?,"
                " updated_at = ? WHERE audience_id = ?",
                (
                    user_id,
                    upload.file_name,
                    upload.content_type,
                    len(upload.data),
                    upload.data,
                    now,
                    audience_id,
                ),
            )

    def put_image(self, audience_id: str, upload: ImageUpload, user_id: str) -> ImageRecord:
        """Set or replace an audience's image (a replacement keeps the image id and createdAt)."""
        with self._transaction() as conn:
            self._put_image(conn, audience_id, upload, user_id, self._now())
        image = self.get_image(audience_id)
        assert image is not None
        return image

    def get_image(self, audience_id: str) -> ImageRecord | None:
        with self._lock:
            row = self._conn.execute(IMAGE_BY_AUDIENCE, (audience_id,)).fetchone()
        return None if row is None else ImageRecord(*row)

    def delete_image(self, audience_id: str) -> bool:
        with self._lock:
            cursor = self._conn.execute("DELETE FROM images WHERE audience_id = ?", (audience_id,))
            return cursor.rowcount > 0

    def image_bytes(self, image_id: str) -> tuple[ImageRecord, bytes] | None:
        with self._lock:
            row = self._conn.execute(IMAGE_WITH_DATA_BY_ID, (image_id,)).fetchone()
        if row is None:
            return None
        return ImageRecord(*row[:8]), bytes(row[8])

    # -- reads ------------------------------------------------------------------------------

    @staticmethod
    def _count(conn: sqlite3.Connection, workspace_id: str) -> int:
        row = conn.execute("SELECT COUNT(*) FROM audiences WHERE workspace_id = ?", (workspace_id,)).fetchone()
        return int(row[0])

    def count(self, workspace_id: str) -> int:
        """Number of audiences in the workspace (all creators): the plan-limit usage."""
        with self._lock:
            return self._count(self._conn, workspace_id)

    def get(self, audience_id: str) -> AudienceRecord | None:
        with self._lock:
            row = self._conn.execute(f"{AUDIENCE_SELECT} WHERE a.id = ?", (audience_id,)).fetchone()
        return None if row is None else row_to_record(row)

    def get_raw(self, audience_id: str) -> JsonObject | None:
        """The stored body exactly as kept (decimals as Decimal), without server fields."""
        with self._lock:
            row = self._conn.execute("SELECT body FROM audiences WHERE id = ?", (audience_id,)).fetchone()
        if row is None:
            return None
        body = loads(row[0])
        return body if isinstance(body, dict) else None

    def list_visible(
        self,
        workspace_id: str,
        viewer_user_id: str,
        *,
        search: str | None = None,
        country: str | None = None,
        native_language: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> tuple[int, list[AudienceRecord]]:
        """Total and one page of the audiences the viewer may see: own ones plus shared ones."""
        where = ["a.workspace_id = ?", "(a.created_by_user_id = ? OR a.shared = 1)"]
        params: list[object] = [workspace_id, viewer_user_id]
        if search:
            where.append("instr(a.name_folded, ?) > 0")
            params.append(search.casefold())
        if country:
            where.append("a.country_folded = ?")
            params.append(country.casefold())
        if native_language:
            where.append("a.native_language_folded = ?")
            params.append(native_language.casefold())
        clause = " AND ".join(where)
        with self._lock:
            count_sql = f"SELECT COUNT(*) FROM audiences a WHERE {clause}"  # noqa: S608
            total = int(self._conn.execute(count_sql, params).fetchone()[0])
            page_sql = f"{AUDIENCE_SELECT} WHERE {clause} ORDER BY a.created_at DESC, a.id ASC LIMIT ? OFFSET ?"
            rows = self._conn.execute(page_sql, [*params, limit, offset]).fetchall()
        return total, [row_to_record(row) for row in rows]
