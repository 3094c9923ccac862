"""Open the Appizer client: against Appizer, or against the in-process sandbox.

In sandbox mode the client reaches the sandbox app through `httpx2.ASGITransport` with the
sandbox's public key; a configured real key is never sent to the sandbox.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import httpx2
from pydantic import SecretStr

from audience_mcp.core.http.requester import RetryPolicy, Sleep
from audience_mcp.platforms.appizer.client import AppizerClient
from audience_mcp.platforms.appizer.settings import SANDBOX_API_KEY
from audience_mcp.settings import Settings

SANDBOX_BASE_URL = "http://sandbox.appizer.local"
SANDBOX_APP_ID = "app_123"  # the reference page's app id; the sandbox's first app


@dataclass
class Backend:
    client: AppizerClient
    default_app_id: str | None = None
    # When a size is observed (epoch seconds); a test moves it to let hours pass.
    clock: Callable[[], float] = time.time


def open_backend(settings: Settings, *, retry: RetryPolicy | None = None, sleep: Sleep = anyio.sleep) -> Backend:
    """Build the client the settings ask for (no request is sent yet)."""
    own = settings.appizer
    if settings.server.sandbox:
        from audience_mcp.platforms.appizer.sandbox import create_sandbox_app

        client = AppizerClient.connect(
            api_url=f"{SANDBOX_BASE_URL}/v1",
            api_key=SecretStr(SANDBOX_API_KEY),
            timeout_seconds=settings.server.timeout_seconds,
            call_deadline_seconds=settings.server.call_deadline_seconds,
            network=httpx2.ASGITransport(app=create_sandbox_app()),
            retry=retry,
            sleep=sleep,
        )
        return Backend(client=client, default_app_id=own.appizer_app_id or SANDBOX_APP_ID)
    if own.appizer_api_key is None:
        raise ValueError("No Appizer key: set APPIZER_API_KEY, or use the sandbox")
    client = AppizerClient.connect(
        api_url=own.appizer_api_url,
        api_key=own.appizer_api_key,
        timeout_seconds=settings.server.timeout_seconds,
        call_deadline_seconds=settings.server.call_deadline_seconds,
        retry=retry,
        sleep=sleep,
    )
    return Backend(client=client, default_app_id=own.appizer_app_id)
