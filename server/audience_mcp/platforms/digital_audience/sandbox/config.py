"""How one Digital Audience sandbox behaves; every field is something a test may want to vary."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Two portal users of one organisation (public sandbox credentials, like neuroflash's).
SANDBOX_USERS: Mapping[str, str] = {"sandbox-user": "sandbox-password", "second-user": "second-password"}


@dataclass(frozen=True)
class SandboxConfig:
    """`session_lifetime_seconds`: how long a login cookie is valid (the real lifetime is unknown).
    `not_logged_in_status`: the HTTP status of the "not logged in" answer (200 tests the tolerant
    reader: a wrapped failure with a success status). `cookie_prefix` and `access_tokens` let a
    test use sentinel values it can search its output for. `clock` drives expiry and timestamps.
    """

    users: Mapping[str, str] = field(default_factory=lambda: dict(SANDBOX_USERS))
    session_lifetime_seconds: float = 3600.0
    not_logged_in_status: int = 401
    cookie_prefix: str = "dasbx-"
    access_tokens: tuple[str, str] = ("dasbx-token-meta-7Qm2", "dasbx-token-google-Zr81")
    clock: Callable[[], float] = field(default=time.time)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.session_lifetime_seconds <= 0:
            raise ValueError("session_lifetime_seconds must be positive")
        if self.not_logged_in_status not in (200, 401):
            raise ValueError("not_logged_in_status must be 200 or 401")
