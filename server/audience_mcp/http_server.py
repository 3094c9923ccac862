"""Streamable HTTP transport: the SDK's app behind a bearer-token gate, served by uvicorn.

`MCPServer.streamable_http_app` provides `/mcp`; its Starlette lifespan runs the session
manager, which enters the server's own lifespan (API client, journal) once for the whole
process, and every session shares that AppState. In front of it sits `BearerTokenGate`:

1. `Host` and `Origin` are checked by the SDK's `TransportSecurityMiddleware` (421 for a
   wrong Host, 403 for a wrong Origin) with hosts and origins derived from the bind address,
   plus AUDIENCE_MCP_ALLOWED_HOSTS / AUDIENCE_MCP_ALLOWED_ORIGINS. The same settings go to the
   SDK's transport, which checks again; the gate runs first so nothing reaches a session
   manager before these checks.
2. `Authorization: Bearer <AUDIENCE_MCP_TOKEN>`, compared in constant time; else 401.

`/healthz` is public and answers `{"status": "ok"}` only. The client's token is never seen
by the API client: it authenticates to neuroflash with its own credentials from settings.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from audience_mcp.core.http.urls import is_loopback

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
MIN_TOKEN_LENGTH = 16
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


def _unauthorized(description: str, *, invalid: bool) -> Response:
    # RFC 6750: no error code when credentials are missing, invalid_token when they are wrong.
    challenge = 'Bearer realm="mcp", error="invalid_token"' if invalid else 'Bearer realm="mcp"'
    return JSONResponse(
        {"error": "invalid_token" if invalid else "unauthorized", "error_description": description},
        status_code=401,
        headers={"WWW-Authenticate": challenge},
    )


class BearerTokenGate:
    """ASGI middleware: Host/Origin checks (the SDK's) and the bearer token, on every path but /healthz."""

    def __init__(self, app: ASGIApp, *, token: SecretStr | None, security: TransportSecuritySettings) -> None:
        self.app = app
        self._expected = token.get_secret_value().encode() if token is not None else None
        self._security = TransportSecurityMiddleware(security)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        # Content-Type is left to the SDK's transport (is_post=False): it knows which requests need one.
        rejection = await self._security.validate_request(request, is_post=False)
        if rejection is None and self._expected is not None:
            rejection = self._check_token(request.headers.get("authorization"))
        if rejection is not None:
            await rejection(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check_token(self, header: str | None) -> Response | None:
        assert self._expected is not None
        scheme, _, presented = (header or "").strip().partition(" ")
        if not header or scheme.lower() != "bearer" or not presented.strip():
            return _unauthorized("Send Authorization: Bearer <token>.", invalid=False)
        if not hmac.compare_digest(presented.strip().encode(), self._expected):
            return _unauthorized("The bearer token is not valid.", invalid=True)
        return None


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
) -> ASGIApp:
    """The ASGI app for `--transport http`: /mcp behind the gate, /healthz open.

    `token=None` means no authentication (the CLI allows that only on loopback). The
    returned app's lifespan must run (uvicorn does): it starts the SDK's session manager.
    """
    security = transport_security(host, port, extra_hosts=extra_hosts, extra_origins=extra_origins)
    logger.info(
        "Accepting Host %s and Origin %s (others: AUDIENCE_MCP_ALLOWED_HOSTS, AUDIENCE_MCP_ALLOWED_ORIGINS)",
        ", ".join(security.allowed_hosts),
        ", ".join(security.allowed_origins),
    )
    server.custom_route(HEALTH_PATH, methods=["GET"])(healthz)
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, transport_security=security, host=host)
    return BearerTokenGate(app, token=token, security=security)


def uvicorn_config(app: ASGIApp, *, host: str, port: int, log_level: str = "INFO") -> uvicorn.Config:
    """uvicorn logs through the root logger (stderr, redacted); no Server header, no access log."""
    return uvicorn.Config(
        app,
        host=_bare(host),
        port=port,
        lifespan="on",
        log_config=None,
        log_level=log_level.lower(),
        access_log=False,
        server_header=False,
    )


def serve_http(app: ASGIApp, *, host: str, port: int, log_level: str = "INFO") -> None:
    """Serve until interrupted (blocks)."""
    uvicorn.Server(uvicorn_config(app, host=host, port=port, log_level=log_level)).run()


def startup_refusal(*, host: str, allow_remote: bool, no_auth: bool, token: SecretStr | None) -> str | None:
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
    if token is None:
        return (
            "HTTP mode needs a bearer token: set AUDIENCE_MCP_TOKEN (for example to the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`), "
            "or use --no-auth on a loopback host."
        )
    if len(token.get_secret_value()) < MIN_TOKEN_LENGTH:
        return f"AUDIENCE_MCP_TOKEN is too short: use at least {MIN_TOKEN_LENGTH} random characters."
    return None
