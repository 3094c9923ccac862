"""The standalone sandbox as a real process (`audience-mcp sandbox-api`), as a fixture."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import clean_env, free_port, wait_for_http


@pytest.fixture
def sandbox_api(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "audience_mcp", "sandbox-api", "--port", str(port)],
            env=clean_env(AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db")),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
