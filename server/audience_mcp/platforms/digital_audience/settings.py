"""Digital Audience's own settings (`DIGITAL_AUDIENCE_*`): the base URL and a portal login.

The field names carry the platform's name (and the prefix is empty) because `Settings(**values)`
hands each keyword to the class that has a field of that name: `api_url` is neuroflash's already.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from audience_mcp.core.env_settings import EnvSettings

# The sandbox's first user; used when sandbox mode has no credentials (public, like neuroflash's).
SANDBOX_USERNAME = "sandbox-user"
SANDBOX_PASSWORD = "sandbox-password"  # noqa: S105 - a public, documented sandbox credential


class DigitalAudienceSettings(EnvSettings):
    """How to reach Digital Audience; see `.env.example` and the README."""

    # Required for real use: the vendor publishes no base URL (`{{base_url}}` in every example).
    digital_audience_api_url: str | None = Field(default=None, description="Base URL of the Digital Audience API")
    digital_audience_username: str | None = Field(default=None, description="Portal user name")
    digital_audience_password: SecretStr | None = Field(default=None, description="Portal password")

    @field_validator("digital_audience_api_url", "digital_audience_username", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("digital_audience_password", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("digital_audience_api_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def has_credentials(self) -> bool:
        return bool(self.digital_audience_api_url and self.digital_audience_username and self.digital_audience_password)

    def secret_values(self) -> list[str]:
        password = self.digital_audience_password
        return [password.get_secret_value()] if password is not None and password.get_secret_value() else []
