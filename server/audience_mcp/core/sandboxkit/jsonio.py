"""JSON in and out the way a Java/BigDecimal backend does it.

Request bodies are parsed with every fractional number as :class:`decimal.Decimal`, so the
gender-share check can compare the literal sum exactly (``0.5 + 0.4 + 0.07 + 0.03 == 1``)
instead of in binary floating point. The decimals are stored and written back with the same
literal they arrived with (``0.07`` stays ``0.07``, ``0.50`` stays ``0.50``), which the
standard encoder cannot do. ``NaN`` and ``Infinity`` are not JSON and are refused like any
other malformed body. The codec itself is the client's (:mod:`audience_mcp.core.http.wire`), so
the sandbox and the client cannot disagree on how a number is read or written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias, cast

from starlette.responses import Response

from audience_mcp.core.http import wire

JsonValue: TypeAlias = "bool | int | float | Decimal | str | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"


def loads(data: str | bytes) -> JsonValue:
    """Parse JSON text; fractions become Decimal. Raises ValueError on malformed input."""
    return cast(JsonValue, wire.loads(data, allow_nan=False))


def dumps(value: JsonValue) -> str:
    """Serialize compactly, writing Decimals with their original literal."""
    return wire.dumps_text(value)


class JsonResponse(Response):
    """A JSON response that keeps decimal literals intact."""

    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return wire.dumps(content)
