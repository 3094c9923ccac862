"""The confirmation protocol of destructive actions, for every platform.

A destructive tool (a delete, an activation) never acts on a first call alone. When the client
supports elicitation, the user is asked through the SDK's `Resolve`/`Elicit` (both protocol
generations; see `ask`). Otherwise the first call returns a preview (what the user is shown)
and a single-use `confirm_token`, and a second call with the token acts.

A token is bound to one `Request`: (platform, resource_type, resource_id, action), the scope
(a workspace, an account) and the tool that issued it, so a token shown for one thing never
confirms another. Every message names the call to make, because the model only sees the text.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.errors import tool_error

CONFIRMATION_TTL_SECONDS = 600.0


class Confirmation(BaseModel):
    """The form the user answers; a platform may subclass it to word the checkbox."""

    confirm: bool = Field(description="Yes, go ahead")


C = TypeVar("C", bound=Confirmation)


@dataclass(frozen=True)
class Request:
    """What is to be confirmed, and the tool call (without a token) that asks for it."""

    platform: str
    resource_type: str
    resource_id: str
    action: str
    tool: str
    arguments: Mapping[str, object] = field(default_factory=dict, compare=False)
    scope: str = ""  # e.g. the workspace: the same id in another scope is another resource

    @property
    def call(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.arguments.items())
        return f"{self.tool}({args})"

    def describe(self) -> str:
        return f"{self.resource_type} '{self.resource_id}' ({self.action}, {self.call})"


@dataclass(frozen=True)
class Pending:
    token: str
    request: Request
    expires_at: float
    preview: dict[str, Any]
    payload: Any  # what the platform needs to act later (e.g. the full before-image); opaque here


class Confirmations:
    """Pending confirmations: single-use tokens, each bound to one Request, valid `ttl` seconds.

    `clock` is injectable so tests can let ten minutes pass without waiting.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl: float = CONFIRMATION_TTL_SECONDS) -> None:
        self._clock = clock
        self._ttl = ttl
        self._pending: dict[str, Pending] = {}

    def issue(self, request: Request, preview: Mapping[str, Any], payload: Any = None) -> Pending:
        self._expire()
        pending = Pending(
            token=secrets.token_urlsafe(12),
            request=request,
            expires_at=self._clock() + self._ttl,
            preview=dict(preview),
            payload=payload,
        )
        self._pending[pending.token] = pending
        return pending

    def redeem(self, token: str, request: Request) -> Pending:
        """Consume the token, or raise a ToolError naming the call that gets a valid one."""
        self._expire()
        pending = self._pending.get(token)
        if pending is None:
            minutes = int(self._ttl // 60)
            raise tool_error(
                f"This confirm_token is unknown, already used or expired (tokens last {minutes} minutes). "
                f"Call {request.call} without a token to get a new one."
            )
        if pending.request != request:
            # Not consumed: the token still confirms what it was issued for.
            raise tool_error(
                f"This confirm_token was issued for {pending.request.describe()}, not for {request.describe()}. "
                f"Call {request.call} without a token to get one for this."
            )
        del self._pending[token]
        return pending

    def seconds_left(self, pending: Pending) -> int:
        return max(0, int(pending.expires_at - self._clock()))

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[token]


def ask(question: str | None, ctx: Context, schema: type[C]) -> Elicit[C] | None:
    """For a tool's elicitation resolver: ask the user if the client can be asked.

    None (no question, e.g. a token was given; or no elicitation capability) makes the SDK
    inject an AcceptedElicitation without data, which `confirm` reads as: use the token flow.
    """
    capabilities = ctx.client_capabilities
    if question is None or capabilities is None or capabilities.elicitation is None:
        return None
    return Elicit(question, schema)


@dataclass(frozen=True)
class Confirmed:
    preview: dict[str, Any]
    payload: Any


@dataclass(frozen=True)
class NeedsConfirmation:
    token: str
    expires_in_seconds: int
    preview: dict[str, Any]
    message: str


@dataclass(frozen=True)
class Declined:
    answered_no: bool  # the user answered "no" (else: declined or dismissed the question)
    message: str


Outcome = Confirmed | NeedsConfirmation | Declined


def confirm(
    confirmations: Confirmations,
    request: Request,
    *,
    decision: ElicitationResult[Any],
    token: str | None,
    preview: Mapping[str, Any] | None,
    payload: Any = None,
) -> Outcome:
    """The confirmation rule of every destructive action: a redeemed token or the user's yes.

    `decision` is what the tool's `ask` resolver produced; `preview` (and `payload`) describe
    the resource as it is now, None when a token was given (the token's own are used then).
    """
    if token:
        pending = confirmations.redeem(token, request)
        return Confirmed(preview=pending.preview, payload=pending.payload)
    if isinstance(decision, AcceptedElicitation) and isinstance(decision.data, Confirmation):
        if decision.data.confirm:
            return Confirmed(preview=dict(preview or {}), payload=payload)
        return Declined(answered_no=True, message="Not confirmed; nothing was done.")
    if isinstance(decision, AcceptedElicitation) and preview is not None:
        pending = confirmations.issue(request, preview, payload)
        return NeedsConfirmation(
            token=pending.token,
            expires_in_seconds=confirmations.seconds_left(pending),
            preview=pending.preview,
            message=(
                "Nothing done yet. Show the user this preview and ask; if they agree, call "
                f"{request.tool} again with confirm_token."
            ),
        )
    return Declined(answered_no=False, message="The user declined or dismissed the question; nothing was done.")
