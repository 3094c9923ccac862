"""Settings models read from the environment and `.env` files.

This is a small reader over python-dotenv, not pydantic-settings. That library imports every
source it ships (cloud secret managers, YAML, TOML, a command-line parser) for the two this
server reads, which took about 23 ms of every start (a third of the server's own start-up).

The rules are the ones pydantic-settings applies, which the README and `check` describe:
- a field's variable is the class's `env_prefix` plus the field's name, in any case;
- keyword values win over the environment, the environment over the `.env` files, a later file
  over an earlier one, and any of them over the field's default;
- a variable that names no field is ignored and a file that does not exist is skipped;
- a line with a name but no `=` unsets what an earlier line or file set (the default applies
  unless the environment sets it).

A file that cannot be read as UTF-8 text is an `EnvFileError` naming the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

EnvFiles = str | Path | Sequence[str | Path] | None


class EnvFileError(ValueError):
    """A `.env` file exists but cannot be read (not UTF-8 text, no permission)."""


def env_file_paths(env_file: EnvFiles) -> list[Path]:
    """`env_file` as a list of paths (`~` expanded), lowest precedence first."""
    if env_file is None:
        return []
    if isinstance(env_file, str | Path):
        return [Path(env_file).expanduser()]
    return [Path(path).expanduser() for path in env_file]


def read_env_file(path: Path) -> dict[str, str | None]:
    """A `.env` file's lines by upper-cased name (None: a name without `=`); empty when there is no
    such file."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only when a file exists: most starts read none

    try:
        values = dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EnvFileError(f"the .env file {path} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    except OSError as exc:
        raise EnvFileError(f"the .env file {path} cannot be read ({exc.strerror or type(exc).__name__})") from None
    return {name.upper(): value for name, value in values.items()}


def read_env_files(paths: Iterable[Path]) -> dict[str, tuple[str, Path]]:
    """What the files set, by upper-cased name -> (value, the file that set it): a later file wins,
    and a name without `=` unsets what an earlier line or file set."""
    found: dict[str, tuple[str, Path]] = {}
    for path in paths:
        for name, value in read_env_file(path).items():
            if value is None:
                found.pop(name, None)
            else:
                found[name] = (value, path)
    return found


def environment(env_file: EnvFiles = None) -> dict[str, str]:
    """Every variable the files and the environment set, by upper-cased name, precedence applied."""
    found = {name: value for name, (value, _) in read_env_files(env_file_paths(env_file)).items()}
    found.update((name.upper(), value) for name, value in os.environ.items())
    return found


class EnvSettings(BaseModel):
    """A settings model whose fields are read from `env_prefix` + NAME variables (see the module).

    `_environment`: what `environment()` returned, when several classes are read from the same
    files (`Settings` reads them once for all its parts); otherwise `_env_file` is read here.
    """

    model_config = ConfigDict(extra="ignore", validate_default=True)
    env_prefix: ClassVar[str] = ""

    def __init__(
        self, _env_file: EnvFiles = None, _environment: Mapping[str, str] | None = None, **values: Any
    ) -> None:
        found = environment(_env_file) if _environment is None else _environment
        super().__init__(**{**type(self).fields_in(found), **values})

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable of one field."""
        return f"{cls.env_prefix}{field}".upper()

    @classmethod
    def fields_in(cls, found: Mapping[str, str]) -> dict[str, str]:
        """Each field `found` sets (see `environment()`) -> its text."""
        return {field: found[cls.variable(field)] for field in cls.model_fields if cls.variable(field) in found}
