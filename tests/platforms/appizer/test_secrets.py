"""The Appizer key never reaches a log line, an error, a tool result or the journal.

Every Appizer test sends the sentinel key, so the secret guard checks all of them; these tests
add the paths where a key is most likely to slip out: debug logs, auth errors, the settings.
"""

from __future__ import annotations

import logging

import pytest

from audience_mcp.platforms.appizer.sandbox.service import REVOKED_KEY
from audience_mcp.settings import Settings
from tests.support.appizer import SENTINEL_KEY, AppizerFactory, client_for, sandbox_app
from tests.support.harness import call, make_settings, tool_error

pytestmark = pytest.mark.anyio


def test_the_key_is_a_secret_of_the_settings() -> None:
    settings = make_settings(appizer_api_key=SENTINEL_KEY)
    assert SENTINEL_KEY in settings.secret_values()
    assert SENTINEL_KEY not in repr(settings) and SENTINEL_KEY not in str(settings.appizer)


async def test_a_whole_session_with_debug_logs_shows_no_key(
    make_appizer: AppizerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness = make_appizer()
    async with harness.client() as client:
        created = await call(client, "appizer_create_audience", name="Premium", criteria="Users with plan=premium")
        await call(client, "appizer_list_audiences", search="prem")
        await call(client, "appizer_get_audience", audience_id=created["audience_id"])
        await call(client, "audit_audiences", platforms=["appizer"])
        await tool_error(client, "restore_change", change_id=created["change_id"])
        journal = await harness.journal(client)
        rows = [str(change) for change in journal.recent(platform="appizer")]
    assert SENTINEL_KEY not in caplog.text
    assert rows and not any(SENTINEL_KEY in row for row in rows)


async def test_the_client_registers_the_key_with_the_redactor(caplog: pytest.LogCaptureFixture) -> None:
    from audience_mcp.core.secrets import redactor

    async with client_for(sandbox_app()):
        assert redactor.redact(f"header Bearer {SENTINEL_KEY}") == "header Bearer ***"


async def test_an_auth_error_does_not_echo_the_key(make_appizer: AppizerFactory) -> None:
    async with make_appizer(key=REVOKED_KEY).client() as client:
        message = await tool_error(client, "appizer_list_audiences")
    assert REVOKED_KEY not in message and "APPIZER_API_KEY" in message


def test_a_blank_key_in_the_environment_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPIZER_API_KEY", "  ")
    assert Settings(_env_file=None).appizer.has_credentials is False
