"""A stand-in for the team's identity provider, for the tests only: real keys, real HTTP, on 127.0.0.1.

Keys are generated in the test (cryptography); the issuer's metadata (RFC 8414 and OpenID) and
its JWKS are served by a tiny threaded HTTP server, which counts what it was asked. `token()`
signs access tokens with any claims, key and algorithm, including the ones the server must
refuse: `alg: none`, HS256 keyed with the public key, unknown kids. `rotate()` publishes a new
key, as a provider does when it rotates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from audience_mcp.core.auth.scopes import ALL_SCOPES

REALM_PATH = "/realms/team"
MetadataStyle = Literal["oauth", "openid", "oauth-appended", "none"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class SigningKey:
    kid: str
    private: Any
    alg: str

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        algorithm = RSAAlgorithm if self.alg.startswith(("RS", "PS")) else ECAlgorithm
        data: dict[str, Any] = algorithm.to_jwk(public, as_dict=True)  # type: ignore[attr-defined]
        return {**data, "kid": self.kid, "use": "sig", "alg": self.alg}

    def public_pem(self) -> bytes:
        pem: bytes = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem


def new_key(kid: str, alg: str = "RS256") -> SigningKey:
    if alg.startswith("ES"):
        return SigningKey(kid, ec.generate_private_key(ec.SECP256R1()), alg)
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048), alg)


@dataclass
class IdentityProvider:
    """The stand-in's state; tests change it between requests."""

    base: str = ""
    keys: list[SigningKey] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # kids in the JWKS
    metadata: MetadataStyle = "oauth"
    metadata_issuer: str | None = None  # another issuer in the metadata (a misconfiguration)
    jwks_body: bytes | None = None  # served instead of the real JWKS (huge, junk)
    jwks_delay: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)

    @property
    def issuer(self) -> str:
        return f"{self.base}{REALM_PATH}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    def key(self, kid: str) -> SigningKey:
        return next(k for k in self.keys if k.kid == kid)

    def rotate(self, kid: str, alg: str = "RS256") -> SigningKey:
        """Publish a new key (the old ones stay published, as during a real rotation)."""
        key = new_key(kid, alg)
        self.keys.append(key)
        self.published.append(kid)
        return key

    def claims(self, audience: str, scopes: tuple[str, ...] = ALL_SCOPES, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "sub": "alice@example.com",
            "azp": "crm-assistant",
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self,
        audience: str,
        scopes: tuple[str, ...] = ALL_SCOPES,
        *,
        kid: str | None = None,
        key: SigningKey | None = None,
        **claims: Any,
    ) -> str:
        """An access token signed with `key` (default: the first key); `kid` overrides the header's kid."""
        signer = key or self.keys[0]
        headers = {"kid": kid or signer.kid, "typ": "at+jwt"}
        return jwt.encode(
            self.claims(audience, scopes, **claims), signer.private, algorithm=signer.alg, headers=headers
        )

    def unsigned_token(self, audience: str) -> str:
        """`alg: none`: no signature at all."""
        header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": self.keys[0].kid}).encode())
        return f"{header}.{_b64(json.dumps(self.claims(audience)).encode())}."

    def hmac_with_public_key(self, audience: str) -> str:
        """HS256 keyed with the public key (which anyone can fetch from the JWKS): the classic confusion."""
        signer = self.keys[0]
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": signer.kid}).encode())
        signing_input = f"{header}.{_b64(json.dumps(self.claims(audience)).encode())}"
        signature = hmac.new(signer.public_pem(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"

    def _jwks(self) -> bytes:
        if self.jwks_body is not None:
            return self.jwks_body
        return json.dumps({"keys": [k.jwk() for k in self.keys if k.kid in self.published]}).encode()

    def answer(self, path: str) -> tuple[int, bytes]:
        self.requests[path] = self.requests[path] + 1
        metadata = {"issuer": self.metadata_issuer or self.issuer, "jwks_uri": self.jwks_url}
        if path == f"/.well-known/oauth-authorization-server{REALM_PATH}" and self.metadata == "oauth":
            return 200, json.dumps(metadata).encode()
        if path == f"{REALM_PATH}/.well-known/openid-configuration" and self.metadata == "openid":
            return 200, json.dumps(metadata).encode()
        if path == f"{REALM_PATH}/.well-known/oauth-authorization-server" and self.metadata == "oauth-appended":
            return 200, json.dumps(metadata).encode()
        if path == self.jwks_url.removeprefix(self.base):
            if self.jwks_delay:
                time.sleep(self.jwks_delay)
            return 200, self._jwks()
        return 404, b'{"error": "not_found"}'

    def jwks_fetches(self) -> int:
        return self.requests[self.jwks_url.removeprefix(self.base)]


class _Handler(BaseHTTPRequestHandler):
    server: _IdentityServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read `requests`."""

    def do_GET(self) -> None:
        status, body = self.server.provider.answer(self.path)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout or size test)


class _IdentityServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: IdentityProvider) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider


@contextmanager
def identity_provider(first_kid: str = "key-1") -> Iterator[IdentityProvider]:
    """The stand-in, serving on a free loopback port until the block ends."""
    provider = IdentityProvider()
    provider.rotate(first_kid)
    server = _IdentityServer(provider)
    provider.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class UpstreamRecorder:
    """The sandbox app behind a tap that keeps every request's headers and body (as the API saw them)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state  # the harness reaches the sandbox through it
        self.seen: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.seen.append(b"\n".join(name + b": " + value for name, value in scope["headers"]))

        async def tap() -> Any:
            message = await receive()
            self.seen.append(message.get("body", b""))
            return message

        await self.app(scope, tap, send)
