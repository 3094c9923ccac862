"""Settings models read from the environment and `.env` files.

This is a small reader over python-dotenv, not pydantic-settings. That library imports every
source it ships (cloud secret managers, YAML, TOML, a command-line parser) for the two this
server reads, which took about 23 ms of every start (a tenth of the server's own start-up).

The rules are the ones pydantic-settings applies, which the README and `check` describe:
- a field's variable is the class's `env_prefix` plus the field's name, in any case;
- keyword values win over the environment, the environment over the `.env` files, a later file
  over an earlier one, and any of them over the field's default;
- a variable that names no field is ignored, a file that does not exist is skipped, and a
  line with a name but no `=` sets nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

EnvFiles = str | Path | Sequence[str | Path] | None


def env_file_paths(env_file: EnvFiles) -> list[Path]:
    """`env_file` as a list of paths, lowest precedence first."""
    if env_file is None:
        return []
    if isinstance(env_file, str | Path):
        return [Path(env_file)]
    return [Path(path) for path in env_file]


def read_env_file(path: Path) -> dict[str, str]:
    """A `.env` file's assignments by upper-cased name; empty when there is no such file."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only when a file exists: most starts read none

    return {name.upper(): value for name, value in dotenv_values(path, encoding="utf-8").items() if value is not None}


class EnvSettings(BaseModel):
    """A settings model whose fields are read from `env_prefix` + NAME variables (see the module)."""

    model_config = ConfigDict(extra="ignore", validate_default=True)
    env_prefix: ClassVar[str] = ""

    def __init__(self, _env_file: EnvFiles = None, **values: Any) -> None:
        super().__init__(**{**type(self).env_values(_env_file), **values})

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable of one field."""
        return f"{cls.env_prefix}{field}".upper()

    @classmethod
    def env_values(cls, env_file: EnvFiles = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """Each field set by the files or the environment -> its text, precedence applied."""
        found: dict[str, str] = {}
        for path in env_file_paths(env_file):
            found.update(read_env_file(path))
        found.update((name.upper(), value) for name, value in (os.environ if environ is None else environ).items())
        return {field: found[cls.variable(field)] for field in cls.model_fields if cls.variable(field) in found}
