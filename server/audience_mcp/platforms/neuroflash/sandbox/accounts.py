"""Built-in service accounts, workspaces and the in-memory OAuth token registry.

The real identity server (id.neuroflash.com, OAuth2 client credentials) hands out opaque
bearer tokens that live about four hours. The sandbox issues random url-safe tokens, keeps
them in memory only (a restart logs everybody out, like a rotated signing key would) and
judges expiry with the injectable clock, so tests can expire a token without sleeping. Every
token starts with ``nfsbx-``, like the prefixes of GitHub or Slack tokens, so a token that
leaks into a log, an error or a file is found by a plain pattern search.

Two accounts share one workspace so that the creator-only rules (update, delete, image) and
the visibility of shared versus private audiences can be exercised: account 1 is the
workspace OWNER, account 2 a MEMBER. Their secrets are public unless the config replaces
them (``client_secrets``), which tests do to use values they can search their output for.
Extra workspaces from the config get ids derived from their names (uuid5), so they are stable
across restarts of a file-backed sandbox.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from audience_mcp.core.sandboxkit.jsonio import JsonObject


@dataclass(frozen=True)
class Account:
    """A service account (client credentials) and the neuroflash user/customer behind it."""

    client_id: str
    client_secret: str
    user_id: str
    customer_id: int
    name: str
    email: str
    had_trial: bool = False

    def created_by_customer(self) -> JsonObject:
        """The version-B ``_embedded.createdByCustomer`` object for audiences this account made."""
        return {
            "email": self.email,
            "hadTrial": self.had_trial,
            "legacyId": self.customer_id,
            "name": self.name,
        }


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    roles: tuple[tuple[str, str], ...]  # (user id, role)

    def role_of(self, user_id: str) -> str | None:
        for member, role in self.roles:
            if member == user_id:
                return role
        return None


SANDBOX_WORKSPACE_ID = "5a7d0c1e-3b8f-4c2a-9e61-0f4b2d8c7a19"
SANDBOX_WORKSPACE_NAME = "Sandbox workspace"

SANDBOX_ACCOUNTS: tuple[Account, ...] = (
    Account(
        client_id="sandbox-client",
        client_secret="sandbox-secret",  # noqa: S106 - a documented, public test credential
        user_id="b0920767-2e30-48d3-80ce-268810bc433a",
        customer_id=12345,
        name="Sandbox User",
        email="sandbox-user@sandbox.neuroflash.invalid",
    ),
    Account(
        client_id="sandbox-client-2",
        client_secret="sandbox-secret-2",  # noqa: S106 - a documented, public test credential
        user_id="7c4e2f9a-5d1b-4e8c-a3f6-2b9d0e1c4a57",
        customer_id=12346,
        name="Sandbox Colleague",
        email="sandbox-colleague@sandbox.neuroflash.invalid",
    ),
)

#: Every access token the sandbox issues starts with this (see the module docstring).
TOKEN_PREFIX = "nfsbx-"  # noqa: S105 - a prefix, not a secret

_EXTRA_WORKSPACE_NAMESPACE = uuid.UUID("9f1c3a52-6e0d-4b7f-8a24-d51e9c0b3f86")


def account_by_user_id(user_id: str) -> Account | None:
    for account in SANDBOX_ACCOUNTS:
        if account.user_id == user_id:
            return account
    return None


def accounts_with_secrets(client_secrets: Mapping[str, str]) -> tuple[Account, ...]:
    """The built-in accounts, each with its secret replaced when ``client_secrets`` names it."""
    unknown = set(client_secrets) - {a.client_id for a in SANDBOX_ACCOUNTS}
    if unknown:
        raise ValueError(f"client_secrets names unknown client ids: {', '.join(sorted(unknown))}")
    if any(not isinstance(s, str) or not s for s in client_secrets.values()):
        raise ValueError("client_secrets values must be non-empty strings")
    return tuple(
        replace(a, client_secret=client_secrets[a.client_id]) if a.client_id in client_secrets else a
        for a in SANDBOX_ACCOUNTS
    )


def build_workspaces(extra_names: tuple[str, ...]) -> tuple[Workspace, ...]:
    """The main sandbox workspace plus one workspace per extra name, all with both accounts."""
    owner, member = SANDBOX_ACCOUNTS
    roles = ((owner.user_id, "OWNER"), (member.user_id, "MEMBER"))
    workspaces = [Workspace(SANDBOX_WORKSPACE_ID, SANDBOX_WORKSPACE_NAME, roles)]
    for name in extra_names:
        workspace_id = str(uuid.uuid5(_EXTRA_WORKSPACE_NAMESPACE, name))
        workspaces.append(Workspace(workspace_id, name, roles))
    return tuple(workspaces)


class TokenState:
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"


class TokenRegistry:
    """Opaque bearer tokens in memory, each bound to an account and an expiry instant."""

    def __init__(self, clock: Callable[[], float], lifetime_seconds: float) -> None:
        self._clock = clock
        self._lifetime = lifetime_seconds
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[Account, float]] = {}

    @property
    def lifetime_seconds(self) -> float:
        return self._lifetime

    def issue(self, account: Account) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            # Drop expired tokens so a long-running sandbox does not grow without bound.
            expired = [t for t, (_, expiry) in self._tokens.items() if expiry <= now]
            for stale in expired:
                del self._tokens[stale]
            self._tokens[token] = (account, now + self._lifetime)
        return token

    def resolve(self, token: str) -> tuple[str, Account | None]:
        """Return the token's state and, when valid, its account."""
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None:
            return TokenState.UNKNOWN, None
        account, expiry = entry
        if self._clock() >= expiry:
            return TokenState.EXPIRED, None
        return TokenState.VALID, account
