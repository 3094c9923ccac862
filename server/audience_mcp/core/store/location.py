"""Which kind of state store `AUDIENCE_MCP_STATE_DB` names, without opening or importing either.

Asked at start-up (the lifespan, the CLI, the settings' secrets), where importing the store
itself (sqlite3, the lock machinery) would only slow the server's first answer.
"""

from __future__ import annotations

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: str) -> bool:
    return location.strip().lower().startswith(POSTGRES_SCHEMES)
