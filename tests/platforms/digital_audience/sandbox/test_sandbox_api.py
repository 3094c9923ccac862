"""`audience-mcp sandbox-api` serves the Digital Audience sandbox under /digital-audience, over real HTTP,
and the real client talks to it there (login cookie, wrapper, create, load)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from audience_mcp.platforms.digital_audience.client import DigitalAudienceClient

pytestmark = pytest.mark.anyio


async def test_the_client_works_against_the_standalone_sandbox_over_http(sandbox_api: str) -> None:
    async with DigitalAudienceClient.connect(
        api_url=f"{sandbox_api}/digital-audience", username="sandbox-user", password=SecretStr("sandbox-password")
    ) as api:
        campaign = await api.create_campaign("Over HTTP")
        audience = await api.create_audience("Real socket", campaign.id, "via uvicorn")
        loaded = await api.get_audience(audience.id)
        accounts = await api.list_platform_accounts()

    assert loaded.name == "Real socket" and loaded.campaign_name == "Over HTTP"
    assert [account.id for account in accounts] == [501, 502]
