"""Sandbox mode logs in with public credentials each sandbox accepts; the copies are proven equal.

A sandbox imports no client-side module (ARCHITECTURE.md), so it keeps its own copy of the
credentials the server uses in sandbox mode.
"""

from __future__ import annotations

from audience_mcp.platforms.appizer.sandbox.service import API_KEY
from audience_mcp.platforms.appizer.settings import SANDBOX_API_KEY
from audience_mcp.platforms.digital_audience.sandbox.config import SANDBOX_USERS
from audience_mcp.platforms.digital_audience.settings import SANDBOX_PASSWORD, SANDBOX_USERNAME


def test_appizer_sandbox_mode_uses_the_key_the_sandbox_accepts() -> None:
    assert SANDBOX_API_KEY == API_KEY


def test_digital_audience_sandbox_mode_uses_a_login_the_sandbox_accepts() -> None:
    assert SANDBOX_USERS[SANDBOX_USERNAME] == SANDBOX_PASSWORD
