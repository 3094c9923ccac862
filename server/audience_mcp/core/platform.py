"""What a platform package offers the server: one `Platform` object, looped over by app.py.

A platform brings its name, its toolsets and prompts, how to open its lifespan state (its API
client, real or sandbox), and the two hooks the shared tools call: its audit (`audit_audiences`)
and its undo (`restore_change`). Everything is reached through callables, so a platform that is
not enabled has none of its tool or client modules imported. Whether a platform is enabled is
decided from its settings class (`is_configured`) alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from mcp.server.mcpserver.prompts.base import Prompt

from audience_mcp.core.mcp.published import DeferredPrompt, PublishedSchemas, load_target, target_name
from audience_mcp.core.mcp.registry import Toolset

if TYPE_CHECKING:  # the runner imports uvicorn: only sandbox-api needs it at run time
    from mcp.server.elicitation import ElicitationResult

    from audience_mcp.core.audit.findings import AuditOptions, PlatformAudit, Severity
    from audience_mcp.core.sandboxkit.runner import SandboxMount, SandboxOptions
    from audience_mcp.core.store.journal import Change
    from audience_mcp.core.tools.history import RestoreResult, UndoTarget


class Progress(Protocol):
    async def __call__(self, done: float, total: float | None, message: str) -> None: ...


class PlatformAuditor(Protocol):
    """A platform's audit: its checks by name (in report order) and how to run them."""

    @property
    def checks(self) -> Mapping[str, Severity]: ...

    async def run(self, state: Any, options: AuditOptions, progress: Progress) -> PlatformAudit: ...


class PlatformUndo(Protocol):
    """A platform's undo of its journaled changes (the inverse write; itself journaled)."""

    @property
    def actions(self) -> Mapping[str, str]:
        """The actions it can undo, each with what undoing it does; restore_change refuses others."""
        ...

    def changed_fields(self, change: Change) -> list[str]:
        """The fields an update changed, as the model names them (for list_recent_changes)."""
        ...

    async def target(self, state: Any, change: Change) -> UndoTarget | None:
        """When undoing `change` needs the user's yes (it deletes something): what to ask; else None."""
        ...

    async def undo(
        self,
        state: Any,
        change: Change,
        *,
        force: bool,
        target: UndoTarget | None,
        decision: ElicitationResult[Any],
        confirm_token: str | None,
    ) -> RestoreResult: ...


def deferred(module: str, name: str) -> Callable[..., Any]:
    """`module.name(*args)`, with `module` imported on the first call, not when the descriptor is built:
    a platform's hooks and sandbox stay unimported until the server (or sandbox-api) uses them."""

    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args)

    call.__qualname__ = f"deferred({module}.{name})"
    return call


@dataclass(frozen=True)
class PromptSpec:
    """A prompt; `writes` marks one that leads to writing tools (left out in read-only mode).

    `function` is the prompt function, or where it lives as "package.module:function" (imported
    on the prompt's first `prompts/get` when published_prompts.json lists it, as for tools).
    """

    # Async when its text depends on the tools the server serves (it reads them from its Context).
    function: Callable[..., str | Awaitable[str]] | str
    writes: bool = False

    @property
    def name(self) -> str:
        return target_name(self.function)

    @property
    def fn(self) -> Callable[..., str | Awaitable[str]]:
        return cast(Callable[..., str | Awaitable[str]], load_target(self.function))


def build_prompt(spec: PromptSpec, published: PublishedSchemas) -> Prompt:
    """The SDK prompt to serve: listed from its published entry and built on first use when the
    entry is current, else built now (as `MCPServer.prompt()` builds it)."""
    entry = published.entry(spec.name, spec.function)
    if entry is None:
        return Prompt.from_function(spec.fn)
    return DeferredPrompt.publish(name=spec.name, entry=entry, build=lambda: Prompt.from_function(spec.fn))


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
    # The shared tools' hooks, loaded on first use (they import the platform's modules).
    auditor: Callable[[], PlatformAuditor] | None = None
    undo: Callable[[], PlatformUndo] | None = None


OpenStates = Callable[[AsyncExitStack], Awaitable[tuple[dict[str, Any], Any]]]


@dataclass
class ServerState:
    """The lifespan state of the server: the shared services and each enabled platform's state.

    Opened by `ready()`: the server's lifespan calls it at once for an HTTP server or a shared
    (PostgreSQL) store, which must fail at start when they cannot be opened, and every tool call
    calls it before it runs (core/mcp/access.py). A stdio server on a SQLite state file therefore
    opens the file and its platforms' clients on its first tool call, not before it answers
    `initialize`: a host starts it, lists its tools and may never call one.
    """

    # Opens the shared services and every platform's state onto the stack; closed with the server.
    opener: OpenStates
    # The enabled platforms' descriptors, for the shared tools (audit, history).
    descriptors: dict[str, Platform] = field(default_factory=dict)
    platforms: dict[str, Any] = field(default_factory=dict)
    services: Any = None  # app.SharedServices: the journal, the clock, the settings
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    _opening: Any = None  # an anyio.Lock, made when first needed (inside the event loop)
    _opened: bool = False
    _closed: bool = False

    async def ready(self) -> None:
        """Open everything once; later calls (and calls that waited for the first) return at once."""
        if self._opened:
            return
        import anyio

        if self._opening is None:
            self._opening = anyio.Lock()
        async with self._opening:
            if self._opened:
                return
            if self._closed:
                raise RuntimeError("the server is shutting down")
            opened = AsyncExitStack()
            try:
                self.platforms, self.services = await self.opener(opened)
            except BaseException:
                with anyio.CancelScope(shield=True):  # a cancelled call still closes what it opened
                    await opened.aclose()  # the next call tries again
                raise
            self._stack.push_async_exit(opened)
            self._opened = True

    async def aclose(self) -> None:
        """Close what was opened; a call that starts opening afterwards is refused."""
        self._closed = True
        if self._opening is not None:
            async with self._opening:  # an opening in progress finishes (and is closed) first
                await self._stack.aclose()
        else:
            await self._stack.aclose()
        self._opened = False
        self.platforms = {}

    def platform(self, name: str) -> Any:
        try:
            return self.platforms[name]
        except KeyError:  # a wiring error (ready() not awaited, or the platform not enabled), not a user error
            raise RuntimeError(f"platform {name!r} is not enabled on this server, or not opened yet") from None


def server_state(ctx: Any) -> ServerState:
    """The running server's ServerState, from a tool's Context."""
    state = ctx.request_context.lifespan_context
    if not isinstance(state, ServerState):  # pragma: no cover - a wiring error, not a user error
        raise RuntimeError("the server's lifespan did not provide a ServerState")
    return state
