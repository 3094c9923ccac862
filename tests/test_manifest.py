"""The MCP Bundle manifest says what the server really offers and configures it the way it reads settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from audience_mcp.dev.bundle import (
    MANIFEST,
    REGENERATE,
    ROOT,
    manifest_prompts,
    manifest_text,
    manifest_tools,
    project_metadata,
    updated_manifest,
)
from audience_mcp.settings import Settings, setting_variables

# user_config key -> the environment variable the server reads it from (see settings.py).
EXPECTED_ENV = {
    "client_id": "NEUROFLASH_CLIENT_ID",
    "client_secret": "NEUROFLASH_CLIENT_SECRET",
    "workspace_id": "NEUROFLASH_WORKSPACE_ID",
    "appizer_api_key": "APPIZER_API_KEY",
    "appizer_app_id": "APPIZER_APP_ID",
    "digital_audience_api_url": "DIGITAL_AUDIENCE_API_URL",
    "digital_audience_username": "DIGITAL_AUDIENCE_USERNAME",
    "digital_audience_password": "DIGITAL_AUDIENCE_PASSWORD",
    "read_only": "AUDIENCE_MCP_READ_ONLY",
    "sandbox": "AUDIENCE_MCP_SANDBOX",
    "call_deadline_seconds": "AUDIENCE_MCP_CALL_DEADLINE_SECONDS",
    "journal_retention_days": "AUDIENCE_MCP_JOURNAL_RETENTION_DAYS",
}
SWITCHES = ("read_only", "sandbox")
PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def env_mapping() -> dict[str, str]:
    env: dict[str, str] = manifest()["server"]["mcp_config"].get("env", {})
    return env


def host_env(user_values: dict[str, Any]) -> dict[str, str]:
    """The env a bundle host passes: each `${user_config.KEY}` replaced by the user's value or the
    default, booleans as "true"/"false" (as @anthropic-ai/mcpb's getMcpConfigForManifest does)."""
    options = manifest()["user_config"]
    values = {key: option["default"] for key, option in options.items() if "default" in option} | user_values

    def text(value: Any) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1).removeprefix("user_config.")
        return text(values[name]) if name in values else match.group(0)

    return {var: PLACEHOLDER.sub(substitute, template) for var, template in env_mapping().items()}


@pytest.mark.anyio
async def test_the_manifest_lists_exactly_the_servers_tools() -> None:
    listed = manifest().get("tools", [])
    served = await manifest_tools()
    listed_names, served_names = [t["name"] for t in listed], [t["name"] for t in served]
    added = sorted(set(served_names) - set(listed_names))
    removed = sorted(set(listed_names) - set(served_names))
    assert not added and not removed, f"tools new on the server: {added}; gone from it: {removed}; {REGENERATE}"
    assert listed_names == served_names, f"the tool order changed; {REGENERATE}"
    for entry, tool in zip(listed, served, strict=True):
        assert entry == tool, f"the description of {tool['name']} drifted; {REGENERATE}"


@pytest.mark.anyio
async def test_the_manifest_lists_exactly_the_servers_prompts() -> None:
    listed = manifest().get("prompts", [])
    served = await manifest_prompts()
    assert [p["name"] for p in listed] == [p["name"] for p in served], f"the prompts changed; {REGENERATE}"
    for entry, prompt in zip(listed, served, strict=True):
        assert entry == prompt, f"prompt {prompt['name']} drifted; {REGENERATE}"
        for name in entry.get("arguments", []):
            assert f"${{arguments.{name}}}" in entry["text"], (prompt["name"], name)


@pytest.mark.anyio
async def test_manifest_json_is_exactly_what_the_generator_writes() -> None:
    current = manifest()
    expected = manifest_text(updated_manifest(current, await manifest_tools(), await manifest_prompts()))
    assert MANIFEST.read_text(encoding="utf-8") == expected, f"manifest.json is stale or hand-formatted; {REGENERATE}"


def test_name_version_and_python_match_pyproject() -> None:
    project, data = project_metadata(), manifest()
    assert data["manifest_version"] == "0.4"
    assert data["name"] == project["name"]
    assert data["version"] == project["version"], REGENERATE
    assert data["compatibility"]["runtimes"]["python"] == project["requires-python"] == ">=3.11", REGENERATE
    assert data["license"] == project["license"]
    for field in ("display_name", "description", "long_description", "keywords"):
        assert data.get(field), field
    assert data["author"]["name"]


def test_the_uv_server_runs_the_console_script_from_the_bundle_directory() -> None:
    server = manifest()["server"]
    assert server["type"] == "uv"
    assert (ROOT / server["entry_point"]).is_file(), server["entry_point"]
    config = server["mcp_config"]
    assert config["command"] == "uv"
    assert config["args"][:3] == ["run", "--directory", "${__dirname}"]
    assert config["args"][3] in project_metadata()["scripts"], "run a console script the project defines"


def test_every_setting_maps_from_user_config_to_its_env_variable() -> None:
    options, env = manifest()["user_config"], env_mapping()
    for key, variable in EXPECTED_ENV.items():
        assert key in options, f"user_config lacks {key}"
        assert env.get(variable) == f"${{user_config.{key}}}", f"{variable} must come from user_config.{key}"
    for key in SWITCHES:
        assert options[key]["type"] == "boolean" and options[key]["default"] is False, key
    for key in ("client_id", "client_secret", "workspace_id", "appizer_api_key", "appizer_app_id"):
        assert options[key]["type"] == "string", key


def test_the_secrets_are_sensitive_and_nothing_else_is() -> None:
    options = manifest()["user_config"]
    sensitive = [key for key, option in options.items() if option.get("sensitive")]
    assert sensitive == ["client_secret", "appizer_api_key", "digital_audience_password"]


def test_every_user_config_entry_is_complete_and_used() -> None:
    options, data = manifest()["user_config"], manifest()
    used = set(PLACEHOLDER.findall(json.dumps(data["server"]["mcp_config"])))
    for key, option in options.items():
        assert option.get("title") and option.get("description"), key
        assert option["type"] in {"string", "number", "boolean", "directory", "file"}, key
        assert f"user_config.{key}" in used, f"user_config.{key} reaches the server nowhere"
        # A host passes an unset option's placeholder on verbatim: optional ones need a default,
        # and "" is what the server reads as "not set".
        if not option.get("required"):
            assert "default" in option, f"{key} needs a default"
    assert used <= {"__dirname"} | {f"user_config.{key}" for key in options}, used


def test_every_env_variable_is_a_setting_the_server_reads() -> None:
    variables = set(setting_variables().values())
    assert set(env_mapping()) <= variables, set(env_mapping()) - variables


def test_the_server_reads_the_env_a_host_passes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for variable in env_mapping():
        monkeypatch.delenv(variable, raising=False)

    def settings(**user_values: Any) -> Settings:
        for variable, value in host_env(user_values).items():
            monkeypatch.setenv(variable, value)
        return Settings()

    defaults = settings()
    assert (
        defaults.neuroflash.client_id is None
        and defaults.neuroflash.client_secret is None
        and defaults.neuroflash.workspace_id is None
    )
    assert (
        defaults.server.sandbox is False
        and defaults.server.read_only is False
        and defaults.server.image_dir in (None, "")
    )

    assert defaults.appizer.appizer_api_key is None and defaults.appizer.appizer_app_id is None
    chosen = settings(
        client_id="svc-1",
        client_secret="s3cret",
        workspace_id="ws-9",
        read_only=True,
        sandbox=True,
        appizer_api_key="apz-key",
        appizer_app_id="app_9",
    )
    assert chosen.appizer.appizer_api_key is not None and chosen.appizer.appizer_api_key.get_secret_value() == "apz-key"
    assert chosen.appizer.appizer_app_id == "app_9"
    assert chosen.neuroflash.client_id == "svc-1" and chosen.neuroflash.workspace_id == "ws-9"
    assert (
        chosen.neuroflash.client_secret is not None and chosen.neuroflash.client_secret.get_secret_value() == "s3cret"
    )
    assert chosen.server.read_only is True and chosen.server.sandbox is True
    assert defaults.server.call_deadline_seconds == 60 and defaults.server.journal_retention_days == 90
    tuned = settings(call_deadline_seconds=20, journal_retention_days=0)
    assert tuned.server.call_deadline_seconds == 20 and tuned.server.journal_retention_days == 0

    da = settings(
        digital_audience_api_url="https://da.example/api/",
        digital_audience_username="me",
        digital_audience_password="pw-123456",
    ).digital_audience
    assert (da.digital_audience_api_url, da.digital_audience_username) == ("https://da.example/api", "me")
    assert da.digital_audience_password is not None and da.digital_audience_password.get_secret_value() == "pw-123456"


def test_mcpbignore_keeps_development_files_out_and_the_build_inputs_in() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".mcpbignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    required = {"tests/", ".venv/", ".git/", "node_modules/", ".ci/", "*.db", "__pycache__/"}
    required |= {".pytest_cache/", ".ruff_cache/", ".mypy_cache/", ".hypothesis/"}
    assert required <= patterns, required - patterns
    # uv builds the server from these inside the unpacked bundle (pyproject names README.md).
    for kept in ("pyproject.toml", "README.md", "server/", "server/audience_mcp/", "manifest.json"):
        assert not any(p.rstrip("/") == kept.rstrip("/") or p in {"*", "/*", "*.toml", "*.md"} for p in patterns), kept
