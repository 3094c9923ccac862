"""Configuration of the neuroflash sandbox (an emulator of the audience and OAuth services).

Everything that a test may want to vary is a field here; the defaults mirror what the public
documentation says about the real service (a 4-hour token, the example audience model id).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from audience_mcp.platforms.neuroflash.sandbox.accounts import accounts_with_secrets

#: The audience model id used in every neuroflash guide; always known to the sandbox.
DEFAULT_AUDIENCE_MODEL_ID = "538b1efc6f88ad88feebf7acd8c618facb54fe82"

WorkspaceEnvelope = Literal["embedded", "data"]


@dataclass(frozen=True)
class SandboxConfig:
    """How one sandbox instance behaves.

    ``db_path`` is a file path or ``":memory:"``; a file database survives restarts (its parent
    directories are created). ``create_limit`` is the per-workspace plan limit on audiences
    (``None`` means unlimited). ``clock`` returns seconds since the epoch and drives token
    expiry and every timestamp, so tests can move time without sleeping. ``workspace_envelope``
    picks which of the two published workspace-list shapes is served. ``extra_workspaces`` adds
    workspaces (by name) that both built-in accounts belong to. ``seed`` seeds the fault RNG.
    ``audience_model_ids`` are accepted by the URL import besides the documented default one.
    ``client_secrets`` (client id -> secret) replaces the public secrets of the built-in
    accounts, e.g. with values a test can search its output for.
    """

    db_path: str = ":memory:"
    create_limit: int | None = 50
    token_lifetime_seconds: float = 14399
    clock: Callable[[], float] = field(default=time.time)
    workspace_envelope: WorkspaceEnvelope = "embedded"
    extra_workspaces: tuple[str, ...] = ()
    seed: int = 0
    audience_model_ids: tuple[str, ...] = ()
    url_import_latency: float = 0.0
    client_secrets: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.create_limit is not None and self.create_limit < 0:
            raise ValueError("create_limit must be >= 0 or None")
        if self.token_lifetime_seconds <= 0:
            raise ValueError("token_lifetime_seconds must be positive")
        if self.workspace_envelope not in ("embedded", "data"):
            raise ValueError("workspace_envelope must be 'embedded' or 'data'")
        if self.url_import_latency < 0:
            raise ValueError("url_import_latency must be >= 0")
        accounts_with_secrets(self.client_secrets)  # refuses unknown client ids and empty secrets

    def known_audience_models(self) -> frozenset[str]:
        return frozenset((DEFAULT_AUDIENCE_MODEL_ID, *self.audience_model_ids))
