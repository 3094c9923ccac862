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

import json
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
from audience_mcp.core.store.pending import MemoryPending, PendingStore

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
    payload: Any  # what the platform needs to act later (e.g. the full before-image), as its model


def _request_record(request: Request) -> dict[str, Any]:
    return {
        "platform": request.platform,
        "resource_type": request.resource_type,
        "resource_id": request.resource_id,
        "action": request.action,
        "tool": request.tool,
        "scope": request.scope,
        "arguments": dict(request.arguments),
    }


def _request_key(request: Request) -> str:
    """What a token is bound to: the request's compared fields (not its arguments' wording)."""
    record = _request_record(request)
    del record["arguments"]
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


class Confirmations:
    """Pending confirmations: single-use tokens, each bound to one Request, valid `ttl` seconds.

    The records live in `store`: the state store's table (core/store/pending.py), so a token is
    redeemed by whichever process or replica the second call reaches, once; without one, in
    this process's memory. Either way a record is written as JSON (the payload, a pydantic
    model, by its wire names), so what a replica reads back is what the issuer kept.
    `clock` is injectable so tests can let ten minutes pass without waiting; replicas sharing a
    store must share a clock, which the wall clock (the default) is.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        ttl: float = CONFIRMATION_TTL_SECONDS,
        store: PendingStore | None = None,
    ) -> None:
        self._clock = clock
        self._ttl = ttl
        self._store: PendingStore = store if store is not None else MemoryPending()

    def issue(self, request: Request, preview: Mapping[str, Any], payload: BaseModel | None = None) -> Pending:
        now = self._clock()
        pending = Pending(
            token=secrets.token_urlsafe(12),
            request=request,
            expires_at=now + self._ttl,
            preview=dict(preview),
            payload=payload,
        )
        record = {
            "request": _request_record(request),
            "expires_at": pending.expires_at,
            "preview": pending.preview,
            "payload": None if payload is None else payload.model_dump(mode="json", by_alias=True, exclude_unset=True),
        }
        self._store.put(
            pending.token, _request_key(request), json.dumps(record), expires_at=pending.expires_at, now=now
        )
        return pending

    def redeem(self, token: str, request: Request, payload_type: type[BaseModel] | None = None) -> Pending:
        """Consume the token, or raise a ToolError naming the call that gets a valid one.

        `payload_type` reads the payload back (None: the tool kept no payload).
        """
        now = self._clock()
        text = self._store.take(token, _request_key(request), now=now)
        if text is None:
            other = self._store.peek(token, now=now)
            if other is None:
                minutes = int(self._ttl // 60)
                raise tool_error(
                    f"This confirm_token is unknown, already used or expired (tokens last {minutes} minutes). "
                    f"Call {request.call} without a token to get a new one."
                )
            # Not consumed: the token still confirms what it was issued for.
            issued_for = Request(**json.loads(other)["request"])
            raise tool_error(
                f"This confirm_token was issued for {issued_for.describe()}, not for {request.describe()}. "
                f"Call {request.call} without a token to get one for this."
            )
        record = json.loads(text)
        data = record["payload"]
        return Pending(
            token=token,
            request=request,
            expires_at=float(record["expires_at"]),
            preview=dict(record["preview"]),
            payload=None if data is None or payload_type is None else payload_type.model_validate(data),
        )

    def seconds_left(self, pending: Pending) -> int:
        return max(0, int(pending.expires_at - self._clock()))


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
    payload: BaseModel | None = None,
    payload_type: type[BaseModel] | None = None,
) -> Outcome:
    """The confirmation rule of every destructive action: a redeemed token or the user's yes.

    `decision` is what the tool's `ask` resolver produced; `preview` (and `payload`) describe
    the resource as it is now, None when a token was given (the token's own are used then,
    the payload read back as `payload_type`).
    """
    if token:
        pending = confirmations.redeem(token, request, payload_type)
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
