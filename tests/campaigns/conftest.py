"""Campaign fixtures: a clean environment, and the figures of each campaign in the summary."""

from __future__ import annotations

import os

import pytest

from tests.support.appizer import make_appizer  # noqa: F401 - a fixture, for the Appizer campaign
from tests.support.campaigns import FIGURES, SCALE, SEED


@pytest.fixture(autouse=True)
def _no_developer_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """A developer's NEUROFLASH_* settings or .env must not change what a campaign sees."""
    from tests.support.secret_guard import ENV_SENTINELS

    for name in list(os.environ):
        if (
            name.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
            and name not in ENV_SENTINELS
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(str(tmp_path))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section(f"campaign figures (seed {SEED}, scale {SCALE:g})")
    for campaign, figures in FIGURES.items():
        shown = ", ".join(f"{key}={value}" for key, value in figures.items())
        terminalreporter.write_line(f"{campaign}: {shown}")
