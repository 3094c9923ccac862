"""JSON on the wire with exact numbers: the one exact-decimal codec (the sandbox's jsonio uses it).

The API compares gender shares as decimals of the JSON literals (a Java BigDecimal backend),
and a full PUT must send back exactly what was read. Floats cannot do either: `1` would come
back as `1.0`, and long literals such as `0.3333333333333333333` lose digits, so shares that
summed to exactly 1 stop doing so. Responses are therefore parsed with `Decimal` for every
non-integer number, and request bodies are written with each `Decimal` as its own literal.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

_encode_str = json.encoder.encode_basestring  # the C implementation when available; keeps non-ASCII as is


def decimal_of(value: float) -> Decimal:
    """A float as the decimal it was written as: 0.07 -> Decimal("0.07"), not its binary expansion.

    ``repr`` is the shortest literal that reads back as the same float, which is what a person or
    a JSON encoder wrote; ``Decimal(0.07)`` would be 0.070000000000000006661...
    """
    return Decimal(repr(value))


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def loads(content: bytes | str, *, allow_nan: bool = True) -> Any:
    """Parse a JSON body, keeping non-integer numbers exact as Decimal.

    ``allow_nan=False`` refuses the non-JSON ``NaN`` and ``Infinity`` (ValueError), as a strict
    server does; the client stays lenient about what it reads.
    """
    if allow_nan:
        return json.loads(content, parse_float=Decimal)
    return json.loads(content, parse_float=Decimal, parse_constant=_reject_constant)


def dumps(value: Any) -> bytes:
    """Encode a body; a Decimal is written as its literal, a float with Python's shortest repr."""
    return dumps_text(value).encode("utf-8")


def dumps_text(value: Any) -> str:
    """`dumps` as text: compact, Decimals as their literals, NaN and Infinity refused."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
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
            raise ValueError(f"{value} cannot be sent as JSON")
        out.append(str(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be sent as JSON")
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(_encode_str(str(key)))
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


def plain(value: Any) -> Any:
    """The same value with Decimals as floats: for showing to a model, never for sending."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
