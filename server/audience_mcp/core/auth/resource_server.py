"""HTTP mode as an OAuth 2.1 resource server: the SDK's AuthSettings, the verifier of the issuer's
access tokens, and the protected-resource metadata (RFC 9728) that a 401 points clients to."""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from pydantic import AnyHttpUrl
from starlette.routing import Route

from audience_mcp.core.auth.access_tokens import AccessTokenVerifier
from audience_mcp.core.auth.keys import KeySet
from audience_mcp.core.auth.scopes import ALL_SCOPES

RESOURCE_NAME = "Marketing audiences"


@dataclass(frozen=True)
class OAuthResource:
    """The issuer and this server's resource URL (the SDK's AuthSettings), and the token verifier."""

    auth: AuthSettings
    verifier: TokenVerifier

    @property
    def resource_url(self) -> AnyHttpUrl:
        assert self.auth.resource_server_url is not None  # always set by oauth_resource
        return self.auth.resource_server_url

    @property
    def metadata_url(self) -> str:
        return str(build_resource_metadata_url(self.resource_url))

    def metadata_routes(self) -> list[Route]:
        """The SDK's RFC 9728 routes: the issuer, and every scope a tool may need."""
        return create_protected_resource_routes(
            resource_url=self.resource_url,
            authorization_servers=[self.auth.issuer_url],
            scopes_supported=list(ALL_SCOPES),
            resource_name=RESOURCE_NAME,
        )


def oauth_resource(
    *,
    issuer: str,
    resource_url: str,
    audience: str | None = None,
    jwks_url: str | None = None,
    keys: KeySet | None = None,
) -> OAuthResource:
    """The resource server for `issuer`'s tokens; their `aud` must be `audience` (default: `resource_url`).

    `keys` lets tests control the clock of the key cache.
    """
    auth = AuthSettings(
        issuer_url=AnyHttpUrl(issuer),
        resource_server_url=AnyHttpUrl(resource_url),
        required_scopes=None,  # scopes are checked per tool (core/mcp/access.py), not per endpoint
        validate_token_resource=False,  # the verifier checks `aud` itself
    )
    verifier = AccessTokenVerifier(
        issuer=issuer,
        audience=audience or resource_url,
        keys=keys if keys is not None else KeySet(issuer=issuer, jwks_url=jwks_url),
    )
    return OAuthResource(auth=auth, verifier=verifier)
