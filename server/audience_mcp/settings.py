"""Settings from the environment and a `.env` file (prefix `NEUROFLASH_`).

Nothing here runs at import: `Settings()` reads the environment when it is called, so tests
and `create_server(settings)` decide what is configured. Secrets are `SecretStr`: their repr
and str are masked, and `secret_values()` lists them for the log redaction filter.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "neuroflash-audience-mcp"
DEFAULT_API_URL = "https://app.neuroflash.com/api"
DEFAULT_TOKEN_URL = "https://id.neuroflash.com/oauth/v2/token"  # noqa: S105 - a URL
# The example audience model of every neuroflash guide; no endpoint lists models (FACTS.md).
DEFAULT_AUDIENCE_MODEL_ID = "538b1efc6f88ad88feebf7acd8c618facb54fe82"

# The built-in sandbox's first service account; used when sandbox mode has no credentials.
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - a public, documented sandbox credential


def user_data_path(file_name: str) -> str:
    """A file in the user's data directory (created on demand), so data survives restarts."""
    return str(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / file_name)


class Settings(BaseSettings):
    """Every setting of the server; see `.env.example` and the README for the documentation."""

    model_config = SettingsConfigDict(
        env_prefix="NEUROFLASH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    client_id: str | None = Field(default=None, description="OAuth client id of a neuroflash service account")
    client_secret: SecretStr | None = Field(default=None, description="OAuth client secret")
    access_token: SecretStr | None = Field(
        default=None, description="A ready bearer token, instead of client credentials"
    )
    workspace_id: str | None = Field(default=None, description="Default workspace for every tool")
    api_url: str = Field(default=DEFAULT_API_URL, description="Base URL of the neuroflash API")
    token_url: str = Field(default=DEFAULT_TOKEN_URL, description="OAuth token endpoint")
    audience_model_id: str = Field(default=DEFAULT_AUDIENCE_MODEL_ID, description="Audience model used by URL imports")
    sandbox: bool = Field(default=False, description="Use the built-in sandbox instead of the network")
    sandbox_db: str = Field(
        default_factory=lambda: user_data_path("sandbox.db"),
        description="SQLite file of the sandbox (':memory:' allowed)",
    )
    journal_db: str = Field(
        default_factory=lambda: user_data_path("journal.db"),
        description="SQLite file of the change journal (':memory:' allowed)",
    )
    read_only: bool = Field(default=False, description="Register no tool that writes")
    timeout_seconds: float = Field(default=30.0, gt=0, le=300, description="HTTP timeout per request")
    image_dir: str | None = Field(
        default=None, description="set_audience_image may only read files inside this directory"
    )
    mcp_token: SecretStr | None = Field(
        default=None, description="Bearer token HTTP clients must send (--transport http)"
    )
    allowed_origins: str = Field(
        default="", description="Extra Origin values the HTTP transport accepts, comma-separated"
    )
    allowed_hosts: str = Field(
        default="", description="Extra Host header values the HTTP transport accepts, comma-separated"
    )

    @field_validator("client_id", "workspace_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `NEUROFLASH_WORKSPACE_ID=` in a .env file means "not set", not "the empty id".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("client_secret", "access_token", "mcp_token", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("api_url", "token_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("allowed_origins")
    @classmethod
    def _origins_are_origins(cls, value: str) -> str:
        for origin in _comma_list(value):
            scheme, sep, rest = origin.partition("://")
            if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com or http://localhost:3000")
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_are_hosts(cls, value: str) -> str:
        for host in _comma_list(value):
            if "/" in host or " " in host:
                raise ValueError(f"{host!r} is not a Host header value like mcp.example.com or 10.0.0.5:8000")
        return value

    def origin_list(self) -> list[str]:
        return _comma_list(self.allowed_origins)

    def host_list(self) -> list[str]:
        return _comma_list(self.allowed_hosts)

    def secret_values(self) -> list[str]:
        """The plain values of every secret, for the log redaction filter."""
        secrets = [
            s.get_secret_value() for s in (self.client_secret, self.access_token, self.mcp_token) if s is not None
        ]
        return [s for s in secrets if s]


def _comma_list(value: str) -> list[str]:
    return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
