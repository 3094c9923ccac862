"""The console script's commands, run as real processes."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from tests.support import GUIDE_BODY, clean_env, run_audience_mcp

GUIDE = GUIDE_BODY


def test_sandbox_api_serves_the_documented_lifecycle_over_plain_http(sandbox_api: str) -> None:
    with httpx2.Client(base_url=sandbox_api) as http:
        token = http.post(
            "/oauth/v2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
                "scope": "openid",
            },
        ).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        workspace_id = http.get("/api/workspace-service/v1/workspaces").json()["_embedded"]["workspaces"][0]["id"]
        base = f"/api/audience-service/v1/workspaces/{workspace_id}/target-audiences"

        created = http.post(base, json=GUIDE)
        assert created.status_code == 201
        audience = created.json()
        assert http.get(f"{base}/{audience['id']}").json()["name"] == "Marketing leaders"
        listed = http.get(base).json()
        assert listed["page"]["totalElements"] == 1 and listed["data"][0]["id"] == audience["id"]

        audience["name"] = "Senior marketing leaders"
        assert http.put(f"{base}/{audience['id']}", json=audience).json()["name"] == "Senior marketing leaders"

        shares_099 = dict(
            GUIDE, genderDistribution={"female": 0.5, "male": 0.4, "nonBinary": 0.06, "preferNotToSay": 0.03}
        )
        refused = http.post(base, json=shares_099)
        assert refused.status_code == 400 and refused.json()["errors"][0]["type"] == "validation"
        missing_key = dict(GUIDE, genderDistribution={"female": 0.5, "male": 0.5, "nonBinary": 0.0})
        assert http.post(base, json=missing_key).status_code == 400

        assert http.delete(f"{base}/{audience['id']}").status_code == 204
        assert http.get(f"{base}/{audience['id']}").status_code == 404


def test_the_server_refuses_to_start_without_credentials_and_says_what_to_set(tmp_path: Path) -> None:
    result = run_audience_mcp(env=clean_env(), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # stdout belongs to the protocol
    assert "NEUROFLASH_CLIENT_ID" in result.stderr and "--sandbox" in result.stderr


def test_the_demo_runs_a_whole_session_against_the_sandbox(tmp_path: Path) -> None:
    result = run_audience_mcp("demo", env=clean_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "error:" not in result.stdout
    assert "deleted: Deleted." in result.stdout
    assert "country: 'Deutschland' -> 'DE'." in result.stdout
    assert "call neuroflash_draft_audience_from_url" in result.stdout and "made up:" in result.stdout
    assert "users reached by 'Users with plan=premium AND last_active within 7 days'" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["--sandbox", "--transport", "http", "--port", "9001"],
        ["--sandbox", "--transport", "http", "serve", "--port", "9001"],
        ["serve", "--sandbox", "--transport", "http", "--port", "9001"],
    ],
)
def test_server_flags_work_before_and_after_the_serve_subcommand(argv: list[str]) -> None:
    from audience_mcp.cli import _parser

    args = _parser().parse_args(argv)
    assert (args.sandbox, args.transport, args.port, args.host) == (True, "http", 9001, "127.0.0.1")


@pytest.mark.parametrize("argv", [["--sandbox", "check"], ["check", "--sandbox"]])
def test_check_takes_sandbox_before_or_after_the_subcommand(argv: list[str]) -> None:
    from audience_mcp.cli import _parser

    args = _parser().parse_args(argv)
    assert args.command == "check" and args.sandbox is True


def test_an_unknown_toolset_stops_the_server_and_names_the_known_ones(tmp_path: Path) -> None:
    result = run_audience_mcp(
        "--sandbox",
        "--toolsets",
        "nope",
        env=clean_env(AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db"), AUDIENCE_MCP_STATE_DB=":memory:"),
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "unknown toolsets: nope (known: neuroflash_workspaces," in result.stderr


def test_sandbox_api_listens_on_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    from audience_mcp.cli import _parser

    assert _parser().parse_args(["sandbox-api"]).host == "127.0.0.1"
    result = run_audience_mcp(
        "sandbox-api",
        "--host",
        "0.0.0.0",
        "--port",
        "1",
        env=clean_env(AUDIENCE_MCP_SANDBOX_DB=str(tmp_path / "sandbox.db")),
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "--allow-remote" in result.stderr
    assert not (tmp_path / "sandbox.db").exists()


def test_a_state_store_that_cannot_be_reached_stops_the_server_in_one_line_without_its_password(
    tmp_path: Path,
) -> None:
    result = run_audience_mcp(
        "--sandbox",
        env=clean_env(AUDIENCE_MCP_STATE_DB="postgresql://audience:pg-cli-secret-42@127.0.0.1:9/state"),
        cwd=tmp_path,
    )

    stderr = result.stderr
    assert result.returncode == 2, stderr
    assert "Could not open the state store on PostgreSQL at 127.0.0.1:9/state (AUDIENCE_MCP_STATE_DB)" in stderr
    assert "Traceback" not in stderr and "pg-cli-secret-42" not in stderr
