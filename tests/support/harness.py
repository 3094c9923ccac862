"""Fixtures for the tool-level tests: the real MCP client, in memory, against a fresh sandbox.

Every test talks to `create_server(settings, backend_factories=...)` through `mcp.Client`, the
way a model's host would. The backend factory wires the real `NeuroflashClient` to an
in-process sandbox (`httpx2.ASGITransport`), which the test can seed (`insert_raw`),
inspect (`get_raw`, `stats.counts`) and fault (`faults.script`). Retries never wait.

Settings are built with `_env_file=None` and every `NEUROFLASH_*` variable removed, so a
developer's environment or `.env` cannot change what a test sees.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio.lowlevel
import httpx2
import mcp_types
import pytest
from mcp import Client
from mcp.server.mcpserver import Context, MCPServer
from pydantic import SecretStr

from audience_mcp.app import create_server
from audience_mcp.core.sandboxkit.jsonio import dumps
from audience_mcp.platforms.neuroflash.api import NeuroflashClient, RetryPolicy
from audience_mcp.platforms.neuroflash.connection import Backend
from audience_mcp.platforms.neuroflash.sandbox import (
    SANDBOX_ACCOUNTS,
    SANDBOX_WORKSPACE_ID,
    Sandbox,
    SandboxConfig,
    create_sandbox_app,
)
from audience_mcp.platforms.neuroflash.tools.state import AppState
from audience_mcp.settings import Settings
from tests.support import GUIDE_BODY, SETTING_PREFIXES

BASE = "http://sandbox.tools.test"
WS = SANDBOX_WORKSPACE_ID
OWNER, COLLEAGUE = SANDBOX_ACCOUNTS
# A real 1x1 PNG.
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_BASE64 = base64.b64encode(PNG_BYTES).decode("ascii")

# A complete, valid stored body (what the API itself would hold).
STORED_BODY: dict[str, Any] = dict(GUIDE_BODY)


def summaries(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a neuroflash_list_audiences page as dicts keyed by its `columns`."""
    columns = page["columns"]
    return [dict(zip(columns, row, strict=True)) for row in page["audiences"]]


def stored(sandbox: Sandbox, audience_id: str) -> dict[str, Any]:
    """The body the sandbox keeps for an audience, as plain JSON values (decimals as floats)."""
    raw = sandbox.store.get_raw(audience_id)
    assert raw is not None, f"audience {audience_id} is not stored"
    result: dict[str, Any] = json.loads(dumps(raw))
    return result


def stored_literals(sandbox: Sandbox, audience_id: str) -> dict[str, str]:
    """Each top-level field of the stored body as the exact JSON text the sandbox keeps."""
    raw = sandbox.store.get_raw(audience_id)
    assert raw is not None, f"audience {audience_id} is not stored"
    return {key: dumps(value) for key, value in raw.items()}


async def _no_sleep(_seconds: float) -> None:
    """Retries in the client wait through this: not at all."""


def _yielding(app: Any) -> Any:
    """The sandbox app behind a scheduling point, as a network would be.

    Without it an in-process request can run start to finish without ever suspending, so
    concurrent tool calls would never interleave and races could not show.
    """

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await anyio.lowlevel.checkpoint()
        await app(scope, receive, send)

    return asgi


def make_settings(**overrides: Any) -> Settings:
    """Settings that ignore the environment and any .env file; keyword arguments override."""
    values: dict[str, Any] = {
        "sandbox": False,
        "workspace_id": None,
        "read_only": False,
        "state_db": ":memory:",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@dataclass
class Harness:
    """One MCP server over one sandbox, and what a test needs to look inside."""

    server: MCPServer[AppState]
    sandbox: Sandbox
    app: Any
    settings: Settings
    states: list[AppState] = field(default_factory=list)
    _probe_added: bool = False

    def seed(self, body: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """Store an audience verbatim (no validation) in the main workspace; returns its id."""
        return self.sandbox.store.insert_raw(WS, dict(STORED_BODY if body is None else body), **kwargs)

    def client(self, **kwargs: Any) -> Client:
        return Client(self.server, **kwargs)

    async def sandbox_bytes(self, url: str) -> bytes:
        """Download a URL the sandbox handed out (an image URL), as a browser would."""
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=self.app)) as http:
            response = await http.get(url)
        assert response.status_code == 200, url
        return response.content

    async def app_state(self, client: Client) -> AppState:
        """The server's AppState (its lifespan context), read through a test-only probe tool.

        create_server offers no hook to reach or configure the AppState it builds in its
        lifespan, so this registers a tiny tool on the server that hands it out.
        """
        if not self._probe_added:

            async def _test_probe_state(ctx: Context) -> str:
                await ctx.request_context.lifespan_context.ready()  # opened on a server's first call
                state = ctx.request_context.lifespan_context.platform("neuroflash")
                assert isinstance(state, AppState)
                self.states.append(state)
                return "ok"

            self.server.add_tool(_test_probe_state)
            self._probe_added = True
        result = await client.call_tool("_test_probe_state", {})
        assert not result.is_error, result.content
        return self.states[-1]


ServerFactory = Callable[..., Harness]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in list(os.environ):
        if name.upper().startswith(SETTING_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env in the working directory either


@pytest.fixture
def make_server() -> Iterator[ServerFactory]:
    """Builds a Harness. Keyword arguments: Settings overrides, plus `config` (SandboxConfig),
    `app` (reuse another harness's sandbox app), `client_id`/`client_secret`, `retry`,
    `call_deadline_seconds`."""
    sandboxes: list[Sandbox] = []

    def factory(
        *,
        config: SandboxConfig | None = None,
        app: Any = None,
        client_id: str = OWNER.client_id,
        client_secret: str | None = None,
        retry: RetryPolicy | None = None,
        call_deadline_seconds: float = 60.0,
        **settings_overrides: Any,
    ) -> Harness:
        if app is None:
            app = create_sandbox_app(config or SandboxConfig(db_path=":memory:"))
            sandboxes.append(app.state.sandbox)
        sandbox: Sandbox = app.state.sandbox
        if client_secret is None:
            client_secret = next(a.client_secret for a in SANDBOX_ACCOUNTS if a.client_id == client_id)

        def backend_factory(_settings: Settings) -> Backend:
            client = NeuroflashClient.connect(
                api_url=f"{BASE}/api",
                token_url=f"{BASE}/oauth/v2/token",
                client_id=client_id,
                client_secret=SecretStr(client_secret),
                network=httpx2.ASGITransport(app=_yielding(app)),
                retry=retry or RetryPolicy(max_attempts=2),
                sleep=_no_sleep,
                call_deadline_seconds=call_deadline_seconds,
            )
            return Backend(client=client)

        settings = make_settings(**settings_overrides)
        server = create_server(settings, backend_factories={"neuroflash": backend_factory})
        return Harness(server=server, sandbox=sandbox, app=app, settings=settings)

    yield factory
    for sandbox in sandboxes:
        sandbox.close()


@pytest.fixture
def harness(make_server: ServerFactory) -> Harness:
    return make_server()


@pytest.fixture
def colleague(harness: Harness, make_server: ServerFactory) -> Harness:
    """A second service account (a MEMBER) on the same sandbox."""
    return make_server(app=harness.app, client_id=COLLEAGUE.client_id)


@pytest.fixture
def sandbox(harness: Harness) -> Sandbox:
    return harness.sandbox


@pytest.fixture
async def client(harness: Harness) -> AsyncIterator[Client]:
    async with Client(harness.server) as connected:
        yield connected


def _text(result: mcp_types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, mcp_types.TextContent))


async def call(client: Client, tool: str, /, **args: Any) -> dict[str, Any]:
    """Call a tool that must succeed; its structured content."""
    result = await client.call_tool(tool, args)
    assert not result.is_error, f"{tool} failed: {_text(result)}"
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


async def tool_error(client: Client, tool: str, /, **args: Any) -> str:
    """Call a tool that must fail with a ToolError (not a crash); the message the model reads."""
    result = await client.call_tool(tool, args)
    text = _text(result)
    assert result.is_error is True, f"{tool} did not fail: {result.structured_content}"
    prefix = f"Error executing tool {tool}: "
    assert text.startswith(prefix), f"not a ToolError (a crash?): {text!r}"
    return text.removeprefix(prefix)


class Answer:
    """An elicitation callback that gives a fixed answer and records the questions."""

    def __init__(self, action: str, content: dict[str, Any] | None = None) -> None:
        self.action = action
        self.content = content
        self.questions: list[str] = []

    async def __call__(self, _ctx: Any, params: mcp_types.ElicitRequestParams) -> mcp_types.ElicitResult:
        self.questions.append(params.message)
        return mcp_types.ElicitResult(action=self.action, content=self.content)  # type: ignore[arg-type]
