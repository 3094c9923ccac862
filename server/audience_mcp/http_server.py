"""Streamable HTTP transport: the SDK's app behind a bearer-token gate, served by uvicorn.

`MCPServer.streamable_http_app` provides `/mcp`; its Starlette lifespan runs the session
manager, which enters the server's own lifespan (API client, journal) once for the whole
process, and every session shares that AppState. In front of it sits `BearerTokenGate`:

1. `Host` and `Origin` are checked with the rule of the SDK's `TransportSecurityMiddleware`
   (421 for a wrong Host, 403 for a wrong Origin) with hosts and origins derived from the bind
   address, plus AUDIENCE_MCP_ALLOWED_HOSTS / AUDIENCE_MCP_ALLOWED_ORIGINS; refused values are
   logged truncated. The same settings go to the SDK's transport, which checks again; the gate
   runs first so nothing reaches a session manager before these checks.
2. `Authorization: Bearer <AUDIENCE_MCP_TOKEN>`, compared in constant time; else 401. Failed
   tokens are throttled per client address (429). The token needs 128 bits of entropy.
3. uvicorn closes connections whose headers come too slowly and answers 503 past a connection
   limit; bodies may hold a 5 MB image as base64 (http_guards.py).

`/healthz` is public and answers `{"status": "ok"}` only. The client's token is never seen
by the API client: it authenticates to neuroflash with its own credentials from settings.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Sequence
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

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


def _unauthorized(description: str, *, invalid: bool) -> Response:
    # RFC 6750: no error code when credentials are missing, invalid_token when they are wrong.
    challenge = 'Bearer realm="mcp", error="invalid_token"' if invalid else 'Bearer realm="mcp"'
    return JSONResponse(
        {"error": "invalid_token" if invalid else "unauthorized", "error_description": description},
        status_code=401,
        headers={"WWW-Authenticate": challenge},
    )


def _throttled(seconds: float) -> Response:
    wait = math.ceil(seconds)
    return JSONResponse(
        {"error": "too_many_attempts", "error_description": f"Too many invalid tokens; retry in {wait} s."},
        status_code=429,
        headers={"Retry-After": str(wait)},
    )


class BearerTokenGate:
    """ASGI middleware: Host/Origin checks and the bearer token, on every path but /healthz.

    Host and Origin follow the SDK's rule (`http_guards.header_allowed`) with the same settings
    the SDK's transport checks again; refusals are logged truncated. Failed tokens are counted
    per client address (`FailedAttempts`), and an address past the limit gets 429.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: SecretStr | None,
        security: TransportSecuritySettings,
        failed_attempts: FailedAttempts | None = None,
    ) -> None:
        self.app = app
        self._expected = token.get_secret_value().encode() if token is not None else None
        self._security = security
        self._failed = failed_attempts or FailedAttempts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        rejection = self._check_host_and_origin(request)
        if rejection is None and self._expected is not None:
            address = request.client.host if request.client else "unknown"
            rejection = self._check_token(request.headers.get("authorization"), address)
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

    def _check_token(self, header: str | None, address: str) -> Response | None:
        assert self._expected is not None
        wait = self._failed.retry_after(address)
        if wait is not None:
            return _throttled(wait)
        scheme, _, presented = (header or "").strip().partition(" ")
        if not header or scheme.lower() != "bearer" or not presented.strip():
            return _unauthorized("Send Authorization: Bearer <token>.", invalid=False)
        if not hmac.compare_digest(presented.strip().encode(), self._expected):
            self._failed.record(address)
            logger.warning("Refused an invalid bearer token from %s", shown_header(address))
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
    failed_attempts: FailedAttempts | None = None,
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
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=security,
        host=host,
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
    )
    return BearerTokenGate(app, token=token, security=security, failed_attempts=failed_attempts)


def uvicorn_config(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_level: str = "INFO",
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_SECONDS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
) -> uvicorn.Config:
    """uvicorn logs through the root logger (stderr, redacted); no Server header, no access log.

    Connections beyond `max_connections` (open connections or running requests) get 503; a
    connection whose request headers are not complete within `header_timeout` is closed.
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
    )


def serve_http(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_level: str = "INFO",
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_SECONDS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
) -> None:
    """Serve until interrupted (blocks)."""
    config = uvicorn_config(
        app, host=host, port=port, log_level=log_level, header_timeout=header_timeout, max_connections=max_connections
    )
    uvicorn.Server(config).run()


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
    return token_weakness(token.get_secret_value())
