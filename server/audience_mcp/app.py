"""create_server(settings) -> MCPServer: everything is built here, nothing at import.

The enabled platforms are chosen from the settings; each brings its toolsets, prompts and
lifespan state. The lifespan yields one ServerState that opens the shared state store and every
platform's state once: at start for an HTTP server or a PostgreSQL store, else on the first tool
call (core/platform.py says why); read-only mode and the toolset choice are applied once, by the
registry.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer, RequestStateSecurity

from audience_mcp import __version__
from audience_mcp.core.logs import configure_logging
from audience_mcp.core.mcp.published import PublishedSchemas
from audience_mcp.core.mcp.registry import SettingsChoiceError, Toolset, build_tools, select_toolsets
from audience_mcp.core.platform import Platform, ServerState, build_prompt
from audience_mcp.core.store.location import is_postgres
from audience_mcp.core.tools import toolsets as shared_toolsets
from audience_mcp.platforms import PLATFORM_MODULES, load_platform
from audience_mcp.settings import Settings

if TYPE_CHECKING:
    from audience_mcp.core.store.journal import Journal

# The precomputed schemas of every tool and the listing of every prompt (core/mcp/published.py);
# `dev.catalog --write` refreshes them.
PUBLISHED_SCHEMAS = Path(__file__).with_name("published_tools.json")
PUBLISHED_PROMPTS = Path(__file__).with_name("published_prompts.json")

SHARED_INSTRUCTIONS = """\
Manage marketing audiences. A platform's tools start with its name; the shared ones do not.
- audit_audiences checks every audience for broken or incomplete data and suggests fixes.
- Every write is journaled: list_recent_changes shows it, restore_change undoes it."""

READ_ONLY_INSTRUCTIONS = """\
Manage marketing audiences (read-only: this server offers no tool that writes).
- Each platform's *_list_audiences tool pages through its audiences; *_get_audience reads one.
- audit_audiences checks every audience for broken or incomplete data.
- list_recent_changes shows what this server changed before."""


class PlatformChoiceError(SettingsChoiceError):
    """No platform is enabled (no credentials, not in sandbox mode), or an unknown one is named."""


@dataclass
class SharedServices:
    """What every platform's lifespan state may use: the state store, the clock, file rules."""

    settings: Settings
    journal: Journal
    clock: Callable[[], float]
    image_dir: Path | None
    refuse_file_paths: bool
    backend_factories: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def backend_factory(self, platform: str, default: Callable[..., Any]) -> Callable[..., Any]:
        """The factory that opens `platform`'s client: a test's override, else the platform's own."""
        return self.backend_factories.get(platform, default)


def enabled_platforms(settings: Settings, *, opened_by_caller: Iterable[str] = ()) -> list[str]:
    """AUDIENCE_MCP_PLATFORMS if set; else every platform with credentials, or all in sandbox mode.

    A platform whose client the caller opens (a test's backend factory) counts as configured.
    """
    chosen = settings.server.platform_list()
    if chosen:
        unknown = sorted(set(chosen) - set(PLATFORM_MODULES))
        if unknown:
            raise PlatformChoiceError(
                f"AUDIENCE_MCP_PLATFORMS names unknown platforms: {', '.join(unknown)} "
                f"(known: {', '.join(PLATFORM_MODULES)})"
            )
        return [name for name in PLATFORM_MODULES if name in chosen]
    if settings.server.sandbox:
        return list(PLATFORM_MODULES)
    given = set(opened_by_caller)
    return [name for name in PLATFORM_MODULES if name in given or settings.platform_settings(name).has_credentials]


def all_toolsets(platforms: Iterable[Platform]) -> list[Toolset]:
    """Every toolset these platforms bring, then the shared ones (before AUDIENCE_MCP_TOOLSETS chooses)."""
    return [*(toolset for platform in platforms for toolset in platform.toolsets()), *shared_toolsets()]


def instructions(platforms: list[Platform], *, read_only: bool) -> str:
    if read_only:
        return READ_ONLY_INSTRUCTIONS
    return "\n".join([SHARED_INSTRUCTIONS, *(p.instructions for p in platforms if p.instructions)])


SERVER_NAME = "audiences"


def request_state_security(settings: Settings) -> RequestStateSecurity | None:
    """The keys that seal what a question asked in one request carries to its answer (2026-07-28).

    The answer may reach another replica, which can open the state only with the same keys
    (AUDIENCE_MCP_REQUEST_STATE_KEYS; the first seals, all open, for rotation). None: the SDK's
    key of this process alone, right for stdio and a single HTTP process.
    """
    keys = settings.server.request_state_key_list()
    if not keys:
        return None
    return RequestStateSecurity(keys=keys, audience=SERVER_NAME)


def create_server(
    settings: Settings,
    *,
    backend_factories: Mapping[str, Callable[..., Any]] | None = None,
    clock: Callable[[], float] = time.time,
    refuse_file_paths: bool = False,
    open_at_start: bool = False,
) -> MCPServer[ServerState]:
    """Build the MCP server for these settings.

    `backend_factories` (platform name -> factory) lets tests hand a platform its client, e.g. one
    on an in-process sandbox; `clock` (wall-clock seconds: replicas compare it) drives the expiry
    of confirmations, so tests can let ten minutes pass without waiting. `refuse_file_paths`
    (HTTP mode) keeps remote clients from reading the server's files outside AUDIENCE_MCP_IMAGE_DIR.
    `open_at_start` (HTTP mode: a service that should fail at once, not on its first request)
    opens the state store and the platforms' clients before the server serves; a PostgreSQL store
    is always opened then. Otherwise they are opened on the first tool call (core/platform.py).
    """
    factories = dict(backend_factories or {})
    names = enabled_platforms(settings, opened_by_caller=factories)
    if not names:
        raise PlatformChoiceError(
            "No platform is enabled: set a platform's credentials (see `audience-mcp check`), "
            "or run with --sandbox to try the server without an account."
        )
    platforms = [load_platform(name) for name in names]
    read_only = settings.server.read_only

    async def open_states(stack: AsyncExitStack) -> tuple[dict[str, Any], SharedServices]:
        from audience_mcp.core.store.journal import Journal  # with the state store: on first use

        journal = Journal(settings.server.state_db, retention_days=settings.server.journal_retention_days)
        stack.callback(journal.close)
        services = SharedServices(
            settings=settings,
            journal=journal,
            clock=clock,
            image_dir=Path(settings.server.image_dir) if settings.server.image_dir else None,
            refuse_file_paths=refuse_file_paths,
            backend_factories=factories,
        )
        states = {p.name: await stack.enter_async_context(p.open_state(settings, services)) for p in platforms}
        return states, services

    @asynccontextmanager
    async def lifespan(_: MCPServer[ServerState]) -> AsyncIterator[ServerState]:
        state = ServerState(descriptors={p.name: p for p in platforms}, opener=open_states)
        try:
            if open_at_start or is_postgres(settings.server.state_db):
                await state.ready()  # a service, or a shared store: fail at start when it cannot be opened
            yield state
        finally:
            await state.aclose()

    toolsets = select_toolsets(all_toolsets(platforms), settings.server.toolset_list())
    server: MCPServer[ServerState] = MCPServer(
        SERVER_NAME,
        title="Marketing audiences",
        instructions=instructions(platforms, read_only=read_only),
        version=__version__,
        lifespan=lifespan,
        tools=build_tools(toolsets, read_only=read_only, schemas=PublishedSchemas.load(PUBLISHED_SCHEMAS)),
        request_state_security=request_state_security(settings),
    )
    published_prompts = PublishedSchemas.load(PUBLISHED_PROMPTS)
    for platform in platforms:
        for prompt in platform.prompts():
            if not (read_only and prompt.writes):
                server.add_prompt(build_prompt(prompt, published_prompts))
    # MCPServer configures logging on construction; make sure its handlers redact too.
    configure_logging(secrets=settings.secret_values())
    return server
