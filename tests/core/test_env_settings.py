"""Settings read from keywords, the environment and `.env` files, in pydantic-settings' order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field, SecretStr, ValidationError

from audience_mcp.core.env_settings import EnvFileError, EnvSettings
from audience_mcp.settings import Settings, variable_for
from tests.support import clean_env


class Example(EnvSettings):
    env_prefix = "EXAMPLE_"

    name: str = Field(default="from-default")
    flag: bool = False
    count: int = Field(default=1, ge=0)
    secret: SecretStr | None = None


@pytest.fixture(autouse=True)
def _no_example_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EXAMPLE_NAME", "EXAMPLE_FLAG", "EXAMPLE_COUNT", "EXAMPLE_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_keywords_win_over_the_environment_which_wins_over_the_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.env", tmp_path / "second.env"
    first.write_text("EXAMPLE_NAME=first\nEXAMPLE_COUNT=3\nEXAMPLE_FLAG=true\n")
    second.write_text("EXAMPLE_NAME=second\n")
    monkeypatch.setenv("EXAMPLE_COUNT", "7")

    assert Example(_env_file=(first, second)).name == "second"  # a later file wins
    assert Example(_env_file=(first, second)).count == 7  # the environment wins over every file
    assert Example(_env_file=(first, second), count=9).count == 9  # a keyword wins over everything
    assert Example(_env_file=(first, second)).flag is True  # what only one file sets still comes from it
    assert Example().name == "from-default"  # no files, no variable: the default


def test_variable_names_match_in_any_case(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("example_count=4\n")
    monkeypatch.setenv("Example_Name", "mixed-case")

    settings = Example(_env_file=env_file)

    assert (settings.name, settings.count) == ("mixed-case", 4)


def test_what_names_no_field_or_sets_no_value_is_ignored(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("EXAMPLE_UNKNOWN=1\nOTHER_NAME=x\nEXAMPLE_NAME\n# EXAMPLE_COUNT=5\n")

    settings = Example(_env_file=(env_file, tmp_path / "missing.env"))

    assert (settings.name, settings.count) == ("from-default", 1)
    assert not hasattr(settings, "unknown")


def test_a_name_without_a_value_unsets_what_an_earlier_file_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.env", tmp_path / "second.env"
    first.write_text("EXAMPLE_NAME=first\nEXAMPLE_COUNT=3\n")
    second.write_text("EXAMPLE_NAME\n")

    assert Example(_env_file=(first, second)).name == "from-default"
    assert Example(_env_file=(first, second)).count == 3
    monkeypatch.setenv("EXAMPLE_NAME", "from-env")
    assert Example(_env_file=(first, second)).name == "from-env"  # the environment still wins


def test_a_home_relative_env_file_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "example.env").write_text("EXAMPLE_NAME=from-home\n")

    assert Example(_env_file="~/example.env").name == "from-home"


def test_a_file_that_is_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes("EXAMPLE_NAME=Müller\n".encode("latin-1"))

    with pytest.raises(EnvFileError, match=r"\.env is not UTF-8 text \(byte 15\); save it as UTF-8"):
        Example(_env_file=env_file)


def test_values_are_validated_as_their_fields_and_secrets_stay_masked(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('EXAMPLE_FLAG=yes\nEXAMPLE_SECRET="s3cret value"\n')

    settings = Example(_env_file=env_file)

    assert settings.flag is True
    assert settings.secret is not None and settings.secret.get_secret_value() == "s3cret value"
    assert "s3cret" not in repr(settings)
    env_file.write_text("EXAMPLE_COUNT=-1\n")
    with pytest.raises(ValidationError) as raised:
        Example(_env_file=env_file)
    error = raised.value.errors()[0]
    assert (raised.value.title, error["loc"]) == ("Example", ("count",))


def test_an_invalid_server_setting_is_named_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIENCE_MCP_TIMEOUT_SECONDS", "0")

    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None)

    assert variable_for(raised.value.title, str(raised.value.errors()[0]["loc"][0])) == "AUDIENCE_MCP_TIMEOUT_SECONDS"


def test_reading_the_settings_imports_no_settings_library_and_no_dotenv_without_a_file(tmp_path: Path) -> None:
    # Start-up cost (issue 9): pydantic-settings imported every source it ships on each start.
    probe = (
        "import sys; from audience_mcp.settings import Settings; s = Settings(); "
        "print(sorted(m for m in ('pydantic_settings', 'dotenv') if m in sys.modules)); "
        "print(s.neuroflash.workspace_id)"
    )
    # HOME too: on macOS the user config directory is under it, whatever XDG_CONFIG_HOME says.
    env = clean_env(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), NEUROFLASH_WORKSPACE_ID="ws-env")
    without_file = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60
    )
    (tmp_path / ".env").write_text("NEUROFLASH_CLIENT_ID=from-file\n")
    with_file = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60
    )

    assert without_file.stdout.splitlines() == ["[]", "ws-env"]
    assert with_file.stdout.splitlines() == ["['dotenv']", "ws-env"]


def test_settings_read_each_env_file_once_for_all_their_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import audience_mcp.core.env_settings as env_settings

    env_file = tmp_path / ".env"
    env_file.write_text("NEUROFLASH_WORKSPACE_ID=ws-file\nAUDIENCE_MCP_READ_ONLY=true\n")
    reads: list[Path] = []
    real_read = env_settings.read_env_file
    monkeypatch.setattr(env_settings, "read_env_file", lambda path: reads.append(path) or real_read(path))
    monkeypatch.delenv("NEUROFLASH_WORKSPACE_ID", raising=False)
    monkeypatch.delenv("AUDIENCE_MCP_READ_ONLY", raising=False)

    settings = Settings(_env_file=(env_file,))

    assert (settings.neuroflash.workspace_id, settings.server.read_only) == ("ws-file", True)
    assert reads == [env_file]  # four settings classes, one read
