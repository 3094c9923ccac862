"""One call deadline (AUDIENCE_MCP_CALL_DEADLINE_SECONDS) reaches every platform's client."""

from __future__ import annotations

import importlib

import pytest

from audience_mcp.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("platform", ["neuroflash", "appizer", "digital_audience"])
async def test_every_platform_client_takes_the_call_deadline_setting(platform: str) -> None:
    settings = Settings(_env_file=None, sandbox=True, call_deadline_seconds=7, sandbox_db=":memory:")
    connection = importlib.import_module(f"audience_mcp.platforms.{platform}.connection")

    client = connection.open_backend(settings).client
    try:
        assert client._requester._call_deadline == 7  # the one deadline of a tool call (issue 10)
    finally:
        await client.aclose()
