"""The server's state (state store, platform clients) is opened once, on the first tool call.

core/platform.py's ServerState: stdio servers open it on the first call, HTTP servers and a
PostgreSQL store at start. What stops it from opening is each call's ToolError, in the
project's voice, and the next call tries again.
"""

from __future__ import annotations

import sqlite3
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from audience_mcp.app import create_server
from audience_mcp.core.platform import ServerState
from audience_mcp.settings import Settings
from tests.support import clean_env, free_port, run_audience_mcp

pytestmark = pytest.mark.anyio


def error_text(result: Any) -> str:
    assert result.is_error
    text: str = result.content[0].text
    return text


async def test_a_platform_that_cannot_start_is_each_calls_tool_error() -> None:
    # Chosen explicitly, without credentials: its client cannot be built.
    settings = Settings(_env_file=None, platforms="digital_audience", state_db=":memory:")  # type: ignore[call-arg]
    async with Client(create_server(settings)) as client:
        for _ in range(2):  # the next call tries again
            text = error_text(await client.call_tool("list_recent_changes", {}))
            assert text.startswith("Error executing tool list_recent_changes: Could not open this server's state")
            assert "DIGITAL_AUDIENCE_USERNAME" in text and "audience-mcp check" in text, text
            assert "Traceback" not in text


async def test_a_state_file_of_a_newer_server_is_a_tool_error_naming_the_setting(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with sqlite3.connect(state) as db:
        db.execute("PRAGMA user_version = 99")
    settings = Settings(_env_file=None, sandbox=True, sandbox_db=":memory:", state_db=str(state))  # type: ignore[call-arg]
    async with Client(create_server(settings)) as client:
        text = error_text(await client.call_tool("neuroflash_list_audiences", {}))
    assert "schema version 99, newer than this server's" in text and "AUDIENCE_MCP_STATE_DB" in text, text


async def test_an_http_server_whose_state_cannot_be_opened_stops_at_start(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    env = clean_env(AUDIENCE_MCP_SANDBOX_DB=":memory:", AUDIENCE_MCP_STATE_DB=str(tmp_path / "a-file" / "state.db"))
    port = free_port()
    result = await anyio.to_thread.run_sync(
        lambda: run_audience_mcp("--sandbox", "--transport", "http", "--port", str(port), env=env, cwd=tmp_path)
    )
    assert result.returncode != 0, result.stderr  # a service fails at once, not on its first request


# -- ServerState itself, with openers that stand in for the platforms ------------------------


class Opener:
    """Opens one platform after `delay`; `fail` times first; records what it opened and closed."""

    def __init__(self, *, delay: float = 0.0, fail: int = 0) -> None:
        self.delay, self.fail = delay, fail
        self.opened = 0
        self.closed = 0

    @asynccontextmanager
    async def _platform(self) -> Any:
        self.opened += 1
        try:
            yield "state"
        finally:
            self.closed += 1

    async def __call__(self, stack: AsyncExitStack) -> tuple[dict[str, Any], Any]:
        platform = await stack.enter_async_context(self._platform())
        await anyio.sleep(self.delay)
        if self.fail:
            self.fail -= 1
            raise OSError("cannot open")
        return {"p": platform}, "services"


async def test_calls_that_arrive_together_open_the_state_once() -> None:
    opener = Opener(delay=0.05)
    state = ServerState(opener=opener)
    async with anyio.create_task_group() as tasks:
        for _ in range(5):
            tasks.start_soon(state.ready)
    assert opener.opened == 1 and state.platform("p") == "state"
    await state.aclose()
    assert opener.closed == 1


async def test_a_failed_opening_closes_what_it_opened_and_the_next_call_tries_again() -> None:
    opener = Opener(fail=1)
    state = ServerState(opener=opener)
    with pytest.raises(OSError):
        await state.ready()
    assert (opener.opened, opener.closed) == (1, 1)
    await state.ready()
    assert state.platform("p") == "state" and opener.opened == 2
    await state.aclose()
    assert opener.closed == 2


async def test_a_call_cancelled_while_opening_closes_what_it_opened() -> None:
    opener = Opener(delay=10)
    state = ServerState(opener=opener)
    with anyio.move_on_after(0.05):
        await state.ready()
    assert (opener.opened, opener.closed) == (1, 1)
    with pytest.raises(RuntimeError, match="not enabled on this server, or not opened yet"):
        state.platform("p")


async def test_nothing_opens_after_the_server_closed_its_state() -> None:
    opener = Opener()
    state = ServerState(opener=opener)
    await state.ready()
    await state.aclose()
    assert opener.closed == 1
    with pytest.raises(RuntimeError, match="shutting down"):
        await state.ready()
    assert opener.opened == 1
