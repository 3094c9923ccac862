"""Bearer tokens: a static token, or OAuth2 client credentials with a cache.

The cached token is reused until `refresh_margin` seconds before `expires_in` runs out; one
refresh runs at a time however many requests wait for it; a 401 invalidates the token it
was sent with (not a newer one another request already fetched). The clock is injected so
tests can expire tokens without sleeping. `repr` never shows a token or a secret.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

import anyio
import httpx2
from pydantic import SecretStr, ValidationError

from audience_mcp.core.http.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    error_from_response,
)
from audience_mcp.platforms.neuroflash.models import TokenResponse

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


class TokenSource(Protocol):
    """Where the client gets its bearer token from."""

    async def token(self) -> str: ...

    def invalidate(self, token: str) -> bool:
        """Forget `token` after a 401; True when a new token may fix the request."""
        ...

    @property
    def token_requests(self) -> int: ...


class StaticToken:
    """A ready bearer token (NEUROFLASH_ACCESS_TOKEN); nothing to refresh."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token.get_secret_value()

    def invalidate(self, token: str) -> bool:
        return False

    @property
    def token_requests(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "StaticToken(token='**********')"


class ClientCredentials:
    """OAuth2 client-credentials grant against the token endpoint, cached."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        http: httpx2.AsyncClient,
        clock: Clock = time.monotonic,
        refresh_margin: float = 60.0,
        scope: str = "openid",
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._scope = scope
        self._lock = anyio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._requests = 0

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self._token_url!r}, client_id={self._client_id!r})"

    @property
    def token_requests(self) -> int:
        """How many tokens were requested so far (for tests and benchmarks)."""
        return self._requests

    def _valid(self) -> str | None:
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    async def token(self) -> str:
        cached = self._valid()
        if cached is not None:
            return cached
        async with self._lock:
            # Another task may have refreshed while this one waited for the lock.
            cached = self._valid()
            if cached is not None:
                return cached
            return await self._fetch()

    def invalidate(self, token: str) -> bool:
        if self._token == token:
            self._token = None
            self._expires_at = 0.0
        return True

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
                reached_server=None,
            ) from exc
        except httpx2.TransportError as exc:
            raise APIConnectionError(
                f"Could not reach the token endpoint ({type(exc).__name__})",
                method="POST",
                path=self._token_url,
                reached_server=None,
            ) from exc
        if response.status_code in (400, 401, 403):
            # The OAuth server says invalid_client / unsupported_grant_type: a credentials problem.
            error = error_from_response(response)
            raise AuthenticationError(
                f"The token endpoint refused the client credentials: {error.message}",
                status=response.status_code,
                code=error.code,
                method="POST",
                path=self._token_url,
            )
        if response.is_error:
            raise error_from_response(response)
        try:
            parsed = TokenResponse.model_validate(response.json())
        except (ValidationError, ValueError) as exc:
            raise AuthenticationError(
                "The token endpoint answered without an access_token", status=response.status_code
            ) from exc
        lifetime = parsed.expires_in if parsed.expires_in is not None else 3600.0
        # Refresh early, but never keep a token for less than half its lifetime.
        margin = min(self._refresh_margin, lifetime / 2)
        self._token = parsed.access_token
        self._expires_at = started + lifetime - margin
        logger.info("Obtained an access token valid for %.0f s", lifetime)
        return parsed.access_token
