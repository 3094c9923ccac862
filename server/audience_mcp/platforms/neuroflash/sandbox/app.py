"""The Starlette application of the sandbox: routes, fault middleware and admin endpoints.

Paths are those of the real hosts with the host stripped: the token endpoint of
id.neuroflash.com at ``/oauth/v2/token`` and app.neuroflash.com's API under ``/api``, so
``NEUROFLASH_TOKEN_URL=<root>/oauth/v2/token`` and ``NEUROFLASH_API_URL=<root>/api`` point a
client at it. Image "signed URLs" point back at ``/sandbox-storage/...`` on the same app.

The admin routes under ``/_sandbox`` and ``/healthz`` need no auth (the sandbox is meant to
listen on loopback only) and are neither counted in the stats nor subject to faults.
``GET /_sandbox/stats`` answers ``{"counts": {route: n}, "total": n, "faults": {status: n}}``.
Unknown routes get a JSON 404 and a wrong method a JSON 405 with a complete ``Allow``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import cast

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from audience_mcp.core.sandboxkit.jsonio import JsonObject, JsonResponse, JsonValue
from audience_mcp.platforms.neuroflash.sandbox.config import SandboxConfig
from audience_mcp.platforms.neuroflash.sandbox.errors import ApiError, FieldError, ValidationFailed
from audience_mcp.platforms.neuroflash.sandbox.oauth import sandbox_of, token_endpoint
from audience_mcp.platforms.neuroflash.sandbox.routes import api_routes
from audience_mcp.platforms.neuroflash.sandbox.service import Sandbox
from audience_mcp.platforms.neuroflash.sandbox.validation import parse_json_object

logger = logging.getLogger(__name__)

_UNCOUNTED_PREFIXES = ("/_sandbox/", "/healthz")


def _route_template(routes: Sequence[BaseRoute], scope: Scope) -> str | None:
    partial: str | None = None
    for route in routes:
        if not isinstance(route, Route):
            continue
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route.path
        if match == Match.PARTIAL and partial is None:
            partial = route.path
    return partial


class FaultAndStatsMiddleware:
    """Counts every request by route template; delays and faults ``/api`` requests."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.sandbox = sandbox
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith(_UNCOUNTED_PREFIXES):
            template = _route_template(self.routes, scope) or path
            self.sandbox.stats.record(f"{scope['method']} {template}")
        if path == "/api" or path.startswith("/api/"):
            delay = self.sandbox.faults.next_latency()
            if delay > 0:
                await anyio.sleep(delay)
            fault = self.sandbox.faults.next_fault()
            if fault is not None:
                logger.debug("injected fault %s for %s %s", fault.status, scope["method"], path)
                self.sandbox.stats.record_fault(fault.status)
                response = JsonResponse(fault.body, fault.status, fault.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _api_error(request: Request, exc: Exception) -> Response:
    error = cast(ApiError, exc)
    return JsonResponse(error.body(), error.status, error.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    error = cast(HTTPException, exc)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        allowed: list[str] = []
        for route in request.app.routes:
            if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE:
                allowed.extend(m for m in sorted(route.methods or ()) if m not in allowed)
        headers["Allow"] = ", ".join(allowed)
        body: JsonObject = {"error": "Method not allowed", "code": "METHOD_NOT_ALLOWED"}
    elif error.status_code == 404:
        body = {"error": "Not found", "code": "NOT_FOUND"}
    else:
        body = {"error": error.detail, "code": "HTTP_ERROR"}
    return JsonResponse(body, error.status_code, headers)


async def healthz(request: Request) -> Response:
    return JsonResponse({"status": "ok"})


async def admin_stats(request: Request) -> Response:
    stats = sandbox_of(request).stats
    counts: dict[str, JsonValue] = dict(stats.counts)
    faults: dict[str, JsonValue] = {str(status): n for status, n in sorted(stats.faults.items())}
    return JsonResponse({"counts": counts, "total": stats.total(), "faults": faults})


async def admin_stats_reset(request: Request) -> Response:
    sandbox_of(request).stats.reset()
    return JsonResponse({"status": "ok"})


def _number(value: JsonValue, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValidationFailed([FieldError(field, "must be a number")])
    return float(value)


async def admin_faults(request: Request) -> Response:
    """``{}`` clears; ``{"script": [...]}`` scripts; other fields go to ``configure``."""
    faults = sandbox_of(request).faults
    if request.method == "GET":
        return JsonResponse(faults.state())
    body = parse_json_object(await request.body(), allow_empty=True)
    script = body.pop("script", None)
    try:
        if not body and script is None:
            faults.clear()
        if body:
            unknown = set(body) - {"rate", "statuses", "retry_after", "latency"}
            if unknown:
                raise ValidationFailed([FieldError(key, "unknown fault setting") for key in sorted(unknown)])
            statuses = body.get("statuses", [429, 503])
            if not isinstance(statuses, list) or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in statuses
            ):
                raise ValidationFailed([FieldError("statuses", "must be an array of integers")])
            latency_raw = body.get("latency", 0)
            latency: float | tuple[float, float]
            if isinstance(latency_raw, list) and len(latency_raw) == 2:
                latency = (_number(latency_raw[0], "latency"), _number(latency_raw[1], "latency"))
            else:
                latency = _number(latency_raw, "latency")
            faults.configure(
                rate=_number(body.get("rate", 0), "rate"),
                statuses=cast(list[int], statuses),
                retry_after=_number(body.get("retry_after", 1), "retry_after"),
                latency=latency,
            )
        if script is not None:
            if not isinstance(script, list) or not all(
                s is None or (isinstance(s, int) and not isinstance(s, bool)) for s in script
            ):
                raise ValidationFailed([FieldError("script", "must be an array of status codes or null")])
            faults.script(cast(list[int | None], script))
    except ValueError as exc:
        raise ValidationFailed([FieldError("body", str(exc))]) from None
    return JsonResponse(faults.state())


async def admin_reset(request: Request) -> Response:
    sandbox_of(request).store.reset()
    return JsonResponse({"status": "ok"})


def create_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    """A Starlette app emulating neuroflash; ``app.state.sandbox`` is the test handle."""
    sandbox = Sandbox(config or SandboxConfig())
    routes: list[BaseRoute] = [
        Route("/oauth/v2/token", token_endpoint, methods=["POST"]),
        *api_routes(),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/_sandbox/stats", admin_stats, methods=["GET"]),
        Route("/_sandbox/stats/reset", admin_stats_reset, methods=["POST"]),
        Route("/_sandbox/faults", admin_faults, methods=["GET", "POST"]),
        Route("/_sandbox/reset", admin_reset, methods=["POST"]),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultAndStatsMiddleware, sandbox=sandbox, routes=routes)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
