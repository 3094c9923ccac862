"""Streamable HTTP mode: the console script as a server process, and the app in process.

The subprocess tests drive `--sandbox --transport http` with the SDK's HTTP client and raw
requests (auth, Origin, Host, /healthz, refusals). The in-process tests serve
`build_http_app` with uvicorn on a pre-bound socket, so they can look at the sandbox: what
the API client sends, how often the lifespan runs, and where file_path may read.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from pydantic import SecretStr
from starlette.datastructures import Headers

from audience_mcp.app import create_server
from audience_mcp.http_server import (
    build_http_app,
    is_loopback,
    startup_refusal,
    transport_security,
    uvicorn_config,
)
from audience_mcp.platforms.neuroflash.api import NeuroflashClient
from audience_mcp.platforms.neuroflash.connection import Backend
from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID
from audience_mcp.settings import Settings
from tests.support import clean_env, free_port, wait_for_http

pytestmark = pytest.mark.anyio

TOKEN = "mcp-token-for-tests-7c1e94b2d5"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f4d0a90000000049454e44ae426082"
)


@asynccontextmanager
async def mcp_client(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """The SDK client over Streamable HTTP, sending `headers` (the bearer token) on every request."""
    async with (
        create_mcp_http_client(headers=AUTH if headers is None else headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


# -- the console script as an HTTP server -------------------------------------------------------


@dataclass
class Served:
    base: str
    log: Path


def server_env(tmp: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        XDG_DATA_HOME=str(tmp / "data"),
        AUDIENCE_MCP_SANDBOX_DB=str(tmp / "sandbox.db"),
        AUDIENCE_MCP_STATE_DB=str(tmp / "journal.db"),
        **extra,
    )


@contextmanager
def http_server_process(tmp: Path, *args: str, **env: str) -> Iterator[Served]:
    port = free_port()
    log = tmp / "server.log"
    command = [sys.executable, "-m", "audience_mcp", "--sandbox", "--transport", "http"]
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "--port", str(port), *args],
            env=server_env(tmp, **env),
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", process, log)
        yield Served(base, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with http_server_process(tmp_path_factory.mktemp("http"), AUDIENCE_MCP_TOKEN=TOKEN) as running:
        yield running


async def test_the_http_server_lists_tools_and_runs_an_audience_lifecycle(served: Served) -> None:
    async with mcp_client(f"{served.base}/mcp") as client:
        assert client.instructions and "neuroflash_list_audiences" in client.instructions
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"neuroflash_create_audience", "neuroflash_update_audience", "neuroflash_delete_audience"} <= names

        created = await client.call_tool(
            "neuroflash_create_audience",
            {"name": "HTTP leads", "min_age": 25, "max_age": 45, "residence": "Berlin", "country": "Germany"},
        )
        assert not created.is_error, created.content
        audience_id = created.structured_content["audience"]["id"]  # type: ignore[index]

        updated = await client.call_tool(
            "neuroflash_update_audience", {"audience_id": audience_id, "add_interests": "SEO"}
        )
        assert not updated.is_error and updated.structured_content["changed"][0]["field"] == "interests"  # type: ignore[index]

        listed = await client.call_tool("neuroflash_list_audiences", {"search": "HTTP leads"})
        assert listed.structured_content["total"] == 1  # type: ignore[index]

        missing = await client.call_tool("neuroflash_get_audience", {"audience_id": "no-such-id"})
        assert missing.is_error and "neuroflash_list_audiences" in missing.content[0].text  # type: ignore[union-attr]

        refused = await client.call_tool(
            "neuroflash_set_audience_image", {"audience_id": audience_id, "file_path": "/etc/hosts"}
        )
        assert refused.is_error and "image_base64" in refused.content[0].text  # type: ignore[union-attr]

    log = served.log.read_text(errors="replace")
    assert "Streamable HTTP" in log and TOKEN not in log


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        pytest.param({}, "unauthorized", id="no-token"),
        pytest.param({"Authorization": "Bearer wrong-token-of-some-length"}, "invalid_token", id="wrong-token"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, "unauthorized", id="wrong-scheme"),
    ],
)
def test_mcp_answers_401_with_a_bearer_challenge_without_the_right_token(
    served: Served, headers: dict[str, str], error: str
) -> None:
    response = httpx2.post(f"{served.base}/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **headers})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"] == error


def test_a_foreign_origin_is_refused_with_403(served: Served) -> None:
    headers = {**MCP_HEADERS, **AUTH, "Origin": "https://evil.example"}
    assert httpx2.post(f"{served.base}/mcp", json=INITIALIZE, headers=headers).status_code == 403


def test_a_foreign_host_header_is_refused_with_421(served: Served) -> None:
    headers = {**MCP_HEADERS, **AUTH, "Host": "evil.example"}
    assert httpx2.post(f"{served.base}/mcp", json=INITIALIZE, headers=headers).status_code == 421


def test_a_local_origin_with_the_token_opens_a_session(served: Served) -> None:
    port = served.base.rsplit(":", 1)[1]
    headers = {**MCP_HEADERS, **AUTH, "Origin": f"http://localhost:{port}"}
    response = httpx2.post(f"{served.base}/mcp", json=INITIALIZE, headers=headers)
    assert response.status_code == 200 and response.headers.get("mcp-session-id")


def test_healthz_needs_no_auth_and_says_only_ok(served: Served) -> None:
    response = httpx2.get(f"{served.base}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "server" not in response.headers


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        pytest.param(["--host", "0.0.0.0"], {"AUDIENCE_MCP_TOKEN": TOKEN}, "--allow-remote", id="remote-host"),
        pytest.param(["--host", "192.0.2.7", "--no-auth"], {}, "--allow-remote", id="remote-host-no-auth"),
        pytest.param(["--host", "0.0.0.0", "--allow-remote", "--no-auth"], {}, "--no-auth", id="no-auth-on-0.0.0.0"),
        pytest.param([], {}, "AUDIENCE_MCP_TOKEN", id="no-token"),
        pytest.param([], {"AUDIENCE_MCP_TOKEN": "short"}, "too weak", id="short-token"),
        pytest.param([], {"AUDIENCE_MCP_TOKEN": "a" * 16}, "token_urlsafe", id="repeated-token"),
    ],
)
def test_unsafe_http_setups_are_refused_before_listening(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "audience_mcp", "--sandbox", "--transport", "http", *args],
        env=server_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert expected in result.stderr and result.stdout == ""
    assert TOKEN not in result.stderr


def test_without_a_token_the_refusal_names_the_setting_and_no_auth() -> None:
    message = startup_refusal(host="127.0.0.1", allow_remote=False, no_auth=False, token=None) or ""
    assert "AUDIENCE_MCP_TOKEN" in message and "--no-auth" in message
    assert startup_refusal(host="::1", allow_remote=False, no_auth=True, token=None) is None
    assert startup_refusal(host="0.0.0.0", allow_remote=True, no_auth=False, token=SecretStr(TOKEN)) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
        ("localhost.evil.example", False),
    ],
)
def test_only_127_0_0_0_8_ipv6_loopback_and_localhost_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_allowed_hosts_and_origins_follow_the_bind_address_and_the_settings() -> None:
    local = transport_security("127.0.0.1", 8000)
    assert {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"} <= set(local.allowed_hosts)
    assert "http://localhost:8000" in local.allowed_origins
    assert "evil.example:8000" not in local.allowed_hosts

    remote = transport_security(
        "10.0.0.5", 9000, extra_hosts=["mcp.example.com"], extra_origins=["https://app.example.com"]
    )
    assert remote.allowed_hosts == ["10.0.0.5:9000", "mcp.example.com"]
    assert remote.allowed_origins == ["http://10.0.0.5:9000", "https://app.example.com"]


def test_allowed_origins_must_be_origins() -> None:
    assert Settings(
        _env_file=None, allowed_origins="https://a.example, http://localhost:3000/"
    ).server.origin_list() == [  # type: ignore[call-arg]
        "https://a.example",
        "http://localhost:3000",
    ]
    with pytest.raises(ValueError, match="not an origin"):
        Settings(_env_file=None, allowed_origins="https://a.example/path")  # type: ignore[call-arg]


# -- the app in process ---------------------------------------------------------------------------

SANDBOX_BASE = "http://sandbox.http.test"
WORKSPACE = SANDBOX_WORKSPACE_ID
IMAGE_PUT = "PUT /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}/image"


@dataclass
class SeenBySandbox:
    """Every request the API client sent to the sandbox: Authorization header and body."""

    authorizations: list[str | None]
    bodies: list[bytes]


@pytest.fixture(autouse=True)
def _no_neuroflash_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [
        n for n in os.environ if n.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
    ]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def recording_backend(sandbox_app: Any, seen: SeenBySandbox, opened: list[Settings]) -> Callable[[Settings], Backend]:
    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await sandbox_app(scope, receive, send)
            return
        seen.authorizations.append(Headers(scope=scope).get("authorization"))
        body = bytearray()

        async def tap() -> Any:
            message = await receive()
            body.extend(message.get("body", b""))
            return message

        await sandbox_app(scope, tap, send)
        seen.bodies.append(bytes(body))

    def factory(settings: Settings) -> Backend:
        opened.append(settings)
        client = NeuroflashClient.connect(
            api_url=f"{SANDBOX_BASE}/api",
            token_url=f"{SANDBOX_BASE}/oauth/v2/token",
            client_id="sandbox-client",
            client_secret=SecretStr("sandbox-secret"),
            network=httpx2.ASGITransport(app=recording),
        )
        return Backend(client=client)

    return factory


@dataclass
class InProcess:
    url: str
    seen: SeenBySandbox
    opened: list[Settings]


@asynccontextmanager
async def serve_in_process(sandbox_app: Any, **settings: Any) -> AsyncIterator[InProcess]:
    """create_server + build_http_app as the CLI wires them, served by uvicorn on a free port.

    The socket is bound and listening before uvicorn starts, so the first request simply
    waits in the backlog: no polling for readiness.
    """
    seen, opened = SeenBySandbox([], []), []
    config = Settings(_env_file=None, state_db=":memory:", token=TOKEN, **settings)  # type: ignore[call-arg]
    server = create_server(
        config, backend_factories={"neuroflash": recording_backend(sandbox_app, seen, opened)}, refuse_file_paths=True
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        app = build_http_app(server, host="127.0.0.1", port=port, token=config.server.token)
        http = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=port, log_level="WARNING"))
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(http.serve, [sock])
            try:
                yield InProcess(f"http://127.0.0.1:{port}/mcp", seen, opened)
            finally:
                http.should_exit = True


async def test_the_mcp_token_never_reaches_the_sandbox(sandbox_app: Any) -> None:
    async with serve_in_process(sandbox_app) as served_app, mcp_client(served_app.url) as client:
        created = await client.call_tool(
            "neuroflash_create_audience", {"name": "Token check", "min_age": 20, "max_age": 30, "residence": "Köln"}
        )
        assert not created.is_error, created.content

    assert served_app.seen.authorizations, "the API client sent nothing"
    assert all(TOKEN not in (value or "") for value in served_app.seen.authorizations)
    assert all(TOKEN.encode() not in body for body in served_app.seen.bodies)
    assert any((value or "").startswith("Bearer ") for value in served_app.seen.authorizations)


async def test_all_http_sessions_share_one_lifespan_and_its_journal(sandbox_app: Any) -> None:
    async with serve_in_process(sandbox_app) as served_app:
        async with mcp_client(served_app.url) as first:
            created = await first.call_tool(
                "neuroflash_create_audience",
                {"name": "Shared state", "min_age": 20, "max_age": 30, "residence": "Bonn"},
            )
            assert not created.is_error, created.content
        async with mcp_client(served_app.url) as second:
            changes = await second.call_tool("list_recent_changes", {})
        assert len(served_app.opened) == 1
    assert "Shared state" in str(changes.structured_content)


async def test_file_path_is_refused_over_http_without_an_image_dir(sandbox_app: Any, tmp_path: Path) -> None:
    image = tmp_path / "persona.png"
    image.write_bytes(PNG)
    audience_id = sandbox_app.state.sandbox.store.insert_raw(
        WORKSPACE,
        {"name": "Pictured", "minAge": 20, "maxAge": 30, "residence": "Bonn"},
    )
    async with serve_in_process(sandbox_app) as served_app, mcp_client(served_app.url) as client:
        result = await client.call_tool(
            "neuroflash_set_audience_image", {"audience_id": audience_id, "file_path": str(image)}
        )

    assert result.is_error and "image_base64" in result.content[0].text  # type: ignore[union-attr]
    assert sandbox_app.state.sandbox.stats.get(IMAGE_PUT) == 0


async def test_file_path_over_http_reads_only_inside_the_image_dir(sandbox_app: Any, tmp_path: Path) -> None:
    allowed = tmp_path / "images"
    allowed.mkdir()
    (allowed / "inside.png").write_bytes(PNG)
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (allowed / "link.png").symlink_to(secret)
    audience_id = sandbox_app.state.sandbox.store.insert_raw(
        WORKSPACE,
        {"name": "Pictured", "minAge": 20, "maxAge": 30, "residence": "Bonn"},
    )
    escapes = {
        "dot-dot": str(allowed / ".." / "secret.png"),
        "symlink": str(allowed / "link.png"),
        "absolute": str(secret),
    }

    async with (
        serve_in_process(sandbox_app, image_dir=str(allowed)) as served_app,
        mcp_client(served_app.url) as client,
    ):
        refused = {
            name: await client.call_tool(
                "neuroflash_set_audience_image", {"audience_id": audience_id, "file_path": path}
            )
            for name, path in escapes.items()
        }
        assert sandbox_app.state.sandbox.stats.get(IMAGE_PUT) == 0
        inside = await client.call_tool(
            "neuroflash_set_audience_image", {"audience_id": audience_id, "file_path": str(allowed / "inside.png")}
        )

    for name, result in refused.items():
        assert result.is_error and "inside the server's image directory" in result.content[0].text, name  # type: ignore[union-attr]
    assert not inside.is_error, inside.content
    assert sandbox_app.state.sandbox.stats.get(IMAGE_PUT) == 1
