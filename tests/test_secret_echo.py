"""Issue 10, point 7: an upstream that echoes credentials in its errors leaks none of them.

A real HTTP server on 127.0.0.1 (tests/support/upstream.py) puts the request's Authorization
header, or the posted client_secret, into its error bodies. Nothing the process lets out may
hold them: tool results and error texts, journal rows, log lines, the `check` report.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from audience_mcp.app import create_server
from audience_mcp.check import run_check
from audience_mcp.core.store.journal import Journal
from tests.support.harness import make_settings
from tests.support.upstream import EchoConfig, echo_upstream

pytestmark = pytest.mark.anyio

# Sentinel shapes the suite-wide secret guard also looks for (tests/support/secret_guard.py).
CLIENT_SECRET = "nfsentinel-echoed-client-secret-3b7e"
ACCESS_TOKEN = "nfsbx-echoed-access-token-0c9d5a1f2e"
CREATE = {"name": "Echo leads", "min_age": 25, "max_age": 45, "residence": "Berlin", "workspace_id": "ws-1"}


def settings_for(base: str, tmp_path: Path, state_db: str | None = None) -> Any:
    return make_settings(
        api_url=f"{base}/api",
        token_url=f"{base}/oauth/v2/token",
        client_id="echo-client",
        client_secret=CLIENT_SECRET,
        state_db=state_db or str(tmp_path / "state.db"),
    )


def text_of(result: Any) -> str:
    return str(result.model_dump_json())


def assert_clean(text: str) -> None:
    assert ACCESS_TOKEN not in text and CLIENT_SECRET not in text, text


@pytest.mark.parametrize("status", [400, 418, 500])
async def test_an_echoed_bearer_token_reaches_no_tool_result_journal_row_or_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, status: int, state_location: str
) -> None:
    """On either state store: SQLite, and PostgreSQL as replicas use it."""
    config = EchoConfig(access_token=ACCESS_TOKEN, api_status=status)
    with echo_upstream(config) as base, caplog.at_level(logging.DEBUG):
        server = create_server(settings_for(base, tmp_path, state_location))
        async with Client(server) as client:
            got = await client.call_tool("neuroflash_get_audience", {"audience_id": "a-1", "workspace_id": "ws-1"})
            created = await client.call_tool("neuroflash_create_audience", CREATE)
    assert got.is_error and created.is_error
    assert "Authorization: Bearer ***" in text_of(got) or status == 500  # the echo arrived, masked
    for result in (got, created):
        assert_clean(text_of(result))
    journal = Journal(state_location)
    try:
        with journal._transaction() as db:
            rows = [tuple(dict(row).values()) for row in db.execute("SELECT * FROM changes").fetchall()]
    finally:
        journal.close()
    assert rows and rows[0][9]  # the failed create is journaled with its error text
    assert_clean(repr(rows))
    assert_clean(caplog.text)
    assert any(r.startswith("POST /api/") for r in config.requests)  # the write did reach the upstream


@pytest.mark.parametrize("status", [400, 401, 500])
async def test_check_never_prints_a_client_secret_the_token_endpoint_echoes(tmp_path: Path, status: int) -> None:
    config = EchoConfig(access_token=ACCESS_TOKEN, token_status=status)
    with echo_upstream(config) as base:
        report = await run_check(settings_for(base, tmp_path), overrides={})
    text = report.render()
    assert not report.ok and "token" in text
    assert_clean(text)


async def test_check_never_prints_an_echoed_access_token(tmp_path: Path) -> None:
    config = EchoConfig(access_token=ACCESS_TOKEN, api_status=418)
    with echo_upstream(config) as base:
        report = await run_check(settings_for(base, tmp_path), overrides={})
    text = report.render()
    assert "Authorization: Bearer ***" in text
    assert_clean(text)
