"""Appizer's own settings: `APPIZER_API_KEY`, `APPIZER_APP_ID`, `APPIZER_API_URL`.

The fields carry the platform's name (no env prefix) because `Settings(**values)` routes a keyword
to whichever settings class has a field of that name: a plain `api_url` would clash with neuroflash's.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from audience_mcp.core.env_settings import EnvSettings

DEFAULT_API_URL = "https://api.appizer.com/v1"

# The built-in sandbox's key, public and documented (README); used in sandbox mode whatever key is set.
# The sandbox keeps its own copy (it imports no client-side module); a test proves them equal.
SANDBOX_API_KEY = "sandbox-appizer-key"


class AppizerSettings(EnvSettings):
    """How to reach Appizer; see `.env.example` and the README."""

    appizer_api_key: SecretStr | None = Field(default=None, description="Appizer API key (opaque)")
    appizer_app_id: str | None = Field(default=None, description="Default Appizer app of every tool")
    appizer_api_url: str = Field(default=DEFAULT_API_URL, description="Base URL of the Appizer API")

    @field_validator("appizer_app_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("appizer_api_key", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("appizer_api_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def has_credentials(self) -> bool:
        return self.appizer_api_key is not None

    def secret_values(self) -> list[str]:
        key = self.appizer_api_key.get_secret_value() if self.appizer_api_key is not None else ""
        return [key] if key else []
