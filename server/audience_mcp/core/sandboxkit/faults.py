"""Injected faults, latency and request statistics.

neuroflash publishes no numeric rate limits, only that 429 (rate limit or quota) and 5xx
happen, so the sandbox lets a test decide: ``configure`` sets a random fault rate (drawn from
a seeded :class:`random.Random`, so a run is reproducible) and ``script`` fixes the outcome of
the next requests one by one. Faults apply to ``/api/*`` only (not to the token endpoint, the
admin routes or image downloads) and are answered before the route runs, so a faulted write
never reaches the store. A 429 carries ``Retry-After`` in seconds; fractions are allowed so
tests of retry loops stay fast.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from audience_mcp.core.sandboxkit.jsonio import JsonObject

_FAULT_BODIES: dict[int, tuple[str, str]] = {
    429: ("Too many requests", "RATE_LIMIT_EXCEEDED"),
    500: ("Internal server error", "INTERNAL_ERROR"),
    502: ("Bad gateway", "BAD_GATEWAY"),
    503: ("Service unavailable", "SERVICE_UNAVAILABLE"),
    504: ("Gateway timeout", "GATEWAY_TIMEOUT"),
}


def format_seconds(seconds: float) -> str:
    """``1.0 -> "1"``, ``0.01 -> "0.01"``, ``1.5 -> "1.5"`` (no exponent, no needless zeros)."""
    text = f"{seconds:.6f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class Fault:
    status: int
    body: JsonObject
    headers: dict[str, str]


class FaultInjector:
    """Decides, per ``/api`` request, whether to answer with an error instead of handling it."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)  # noqa: S311 - reproducible test faults, not crypto
        self._rate = 0.0
        self._statuses: tuple[int, ...] = (429, 503)
        self._retry_after = 1.0
        self._latency: tuple[float, float] = (0.0, 0.0)
        self._script: deque[int | None] = deque()

    def configure(
        self,
        rate: float = 0.0,
        statuses: Sequence[int] = (429, 503),
        retry_after: float = 1,
        latency: float | tuple[float, float] = 0.0,
    ) -> None:
        """Fault a fraction ``rate`` of requests with a status drawn from ``statuses``."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if not statuses or any(not 400 <= s <= 599 for s in statuses):
            raise ValueError("statuses must be a non-empty list of 4xx/5xx codes")
        if retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        low, high = (latency, latency) if isinstance(latency, int | float) else latency
        if low < 0 or high < low:
            raise ValueError("latency must be >= 0 (or a (low, high) range)")
        with self._lock:
            self._rate = float(rate)
            self._statuses = tuple(int(s) for s in statuses)
            self._retry_after = float(retry_after)
            self._latency = (float(low), float(high))

    def script(self, sequence: Sequence[int | None]) -> None:
        """The next requests get these outcomes in order (None = handle normally), then the rate."""
        for status in sequence:
            if status is not None and not 400 <= status <= 599:
                raise ValueError("scripted statuses must be 4xx/5xx codes or None")
        with self._lock:
            self._script = deque(sequence)

    def clear(self) -> None:
        """No faults, no latency, no script."""
        with self._lock:
            self._rate = 0.0
            self._statuses = (429, 503)
            self._retry_after = 1.0
            self._latency = (0.0, 0.0)
            self._script.clear()

    def state(self) -> JsonObject:
        with self._lock:
            return {
                "rate": self._rate,
                "statuses": list(self._statuses),
                "retry_after": self._retry_after,
                "latency": list(self._latency),
                "script": list(self._script),
            }

    def next_latency(self) -> float:
        with self._lock:
            low, high = self._latency
            if high <= 0:
                return 0.0
            return low if low == high else self._random.uniform(low, high)

    def next_fault(self) -> Fault | None:
        """Consume one script entry, or roll the dice; None means handle the request."""
        with self._lock:
            if self._script:
                status = self._script.popleft()
            elif self._rate > 0 and self._random.random() < self._rate:
                status = self._random.choice(self._statuses)
            else:
                status = None
            retry_after = self._retry_after
        if status is None:
            return None
        message, code = _FAULT_BODIES.get(status, ("Injected fault", "INJECTED_FAULT"))
        headers = {"Retry-After": format_seconds(retry_after)} if status == 429 else {}
        return Fault(status, {"error": message, "code": code}, headers)


class Stats:
    """Request counts keyed by ``"METHOD /route/template"``, faulted requests included, and
    the injected faults by status, so a test can tell how many of its requests were faulted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._faults: dict[int, int] = {}

    def record(self, key: str) -> None:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def record_fault(self, status: int) -> None:
        with self._lock:
            self._faults[status] = self._faults.get(status, 0) + 1

    @property
    def counts(self) -> dict[str, int]:
        """A snapshot copy of the counts."""
        with self._lock:
            return dict(self._counts)

    @property
    def faults(self) -> dict[int, int]:
        """A snapshot copy of the injected faults by status."""
        with self._lock:
            return dict(self._faults)

    def get(self, key: str) -> int:
        with self._lock:
            return self._counts.get(key, 0)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._faults.clear()
