"""HTTP mode's defences (issue 10, hardening and point 12): real uvicorn on a loopback socket.

A 5 MB image fits the body limit; slow headers and too many connections are cut off; failed
bearer tokens are throttled per address; refused Host values are logged truncated; a weak
AUDIENCE_MCP_TOKEN is refused with a way to make a good one.
"""

from __future__ import annotations

import base64
import logging
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from pydantic import SecretStr

from audience_mcp.http_guards import FailedAttempts, token_strength_bits
from audience_mcp.http_server import LARGEST_UPLOAD_BYTES, startup_refusal
from audience_mcp.platforms.neuroflash.tools import images
from tests.support import harness as tool_harness
from tests.support.harness import WS, ServerFactory
from tests.support.http_serving import serve_http_app

pytestmark = pytest.mark.anyio

# The tool tests' fixtures (tests/support/harness.py), registered in this module under their names.
make_server = tool_harness.make_server
_isolated_environment = tool_harness._isolated_environment

TOKEN = secrets.token_urlsafe(32)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
IMAGE_PUT = "PUT /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}/image"


@asynccontextmanager
async def mcp_client(base: str) -> AsyncIterator[Client]:
    async with (
        create_mcp_http_client(headers=AUTH) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        yield client


def test_the_http_body_limit_holds_the_largest_image_the_tool_promises() -> None:
    assert images.MAX_IMAGE_BYTES <= LARGEST_UPLOAD_BYTES


async def test_a_5_mb_image_goes_through_http(make_server: ServerFactory) -> None:
    harness = make_server(workspace_id=WS)
    audience_id = harness.seed()
    png = b"\x89PNG\r\n\x1a\n" + bytes(images.MAX_IMAGE_BYTES - 8)
    async with serve_http_app(harness.server, token=TOKEN) as base, mcp_client(base) as client:
        result = await client.call_tool(
            "neuroflash_set_audience_image",
            {"audience_id": audience_id, "image_base64": base64.b64encode(png).decode()},
        )
    assert not result.is_error, result.content
    assert harness.sandbox.stats.get(IMAGE_PUT) == 1


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


async def test_a_connection_with_slow_headers_is_closed(make_server: ServerFactory) -> None:
    harness = make_server()
    async with serve_http_app(harness.server, token=TOKEN, header_timeout=0.5) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            started = time.monotonic()
            answer = await anyio.to_thread.run_sync(read_until_closed, sock, 10.0)
            waited = time.monotonic() - started
        assert answer == b"" and waited < 5.0
        async with httpx2.AsyncClient() as http:
            assert (await http.get(f"{base}/healthz")).status_code == 200  # others are still served


async def test_connections_beyond_the_limit_get_503(make_server: ServerFactory) -> None:
    harness = make_server()
    async with serve_http_app(harness.server, token=TOKEN, max_connections=2) as base:
        port = int(base.rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            await anyio.sleep(0.2)
            async with httpx2.AsyncClient() as http:
                response = await http.get(f"{base}/healthz")
        finally:
            for sock in idle:
                sock.close()
    assert response.status_code == 503


async def test_failed_bearer_tokens_are_throttled_per_address(make_server: ServerFactory) -> None:
    harness = make_server()
    clock = [1000.0]
    attempts = FailedAttempts(limit=3, window_seconds=60.0, clock=lambda: clock[0])
    wrong = {"Authorization": "Bearer not-the-token", "Content-Type": "application/json"}
    async with (
        serve_http_app(harness.server, token=TOKEN, failed_attempts=attempts) as base,
        httpx2.AsyncClient() as http,
    ):
        statuses = [(await http.post(f"{base}/mcp", headers=wrong, content=b"{}")).status_code for _ in range(4)]
        throttled = await http.post(f"{base}/mcp", headers={**wrong, **AUTH}, content=b"{}")
        clock[0] += 61
        after_the_window = await http.post(f"{base}/mcp", headers={**wrong, **AUTH}, content=b"{}")
    assert statuses == [401, 401, 401, 429]
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1  # even the right token waits
    assert after_the_window.status_code != 429


async def test_a_refused_host_is_logged_truncated(make_server: ServerFactory, caplog: pytest.LogCaptureFixture) -> None:
    harness = make_server()
    host = "attacker.example" + "x" * 5000
    async with serve_http_app(harness.server, token=TOKEN) as base, httpx2.AsyncClient() as http:
        with caplog.at_level(logging.WARNING):
            response = await http.post(f"{base}/mcp", headers={**AUTH, "Host": host}, content=b"{}")
    assert response.status_code == 421
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "Host" in r.getMessage()]
    assert lines and all(len(line) < 200 and "x" * 200 not in line for line in lines)


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaa", "a" * 64, "abab" * 16, "password12345678"])
def test_a_weak_mcp_token_is_refused_with_how_to_make_one(weak: str) -> None:
    refusal = startup_refusal(host="127.0.0.1", allow_remote=False, no_auth=False, token=SecretStr(weak))
    assert refusal is not None and "128" in refusal and "token_urlsafe(32)" in refusal


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(16)])
def test_a_generated_mcp_token_is_accepted(make: Any) -> None:
    token = make()
    assert token_strength_bits(token) >= 128
    assert startup_refusal(host="127.0.0.1", allow_remote=False, no_auth=False, token=SecretStr(token)) is None


def _ask_health(sock: socket.socket) -> bytes:
    """One whole answer (through its body), or what came before the connection closed."""
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    except ConnectionError:
        return b""
    sock.settimeout(5.0)
    received = b""
    while not received.endswith(b'{"status":"ok"}'):
        try:
            chunk = sock.recv(65536)
        except (ConnectionError, TimeoutError):
            break
        if not chunk:
            break
        received += chunk
    return received


@pytest.mark.parametrize(("keep_alive", "open_after_idle"), [(1.0, False), (4.0, True)])
async def test_an_idle_connection_stays_open_for_the_keep_alive_and_no_longer(
    make_server: ServerFactory, keep_alive: float, open_after_idle: bool
) -> None:
    """The default (75 s) outlasts clients' and load balancers' idle timeouts, so they close first."""
    harness = make_server()
    async with serve_http_app(harness.server, token=TOKEN, keep_alive=keep_alive) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            first = await anyio.to_thread.run_sync(_ask_health, sock)
            await anyio.sleep(2.0)  # idle
            second = await anyio.to_thread.run_sync(_ask_health, sock)
    assert first.startswith(b"HTTP/1.1 200")
    assert second.startswith(b"HTTP/1.1 200") is open_after_idle


def test_the_default_keep_alive_outlasts_common_idle_timeouts() -> None:
    from audience_mcp.http_server import DEFAULT_KEEP_ALIVE_SECONDS
    from audience_mcp.settings import ServerSettings

    assert DEFAULT_KEEP_ALIVE_SECONDS == ServerSettings.model_fields["http_keep_alive_seconds"].default > 60
