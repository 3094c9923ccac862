"""Fixtures for driving the sandbox over plain HTTP, in-process through httpx2's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import Sandbox, SandboxConfig, create_sandbox_app
from tests.support.sandbox import BASE_URL, Api, Clock, fetch_token


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(clock: Clock) -> Iterator[Callable[..., Starlette]]:
    """Builds sandbox apps on the test clock; keyword arguments override config fields."""
    sandboxes: list[Sandbox] = []

    def factory(**overrides: Any) -> Starlette:
        settings: dict[str, Any] = {"clock": clock, **overrides}
        app = create_sandbox_app(SandboxConfig(**settings))
        sandboxes.append(app.state.sandbox)
        return app

    yield factory
    for sandbox in sandboxes:
        sandbox.close()


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    return make_app()


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    result: Sandbox = app.state.sandbox
    return result


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
async def api(http: httpx2.AsyncClient) -> Api:
    """Account 1 (workspace OWNER)."""
    return Api(http, await fetch_token(http, 0))


@pytest.fixture
async def api2(http: httpx2.AsyncClient) -> Api:
    """Account 2 (workspace MEMBER)."""
    return Api(http, await fetch_token(http, 1))
