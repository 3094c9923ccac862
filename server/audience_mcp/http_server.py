"""Streamable HTTP transport: the SDK's app behind a bearer-token gate, served by uvicorn.

`MCPServer.streamable_http_app` provides `/mcp`; its Starlette lifespan runs the session
manager, which enters the server's own lifespan (API client, journal) once for the whole
process, and every session shares that AppState. In front of it sits `BearerTokenGate`:

1. `Host` and `Origin` are checked with the rule of the SDK's `TransportSecurityMiddleware`
   (421 for a wrong Host, 403 for a wrong Origin) with hosts and origins derived from the bind
   address, plus AUDIENCE_MCP_ALLOWED_HOSTS / AUDIENCE_MCP_ALLOWED_ORIGINS; refused values are
   logged truncated. The same settings go to the SDK's transport, which checks again; the gate
   runs first so nothing reaches a session manager before these checks.
2. `Authorization: Bearer <token>`: the static AUDIENCE_MCP_TOKEN (constant-time compare; 128
   bits of entropy), and/or an OAuth access token of AUDIENCE_MCP_OAUTH_ISSUER (core/auth/);
   else 401 whose `WWW-Authenticate` names the protected-resource metadata (RFC 9728) when
   OAuth is on. Failed tokens are throttled per client address (429). An accepted token becomes
   the SDK's AuthenticatedUser and auth context, so tools see its scopes and the journal its
   caller (core/mcp/access.py), and the SDK binds each session to its principal.
3. uvicorn closes connections whose headers come too slowly and answers 503 past a connection
   limit; bodies may hold a 5 MB image as base64 (http_guards.py).

`/healthz` is public and answers `{"status": "ok"}` only; so is the protected-resource metadata
(`/.well-known/oauth-protected-resource/mcp`) in OAuth mode. The client's token is never seen
by the API client: it authenticates to neuroflash with its own credentials from settings.

Why not `MCPServer(auth=AuthSettings, token_verifier=...)`: its RequireAuthMiddleware would
replace this gate's throttling and the static token, apply scopes to the whole endpoint instead
of per tool, and create_server would need to know the transport. The gate uses the SDK's pieces
instead: TokenVerifier, AccessToken, AuthenticatedUser, AuthContextMiddleware, AuthSettings and
the protected-resource routes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import uvicorn
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.authentication import AuthCredentials
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Router
from starlette.types import ASGIApp, Receive, Scope, Send

from audience_mcp.core.auth.keys import KeysUnavailable
from audience_mcp.core.auth.resource_server import OAuthResource
from audience_mcp.core.auth.static_token import StaticTokenVerifier
from audience_mcp.core.http.urls import is_loopback
from audience_mcp.http_guards import (
    FailedAttempts,
    header_allowed,
    header_timeout_protocol,
    shown_header,
    token_weakness,
)

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_CONNECTIONS = 100
# Longer than the idle timeouts of clients (httpx: 5 s) and load balancers (commonly 60 s), so the
# other side closes an idle connection first. A server that closes first races a request the
# client is sending on it at that moment, which then fails (uvicorn's default is 5 s).
DEFAULT_KEEP_ALIVE_SECONDS = 75.0
# The largest argument a tool takes is an image of up to 5 MB (neuroflash_set_audience_image);
# as base64 in a JSON-RPC body it is 4/3 of that, plus the envelope. The SDK's default limit
# (4 MiB) answered such a call with a bare 413 although the tool promises 5 MB.
LARGEST_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_REQUEST_BODY_BYTES = 4 * math.ceil(LARGEST_UPLOAD_BYTES / 3) + 256 * 1024
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _bare(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _host_header(host: str) -> str:
    """How a client names the bind address in a Host header (IPv6 in brackets)."""
    bare = _bare(host)
    return f"[{bare}]" if ":" in bare else bare


def transport_security(
    host: str, port: int, *, extra_hosts: Sequence[str] = (), extra_origins: Sequence[str] = ()
) -> TransportSecuritySettings:
    """DNS-rebinding protection for this bind address: which Host and Origin values pass.

    A loopback or wildcard bind (0.0.0.0, ::) can be reached as 127.0.0.1, localhost and
    [::1]; a specific address as itself. Anything a reverse proxy puts in Host, and any
    browser origin, has to be listed in the settings.
    """
    names: list[str] = []
    bare = _bare(host)
    wildcard = bare in ("0.0.0.0", "::")  # noqa: S104 - recognising the wildcard, not binding it
    if is_loopback(host) or wildcard:
        names.extend(_LOOPBACK_NAMES)
    if not wildcard and _host_header(host) not in names:
        names.append(_host_header(host))
    hosts = [f"{name}:{port}" for name in names]
    if port == 80:
        hosts.extend(names)  # browsers and clients leave the default port out of Host
    origins = [f"http://{hostport}" for hostport in hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[*hosts, *extra_hosts],
        allowed_origins=[*origins, *extra_origins],
    )


def default_resource_url(host: str, port: int) -> str:
    return f"http://{_host_header(host)}:{port}{MCP_PATH}"


def _challenge(metadata_url: str | None, error: str | None = None) -> str:
    # RFC 6750: no error code when credentials are missing; RFC 9728: where the metadata is.
    parts = ['realm="mcp"']
    if metadata_url is not None:
        parts.append(f'resource_metadata="{metadata_url}"')
    if error is not None:
        parts.append(f'error="{error}"')
    return "Bearer " + ", ".join(parts)


def _unauthorized(description: str, *, invalid: bool, metadata_url: str | None) -> Response:
    return JSONResponse(
        {"error": "invalid_token" if invalid else "unauthorized", "error_description": description},
        status_code=401,
        headers={"WWW-Authenticate": _challenge(metadata_url, "invalid_token" if invalid else None)},
    )


def _throttled(seconds: float) -> Response:
    wait = math.ceil(seconds)
    return JSONResponse(
        {"error": "too_many_attempts", "error_description": f"Too many invalid tokens; retry in {wait} s."},
        status_code=429,
        headers={"Retry-After": str(wait)},
    )


def _keys_unavailable() -> Response:
    return JSONResponse(
        {
            "error": "temporarily_unavailable",
            "error_description": "The identity provider's signing keys cannot be fetched right now; retry in a minute.",
        },
        status_code=503,
        headers={"Retry-After": "60"},
    )


class BearerTokenGate:
    """ASGI middleware: Host/Origin checks and the bearer token, on every path but the public ones.

    Host and Origin follow the SDK's rule (`http_guards.header_allowed`) with the same settings
    the SDK's transport checks again; refusals are logged truncated. A token passes when one of
    the verifiers (the static token, the OAuth issuer's) accepts it. Failed tokens are counted
    per client address (`FailedAttempts`), and an address past the limit gets 429.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: SecretStr | None,
        security: TransportSecuritySettings,
        failed_attempts: FailedAttempts | None = None,
        oauth: OAuthResource | None = None,
    ) -> None:
        self.app = AuthContextMiddleware(app)  # the accepted token, for tools (get_access_token)
        self._verifiers: list[TokenVerifier] = []
        if token is not None:
            self._verifiers.append(StaticTokenVerifier(token.get_secret_value()))
        self._metadata_url: str | None = None
        self._public: dict[str, ASGIApp] = {}
        if oauth is not None:
            self._verifiers.append(oauth.verifier)
            self._metadata_url = oauth.metadata_url
            self._public = {route.path: Router(routes=[route]) for route in oauth.metadata_routes()}
        self._security = security
        self._failed = failed_attempts or FailedAttempts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        public = self._public.get(scope["path"])
        if public is not None:  # the resource metadata: public, read by browser-based clients too
            await public(scope, receive, send)
            return
        request = Request(scope)
        rejection = self._check_host_and_origin(request)
        if rejection is None and self._verifiers:
            address = request.client.host if request.client else "unknown"
            accepted = await self._check_token(request.headers.get("authorization"), address)
            if isinstance(accepted, AccessToken):
                user = AuthenticatedUser(accepted)
                scope = {**scope, "user": user, "auth": AuthCredentials(accepted.scopes)}
            else:
                rejection = accepted
        if rejection is not None:
            await rejection(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check_host_and_origin(self, request: Request) -> Response | None:
        host, origin = request.headers.get("host"), request.headers.get("origin")
        if not host or not header_allowed(host, self._security.allowed_hosts):
            logger.warning("Refused a request with Host %s (421)", shown_header(host))
            return Response("Invalid Host header", status_code=421)
        if origin and not header_allowed(origin, self._security.allowed_origins):
            logger.warning("Refused a request with Origin %s (403)", shown_header(origin))
            return Response("Invalid Origin header", status_code=403)
        return None

    async def _check_token(self, header: str | None, address: str) -> AccessToken | Response:
        wait = self._failed.retry_after(address)
        if wait is not None:
            return _throttled(wait)
        scheme, _, presented = (header or "").strip().partition(" ")
        presented = presented.strip()
        if not header or scheme.lower() != "bearer" or not presented:
            return _unauthorized("Send Authorization: Bearer <token>.", invalid=False, metadata_url=self._metadata_url)
        try:
            for verifier in self._verifiers:
                accepted = await verifier.verify_token(presented)
                if accepted is not None:
                    return accepted
        except KeysUnavailable:
            return _keys_unavailable()  # not the client's fault: no failed attempt counted
        self._failed.record(address)
        logger.warning("Refused an invalid bearer token from %s", shown_header(address))
        return _unauthorized("The bearer token is not valid.", invalid=True, metadata_url=self._metadata_url)


async def healthz(request: Request) -> Response:
    """Liveness for load balancers: no auth, and nothing about versions, paths or settings."""
    return JSONResponse({"status": "ok"})


def build_http_app(
    server: MCPServer[Any],
    *,
    host: str,
    port: int,
    token: SecretStr | None,
    extra_hosts: Sequence[str] = (),
    extra_origins: Sequence[str] = (),
    failed_attempts: FailedAttempts | None = None,
    oauth: OAuthResource | None = None,
    stateless: bool = False,
) -> ASGIApp:
    """The ASGI app for `--transport http`: /mcp behind the gate, /healthz open.

    `token` (the static bearer token) and `oauth` (access tokens of an identity provider) may
    both be given; neither means no authentication (the CLI allows that only on loopback). The
    returned app's lifespan must run (uvicorn does): it starts the SDK's session manager.

    `stateless` (replicas behind a load balancer): no MCP session is kept, so any replica answers
    any request. Clients of the 2026-07-28 protocol are served without sessions either way; an
    older client then gets its questions as the confirm_token flow, since a replica cannot send
    it a request and wait for the answer on another connection.
    """
    security = transport_security(host, port, extra_hosts=extra_hosts, extra_origins=extra_origins)
    logger.info(
        "Accepting Host %s and Origin %s (others: AUDIENCE_MCP_ALLOWED_HOSTS, AUDIENCE_MCP_ALLOWED_ORIGINS)",
        ", ".join(security.allowed_hosts),
        ", ".join(security.allowed_origins),
    )
    server.custom_route(HEALTH_PATH, methods=["GET"])(healthz)
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=security,
        host=host,
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
        stateless_http=stateless,
    )
    return BearerTokenGate(app, token=token, security=security, failed_attempts=failed_attempts, oauth=oauth)


def uvicorn_config(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_level: str = "INFO",
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_SECONDS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    keep_alive: float = DEFAULT_KEEP_ALIVE_SECONDS,
) -> uvicorn.Config:
    """uvicorn logs through the root logger (stderr, redacted); no Server header, no access log.

    Connections beyond `max_connections` (open connections or running requests) get 503; a
    connection whose request headers are not complete within `header_timeout` is closed; an idle
    one after `keep_alive` seconds.
    """
    return uvicorn.Config(
        app,
        host=_bare(host),
        port=port,
        lifespan="on",
        log_config=None,
        log_level=log_level.lower(),
        access_log=False,
        server_header=False,
        http=header_timeout_protocol(header_timeout),
        limit_concurrency=max_connections,
        timeout_keep_alive=math.ceil(keep_alive),
    )


def serve_http(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_level: str = "INFO",
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_SECONDS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    keep_alive: float = DEFAULT_KEEP_ALIVE_SECONDS,
) -> None:
    """Serve until interrupted (blocks)."""
    config = uvicorn_config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        header_timeout=header_timeout,
        max_connections=max_connections,
        keep_alive=keep_alive,
    )
    uvicorn.Server(config).run()


def startup_refusal(
    *,
    host: str,
    allow_remote: bool,
    no_auth: bool,
    token: SecretStr | None,
    oauth_issuer: str | None = None,
    oauth_resource_url: str | None = None,
) -> str | None:
    """Why HTTP mode must not start with these flags, or None when it may."""
    if not is_loopback(host) and not allow_remote:
        return (
            f"Refusing to listen on {host}: it is not a loopback address, so other machines could connect. "
            "Pass --allow-remote to mean it (and put TLS in front), or bind 127.0.0.1."
        )
    if no_auth:
        if not is_loopback(host):
            return f"--no-auth is only allowed on a loopback host (127.0.0.1, ::1, localhost), not on {host}."
        return None
    if oauth_issuer is not None and oauth_resource_url is None and not is_loopback(host):
        return (
            "OAuth on a non-loopback host needs AUDIENCE_MCP_OAUTH_RESOURCE_URL: the URL clients reach /mcp at "
            "(e.g. https://mcp.example.com/mcp), which tokens are issued for and the metadata names."
        )
    if token is None:
        if oauth_issuer is not None:
            return None
        return (
            "HTTP mode needs a bearer token: set AUDIENCE_MCP_TOKEN (for example to the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`), "
            "or AUDIENCE_MCP_OAUTH_ISSUER for your identity provider's tokens, or use --no-auth on a loopback host."
        )
    return token_weakness(token.get_secret_value())
