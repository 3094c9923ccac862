"""What every campaign shares: its size, its seed, the standalone sandbox, and reading outcomes.

Sizes are set for CI (a few minutes in total on two cores); `AUDIENCE_MCP_CAMPAIGN_SCALE=10`
multiplies them. `AUDIENCE_MCP_CAMPAIGN_SEED` replays a run; the seed in use is printed with
the figures at the end of the pytest run.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp_types
from pydantic import SecretStr

from audience_mcp.app import create_server
from audience_mcp.platforms.neuroflash.api import RetryPolicy
from audience_mcp.platforms.neuroflash.connection import Backend, open_backend
from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, SANDBOX_WORKSPACE_ID
from audience_mcp.settings import Settings
from tests.support import free_port

SCALE = max(0.1, float(os.environ.get("AUDIENCE_MCP_CAMPAIGN_SCALE", "1")))
SEED = int(os.environ.get("AUDIENCE_MCP_CAMPAIGN_SEED", "20240611"))
OWNER = SANDBOX_ACCOUNTS[0]
WS = SANDBOX_WORKSPACE_ID

# The client's real retry rules with shorter waits: which requests are retried is what the
# campaigns test, and the default backoff (up to 4 s) would only make CI slow.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.02, max_delay=0.1)

# Figures each campaign reports, printed in pytest's terminal summary.
FIGURES: dict[str, dict[str, object]] = {}


def scaled(count: int) -> int:
    return max(1, round(count * SCALE))


def campaign_timeout(ci_seconds: float) -> int:
    """A per-test timeout that grows with the scale (the CI size stays under `ci_seconds`)."""
    return int(max(ci_seconds, ci_seconds * SCALE))


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A subprocess environment with no NEUROFLASH_* setting and every data path in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
    }
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["AUDIENCE_MCP_SANDBOX_DB"] = str(tmp_path / "sandbox.db")
    env["AUDIENCE_MCP_STATE_DB"] = str(tmp_path / "journal.db")
    env.update(extra)
    return env


@dataclass
class StandaloneSandbox:
    """A `sandbox-api` subprocess on a loopback port, with its admin routes."""

    root: str
    stderr_path: Path
    _http: httpx2.Client | None = None

    @property
    def api_url(self) -> str:
        return f"{self.root}/api"

    @property
    def token_url(self) -> str:
        return f"{self.root}/oauth/v2/token"

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        if self._http is None:
            self._http = httpx2.Client(base_url=self.root, timeout=10)
        response = self._http.request(method, path, json=json)
        assert response.status_code == 200, response.text
        return response.json()

    def configure_faults(self, **settings: Any) -> None:
        self.admin("POST", "/_sandbox/faults", settings)

    def clear_faults(self) -> None:
        self.admin("POST", "/_sandbox/faults", {})

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "/_sandbox/stats")
        return result

    def faults_injected(self) -> int:
        return sum(self.stats()["faults"].values())

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def audiences(self) -> dict[str, dict[str, Any]]:
        """Every audience of the workspace as the owner sees it, read with plain HTTP (faults off)."""
        from audience_mcp.core.http import wire

        self.clear_faults()
        with httpx2.Client(base_url=self.root, timeout=30) as http:
            token = http.post(
                "/oauth/v2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": OWNER.client_id,
                    "client_secret": "sandbox-secret",
                },
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            found: dict[str, dict[str, Any]] = {}
            page = 1
            while True:
                response = http.get(
                    f"/api/audience-service/v1/workspaces/{WS}/target-audiences",
                    params={"page": page, "size": 200},
                    headers=headers,
                )
                assert response.status_code == 200, response.text
                body = wire.loads(response.content)  # numbers as exact decimals
                found.update({item["id"]: item for item in body["data"]})
                if page >= body["page"]["totalPages"]:
                    return found
                page += 1


@contextmanager
def standalone_sandbox(directory: Path, *, create_limit: int = 0) -> Iterator[StandaloneSandbox]:
    """Start `audience-mcp sandbox-api` (create_limit 0 = unlimited); stop it after."""
    directory.mkdir(parents=True, exist_ok=True)
    stderr_path = directory / "sandbox-api.stderr.log"
    for _attempt in range(3):  # another process may take the free port before the sandbox binds it
        port = free_port()
        with stderr_path.open("ab") as stderr:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "audience_mcp",
                    "sandbox-api",
                    "--port",
                    str(port),
                    "--db",
                    str(directory / "sandbox.db"),
                    "--create-limit",
                    str(create_limit),
                ],
                env=clean_env(directory),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        root = f"http://127.0.0.1:{port}"
        sandbox = StandaloneSandbox(root=root, stderr_path=stderr_path)
        try:
            if _wait_until_healthy(root, process):
                yield sandbox
                return
        finally:
            sandbox.close()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    raise AssertionError(f"sandbox-api did not start: {stderr_path.read_text(errors='replace')}")


def _wait_until_healthy(root: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx2.get(f"{root}/healthz", timeout=1).status_code == 200:
                return True
        except httpx2.TransportError:
            pass
        time.sleep(0.02)  # polling a starting process, with a deadline
    return False


@dataclass
class CountingBackends:
    """A backend factory that keeps what it opened and counts the client's retries (its backoff waits)."""

    retry: RetryPolicy = FAST_RETRY
    opened: list[Backend] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)

    def __call__(self, settings: Settings) -> Backend:
        backend = open_backend(settings, retry=self.retry, sleep=self._sleep)
        self.opened.append(backend)
        return backend

    async def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)  # every retry waits first, so a wait counts one retry
        await anyio.sleep(seconds)

    def retries(self) -> int:
        return len(self.waits)


def integrity_ok(path: Path) -> bool:
    """SQLite's own check of a database file (the journal's or the sandbox's)."""
    with sqlite3.connect(path) as db:
        return bool(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def server_for(sandbox: StandaloneSandbox, journal_db: Path | str, backends: CountingBackends) -> Any:
    """The real MCP server, configured as a user would, against the standalone sandbox.

    `journal_db`: the state store, a SQLite file or a postgresql:// URL."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        api_url=sandbox.api_url,
        token_url=sandbox.token_url,
        client_id=OWNER.client_id,
        client_secret=SecretStr("sandbox-secret"),
        state_db=str(journal_db),
        sandbox=False,
        workspace_id=None,
        read_only=False,
        access_token=None,
        image_dir=None,
    )
    return create_server(settings, backend_factories={"neuroflash": backends})


# -- outcomes -------------------------------------------------------------------------------------


def result_text(result: mcp_types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, mcp_types.TextContent))


def is_crash(tool: str, result: mcp_types.CallToolResult) -> bool:
    """The SDK's text for an unexpected exception: the prefix and nothing after it."""
    return bool(result.is_error) and not result_text(result).startswith(f"Error executing tool {tool}: ")


def error_message(tool: str, result: mcp_types.CallToolResult) -> str:
    return result_text(result).removeprefix(f"Error executing tool {tool}: ")
