"""The Starlette app of the Appizer sandbox: `/v1/audiences` plus sandbox-only admin routes.

In `sandbox-api` it is mounted at `/appizer`, so `APPIZER_API_URL=<root>/appizer/v1`. Admin
routes (`/_sandbox/...`, `/healthz`) need no key, are not counted and never faulted; core's fault
injection applies to `/v1/*` before the route runs, so a faulted create never creates anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from audience_mcp.core.sandboxkit.jsonio import JsonResponse, loads
from audience_mcp.platforms.appizer.sandbox.criteria import Unreadable
from audience_mcp.platforms.appizer.sandbox.service import AppizerSandbox, SandboxConfig, SandboxError

__all__ = ["AppizerSandbox", "SandboxConfig", "create_sandbox_app"]


def sandbox_of(request: Request) -> AppizerSandbox:
    return cast(AppizerSandbox, request.app.state.sandbox)


def _error(error: SandboxError, headers: dict[str, str] | None = None) -> Response:
    return JsonResponse(error.body(), error.status, headers)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = loads(await request.body())
    except ValueError:
        raise SandboxError(400, "INVALID_REQUEST", "The body is not valid JSON") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "INVALID_REQUEST", "The body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise SandboxError(400, "MISSING_FIELD", f"Missing required field: {name}", {"field": name})
        return None
    if not isinstance(value, str):
        raise SandboxError(400, "INVALID_TYPE", f"{name} must be a string", {"field": name})
    if required and not value.strip():
        raise SandboxError(400, "MISSING_FIELD", f"Missing required field: {name}", {"field": name})
    return value


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SandboxError(400, "INVALID_TYPE", f"{name} must be an integer", {"field": name}) from None


async def _api(request: Request, *, writes: bool) -> tuple[AppizerSandbox, dict[str, str]]:
    """Key check and rate-limit accounting shared by the API routes; the headers to answer with."""
    sandbox = sandbox_of(request)
    key = sandbox.authorize(request.headers.get("authorization"), writes=writes)
    headers, wait = sandbox.spend(key)
    if wait is not None:
        error = SandboxError(429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded", {"retry_after": round(wait, 3)})
        raise _Answered(_error(error, headers))
    request.state.rate_headers = headers
    return sandbox, headers


class _Answered(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


async def list_audiences(request: Request) -> Response:
    sandbox, headers = await _api(request, writes=False)
    app_id = request.query_params.get("app_id")
    if not app_id:
        raise SandboxError(400, "MISSING_FIELD", "Missing required parameter: app_id", {"field": "app_id"})
    limit, offset = _int_param(request, "limit", 50), _int_param(request, "offset", 0)
    if not 1 <= limit <= 100 or offset < 0:
        raise SandboxError(400, "INVALID_REQUEST", "limit must be 1-100 and offset >= 0", {"field": "limit"})
    audiences = await anyio.to_thread.run_sync(sandbox.list, app_id)
    page = audiences[offset : offset + limit]
    pagination = {
        "total": len(audiences),
        "limit": limit,
        "offset": offset,
        "has_more": offset + limit < len(audiences),
    }
    return JsonResponse({"success": True, "audiences": page, "pagination": pagination}, 200, headers)


async def create_audience(request: Request) -> Response:
    sandbox, headers = await _api(request, writes=True)
    body = await _body(request)
    app_id = cast(str, _text(body, "app_id", required=True))
    name = cast(str, _text(body, "name", required=True))
    criteria = cast(str, _text(body, "criteria", required=True))
    description = _text(body, "description", required=False)
    sandbox.app(app_id)
    try:
        created = await anyio.to_thread.run_sync(sandbox.create, app_id, name, criteria, description)
    except Unreadable as exc:
        raise SandboxError(400, "INVALID_REQUEST", f"Invalid criteria: {exc}", {"field": "criteria"}) from None
    return JsonResponse(created, 201, headers)


async def change_users(request: Request) -> Response:
    """Sandbox only: `{"where": criteria?, "fraction": 0-1, "set": {field: value}}` changes users."""
    body = await _body(request)
    values = body.get("set")
    fraction = body.get("fraction", 1)
    if not isinstance(values, dict) or not isinstance(fraction, int | float | Decimal):
        raise SandboxError(400, "INVALID_REQUEST", "send {'set': {field: value}, 'fraction': 0-1, 'where'?}")
    where = body.get("where")
    try:
        changed = sandbox_of(request).change_users(
            request.path_params["app_id"], where if isinstance(where, str) else None, float(fraction), values
        )
    except (Unreadable, ValueError) as exc:
        raise SandboxError(400, "INVALID_REQUEST", str(exc)) from None
    return JsonResponse({"changed": changed})


async def admin(request: Request) -> Response:
    """`/_sandbox/faults` ({} clears, {"script": [...]}, or configure's fields), `/_sandbox/rate-limit`
    ({"limit": n}), `/_sandbox/stats`."""
    sandbox = sandbox_of(request)
    what = request.path_params["what"]
    if what == "stats":
        return JsonResponse({"counts": sandbox.stats.counts, "total": sandbox.stats.total()})
    body = await _body(request)
    if what == "rate-limit" and isinstance(body.get("limit"), int):
        sandbox.rate_limit = body["limit"]
        return JsonResponse({"limit": sandbox.rate_limit})
    if what == "faults":
        try:
            if "script" in body:
                sandbox.faults.script(body["script"])
            elif body:
                sandbox.faults.configure(**body)
            else:
                sandbox.faults.clear()
        except (TypeError, ValueError) as exc:
            raise SandboxError(400, "INVALID_REQUEST", str(exc)) from None
        return JsonResponse(sandbox.faults.state())
    raise SandboxError(400, "INVALID_REQUEST", f"unknown admin request {what!r}")


async def healthz(request: Request) -> Response:
    return JsonResponse({"status": "ok"})


@dataclass
class _Faults:
    """Counts `/v1` requests by route and answers injected faults before the route runs."""

    app: ASGIApp
    sandbox: AppizerSandbox
    routes: Sequence[BaseRoute]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        template = next(
            (r.path for r in self.routes if isinstance(r, Route) and r.matches(scope)[0] == Match.FULL), scope["path"]
        )
        self.sandbox.stats.record(f"{scope['method']} {template}")
        fault = self.sandbox.faults.next_fault()
        if fault is not None:
            self.sandbox.stats.record_fault(fault.status)
            body = {"error": "Error", "message": fault.body.get("error"), "code": fault.body.get("code"), "details": {}}
            await JsonResponse(body, fault.status, fault.headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _sandbox_error(request: Request, exc: Exception) -> Response:
    headers = getattr(request.state, "rate_headers", None)
    return _error(cast(SandboxError, exc), headers)


async def _answered(request: Request, exc: Exception) -> Response:
    return cast(_Answered, exc).response


async def _http_error(request: Request, exc: Exception) -> Response:
    error = cast(HTTPException, exc)
    return _error(
        SandboxError(
            error.status_code, "NOT_FOUND" if error.status_code == 404 else "INVALID_REQUEST", str(error.detail)
        )
    )


def create_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    """The sandbox app; `app.state.sandbox` is the test handle."""
    sandbox = AppizerSandbox(config or SandboxConfig())
    routes: list[BaseRoute] = [
        Route("/v1/audiences", list_audiences, methods=["GET"]),
        Route("/v1/audiences", create_audience, methods=["POST"]),
        Route("/_sandbox/apps/{app_id}/users", change_users, methods=["POST"]),
        Route("/_sandbox/{what}", admin, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_Faults, sandbox=sandbox, routes=routes)],
        exception_handlers={SandboxError: _sandbox_error, _Answered: _answered, HTTPException: _http_error},
    )
    app.state.sandbox = sandbox
    return app
