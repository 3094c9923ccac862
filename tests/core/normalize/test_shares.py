"""Largest-remainder rounding: the one implementation behind the gender split and the audit's fix."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audience_mcp.core.normalize.shares import largest_remainder


def test_the_leftover_units_go_to_the_largest_remainders() -> None:
    assert largest_remainder([Fraction(1, 3)] * 3, 10_000) == [3334, 3333, 3333]
    assert largest_remainder([Decimal("0.5"), Decimal("0.3"), Decimal("0.2")], 10) == [5, 3, 2]
    assert largest_remainder([Decimal("0.55555"), Decimal("0.44445")], 100) == [56, 44]


def test_weights_need_not_sum_to_one() -> None:
    assert largest_remainder([Decimal("0.5"), Decimal("0.4"), Decimal("0.06"), 0], 10_000) == [5208, 4167, 625, 0]


def test_ties_go_to_the_earlier_weight() -> None:
    assert largest_remainder([1, 1, 1, 1], 2) == [1, 1, 0, 0]


@pytest.mark.parametrize("weights", [[0, 0], [], [1, -1, 1]])
def test_no_positive_total_or_a_negative_weight_is_refused(weights: list[int]) -> None:
    with pytest.raises(ValueError):
        largest_remainder(weights, 10_000)


@given(st.lists(st.fractions(min_value=0, max_value=10), min_size=1, max_size=8), st.integers(1, 10**6))
def test_the_units_always_add_up_and_each_is_within_one_of_its_exact_share(weights: list[Fraction], units: int) -> None:
    total = sum(weights, Fraction(0))
    if total == 0:
        return
    result = largest_remainder(weights, units)
    assert sum(result) == units
    for weight, got in zip(weights, result, strict=True):
        assert abs(got - weight * units / total) < 1
