"""neuroflash's own settings (prefix `NEUROFLASH_`): credentials, workspace, endpoints."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from audience_mcp.core.env_settings import EnvSettings
from audience_mcp.core.http.urls import credential_url_problem

DEFAULT_API_URL = "https://app.neuroflash.com/api"
DEFAULT_TOKEN_URL = "https://id.neuroflash.com/oauth/v2/token"  # noqa: S105 - a URL
# The hosts of the public documents (app.neuroflash.com, id.neuroflash.com) share this domain;
# `check` warns when a URL that receives credentials leaves it.
DOCUMENTED_DOMAIN = "neuroflash.com"
# The example audience model of every neuroflash guide; no endpoint lists models (the public docs).
DEFAULT_AUDIENCE_MODEL_ID = "538b1efc6f88ad88feebf7acd8c618facb54fe82"

# The built-in sandbox's first service account; used when sandbox mode has no credentials.
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - a public, documented sandbox credential


class NeuroflashSettings(EnvSettings):
    """How to reach neuroflash; see `.env.example` and the README for the documentation."""

    env_prefix = "NEUROFLASH_"

    client_id: str | None = Field(default=None, description="OAuth client id of a neuroflash service account")
    client_secret: SecretStr | None = Field(default=None, description="OAuth client secret")
    access_token: SecretStr | None = Field(
        default=None, description="A ready bearer token, instead of client credentials"
    )
    workspace_id: str | None = Field(default=None, description="Default workspace for every tool")
    api_url: str = Field(default=DEFAULT_API_URL, description="Base URL of the neuroflash API")
    token_url: str = Field(default=DEFAULT_TOKEN_URL, description="OAuth token endpoint")
    audience_model_id: str = Field(default=DEFAULT_AUDIENCE_MODEL_ID, description="Audience model used by URL drafts")

    @field_validator("client_id", "workspace_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `NEUROFLASH_WORKSPACE_ID=` in a .env file means "not set", not "the empty id".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("client_secret", "access_token", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("api_url", "token_url")
    @classmethod
    def _credentials_only_over_https(cls, value: str) -> str:
        # Both receive credentials (the client secret, the bearer token): refuse before anything is sent.
        problem = credential_url_problem(value.strip())
        if problem is not None:
            raise ValueError(problem)
        return value.strip().rstrip("/")

    @property
    def has_credentials(self) -> bool:
        """The one credentials check: a ready token, or both halves of the client credentials."""
        return self.access_token is not None or bool(self.client_id and self.client_secret)

    def secret_values(self) -> list[str]:
        secrets = [s.get_secret_value() for s in (self.client_secret, self.access_token) if s is not None]
        return [s for s in secrets if s]
