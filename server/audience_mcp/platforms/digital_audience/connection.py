"""Open the Digital Audience client: against the configured API, or an in-process sandbox.

In sandbox mode the sandbox app runs in this process behind `httpx2.ASGITransport` and is
always driven with its own public user; real credentials are never sent to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
import httpx2
from pydantic import SecretStr

from audience_mcp.core.http.requester import RetryPolicy, Sleep
from audience_mcp.platforms.digital_audience.client import DigitalAudienceClient
from audience_mcp.platforms.digital_audience.settings import SANDBOX_PASSWORD, SANDBOX_USERNAME
from audience_mcp.settings import Settings

SANDBOX_BASE_URL = "http://sandbox.digital-audience.local"


@dataclass
class Backend:
    client: DigitalAudienceClient


def open_backend(settings: Settings, *, retry: RetryPolicy | None = None, sleep: Sleep = anyio.sleep) -> Backend:
    """Build the client the settings ask for (no request is sent yet)."""
    timeout = settings.server.timeout_seconds
    if settings.server.sandbox:
        from audience_mcp.platforms.digital_audience.sandbox import create_sandbox_app

        client = DigitalAudienceClient.connect(
            api_url=SANDBOX_BASE_URL,
            username=SANDBOX_USERNAME,
            password=SecretStr(SANDBOX_PASSWORD),
            timeout_seconds=timeout,
            call_deadline_seconds=settings.server.call_deadline_seconds,
            network=httpx2.ASGITransport(app=create_sandbox_app()),
            retry=retry,
            sleep=sleep,
        )
        return Backend(client=client)
    mine = settings.digital_audience
    if not (mine.digital_audience_api_url and mine.digital_audience_username and mine.digital_audience_password):
        raise ValueError(
            "Set DIGITAL_AUDIENCE_API_URL, DIGITAL_AUDIENCE_USERNAME and DIGITAL_AUDIENCE_PASSWORD, or use the sandbox"
        )
    client = DigitalAudienceClient.connect(
        api_url=mine.digital_audience_api_url,
        username=mine.digital_audience_username,
        password=mine.digital_audience_password,
        timeout_seconds=timeout,
        call_deadline_seconds=settings.server.call_deadline_seconds,
        retry=retry,
        sleep=sleep,
    )
    return Backend(client=client)
