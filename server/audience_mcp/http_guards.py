"""The HTTP transport's defences, each small: token strength, failed-token throttling, Host and
Origin checks that log safely, and a header-read timeout for uvicorn.

- Token strength: AUDIENCE_MCP_TOKEN guards every tool; sixteen equal characters passed a length
  rule. `token_strength_bits` estimates the entropy from the character pool and how evenly the
  characters are spread, and the server wants at least 128 bits (what `secrets.token_urlsafe(32)`
  gives with room to spare).
- Failed bearer attempts are counted per client address in a sliding window; past the limit the
  address gets 429 with Retry-After until the window has moved on, so a token cannot be guessed
  at network speed. (Behind a reverse proxy every client shares the proxy's address.)
- Host and Origin: the same rule as the SDK's TransportSecurityMiddleware (exact values, or a
  `host:*` port wildcard), checked here so that a refused value is logged truncated and escaped:
  a client controls these headers, and the SDK logs them verbatim.
- Header-read timeout: uvicorn has none, so a client that sends headers slowly holds a connection
  forever (slowloris). `HeaderTimeoutH11` closes a connection whose request headers are not
  complete in time.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

MIN_TOKEN_BITS = 128
MAX_LOGGED_CHARS = 80

_HEX = frozenset("0123456789abcdef")
_CLASSES = (frozenset("0123456789"), frozenset("abcdefghijklmnopqrstuvwxyz"), frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_URL_SAFE_EXTRA = frozenset("-_")


def _pool(chars: set[str]) -> int:
    if chars <= _HEX:
        return 16
    pool = sum(len(cls) for cls in _CLASSES if chars & cls)
    rest = chars.difference(*_CLASSES)
    if rest:
        pool += 2 if rest <= _URL_SAFE_EXTRA else 33  # base64url's two, or the rest of printable ASCII
    return pool


def token_strength_bits(token: str) -> float:
    """A conservative entropy estimate: length x log2(pool), capped by the spread of characters.

    The pool is the smallest usual alphabet that holds the token (hex, digits, letters, the
    64 URL-safe base64 characters, printable ASCII). Repetition lowers the estimate: the
    empirical Shannon entropy of the characters, with some slack for short samples, bounds it.
    """
    if not token:
        return 0.0
    pool = _pool(set(token))
    by_pool = len(token) * math.log2(max(pool, 2))
    counts = Counter(token)
    shannon = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return min(by_pool, len(token) * shannon * 1.5)


def token_weakness(token: str) -> str | None:
    """Why AUDIENCE_MCP_TOKEN is too weak to guard the server, or None."""
    bits = token_strength_bits(token)
    if bits >= MIN_TOKEN_BITS:
        return None
    return (
        f"AUDIENCE_MCP_TOKEN is too weak (about {bits:.0f} bits of entropy; at least {MIN_TOKEN_BITS} are needed). "
        "Generate one with `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
    )


class FailedAttempts:
    """Failed bearer attempts per client address in a sliding window."""

    def __init__(
        self,
        *,
        limit: int = 10,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 10_000,
    ) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._max_addresses = max_addresses
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.get(address, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def retry_after(self, address: str) -> float | None:
        """Seconds until `address` may try again, or None when it may try now."""
        with self._lock:
            now = self._clock()
            times = self._recent(address, now)
            if len(times) < self._limit:
                return None
            return max(1.0, times[0] + self._window - now)

    def record(self, address: str) -> None:
        with self._lock:
            now = self._clock()
            if address not in self._failures and len(self._failures) >= self._max_addresses:
                # Bounded memory: forget addresses whose window has passed, else the oldest.
                for known in [a for a, t in self._failures.items() if not t or t[-1] <= now - self._window]:
                    del self._failures[known]
                if len(self._failures) >= self._max_addresses:
                    del self._failures[next(iter(self._failures))]
            times = self._recent(address, now)
            times.append(now)
            self._failures[address] = times


def shown_header(value: str | None) -> str:
    """A client-controlled header value as it may appear in a log line: escaped and short."""
    if value is None:
        return "(none)"
    clipped = value if len(value) <= MAX_LOGGED_CHARS else value[:MAX_LOGGED_CHARS] + "..."
    return ascii(clipped)


def header_allowed(value: str, allowed: Sequence[str]) -> bool:
    """The SDK's rule: an exact value, or `base:*` for any port of base."""
    if value in allowed:
        return True
    return any(entry.endswith(":*") and value.startswith(entry[:-1]) for entry in allowed)


class HeaderTimeoutH11(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers take too long.

    The timer runs while the connection waits for a request's headers (from the first byte of
    a request, or from connecting); uvicorn's keep-alive timeout covers idle connections.
    """

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def _awaiting_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._awaiting_headers() and not self.transport.is_closing():
            self.logger.info(
                "Closing a connection whose request headers did not arrive within %g s", self.header_timeout
            )
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers():
            self._arm()
        super().data_received(data)
        if not self._awaiting_headers():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def header_timeout_protocol(seconds: float) -> type[HeaderTimeoutH11]:
    """The protocol class for uvicorn's `http=` option with this timeout."""
    return type("HeaderTimeoutH11", (HeaderTimeoutH11,), {"header_timeout": seconds})
