"""The caller behind the current tool call, as the journal names it ("who did what").

The tool wrapper (core/mcp/access.py) sets `current_caller` once per call from the SDK's
auth context, so `journaled_write` learns who writes without every tool passing it along.
Outside a tool call (and over stdio) the caller is "local".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from audience_mcp.core.auth.scopes import ALL_SCOPES

LOCAL = "local"
STATIC_TOKEN = "static-token"  # noqa: S105 - not a secret: the client id of AUDIENCE_MCP_TOKEN's callers


@dataclass(frozen=True)
class Caller:
    """Who calls (`actor`, as journaled) and the scopes they hold."""

    actor: str
    scopes: frozenset[str]


LOCAL_CALLER = Caller(LOCAL, frozenset(ALL_SCOPES))
_current: ContextVar[Caller] = ContextVar("audience_mcp_caller", default=LOCAL_CALLER)


def actor_name(subject: str | None, client_id: str | None) -> str:
    """`subject via client` for a user's token; the client alone for a machine's (no subject, or the same)."""
    subject, client_id = (subject or "").strip(), (client_id or "").strip()
    if subject and client_id and subject != client_id:
        return f"{subject} via {client_id}"
    return subject or client_id or "unknown"


def current_caller() -> Caller:
    return _current.get()


def current_actor() -> str:
    return _current.get().actor


@contextmanager
def acting_as(caller: Caller) -> Iterator[None]:
    token = _current.set(caller)
    try:
        yield
    finally:
        _current.reset(token)
