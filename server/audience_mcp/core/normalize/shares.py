"""Shares that must add up to exactly a whole: largest-remainder rounding onto integer units.

Used wherever shares are written back with a fixed number of decimals (the gender split is
sent in steps of 1/10000): rounding each share on its own can make the literals sum to 0.9999
or 1.0001, which the API refuses. Pure and exact (``Fraction``), so equal inputs always give
equal outputs and no float noise decides a tie.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction


def largest_remainder(weights: Sequence[Fraction | Decimal | int], units: int) -> list[int]:
    """Integers proportional to ``weights`` that sum to exactly ``units``.

    Each weight gets the floor of its exact share; the units left over go one each to the
    largest remainders, ties to the earlier weight. Weights must be >= 0 with a positive sum.
    """
    total = sum((Fraction(w) for w in weights), Fraction(0))
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    exact = [Fraction(w) * units / total for w in weights]
    floors = [math.floor(x) for x in exact]
    missing = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return floors
