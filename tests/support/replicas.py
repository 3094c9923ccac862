"""HTTP replicas of the server as a team runs them: real processes on one PostgreSQL and one sandbox.

`replica_processes` starts N `audience-mcp --transport http` processes at the same moment (so
their start-up migrations race, as replicas' do), all on one state store and one standalone
sandbox, with one bearer token and one set of request-state keys. `round_robin` is the load
balancer: an HTTP transport for the SDK client that sends each request to the next replica,
so consecutive requests of one conversation land on different processes.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.support import free_port, wait_for_http
from tests.support.campaigns import OWNER, WS, StandaloneSandbox, clean_env

TOKEN = "replica-bearer-token-0123456789"
KEYS = "replica-request-state-key-0123456789abcdef"  # 32+ characters, shared by every replica
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Replica:
    base: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def mcp_url(self) -> str:
        return f"{self.base}/mcp"


def replica_env(directory: Path, sandbox: StandaloneSandbox, state_db: str, **extra: str) -> dict[str, str]:
    env = {
        "NEUROFLASH_API_URL": sandbox.api_url,
        "NEUROFLASH_TOKEN_URL": sandbox.token_url,
        "NEUROFLASH_CLIENT_ID": OWNER.client_id,
        "NEUROFLASH_CLIENT_SECRET": "sandbox-secret",
        "NEUROFLASH_WORKSPACE_ID": WS,
        "AUDIENCE_MCP_PLATFORMS": "neuroflash",
        "AUDIENCE_MCP_STATE_DB": state_db,
        "AUDIENCE_MCP_TOKEN": TOKEN,
        "AUDIENCE_MCP_REQUEST_STATE_KEYS": KEYS,
    }
    env.update(extra)
    return clean_env(directory, **env)


@contextmanager
def replica_processes(
    directory: Path, sandbox: StandaloneSandbox, state_db: str, count: int = 2, **extra: str
) -> Iterator[list[Replica]]:
    """Start `count` replicas at once (no waiting between them); stop them after."""
    started: list[Replica] = []
    try:
        for n in range(count):
            port = free_port()
            log = directory / f"replica-{n}.log"
            with log.open("wb") as stderr:
                process = subprocess.Popen(
                    [sys.executable, "-m", "audience_mcp", "--transport", "http", "--port", str(port)],
                    env=replica_env(directory / f"replica-{n}", sandbox, state_db, **extra),
                    cwd=directory,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            started.append(Replica(f"http://127.0.0.1:{port}", log, process))
        for replica in started:
            wait_for_http(f"{replica.base}/healthz", replica.process, replica.log, timeout=60)
        yield started
    finally:
        for replica in started:
            replica.process.terminate()
        for replica in started:
            try:
                replica.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                replica.process.wait(timeout=10)


class RoundRobin(httpx2.AsyncBaseTransport):
    """A load balancer in the client: each request goes to the next replica's host and port."""

    def __init__(self, bases: Sequence[str]) -> None:
        self._targets = itertools.cycle([httpx2.URL(base) for base in bases])
        self._inner = httpx2.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        target = next(self._targets)
        request.url = request.url.copy_with(host=target.host, port=target.port)
        request.headers["Host"] = f"{target.host}:{target.port}"  # as a proxy in front of the replica sends
        self.sent.append(f"{target.host}:{target.port}")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@asynccontextmanager
async def replica_client(
    replicas: Sequence[Replica], *, balancer: RoundRobin | None = None, **client_options: Any
) -> AsyncIterator[Client]:
    """The SDK client behind a round-robin balancer over `replicas` (one replica: always that one)."""
    balancer = balancer if balancer is not None else RoundRobin([r.base for r in replicas])
    async with (
        httpx2.AsyncClient(transport=balancer, headers=AUTH, timeout=httpx2.Timeout(30.0, read=120.0)) as http,
        Client(streamable_http_client(replicas[0].mcp_url, http_client=http), **client_options) as client,
    ):
        yield client
