"""`audience-mcp check`: a report of settings and access that changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from audience_mcp.check import run_check, setting_sources
from audience_mcp.platforms.neuroflash.api import NeuroflashClient
from audience_mcp.platforms.neuroflash.connection import Backend
from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID
from audience_mcp.settings import Settings
from tests.support import clean_env

pytestmark = pytest.mark.anyio


SECRET = "check-secret-3f9a1c77e2"
MCP_TOKEN = "check-mcp-token-b81d0e55aa"
TOKEN_POST = "POST /oauth/v2/token"


def only_reads(counts: dict[str, int]) -> bool:
    return bool(counts) and all(key.startswith("GET ") or key == TOKEN_POST for key in counts)


@pytest.fixture(autouse=True)
def _no_neuroflash_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [
        n for n in os.environ if n.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_", "APPIZER_", "DIGITAL_AUDIENCE_"))
    ]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audience_mcp", "check", *args],
        env=clean_env(
            XDG_DATA_HOME=str(tmp_path / "data"),
            AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"),
            AUDIENCE_MCP_STATE_DB=str(tmp_path / "journal.db"),
            **env,
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def sandbox_backend(sandbox_app: Any) -> Callable[[Settings], Backend]:
    def factory(settings: Settings) -> Backend:
        client = NeuroflashClient.connect(
            api_url="http://sandbox.check.test/api",
            token_url="http://sandbox.check.test/oauth/v2/token",
            client_id="sandbox-client",
            client_secret=SecretStr("sandbox-secret"),
            network=httpx2.ASGITransport(app=sandbox_app),
        )
        return Backend(client=client)

    return factory


def test_check_against_the_sandbox_says_ok_masks_secrets_and_names_sources(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"AUDIENCE_MCP_TOKEN={MCP_TOKEN}\nAUDIENCE_MCP_READ_ONLY=true\n")

    result = run_cli(tmp_path, "--sandbox", NEUROFLASH_CLIENT_SECRET=SECRET)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("OK: ")
    assert any(
        "NEUROFLASH_CLIENT_SECRET" in line and "set (hidden)" in line and "[environment]" in line for line in lines
    )
    env_file = f"[.env file {tmp_path.resolve() / '.env'}]"  # which file, not just "a .env file"
    assert any("AUDIENCE_MCP_TOKEN" in line and "set (hidden)" in line and env_file in line for line in lines)
    assert any("AUDIENCE_MCP_READ_ONLY" in line and "true" in line and env_file in line for line in lines)
    assert any("AUDIENCE_MCP_SANDBOX " in line and "[command line]" in line for line in lines)
    assert any("AUDIENCE_MCP_TIMEOUT_SECONDS" in line and "[default]" in line for line in lines)
    assert any(line.strip().startswith("limits") and "of 50 audiences used" in line for line in lines)
    for secret in (SECRET, MCP_TOKEN):
        assert secret not in result.stdout and secret not in result.stderr
    # Read-only: neither the sandbox database nor the journal was created.
    assert not (tmp_path / "sandbox.db").exists() and not (tmp_path / "journal.db").exists()


def test_check_sends_only_the_token_request_and_gets_to_the_standalone_sandbox(
    tmp_path: Path, sandbox_api: str
) -> None:
    result = run_cli(
        tmp_path,
        NEUROFLASH_API_URL=f"{sandbox_api}/api",
        NEUROFLASH_TOKEN_URL=f"{sandbox_api}/oauth/v2/token",
        NEUROFLASH_CLIENT_ID="sandbox-client",
        NEUROFLASH_CLIENT_SECRET="sandbox-secret",
        NEUROFLASH_WORKSPACE_ID=SANDBOX_WORKSPACE_ID,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK: ")
    assert "sandbox-secret" not in result.stdout
    counts = httpx2.get(f"{sandbox_api}/_sandbox/stats").json()["counts"]
    assert only_reads(counts) and counts[TOKEN_POST] == 1, counts


def test_check_with_wrong_credentials_says_problem_and_what_to_fix(tmp_path: Path, sandbox_api: str) -> None:
    result = run_cli(
        tmp_path,
        NEUROFLASH_API_URL=f"{sandbox_api}/api",
        NEUROFLASH_TOKEN_URL=f"{sandbox_api}/oauth/v2/token",
        NEUROFLASH_CLIENT_ID="sandbox-client",
        NEUROFLASH_CLIENT_SECRET=SECRET,
    )

    assert result.returncode == 1
    verdict = result.stdout.splitlines()[-1]
    assert verdict.startswith("PROBLEM: ") and "NEUROFLASH_CLIENT_SECRET" in verdict
    assert verdict.startswith(f"PROBLEM: {sandbox_api}/oauth/v2/token refused")  # the URL as it is, not "Http://"
    assert SECRET not in result.stdout and SECRET not in result.stderr
    counts = httpx2.get(f"{sandbox_api}/_sandbox/stats").json()["counts"]
    assert counts == {TOKEN_POST: 1}


def test_check_without_credentials_says_problem_without_sending_anything(tmp_path: Path) -> None:
    result = run_cli(tmp_path)

    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith("PROBLEM: No neuroflash credentials")
    assert "--sandbox" in result.stdout


async def test_with_only_another_platform_configured_missing_neuroflash_credentials_is_no_problem() -> None:
    settings = Settings(_env_file=None, appizer_api_key="appizer-key-of-the-team")  # type: ignore[call-arg]

    report = await run_check(settings, overrides={})

    assert report.ok
    verdict = report.render().splitlines()[-1]
    assert verdict.startswith("OK: the server will serve appizer")
    assert "appizer-key-of-the-team" not in report.render()


def test_invalid_settings_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--sandbox", AUDIENCE_MCP_TIMEOUT_SECONDS="soon")

    assert result.returncode == 1
    assert result.stdout.startswith("PROBLEM: invalid settings: AUDIENCE_MCP_TIMEOUT_SECONDS")


async def test_an_inaccessible_workspace_id_is_a_problem_naming_the_accessible_ones(sandbox_app: Any) -> None:
    settings = Settings(_env_file=None, client_id="c", client_secret="s", workspace_id="ws-of-someone-else")  # type: ignore[call-arg]

    report = await run_check(settings, overrides={}, backend_factory=sandbox_backend(sandbox_app))

    assert not report.ok
    verdict = report.render().splitlines()[-1]
    assert verdict.startswith("PROBLEM: NEUROFLASH_WORKSPACE_ID=ws-of-someone-else is not among")
    assert SANDBOX_WORKSPACE_ID in verdict
    assert only_reads(sandbox_app.state.sandbox.stats.counts)


async def test_check_reports_the_limits_of_the_chosen_workspace_and_writes_nothing(
    sandbox_app: Any, sandbox: Any
) -> None:
    sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, {"name": "Existing", "minAge": 20, "maxAge": 30})
    settings = Settings(_env_file=None, access_token="static-token-for-check", workspace_id=None)  # type: ignore[call-arg]

    report = await run_check(settings, overrides={}, backend_factory=sandbox_backend(sandbox_app))

    assert report.ok, report.render()
    assert ("limits", "ok: 1 of 50 audiences used, 49 left") in report.steps
    assert report.summary.endswith("use workspace Sandbox workspace.")
    assert only_reads(sandbox.stats.counts)


def test_sources_follow_pydantic_settings_precedence(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NEUROFLASH_CLIENT_ID=from-file\nNEUROFLASH_API_URL=https://file.example/api\n")
    environ = {"neuroflash_client_id": "from-env", "AUDIENCE_MCP_SANDBOX": "false"}

    sources = setting_sources({"sandbox": True, "read_only": None}, env_file=env_file, environ=environ)

    assert sources["client_id"] == "environment"  # environment beats .env, names are case-insensitive
    assert sources["api_url"] == f".env file {env_file.resolve()}"
    assert sources["sandbox"] == "command line"
    assert sources["read_only"] == "default"


def test_a_name_without_a_value_in_a_later_file_leaves_the_setting_at_its_default(tmp_path: Path) -> None:
    first, second = tmp_path / "first.env", tmp_path / "second.env"
    first.write_text("NEUROFLASH_WORKSPACE_ID=from-first\nNEUROFLASH_CLIENT_ID=from-first\n")
    second.write_text("NEUROFLASH_WORKSPACE_ID\n")

    sources = setting_sources({}, env_file=[first, second], environ={})

    assert sources["workspace_id"] == "default"  # as Settings reads it: the later line unset it
    assert sources["client_id"] == f".env file {first.resolve()}"


def test_a_plain_http_token_url_from_a_dotenv_file_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    # Issue 10, point 8: a .env in a cloned repository redirected the client secret to plain http.
    (tmp_path / ".env").write_text("NEUROFLASH_TOKEN_URL=http://collector.example/token\n")

    result = run_cli(tmp_path, NEUROFLASH_CLIENT_ID="c", NEUROFLASH_CLIENT_SECRET=SECRET)

    assert result.returncode == 1
    assert result.stdout.startswith("PROBLEM: invalid settings: NEUROFLASH_TOKEN_URL")
    assert "plain http" in result.stdout and "https" in result.stdout
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("api_url", "http://api.example/api"),
        ("token_url", "http://10.0.0.5/token"),
        ("token_url", "ftp://id.neuroflash.com/token"),
        ("api_url", "https://user:pw@app.neuroflash.com/api"),
    ],
)
def test_credential_urls_must_be_https_unless_loopback(name: str, url: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="https"):
        Settings(_env_file=None, **{name: url})  # type: ignore[arg-type]
    for loopback in ("http://127.0.0.1:8765/api", "http://localhost/api", "http://[::1]:8000/api"):
        assert getattr(Settings(_env_file=None, **{name: loopback}).neuroflash, name) == loopback  # type: ignore[arg-type]


def test_check_warns_about_credential_urls_outside_the_documented_domain(tmp_path: Path, sandbox_api: str) -> None:
    (tmp_path / ".env").write_text(f"NEUROFLASH_TOKEN_URL={sandbox_api}/oauth/v2/token\n")

    result = run_cli(
        tmp_path,
        NEUROFLASH_API_URL=f"{sandbox_api}/api",
        NEUROFLASH_CLIENT_ID="sandbox-client",
        NEUROFLASH_CLIENT_SECRET="sandbox-secret",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if "WARNING:" in line]
    token_warning = next(line for line in warnings if "NEUROFLASH_TOKEN_URL" in line)
    assert "the client secret" in token_warning and str(tmp_path.resolve() / ".env") in token_warning
    api_warning = next(line for line in warnings if "NEUROFLASH_API_URL" in line)
    assert "the access token" in api_warning and "from environment" in api_warning
    assert "neuroflash.com" in token_warning


async def test_the_documented_hosts_raise_no_warning(sandbox_app: Any) -> None:
    settings = Settings(_env_file=None, client_id="c", client_secret="s")  # type: ignore[call-arg]

    report = await run_check(settings, overrides={}, backend_factory=sandbox_backend(sandbox_app))

    assert report.ok and report.warnings == []


async def test_check_opens_a_postgresql_state_store_as_a_replica_would(postgres_url: str) -> None:
    settings = Settings(_env_file=None, sandbox=True, sandbox_db=":memory:", state_db=postgres_url)  # type: ignore[call-arg]

    report = await run_check(settings, overrides={})

    assert report.ok, report.render()
    assert ("state store", "PostgreSQL: reachable, schema current (shared by every replica using it)") in report.steps
    password = postgres_url.split(":")[2].split("@")[0]
    assert password not in report.render()


async def test_an_unreachable_postgresql_state_store_is_a_problem_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("audience_mcp.core.store.postgres.CONNECT_SECONDS", 1.0)
    url = "postgresql://audience:pg-check-secret-77@127.0.0.1:9/state"
    settings = Settings(_env_file=None, sandbox=True, sandbox_db=":memory:", state_db=url)  # type: ignore[call-arg]

    report = await run_check(settings, overrides={})

    text = report.render()
    assert not report.ok and "Could not open the state store on PostgreSQL at 127.0.0.1:9/state" in text
    assert "pg-check-secret-77" not in text and "AUDIENCE_MCP_STATE_DB (host, port" in text
