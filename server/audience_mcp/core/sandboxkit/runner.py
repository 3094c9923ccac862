"""Serving the platforms' emulators from one process (`audience-mcp sandbox-api`).

Each platform's sandbox is a Starlette app mounted under its own path prefix (neuroflash at the
root, so it keeps the real hosts' paths). Their lifespans run together, so every sandbox closes
its database on shutdown. Logs go to stderr; access logs are off. ``on_server`` hands the
uvicorn server to the caller before it starts, so a test can wait for ``ready`` and stop it
with ``should_exit = True``.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxOptions:
    """What `sandbox-api` can set; each platform's sandbox takes what applies to it."""

    db_path: str = ":memory:"
    create_limit: int | None = 50
    token_lifetime_seconds: float = 14399.0


@dataclass(frozen=True)
class SandboxMount:
    """One platform's emulator: where it is served, and the line that tells a user how to use it."""

    prefix: str  # "" for the root
    app: Starlette
    ready_text: Callable[[str], str]  # root URL -> how to point the server at it (no secret but public ones)


def combined_app(mounts: Sequence[SandboxMount]) -> Starlette:
    """One app serving every mount; one mount at the root is served as it is."""
    if len(mounts) == 1 and not mounts[0].prefix:
        return mounts[0].app

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for mount in mounts:
                await stack.enter_async_context(mount.app.router.lifespan_context(mount.app))
            yield

    # Longer prefixes first: the root mount would otherwise answer every path.
    ordered = sorted(mounts, key=lambda mount: -len(mount.prefix))
    return Starlette(routes=[Mount(mount.prefix, app=mount.app) for mount in ordered], lifespan=lifespan)


class SandboxServer(uvicorn.Server):
    """A uvicorn server that signals when it is listening and knows its bound port."""

    def __init__(self, config: uvicorn.Config, mounts: Sequence[SandboxMount] = ()) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._mounts = tuple(mounts)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            root = f"http://{self.config.host}:{self.port}"
            for mount in self._mounts:
                logger.info("%s", mount.ready_text(f"{root}{mount.prefix}"))
        self.ready.set()

    @property
    def port(self) -> int:
        """The port actually bound (useful when started with port 0)."""
        for server in self.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self.config.port)


def serve(
    mounts: Sequence[SandboxMount],
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    on_server: Callable[[SandboxServer], None] | None = None,
) -> None:
    """Serve the mounts on ``host:port`` until interrupted (blocks)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    app = combined_app(mounts)
    server = SandboxServer(
        uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, lifespan="on"), mounts
    )
    if on_server is not None:
        on_server(server)
    server.run()
