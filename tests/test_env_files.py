"""Settings are read from the user config directory's .env and AUDIENCE_MCP_ENV_FILE too, and `check` says which."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audience_mcp.settings import Settings
from tests.support import clean_env, run_audience_mcp


@pytest.fixture(autouse=True)
def _no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [n for n in os.environ if n.upper().startswith(("NEUROFLASH_", "AUDIENCE_MCP_"))]:
        monkeypatch.delenv(name)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # a desktop client's working directory: no .env here


def config_dir_env(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "audience-mcp" / ".env"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_the_user_config_directory_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config_dir_env(tmp_path, "NEUROFLASH_WORKSPACE_ID=ws-from-config\nAUDIENCE_MCP_READ_ONLY=true\n")

    settings = Settings()

    assert (settings.neuroflash.workspace_id, settings.server.read_only) == ("ws-from-config", True)


def test_the_file_named_by_audience_mcp_env_file_is_read_and_wins_over_the_config_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config_dir_env(tmp_path, "NEUROFLASH_WORKSPACE_ID=ws-from-config\nAUDIENCE_MCP_READ_ONLY=true\n")
    named = tmp_path / "elsewhere.env"
    named.write_text("NEUROFLASH_WORKSPACE_ID=ws-from-named-file\n")
    monkeypatch.setenv("AUDIENCE_MCP_ENV_FILE", str(named))

    settings = Settings()

    assert settings.neuroflash.workspace_id == "ws-from-named-file"
    assert settings.server.read_only is True  # what the named file does not set still comes from the other


def test_the_environment_wins_over_every_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config_dir_env(tmp_path, "NEUROFLASH_WORKSPACE_ID=ws-from-config\n")
    monkeypatch.setenv("NEUROFLASH_WORKSPACE_ID", "ws-from-env")

    assert Settings().neuroflash.workspace_id == "ws-from-env"


def test_check_says_which_env_files_it_read(tmp_path: Path) -> None:
    config = config_dir_env(tmp_path, "NEUROFLASH_WORKSPACE_ID=ws-from-config\n")
    result = run_audience_mcp(
        "check",
        "--sandbox",
        env=clean_env(
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_DATA_HOME=str(tmp_path / "data"),
            AUDIENCE_MCP_ENV_FILE=str(tmp_path / "missing.env"),
        ),
        cwd=tmp_path / "cwd",
    )

    assert f".env file {config.resolve()}: read" in result.stdout, result.stdout
    assert ".env file .env: not found" in result.stdout
    assert f".env file {tmp_path / 'missing.env'}: not found" in result.stdout
    # The source names the file the value came from (issue 10, point 8), not just "a .env file".
    assert "NEUROFLASH_WORKSPACE_ID" in result.stdout
    assert f"ws-from-config  [.env file {config.resolve()}]" in result.stdout


@pytest.mark.parametrize(("command", "exit_code"), [(["check", "--sandbox"], 1), (["--sandbox"], 2)])
def test_an_env_file_that_is_not_utf8_stops_with_one_line_naming_it(
    tmp_path: Path, command: list[str], exit_code: int
) -> None:
    (tmp_path / "cwd" / ".env").write_bytes("NEUROFLASH_WORKSPACE_ID=Müller\n".encode("latin-1"))
    result = run_audience_mcp(
        *command,
        env=clean_env(
            HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data")
        ),
        cwd=tmp_path / "cwd",
    )

    output = result.stdout + result.stderr
    assert result.returncode == exit_code, output
    assert "the .env file .env is not UTF-8 text (byte 26); save it as UTF-8" in output
    assert "Traceback" not in output
