"""The sandbox's JSON is the client's exact-decimal codec, strict about NaN."""

from __future__ import annotations

from decimal import Decimal

import pytest

from audience_mcp.core.http import wire
from audience_mcp.core.sandboxkit import jsonio

BODY = '{"genderDistribution":{"female":0.50,"male":0.40,"nonBinary":0.07,"preferNotToSay":0.030},"name":"Ärzte","n":1}'


def test_both_read_and_write_the_same_literals() -> None:
    value = jsonio.loads(BODY)
    assert value == wire.loads(BODY)
    assert jsonio.dumps(value) == BODY
    assert wire.dumps(value) == BODY.encode("utf-8")


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}'])
def test_the_sandbox_refuses_non_json_constants_the_client_tolerates(text: str) -> None:
    with pytest.raises(ValueError):
        jsonio.loads(text)
    wire.loads(text)


@pytest.mark.parametrize("value", [Decimal("NaN"), float("inf"), [Decimal("Infinity")]])
def test_neither_writes_a_non_finite_number(value: object) -> None:
    with pytest.raises(ValueError):
        wire.dumps(value)


def test_a_float_becomes_the_decimal_it_was_written_as() -> None:
    assert wire.decimal_of(0.07) == Decimal("0.07")
    assert wire.decimal_of(1e-05) == Decimal("0.00001")
    assert sum(map(wire.decimal_of, (0.5, 0.4, 0.07, 0.03)), Decimal(0)) == 1
