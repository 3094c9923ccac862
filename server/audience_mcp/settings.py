"""Settings from the environment and `.env` files.

`ServerSettings` (prefix `AUDIENCE_MCP_`) holds what the whole server shares; each platform
has its own settings class with its own prefix. `Settings` reads them all at once.

Nothing here runs at import: `Settings()` reads the environment when it is called, so tests
and `create_server(settings)` decide what is configured. Secrets are `SecretStr`: their repr
and str are masked, and `secret_values()` lists them for the one redactor.

`.env` files: desktop clients start a server in a working directory of their choosing, so
besides `./.env` the user config directory's `.env` and the file `AUDIENCE_MCP_ENV_FILE`
names are read (`env_files()`); the environment still wins over every file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, cast

import platformdirs
from pydantic import Field, SecretStr, field_validator

from audience_mcp.core.env_settings import EnvSettings, environment
from audience_mcp.platforms.appizer.settings import AppizerSettings
from audience_mcp.platforms.digital_audience.settings import DigitalAudienceSettings
from audience_mcp.platforms.neuroflash.settings import NeuroflashSettings

APP_NAME = "audience-mcp"
# What the SDK's AES-GCM request-state codec asks of a key (mcp.server.request_state).
MIN_REQUEST_STATE_KEY_LENGTH = 32
ENV_FILE_VARIABLE = "AUDIENCE_MCP_ENV_FILE"


def env_files(environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """The `.env` files settings are read from, lowest precedence first (missing ones are skipped).

    The user config directory's, then the working directory's, then `AUDIENCE_MCP_ENV_FILE`'s.
    """
    environ = os.environ if environ is None else environ
    files = [Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / ".env", Path(".env")]
    chosen = environ.get(ENV_FILE_VARIABLE, "").strip()
    if chosen:
        files.append(Path(chosen).expanduser())
    return tuple(files)


class DefaultEnvFiles:
    """Marks `Settings(_env_file=...)` left at its default: read `env_files()` when called."""


def user_data_path(file_name: str) -> str:
    """A file in the user's data directory (created on demand), so data survives restarts."""
    return str(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / file_name)


class ServerSettings(EnvSettings):
    """What every platform shares: modes, the state store, HTTP; see `.env.example` and the README."""

    env_prefix = "AUDIENCE_MCP_"

    sandbox: bool = Field(default=False, description="Use the built-in sandboxes instead of the network")
    sandbox_db: str = Field(
        default_factory=lambda: user_data_path("sandbox.db"),
        description="SQLite file of the sandboxes (':memory:' allowed)",
    )
    state_db: str = Field(
        default_factory=lambda: user_data_path("state.db"),
        description=(
            "The state store (journal, confirmations, locks): a SQLite file (':memory:' allowed), or a "
            "postgresql:// URL shared by replicas"
        ),
    )
    journal_retention_days: int = Field(
        default=90,
        ge=0,
        le=36_500,
        description="Changes older than this are dropped when the store is opened (0: keep all)",
    )
    read_only: bool = Field(default=False, description="Register no tool that writes")
    audit_max_audiences: int = Field(
        default=100_000, ge=1, description="audit_audiences reads at most this many audiences per platform"
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=300, description="HTTP timeout per request")
    call_deadline_seconds: float = Field(
        default=60.0, gt=0, le=900, description="Deadline of one tool call over all its requests, retries and waits"
    )
    image_dir: str | None = Field(
        default=None, description="neuroflash_set_audience_image may only read files inside this directory"
    )
    token: SecretStr | None = Field(default=None, description="Bearer token HTTP clients must send (--transport http)")
    http_header_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="HTTP mode: close a connection whose request headers take longer"
    )
    http_keep_alive_seconds: float = Field(
        default=75.0,
        ge=1,
        le=3600,
        description="HTTP mode: close a connection idle this long; keep it above your load balancer's idle timeout",
    )
    http_max_connections: int = Field(
        default=100, ge=1, le=100_000, description="HTTP mode: open connections or running requests; beyond: 503"
    )
    allowed_origins: str = Field(
        default="", description="Extra Origin values the HTTP transport accepts, comma-separated"
    )
    allowed_hosts: str = Field(
        default="", description="Extra Host header values the HTTP transport accepts, comma-separated"
    )
    request_state_keys: SecretStr | None = Field(
        default=None,
        description=(
            "HTTP replicas: keys (comma-separated, 32+ characters each; the first seals) that protect the "
            "state of a question asked in one request and answered in the next; every replica needs the same"
        ),
    )
    oauth_issuer: str | None = Field(
        default=None,
        description="HTTP mode: accept OAuth access tokens (JWT) from this issuer (the identity provider's URL)",
    )
    oauth_audience: str | None = Field(
        default=None, description="HTTP mode: the audience (aud) tokens must carry; default: the resource URL"
    )
    oauth_jwks_url: str | None = Field(
        default=None, description="HTTP mode: the issuer's signing keys (JWKS); default: from its metadata"
    )
    oauth_resource_url: str | None = Field(
        default=None,
        description="HTTP mode: this server's /mcp URL as clients reach it; default: http://<host>:<port>/mcp",
    )

    @field_validator("oauth_issuer", "oauth_audience", "oauth_jwks_url", "oauth_resource_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("request_state_keys")
    @classmethod
    def _keys_are_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        keys = comma_list(value.get_secret_value())
        if not keys:
            return None
        short = [str(n) for n, key in enumerate(keys, start=1) if len(key) < MIN_REQUEST_STATE_KEY_LENGTH]
        if short:
            # Never the keys themselves: only which ones are too short.
            raise ValueError(
                f"key {', '.join(short)} of {len(keys)} is shorter than {MIN_REQUEST_STATE_KEY_LENGTH} characters; "
                'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        return value

    def request_state_key_list(self) -> list[str]:
        """The request-state keys, the sealing one first (empty: each process makes its own)."""
        return comma_list(self.request_state_keys.get_secret_value()) if self.request_state_keys else []

    @field_validator("oauth_issuer", "oauth_jwks_url")
    @classmethod
    def _keys_only_over_https(cls, value: str | None) -> str | None:
        from audience_mcp.core.auth.urls import key_url_problem

        problem = key_url_problem(value) if value is not None else None
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("oauth_resource_url")
    @classmethod
    def _resource_is_a_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not a URL like https://mcp.example.com/mcp")
        return value

    @field_validator("token", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_are_origins(cls, value: str) -> str:
        for origin in comma_list(value):
            scheme, sep, rest = origin.partition("://")
            if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com or http://localhost:3000")
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_are_hosts(cls, value: str) -> str:
        for host in comma_list(value):
            if "/" in host or " " in host:
                raise ValueError(f"{host!r} is not a Host header value like mcp.example.com or 10.0.0.5:8000")
        return value

    platforms: str = Field(
        default="",
        description="Platforms to serve, comma-separated; empty: every platform whose credentials are set "
        "(all of them in sandbox mode)",
    )
    toolsets: str = Field(default="", description="Toolsets to register, comma-separated; empty: all")

    def platform_list(self) -> list[str]:
        return [name.lower() for name in comma_list(self.platforms)]

    def toolset_list(self) -> list[str]:
        return [name.lower() for name in comma_list(self.toolsets)]

    def origin_list(self) -> list[str]:
        return comma_list(self.allowed_origins)

    def host_list(self) -> list[str]:
        return comma_list(self.allowed_hosts)

    def secret_values(self) -> list[str]:
        from audience_mcp.core.store.location import is_postgres

        values = [self.token.get_secret_value()] if self.token is not None and self.token.get_secret_value() else []
        values += self.request_state_key_list()
        if is_postgres(self.state_db):
            from audience_mcp.core.store.postgres import password_of

            password = password_of(self.state_db)  # in a postgresql:// URL: never shown or logged
            values += [password] if password else []
        return values


class PlatformSettings(Protocol):
    """What the server asks of every platform's settings class."""

    @property
    def has_credentials(self) -> bool: ...

    def secret_values(self) -> list[str]: ...


SETTINGS_CLASSES: dict[str, type[EnvSettings]] = {
    "server": ServerSettings,
    "neuroflash": NeuroflashSettings,
    "appizer": AppizerSettings,
    "digital_audience": DigitalAudienceSettings,
}


class Settings:
    """The server's settings and every platform's, read together.

    Keyword values go to whichever class has a field of that name (the names do not clash),
    so `Settings(sandbox=True, client_id="c")` sets one server and one neuroflash setting.
    """

    server: ServerSettings
    neuroflash: NeuroflashSettings
    appizer: AppizerSettings
    digital_audience: DigitalAudienceSettings

    def __init__(
        self, _env_file: str | Path | tuple[Path, ...] | type[DefaultEnvFiles] | None = DefaultEnvFiles, **values: Any
    ) -> None:
        files = env_files() if isinstance(_env_file, type) else _env_file  # the default: read them now
        found = environment(files)  # once, for every part
        unknown = set(values)
        for attribute, cls in SETTINGS_CLASSES.items():
            mine = {name: value for name, value in values.items() if name in cls.model_fields}
            unknown -= set(mine)
            setattr(self, attribute, cls(_environment=found, **mine))
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{name}={part!r}' for name, part in self.parts().items())})"

    def parts(self) -> dict[str, EnvSettings]:
        """Each settings object by its name (`server`, then one per platform)."""
        return {attribute: getattr(self, attribute) for attribute in SETTINGS_CLASSES}

    def platform_settings(self, name: str) -> PlatformSettings:
        return cast(PlatformSettings, getattr(self, name))

    def replaced(self, **changes: Any) -> Settings:
        """A copy with some values changed. Not validated again (pydantic's `model_copy`): pass
        values of the fields' types."""
        copy = object.__new__(Settings)
        for attribute, part in self.parts().items():
            mine = {name: value for name, value in changes.items() if name in type(part).model_fields}
            setattr(copy, attribute, part.model_copy(update=mine))
        return copy

    def secret_values(self) -> list[str]:
        """The plain values of every secret, for the one redactor."""
        return [
            *self.server.secret_values(),
            *self.neuroflash.secret_values(),
            *self.digital_audience.secret_values(),
            *self.appizer.secret_values(),
        ]


def setting_variables() -> dict[str, str]:
    """Every setting's field name -> its environment variable, server settings first."""
    return {name: cls.variable(name) for cls in SETTINGS_CLASSES.values() for name in cls.model_fields}


def variable_for(title: str, field: str) -> str:
    """The environment variable of `field` in the settings class named `title` (for error texts)."""
    for cls in SETTINGS_CLASSES.values():
        if cls.__name__ == title:
            return cls.variable(field)
    return field.upper()


def comma_list(value: str) -> list[str]:
    return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
