"""Shared fixtures: a fresh in-memory sandbox per test, and the real client wired to it.

Async tests run on asyncio through anyio's pytest plugin. Waits between retries go through
`RecordedSleep`, so retry tests count attempts and waits without sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from audience_mcp.platforms.neuroflash.api import NeuroflashClient, RetryPolicy
from tests.support.clocks import RecordedSleep
from tests.support.postgres import postgres_server, postgres_url, report_skips, state_location  # noqa: F401 - fixtures
from tests.support.processes import sandbox_api  # noqa: F401 - the standalone sandbox process, a fixture

BASE = "http://sandbox.test"

# The secrets campaign runs over the whole suite: sentinel secrets in the environment, and a
# leak check of every test's output, tool results and journals (tests/support/secret_guard.py).
# pytester runs that check against tests written to leak, in tests/campaigns.
pytest_plugins = ("pytester", "tests.support.secret_guard")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def isolated_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default paths (sandbox DB, journal) land in a temp dir, never in the developer's data."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))
    # Nor is a developer's ~/.config/audience-mcp/.env read (settings.env_files()).
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("user-config")))


@pytest.fixture
def sandbox_config() -> Any:
    from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig

    return SandboxConfig(db_path=":memory:")


@pytest.fixture
def sandbox_app(sandbox_config: Any) -> Any:
    from audience_mcp.platforms.neuroflash.sandbox import create_sandbox_app

    return create_sandbox_app(sandbox_config)


@pytest.fixture
def sandbox(sandbox_app: Any) -> Any:
    return sandbox_app.state.sandbox


@pytest.fixture
def recorded_sleep() -> RecordedSleep:
    return RecordedSleep()


ClientFactory = Callable[..., NeuroflashClient]


@pytest.fixture
def make_client(sandbox_app: Any, recorded_sleep: RecordedSleep) -> ClientFactory:
    """Builds clients against the sandbox; keyword arguments override the defaults."""

    def factory(**overrides: Any) -> NeuroflashClient:
        kwargs: dict[str, Any] = {
            "api_url": f"{BASE}/api",
            "token_url": f"{BASE}/oauth/v2/token",
            "client_id": "sandbox-client",
            "client_secret": SecretStr("sandbox-secret"),
            "network": httpx2.ASGITransport(app=sandbox_app),
            "retry": RetryPolicy(max_attempts=4),
            "sleep": recorded_sleep,
        }
        if "app" in overrides:
            kwargs["network"] = httpx2.ASGITransport(app=overrides.pop("app"))
        kwargs.update(overrides)
        return NeuroflashClient.connect(**kwargs)

    return factory


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[NeuroflashClient]:
    async with make_client() as api:
        yield api


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report_skips(terminalreporter)
