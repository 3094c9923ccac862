"""Tolerant readers for audience fields as they arrive on the wire (any JSON, any age).

Audiences written by other clients, or by older versions of the API, can hold anything: a
missing key, a string where a number belongs, a garbled date. Every reader here returns None
for what it cannot read instead of raising, and the checks decide what None means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from audience_mcp.core.http.wire import decimal_of

_SPACE = re.compile(r"\s+")


def number(value: object) -> Decimal | None:
    """The exact decimal of a JSON number (Decimal from `parse_float=Decimal`, int or float)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return decimal_of(value) if math.isfinite(value) else None
    return None


def whole_number(value: object) -> int | None:
    """An integer value (25 or 25.0), else None."""
    exact = number(value)
    if exact is None or exact != exact.to_integral_value():
        return None
    try:
        return int(exact)
    except (OverflowError, InvalidOperation, ValueError):  # pragma: no cover - finite decimals convert
        return None


def text(value: object) -> str | None:
    """A non-blank string, stripped, else None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def folded(value: str) -> str:
    """Case- and whitespace-insensitive form: casefolded, runs of whitespace as one space."""
    return _SPACE.sub(" ", value.casefold()).strip()


def items(value: object) -> list[str] | None:
    """The non-blank strings of a list, or None when it is not a list."""
    if not isinstance(value, list):
        return None
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def timestamp(value: object) -> datetime | None:
    """An aware datetime from ISO-8601 text (with `Z`, offsets or none) or epoch (ms) numbers."""
    if isinstance(value, str):
        raw = value.strip()
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    exact = number(value)
    if exact is None:
        return None
    seconds = float(exact) / 1000 if abs(exact) > 100_000_000_000 else float(exact)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def embedded_image(audience: Mapping[str, Any]) -> object:
    embedded = audience.get("_embedded")
    return embedded.get("image") if isinstance(embedded, dict) else None
