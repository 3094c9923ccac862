"""The README's two commands are the ones that work: CI runs the test command verbatim."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def command_after(marker: str) -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(marker)
    assert lines[start + 1] == "```bash"
    return lines[start + 2]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command_after("<!-- test-command -->") in ci


def test_the_main_command_runs_the_demo_from_a_fresh_venv() -> None:
    command = command_after("<!-- main-command -->")
    assert command.startswith("python3 -m venv .venv && ") and command.endswith("audience-mcp demo")


def test_every_setting_is_documented_in_env_example_and_the_readme() -> None:
    from audience_mcp.settings import setting_variables

    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in setting_variables().values():
        assert f"{variable}=" in env_example, variable
        assert f"`{variable}`" in readme, variable
