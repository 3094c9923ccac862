"""JSON on the wire with exact numbers.

The API compares gender shares as decimals of the JSON literals (a Java BigDecimal backend),
and a full PUT must send back exactly what was read. Floats cannot do either: `1` would come
back as `1.0`, and long literals such as `0.3333333333333333333` lose digits, so shares that
summed to exactly 1 stop doing so. Responses are therefore parsed with `Decimal` for every
non-integer number, and request bodies are written with each `Decimal` as its own literal.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def loads(content: bytes | str) -> Any:
    """Parse a JSON body, keeping non-integer numbers exact as Decimal."""
    return json.loads(content, parse_float=Decimal)


def dumps(value: Any) -> bytes:
    """Encode a body; a Decimal is written as its literal, a float with Python's shortest repr."""
    return "".join(_encode(value)).encode("utf-8")


def _encode(value: Any) -> list[str]:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as JSON")
        return [str(value)]
    if isinstance(value, dict):
        parts = ["{"]
        for index, (key, item) in enumerate(value.items()):
            if index:
                parts.append(",")
            parts.append(json.dumps(str(key), ensure_ascii=False))
            parts.append(":")
            parts.extend(_encode(item))
        parts.append("}")
        return parts
    if isinstance(value, list | tuple):
        parts = ["["]
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            parts.extend(_encode(item))
        parts.append("]")
        return parts
    return [json.dumps(value, ensure_ascii=False, allow_nan=False)]


def plain(value: Any) -> Any:
    """The same value with Decimals as floats: for showing to a model, never for sending."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
