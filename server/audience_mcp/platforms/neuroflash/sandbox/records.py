"""The sandbox store's tables and records: the schema, the column lists, the row types.

Split from store.py (the Store and its transactions) to keep both readable in one sitting.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import cast

from audience_mcp.core.sandboxkit.jsonio import JsonObject, dumps, loads

SCHEMA = """
CREATE TABLE IF NOT EXISTS audiences (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    created_by_user_id TEXT NOT NULL,
    owner_customer_id INTEGER,
    shared INTEGER NOT NULL,
    name TEXT,
    name_folded TEXT NOT NULL,
    country TEXT,
    country_folded TEXT,
    native_language TEXT,
    native_language_folded TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    viewed_at INTEGER
);
CREATE INDEX IF NOT EXISTS audiences_by_workspace
    ON audiences (workspace_id, created_at DESC, id, created_by_user_id, shared);
CREATE TABLE IF NOT EXISTS images (
    id TEXT PRIMARY KEY,
    audience_id TEXT NOT NULL UNIQUE REFERENCES audiences (id) ON DELETE CASCADE,
    created_by_user_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
"""

# Queries are assembled from these fixed fragments only; values always go in as parameters.
IMAGE_COLUMNS = (
    "i.id, i.audience_id, i.created_by_user_id, i.file_name, i.content_type, i.size, i.created_at, i.updated_at"
)
AUDIENCE_COLUMNS = (
    "a.id, a.workspace_id, a.created_by_user_id, a.owner_customer_id, a.shared, a.body,"
    " a.created_at, a.updated_at, a.viewed_at"
)
AUDIENCE_SELECT = f"SELECT {AUDIENCE_COLUMNS}, {IMAGE_COLUMNS} FROM audiences a"  # noqa: S608
AUDIENCE_SELECT += " LEFT JOIN images i ON i.audience_id = a.id"
IMAGE_BY_AUDIENCE = f"SELECT {IMAGE_COLUMNS} FROM images i WHERE i.audience_id = ?"  # noqa: S608
IMAGE_WITH_DATA_BY_ID = f"SELECT {IMAGE_COLUMNS}, i.data FROM images i WHERE i.id = ?"  # noqa: S608


@dataclass(frozen=True)
class ImageData:
    """An image for :meth:`Store.insert_raw`."""

    data: bytes
    content_type: str = "image/png"
    file_name: str = "image.png"


@dataclass(frozen=True)
class ImageRecord:
    id: str
    audience_id: str
    created_by_user_id: str
    file_name: str
    content_type: str
    size: int
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class AudienceRecord:
    id: str
    workspace_id: str
    created_by_user_id: str
    owner_customer_id: int | None
    shared: bool
    body: JsonObject
    created_at: int
    updated_at: int
    viewed_at: int | None
    image: ImageRecord | None


class LimitReached(Exception):
    def __init__(self, usage: int, limit: int) -> None:
        super().__init__(f"limit reached ({usage} of {limit})")
        self.usage = usage
        self.limit = limit


def _fold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def row_to_record(row: sqlite3.Row | tuple[object, ...]) -> AudienceRecord:
    image = None
    if row[9] is not None:
        image = ImageRecord(*cast(tuple[str, str, str, str, str, int, int, int], tuple(row[9:17])))
    body = loads(cast(str, row[5]))
    return AudienceRecord(
        id=cast(str, row[0]),
        workspace_id=cast(str, row[1]),
        created_by_user_id=cast(str, row[2]),
        owner_customer_id=cast("int | None", row[3]),
        shared=bool(row[4]),
        body=body if isinstance(body, dict) else {},
        created_at=cast(int, row[6]),
        updated_at=cast(int, row[7]),
        viewed_at=cast("int | None", row[8]),
        image=image,
    )


def indexed_columns(
    body: JsonObject,
) -> tuple[int, str | None, str, str | None, str | None, str | None, str | None, str]:
    """shared, name, name_folded, country, country_folded, native_language, native_language_folded, body:
    the columns the list query filters on, derived from the body in one place for insert and replace."""
    return (
        1 if body.get("shared") is True else 0,
        _text(body.get("name")),
        _fold(body.get("name")) or "",
        _text(body.get("country")),
        _fold(body.get("country")),
        _text(body.get("nativeLanguage")),
        _fold(body.get("nativeLanguage")),
        dumps(body),
    )
