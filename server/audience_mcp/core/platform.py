"""What a platform package offers the server: one `Platform` object, looped over by app.py.

A platform brings its name, its toolsets and prompts, and how
to open its lifespan state (its API client, real or sandbox). Everything is reached through
callables, so a platform that is not enabled has none of its tool or client modules imported.
Whether a platform is enabled is decided from its settings class (`is_configured`) alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audience_mcp.core.mcp.registry import Toolset

if TYPE_CHECKING:  # the runner imports uvicorn: only sandbox-api needs it at run time
    from audience_mcp.core.sandboxkit.runner import SandboxMount, SandboxOptions


@dataclass(frozen=True)
class PromptSpec:
    """A prompt; `writes` marks one that leads to writing tools (left out in read-only mode)."""

    # Async when its text depends on the tools the server serves (it reads them from its Context).
    fn: Callable[..., str | Awaitable[str]]
    writes: bool = False


@dataclass(frozen=True)
class Platform:
    name: str
    title: str
    toolsets: Callable[[], Sequence[Toolset]]
    prompts: Callable[[], Sequence[PromptSpec]]
    # (settings, shared services) -> the platform's lifespan state, opened and closed by the server.
    open_state: Callable[[Any, Any], AbstractAsyncContextManager[Any]]
    instructions: str = ""
    # The platform's emulator for sandbox-api.
    sandbox_mount: Callable[[SandboxOptions], SandboxMount] | None = None


@dataclass
class ServerState:
    """The lifespan state of the server: the shared services and each enabled platform's state."""

    platforms: dict[str, Any]

    def platform(self, name: str) -> Any:
        try:
            return self.platforms[name]
        except KeyError:  # pragma: no cover - a wiring error, not a user error
            raise RuntimeError(f"platform {name!r} is not enabled on this server") from None
