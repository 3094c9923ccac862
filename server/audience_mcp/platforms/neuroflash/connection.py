"""Open the one API client the server uses: against neuroflash, or against the sandbox.

In sandbox mode the sandbox app runs in this process and the client reaches it through
`httpx2.ASGITransport`: the same client code, no socket, no network. Real credentials are
never sent to the sandbox; it is always driven with its own public service account.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
import httpx2
from pydantic import SecretStr

from audience_mcp.core.http.requester import Sleep
from audience_mcp.platforms.neuroflash.api import NeuroflashClient, RetryPolicy
from audience_mcp.platforms.neuroflash.settings import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from audience_mcp.settings import Settings

SANDBOX_BASE_URL = "http://sandbox.neuroflash.local"


@dataclass
class Backend:
    """The opened client (a dataclass, so a platform can add what else it opens)."""

    client: NeuroflashClient


def open_backend(settings: Settings, *, retry: RetryPolicy | None = None, sleep: Sleep = anyio.sleep) -> Backend:
    """Build the client the settings ask for (no request is sent yet)."""
    if settings.server.sandbox:
        from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig, create_sandbox_app

        app = create_sandbox_app(SandboxConfig(db_path=settings.server.sandbox_db))
        client = NeuroflashClient.connect(
            api_url=f"{SANDBOX_BASE_URL}/api",
            token_url=f"{SANDBOX_BASE_URL}/oauth/v2/token",
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SecretStr(SANDBOX_CLIENT_SECRET),
            timeout_seconds=settings.server.timeout_seconds,
            call_deadline_seconds=settings.server.call_deadline_seconds,
            network=httpx2.ASGITransport(app=app),
            retry=retry,
            sleep=sleep,
        )
        return Backend(client=client)
    client = NeuroflashClient.connect(
        api_url=settings.neuroflash.api_url,
        token_url=settings.neuroflash.token_url,
        client_id=settings.neuroflash.client_id,
        client_secret=settings.neuroflash.client_secret,
        access_token=settings.neuroflash.access_token,
        timeout_seconds=settings.server.timeout_seconds,
        call_deadline_seconds=settings.server.call_deadline_seconds,
        retry=retry,
        sleep=sleep,
    )
    return Backend(client=client)
