"""Running the sandbox as a standalone HTTP server (uvicorn) for manual use and other tools.

Logs go to stderr; access logs are off. ``on_server`` hands the uvicorn server object to the
caller before it starts, so an embedding program (or a test) can wait for ``ready`` and stop
it cleanly with ``should_exit = True``.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Callable

import uvicorn

from audience_mcp.platforms.neuroflash.sandbox.accounts import SANDBOX_ACCOUNTS
from audience_mcp.platforms.neuroflash.sandbox.app import create_sandbox_app
from audience_mcp.platforms.neuroflash.sandbox.config import SandboxConfig

logger = logging.getLogger(__name__)


class SandboxServer(uvicorn.Server):
    """A uvicorn server that signals when it is listening and knows its bound port."""

    def __init__(self, config: uvicorn.Config, sandbox_config: SandboxConfig | None = None) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._sandbox_config = sandbox_config or SandboxConfig()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            root = f"http://{self.config.host}:{self.port}"
            account = SANDBOX_ACCOUNTS[0]
            # The built-in secret is public and worth showing; a configured one is not shown.
            configured = account.client_id in self._sandbox_config.client_secrets
            logger.info(
                "neuroflash sandbox ready: NEUROFLASH_API_URL=%s/api NEUROFLASH_TOKEN_URL=%s/oauth/v2/token "
                "(client id %s, secret %s)",
                root,
                root,
                account.client_id,
                "as configured" if configured else account.client_secret,
            )
        self.ready.set()

    @property
    def port(self) -> int:
        """The port actually bound (useful when started with port 0)."""
        for server in self.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self.config.port)


def run_standalone(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    on_server: Callable[[SandboxServer], None] | None = None,
) -> None:
    """Serve the sandbox on ``host:port`` until interrupted (blocks)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    config = config or SandboxConfig()
    app = create_sandbox_app(config)
    server = SandboxServer(
        uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, lifespan="on"), config
    )
    if on_server is not None:
        on_server(server)
    server.run()
