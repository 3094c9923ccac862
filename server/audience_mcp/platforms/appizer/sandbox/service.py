"""The sandbox's state: apps with their user bases, audiences, the rate-limit window, faults.

Choices where the documents are silent (each a sandbox choice, not a fact about Appizer):
- two apps, `app_123` (the reference page's) and `app_456`; an unknown app is 404;
- keys: `sandbox-appizer-key` (everything), `sandbox-appizer-readonly` (403 on create),
  `sandbox-appizer-revoked` (401 REVOKED_API_KEY);
- a second audience with the same name (case-insensitive) in one app is 409;
- the rate limit is a fixed one-minute window per key (default 500, as documented), with
  `X-RateLimit-Reset` as the window's end in epoch seconds;
- an audience is a live segment: its `user_count` is evaluated on every read, so a change to the
  users (the sandbox-only users route) shows up as a change in size.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from audience_mcp.core.sandboxkit.faults import FaultInjector, Stats
from audience_mcp.platforms.appizer.sandbox.criteria import parse
from audience_mcp.platforms.appizer.sandbox.users import User, user_base

# Public, documented sandbox keys (README): no secret, the sandbox accepts them from anyone.
API_KEY = "sandbox-appizer-key"
READ_ONLY_KEY = "sandbox-appizer-readonly"
REVOKED_KEY = "sandbox-appizer-revoked"
APPS = ("app_123", "app_456")
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class SandboxConfig:
    users_per_app: int = 10_000
    rate_limit: int = 500  # requests per minute and key
    clock: Callable[[], float] = field(default=time.time)
    seed: int = 0
    extra_keys: tuple[str, ...] = ()  # more keys with full access (a test's own secret, say)


class SandboxError(Exception):
    """An error answer in Appizer's `{error, message, code, details}` shape."""

    TITLES: ClassVar[dict[int, str]] = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
    }

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}

    def body(self) -> dict[str, Any]:
        title = self.TITLES.get(self.status, "Error")
        return {"error": title, "message": self.message, "code": self.code, "details": self.details}


@dataclass
class Window:
    started: float
    used: int = 0


class AppizerSandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.faults = FaultInjector(config.seed)
        self.stats = Stats()
        self.rate_limit = config.rate_limit
        self._lock = threading.Lock()
        self._users: dict[str, list[User]] = {}
        self._audiences: dict[str, list[dict[str, Any]]] = {app: [] for app in APPS}
        self._windows: dict[str, Window] = {}
        self._next_id = 1000

    def now_iso(self) -> str:
        return datetime.fromtimestamp(self.config.clock(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def today(self) -> date:
        return datetime.fromtimestamp(self.config.clock(), tz=UTC).date()

    def users(self, app_id: str) -> list[User]:
        if app_id not in self._users:
            self._users[app_id] = user_base(app_id, self.config.users_per_app, self.today())
        return self._users[app_id]

    def app(self, app_id: str) -> str:
        if app_id not in self._audiences:
            raise SandboxError(404, "NOT_FOUND", f"App '{app_id}' not found")
        return app_id

    # --- auth and rate limit -------------------------------------------------------------
    def authorize(self, header: str | None, *, writes: bool) -> str:
        if not header:
            raise SandboxError(401, "MISSING_AUTH", "Missing Authorization header")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise SandboxError(401, "MISSING_AUTH", "Authorization must be 'Bearer <api key>'")
        key = key.strip()
        if key == REVOKED_KEY:
            raise SandboxError(401, "REVOKED_API_KEY", "This API key has been revoked")
        if key not in (API_KEY, READ_ONLY_KEY, *self.config.extra_keys):
            raise SandboxError(401, "INVALID_API_KEY", "Invalid API key")
        if writes and key == READ_ONLY_KEY:
            raise SandboxError(403, "INSUFFICIENT_PERMISSIONS", "This API key cannot create audiences")
        return key

    def spend(self, key: str) -> tuple[dict[str, str], float | None]:
        """Count a request of `key`: the rate-limit headers, and the wait when it is over budget."""
        now = self.config.clock()
        with self._lock:
            window = self._windows.get(key)
            if window is None or now >= window.started + WINDOW_SECONDS:
                window = self._windows[key] = Window(started=now)
            over = window.used >= self.rate_limit
            if not over:
                window.used += 1
            reset = window.started + WINDOW_SECONDS
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(0, self.rate_limit - window.used)),
                "X-RateLimit-Reset": str(int(reset) if reset == int(reset) else reset),
            }
        return headers, (reset - now if over else None)

    # --- audiences -----------------------------------------------------------------------
    def count(self, app_id: str, criteria: str) -> tuple[int, list[str]]:
        parsed = parse(criteria, self.today())
        return sum(1 for user in self.users(app_id) if parsed.matches(user)), parsed.unknown

    def list(self, app_id: str) -> list[dict[str, Any]]:
        with self._lock:
            stored = [dict(a) for a in self._audiences[self.app(app_id)]]
        for audience in stored:
            audience["user_count"] = self.count(app_id, audience["criteria"])[0]
        return stored

    def create(self, app_id: str, name: str, criteria: str, description: str | None) -> dict[str, Any]:
        self.app(app_id)
        user_count, unknown = self.count(app_id, criteria)
        with self._lock:
            if any(a["name"].casefold() == name.casefold() for a in self._audiences[app_id]):
                raise SandboxError(409, "CONFLICT", f"An audience named '{name}' already exists in this app")
            self._next_id += 1
            created = self.now_iso()
            audience = {
                "audience_id": f"aud_{self._next_id}",
                "name": name,
                "description": description,
                "criteria": criteria,
                "created_at": created,
                "updated_at": created,
            }
            self._audiences[app_id].append(audience)
        answer: dict[str, Any] = {
            "success": True,
            "audience_id": audience["audience_id"],
            "name": name,
            "user_count": user_count,
            "created_at": created,
            "message": "Audience created successfully",
        }
        if unknown:
            answer["unknown_fields"] = unknown
        return answer

    def change_users(self, app_id: str, where: str | None, fraction: float, values: dict[str, Any]) -> int:
        """Sandbox only: set `values` on a `fraction` of the users matching `where` (all if None)."""
        users = self.users(self.app(app_id))
        parsed = parse(where, self.today()) if where else None
        matching = [u for u in users if parsed is None or parsed.matches(u)]
        chosen = matching[: round(len(matching) * fraction)]
        for user in chosen:
            for name, value in values.items():
                if name in ("signup_date", "last_active"):
                    value = date.fromisoformat(str(value))
                setattr(user, name, value)
        return len(chosen)
