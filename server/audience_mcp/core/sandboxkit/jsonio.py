"""JSON in and out the way a Java/BigDecimal backend does it.

Request bodies are parsed with every fractional number as :class:`decimal.Decimal`, so the
gender-share check can compare the literal sum exactly (``0.5 + 0.4 + 0.07 + 0.03 == 1``)
instead of in binary floating point. The decimals are stored and written back with the same
literal they arrived with (``0.07`` stays ``0.07``, ``0.50`` stays ``0.50``), which the
standard encoder cannot do, hence the small serializer below. ``NaN`` and ``Infinity`` are not
JSON and are refused like any other malformed body.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import TypeAlias, cast

from starlette.responses import Response

JsonValue: TypeAlias = "bool | int | float | Decimal | str | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"

_encode_str = json.encoder.encode_basestring  # the C implementation when available


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def loads(data: str | bytes) -> JsonValue:
    """Parse JSON text; fractions become Decimal. Raises ValueError on malformed input."""
    return cast(JsonValue, json.loads(data, parse_float=Decimal, parse_constant=_reject_constant))


def dumps(value: JsonValue) -> str:
    """Serialize compactly, writing Decimals with their original literal."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: JsonValue, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_encode_str(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot serialize {value} as JSON")
        out.append(str(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot serialize {value} as JSON")
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_encode_str(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot serialize {type(value).__name__} as JSON")


class JsonResponse(Response):
    """A JSON response that keeps decimal literals intact."""

    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return dumps(cast(JsonValue, content)).encode("utf-8")
