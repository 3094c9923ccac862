"""Millisecond timestamps and their ISO-8601 form.

The reference examples show ``2025-01-14T16:20:59Z``; the sandbox always writes milliseconds
(``2025-01-14T16:20:59.123Z``), which every ISO-8601 reader accepts and which makes
``updatedAt`` fine-grained enough to serve as an optimistic-concurrency token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def now_ms(clock: Callable[[], float]) -> int:
    return int(clock() * 1000)


def iso_ms(millis: int) -> str:
    moment = datetime.fromtimestamp(millis // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def to_ms(value: str | datetime | float | int) -> int:
    """Milliseconds since the epoch from an ISO string, an aware datetime or epoch seconds."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return round(moment.timestamp() * 1000)
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        return to_ms(datetime.fromisoformat(text))
    return round(float(value) * 1000)
