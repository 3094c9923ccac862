"""The HTTP app as the CLI builds it, served by uvicorn on a pre-bound loopback socket."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from audience_mcp.core.auth.resource_server import OAuthResource
from audience_mcp.http_guards import FailedAttempts
from audience_mcp.http_server import build_http_app, uvicorn_config


@asynccontextmanager
async def serve_http_app(
    server: MCPServer[Any],
    *,
    token: str | None,
    failed_attempts: FailedAttempts | None = None,
    oauth: Callable[[str], OAuthResource] | None = None,
    **config: Any,
) -> AsyncIterator[str]:
    """Serve `server` behind the bearer gate; yields the base URL. `config` goes to uvicorn_config.

    `oauth` builds the OAuth resource server from the base URL (which names the resource).

    The socket listens before uvicorn starts, so the first request waits in the backlog.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        app = build_http_app(
            server,
            host="127.0.0.1",
            port=port,
            token=SecretStr(token) if token is not None else None,
            failed_attempts=failed_attempts,
            oauth=oauth(base) if oauth is not None else None,
        )
        http = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=port, log_level="WARNING", **config))
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(http.serve, [sock])
            try:
                yield base
            finally:
                http.should_exit = True
