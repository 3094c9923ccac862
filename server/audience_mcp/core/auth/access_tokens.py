"""OAuth access tokens (JWT) from the team's identity provider, verified as the SDK's TokenVerifier.

A token passes only when all of these hold (RFC 9068, the MCP authorization spec):
- its `alg` is on an allow-list of asymmetric algorithms: never `none`, never an HMAC (HS*),
  which would let anyone holding the public key sign;
- its `kid` names a signature key of the provider's JWKS (keys.py), of the algorithm's family,
  and the signature verifies;
- `iss` is the configured issuer, `aud` holds the configured audience (by default this server's
  resource URL), `exp` is in the future and `nbf`, if present, in the past (with a little leeway
  for clock skew).
Scopes come from `scope` (space-separated, RFC 9068) or `scp` (a list or a string: Okta, Azure);
the client from `client_id`, `azp` or `cid`; the user from `sub`.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
from mcp.server.auth.provider import AccessToken

from audience_mcp.core.auth.keys import KeySet

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
LEEWAY_SECONDS = 30


def _scopes(claims: dict[str, Any]) -> list[str]:
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [item for item in value if isinstance(item, str)]
    return []


def _client_id(claims: dict[str, Any]) -> str:
    for name in ("client_id", "azp", "cid"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


class AccessTokenVerifier:
    """The SDK's `TokenVerifier` for JWT access tokens of one issuer and audience."""

    def __init__(self, *, issuer: str, audience: str, keys: KeySet) -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys = keys
        stem = issuer.rstrip("/")
        self._issuers = (stem, f"{stem}/")  # keys.same_issuer's trailing-slash tolerance, for the iss claim

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's AccessToken, or None when it is not one this server accepts (logged without the token).

        Raises KeysUnavailable when the provider's keys cannot be fetched, so the caller can say
        "try again later" instead of "your token is invalid".
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None  # not a JWT at all (a wrong static token, say): nothing to log
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALLOWED_ALGORITHMS:
            logger.warning("Refused an access token signed with %s (allowed: asymmetric algorithms)", ascii(alg)[:20])
            return None
        jwk = await self._keys.key(kid if isinstance(kid, str) else None)
        if jwk is None:
            logger.warning("Refused an access token with an unknown key id %s", ascii(kid)[:80])
            return None
        if jwk.get("alg") not in (None, alg):
            logger.warning("Refused an access token: key %s is for %s, not %s", ascii(kid)[:80], jwk["alg"], alg)
            return None
        try:
            key = jwt.PyJWK(jwk, algorithm=alg)  # fails when the key's type does not fit the algorithm
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self._issuers,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            logger.warning("Refused an access token: %s", type(exc).__name__)
            return None
        subject = claims.get("sub")
        return AccessToken(
            token=token,
            client_id=_client_id(claims),
            scopes=_scopes(claims),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=subject if isinstance(subject, str) else None,
            claims={"iss": claims["iss"]},
        )
