"""The identity provider's signing keys (JWKS): discovered, fetched with limits, cached, refreshed.

- Where: `AUDIENCE_MCP_OAUTH_JWKS_URL`, or the `jwks_uri` of the issuer's metadata (RFC 8414
  `/.well-known/oauth-authorization-server`, then OpenID `/.well-known/openid-configuration`),
  whose `issuer` must be the configured one.
- How: https unless loopback (whoever serves the keys decides which tokens pass), no redirects,
  a timeout and a size cap, so a slow or huge answer cannot hold or fill the server.
- When: on first use, again when the cache is older than `max_age_seconds`, and when a token
  names a `kid` the cache lacks (the provider rotated its keys), at most once per
  `min_refresh_seconds`, so tokens with made-up kids cannot make the server hammer the provider.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2

from audience_mcp.core.auth.urls import key_url_problem

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 256 * 1024
MIN_REFRESH_SECONDS = 60.0
MAX_AGE_SECONDS = 3600.0

JsonFetcher = Callable[[str], Awaitable[Any]]


class KeysUnavailable(Exception):
    """The signing keys cannot be had right now (network, size, format); tokens cannot be checked."""


async def fetch_json(url: str) -> Any:
    """GET `url` as JSON: https unless loopback, no redirects, FETCH_TIMEOUT_SECONDS, MAX_DOCUMENT_BYTES."""
    problem = key_url_problem(url)
    if problem is not None:
        raise KeysUnavailable(problem)
    body = bytearray()
    try:
        with anyio.fail_after(FETCH_TIMEOUT_SECONDS):
            async with (
                httpx2.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False) as http,
                http.stream("GET", url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code != 200:
                    raise KeysUnavailable(f"{url} answered HTTP {response.status_code}")
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise KeysUnavailable(f"{url} sent more than {MAX_DOCUMENT_BYTES // 1024} KiB")
    except TimeoutError:
        raise KeysUnavailable(f"{url} did not answer within {FETCH_TIMEOUT_SECONDS:g} s") from None
    except httpx2.HTTPError as exc:
        raise KeysUnavailable(f"{url} could not be reached ({type(exc).__name__})") from None
    try:
        return json.loads(body)
    except ValueError:
        raise KeysUnavailable(f"{url} did not send JSON") from None


def metadata_urls(issuer: str) -> list[str]:
    """Where the issuer's metadata may be: RFC 8414 (path after the well-known part), OpenID (appended),
    then RFC 8414 appended (Keycloak serves both appended forms, not the inserted one)."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    stem = issuer.rstrip("/")
    urls = [
        f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{path}",
        f"{stem}/.well-known/openid-configuration",
        f"{stem}/.well-known/oauth-authorization-server",
    ]
    return list(dict.fromkeys(urls))  # a path-less issuer has the same URL twice


def same_issuer(a: str, b: str) -> bool:
    # Providers differ on a trailing slash (Auth0 keeps it, Keycloak does not); nothing else may differ.
    return a.rstrip("/") == b.rstrip("/")


async def discover_jwks_url(issuer: str, fetch: JsonFetcher = fetch_json) -> str:
    """The `jwks_uri` the issuer's metadata names; KeysUnavailable when none of its documents says."""
    reasons: list[str] = []
    for url in metadata_urls(issuer):
        try:
            metadata = await fetch(url)
        except KeysUnavailable as exc:
            reasons.append(str(exc))
            continue
        if not isinstance(metadata, dict) or not isinstance(metadata.get("jwks_uri"), str):
            reasons.append(f"{url} names no jwks_uri")
            continue
        if not same_issuer(str(metadata.get("issuer", "")), issuer):
            reasons.append(f"{url} is the metadata of another issuer")  # RFC 8414 section 3.3
            continue
        jwks_url: str = metadata["jwks_uri"]
        problem = key_url_problem(jwks_url)
        if problem is not None:
            raise KeysUnavailable(f"the issuer's jwks_uri: {problem}")
        return jwks_url
    raise KeysUnavailable(
        f"no signing keys found for issuer {issuer} ({'; '.join(reasons)}); set AUDIENCE_MCP_OAUTH_JWKS_URL"
    )


class KeySet:
    """The provider's public signing keys by `kid`, cached and refreshed within bounds."""

    def __init__(
        self,
        *,
        issuer: str,
        jwks_url: str | None = None,
        fetch: JsonFetcher = fetch_json,
        clock: Callable[[], float] = time.monotonic,
        min_refresh_seconds: float = MIN_REFRESH_SECONDS,
        max_age_seconds: float = MAX_AGE_SECONDS,
    ) -> None:
        self._issuer = issuer
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._clock = clock
        self._min_refresh = min_refresh_seconds
        self._max_age = max_age_seconds
        self._keys: dict[str, dict[str, Any]] | None = None
        self._fetched_at: float | None = None  # of the last attempt, successful or not
        self._lock = anyio.Lock()

    async def key(self, kid: str | None) -> dict[str, Any] | None:
        """The JWK for `kid` (for no kid: the only key, if there is one); None when there is none.

        Raises KeysUnavailable when no keys could be fetched (yet).
        """
        if self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age:
            await self._refresh()
        found = self._find(kid)
        if found is None:
            await self._refresh()  # an unknown kid: the provider may have rotated its keys
            found = self._find(kid)
        if self._keys is None:
            raise KeysUnavailable("the identity provider's signing keys could not be fetched")
        return found

    def _find(self, kid: str | None) -> dict[str, Any] | None:
        if self._keys is None:
            return None
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        """Fetch the keys, unless that was tried less than `min_refresh_seconds` ago (success or not)."""
        attempted = self._fetched_at
        async with self._lock:
            if self._fetched_at != attempted:
                return  # another request fetched while this one waited
            if self._fetched_at is not None and self._clock() - self._fetched_at < self._min_refresh:
                return
            self._fetched_at = self._clock()
            try:
                url = self._jwks_url or await discover_jwks_url(self._issuer, self._fetch)
                self._jwks_url = url
                self._keys = signing_keys(await self._fetch(url), url)
            except KeysUnavailable as exc:
                logger.warning("Could not fetch the OAuth signing keys: %s", exc)
                return
            logger.info("Fetched %d OAuth signing keys from %s", len(self._keys), url)


def signing_keys(document: Any, url: str) -> dict[str, dict[str, Any]]:
    """The JWKS's public signature keys by kid (a key without kid is kept under "")."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeysUnavailable(f"{url} is not a JWK set")
    keys: dict[str, dict[str, Any]] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") not in ("RSA", "EC", "OKP"):
            continue  # "oct" (a shared secret) never verifies a token here
        if jwk.get("use", "sig") != "sig" or "d" in jwk:
            continue  # encryption keys, and private keys a provider should never publish
        keys[str(jwk.get("kid", ""))] = jwk
    return keys
