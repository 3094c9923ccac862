"""Fixtures for Digital Audience tests: the real client and MCP server against an in-process sandbox.

The sandbox's session cookies and the platform accounts' access tokens are secret-guard sentinels
(tests/support/secret_guard.py), so any test that leaks one into its output, a tool result or
the journal fails. Settings ignore the environment and any .env file.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import anyio.lowlevel
import httpx2
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from audience_mcp.app import create_server
from audience_mcp.core.http.requester import RetryPolicy
from audience_mcp.platforms.digital_audience.client import DigitalAudienceClient
from audience_mcp.platforms.digital_audience.connection import Backend
from audience_mcp.platforms.digital_audience.sandbox import (
    SANDBOX_USERS,
    SandboxConfig,
    SandboxState,
    create_sandbox_app,
)
from audience_mcp.settings import Settings

BASE = "http://sandbox.digital-audience.test"
USER, PASSWORD = next(iter(SANDBOX_USERS.items()))
SENTINEL_CONFIG = SandboxConfig(
    cookie_prefix="nfsentinel-dacookie-",
    access_tokens=("nfsentinel-datoken-meta", "nfsentinel-datoken-google"),
)
META_ACCOUNT, GOOGLE_ACCOUNT = 501, 502


async def _no_sleep(_seconds: float) -> None:
    """Retries wait through this: not at all."""


def _yielding(app: Any) -> Any:
    # A scheduling point per request, as a network would be, so concurrent calls interleave.
    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await anyio.lowlevel.checkpoint()
        await app(scope, receive, send)

    return asgi


def connect(app: Any, *, username: str = USER, password: str = PASSWORD, **kwargs: Any) -> DigitalAudienceClient:
    options: dict[str, Any] = {"retry": RetryPolicy(max_attempts=2), "sleep": _no_sleep, **kwargs}
    return DigitalAudienceClient.connect(
        api_url=BASE,
        username=username,
        password=SecretStr(password),
        network=httpx2.ASGITransport(app=_yielding(app)),
        **options,
    )


def da_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"sandbox": False, "read_only": False, "state_db": ":memory:", **overrides}
    return Settings(_env_file=None, **values)


@dataclass
class DAHarness:
    server: MCPServer[Any]
    app: Any
    settings: Settings

    @property
    def sandbox(self) -> SandboxState:
        state = self.app.state.sandbox
        assert isinstance(state, SandboxState)
        return state

    def client(self, **kwargs: Any) -> Client:
        return Client(self.server, **kwargs)

    def campaign(self, name: str = "Winter sale") -> int:
        return int(self.sandbox.create_campaign(1, name)["id"])

    def audience(self, name: str = "CRM buyers", description: str | None = "Bought twice", **kwargs: Any) -> int:
        """An audience stored in the sandbox directly (the server has not seen it)."""
        campaign = kwargs.pop("campaign_id", None) or self.campaign()
        return int(self.sandbox.create_audience(1, name, description, campaign)["id"])

    def stored(self, audience_id: int) -> dict[str, Any]:
        return self.sandbox.audience(audience_id)


@pytest.fixture(autouse=True)
def _no_platform_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in list(os.environ):
        if name.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def make_da_server() -> Iterator[Any]:
    def factory(*, config: SandboxConfig = SENTINEL_CONFIG, app: Any = None, **overrides: Any) -> DAHarness:
        sandbox_app = app if app is not None else create_sandbox_app(config)

        def backend_factory(_settings: Settings) -> Backend:
            return Backend(client=connect(sandbox_app))

        settings = da_settings(**overrides)
        server = create_server(settings, backend_factories={"digital_audience": backend_factory})
        return DAHarness(server=server, app=sandbox_app, settings=settings)

    yield factory


@pytest.fixture
def da(make_da_server: Any) -> DAHarness:
    harness: DAHarness = make_da_server()
    return harness


@pytest.fixture
async def da_client(da: DAHarness) -> AsyncIterator[Client]:
    async with Client(da.server) as connected:
        yield connected


@pytest.fixture
def sandbox_app() -> Any:
    return create_sandbox_app(SENTINEL_CONFIG)


@pytest.fixture
async def api(sandbox_app: Any) -> AsyncIterator[DigitalAudienceClient]:
    async with connect(sandbox_app) as client:
        yield client
