"""Bearer auth as `httpx2.Auth` flows: a static token, or OAuth2 client credentials with a cache.

The flows add the Authorization header, so the requester knows nothing about tokens. The
cached token is reused until `refresh_margin` seconds before `expires_in` runs out; one
refresh runs at a time however many requests wait for it; a 401 invalidates the token it
was sent with (not a newer one another request already fetched) and the request is sent
once more with a fresh token. Every secret and token is registered with the one redactor
(core/secrets.py) as soon as a flow holds it. The clock is injected so tests can expire tokens without
sleeping. `repr` never shows a token or a secret.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator

import anyio
import httpx2
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from audience_mcp.core.http.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    Classifier,
)
from audience_mcp.core.http.errors import classify as generic_classify
from audience_mcp.core.http.lazy import LazyHttpClient
from audience_mcp.core.secrets import redactor

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
DEFAULT_LIFETIME = 3600.0  # when the token endpoint does not say (expires_in is optional)


class TokenResponse(BaseModel):
    """The fields of an OAuth2 token response (RFC 6749 5.1) the cache needs."""

    model_config = ConfigDict(extra="allow")

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: float | None = None


def _bearer(request: httpx2.Request, token: str) -> None:
    request.headers["Authorization"] = f"Bearer {token}"


class StaticBearer(httpx2.Auth):
    """A ready bearer token; nothing to refresh, so a 401 is final."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token
        redactor.register(token.get_secret_value())

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        _bearer(request, self._token.get_secret_value())
        yield request

    def __repr__(self) -> str:
        return "StaticBearer(token='**********')"


class ClientCredentialsAuth(httpx2.Auth):
    """OAuth2 client-credentials grant against the token endpoint, cached.

    Async only: the lock and the token request need an event loop. The token request goes
    through `http` without this auth (the requester passes the auth per request).
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        http: httpx2.AsyncClient | LazyHttpClient,
        clock: Clock = time.monotonic,
        refresh_margin: float = 60.0,
        scope: str = "openid",
        classify: Classifier = generic_classify,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        redactor.register(client_secret.get_secret_value())
        self._http = http
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._scope = scope
        self._classify = classify
        self._lock = anyio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._requests = 0

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={self._token_url!r}, client_id={self._client_id!r})"

    @property
    def token_requests(self) -> int:
        """How many tokens were requested so far (for tests and benchmarks)."""
        return self._requests

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        # The base class would send the request without a token rather than fail.
        raise RuntimeError("ClientCredentialsAuth works with httpx2.AsyncClient only")

    async def async_auth_flow(self, request: httpx2.Request) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        token = await self.token()
        _bearer(request, token)
        response = yield request
        if response.status_code == 401:
            # Revoked or expired early on the server's clock: a fresh token may fix it, once.
            self.invalidate(token)
            _bearer(request, await self.token())
            yield request

    def _valid(self) -> str | None:
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    async def token(self) -> str:
        """The cached token, or a new one when it is missing or about to expire."""
        cached = self._valid()
        if cached is not None:
            return cached
        async with self._lock:
            # Another task may have refreshed while this one waited for the lock.
            cached = self._valid()
            if cached is not None:
                return cached
            return await self._fetch()

    def invalidate(self, token: str) -> None:
        """Forget `token` after a 401, unless a newer one has replaced it already."""
        if self._token == token:
            self._token = None
            self._expires_at = 0.0

    async def _fetch(self) -> str:
        self._requests += 1
        started = self._clock()
        try:
            response = await self._http.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._client_secret.get_secret_value(),
                    "scope": self._scope,
                },
                headers={"Accept": "application/json"},
            )
        except httpx2.TimeoutException as exc:
            raise APITimeoutError(
                "The token endpoint did not answer in time",
                method="POST",
                path=self._token_url,
                reached_server=False,  # the API request waiting for this token was never sent
            ) from exc
        except httpx2.TransportError as exc:
            raise APIConnectionError(
                f"Could not reach the token endpoint ({type(exc).__name__})",
                method="POST",
                path=self._token_url,
                reached_server=False,
            ) from exc
        if response.status_code in (400, 401, 403):
            # The OAuth server says invalid_client / unsupported_grant_type: a credentials problem.
            error = self._classify(response)
            raise AuthenticationError(
                f"The token endpoint refused the client credentials: {error.message}",
                status=response.status_code,
                code=error.code,
                method="POST",
                path=self._token_url,
            )
        if response.is_error:
            # A failing token endpoint is not a failing write: the API request was never sent.
            error = self._classify(response)
            raise APIConnectionError(
                f"The token endpoint failed (HTTP {response.status_code}: {error.message})",
                method="POST",
                path=self._token_url,
                reached_server=False,
            )
        try:
            parsed = TokenResponse.model_validate(response.json())
        except (ValidationError, ValueError) as exc:
            raise AuthenticationError(
                "The token endpoint answered without an access_token", status=response.status_code
            ) from exc
        # Registered before anything else can print it (an upstream may echo it in an error).
        redactor.register(parsed.access_token)
        lifetime = parsed.expires_in if parsed.expires_in is not None else DEFAULT_LIFETIME
        # Refresh early, but never keep a token for less than half its lifetime.
        margin = min(self._refresh_margin, lifetime / 2)
        self._token = parsed.access_token
        self._expires_at = started + lifetime - margin
        logger.info("Obtained an access token valid for %.0f s", lifetime)
        return parsed.access_token
