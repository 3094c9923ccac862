"""One deadline per tool call, shared by every request the call makes and all their retries.

Without it a GET could take about two minutes at the 30 s request timeout (four attempts and
their backoff) and an update (a GET and a PUT) four, while the model and the user wait. The
tool wrapper opens a `call_scope`; the first request in it fixes the deadline (the requester's
`call_deadline` seconds from then), and every later request of the call, also in tasks the call
starts, sees the same one. Outside a scope (a script, `check`) each request gets its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

DEFAULT_CALL_DEADLINE_SECONDS = 60.0


@dataclass
class _CallDeadline:
    at: float | None = None  # monotonic seconds; set by the call's first request


_current: ContextVar[_CallDeadline | None] = ContextVar("audience_mcp_call_deadline", default=None)


@contextmanager
def call_scope() -> Iterator[None]:
    """Everything sent inside shares one deadline (child tasks inherit the scope)."""
    token = _current.set(_CallDeadline())
    try:
        yield
    finally:
        _current.reset(token)


def deadline(seconds: float, clock: Callable[[], float]) -> float:
    """The absolute deadline for a request sent now, on `clock`."""
    scope = _current.get()
    if scope is None:
        return clock() + seconds
    if scope.at is None:
        scope.at = clock() + seconds
    return scope.at
