"""The Starlette app of the Digital Audience sandbox: the documented routes, faults and admin routes.

Every answer is wrapped `{data, status{statusCode, message}, success}`. Errors answer
`success: false`: validation with HTTP 400, "not logged in" with 401 (or 200, configurable), and
unknown audiences, campaigns or accounts with HTTP 200, so the client's tolerant reader is
exercised on every run. Admin routes under `/_sandbox` need no login and take no faults;
`POST /_sandbox/audiences/{id}/crm-upload` simulates the portal's CRM file upload.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from audience_mcp.core.sandboxkit.faults import FaultInjector, Stats
from audience_mcp.core.sandboxkit.jsonio import JsonResponse, loads
from audience_mcp.platforms.digital_audience.sandbox.config import SandboxConfig
from audience_mcp.platforms.digital_audience.sandbox.state import DATA_TYPES, SandboxError, SandboxState

COOKIE = "digitalAudience"
_ADMIN = "/_sandbox/"


def wrapped(data: Any, *, status: int = 200, status_code: int = 0, message: str | None = None) -> Response:
    body = {"data": data, "status": {"statusCode": status_code, "message": message}, "success": status_code == 0}
    return JsonResponse(body, status)


def _state(request: Request) -> SandboxState:
    return cast(SandboxState, request.app.state.sandbox)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        value = loads(raw)
    except ValueError:
        raise SandboxError(400, "The request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise SandboxError(400, "The request body must be a JSON object")
    return cast(dict[str, Any], value)


def _int(value: object, field: str) -> int:
    # Accepts a number or a numeric string: the body example quotes campaignId.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise SandboxError(400, f"'{field}' must be an integer")


def _text(body: dict[str, Any], field: str, *, required: bool) -> str | None:
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise SandboxError(400, f"'{field}' is required and must be a non-empty string")
    return value


def _user(request: Request) -> int:
    return _state(request).user_of(request.cookies.get(COOKIE))


async def login(request: Request) -> Response:
    body = await _body(request)
    cookie = _state(request).login(body.get("userName"), body.get("password"))
    response = wrapped(True)
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="lax")
    return response


async def create_campaign(request: Request) -> Response:
    user = _user(request)
    body = await _body(request)
    name = _text(body, "name", required=True)
    return wrapped(_state(request).create_campaign(user, cast(str, name)))


async def create_audience(request: Request) -> Response:
    user = _user(request)
    body = await _body(request)
    name = cast(str, _text(body, "name", required=True))
    description = _text(body, "description", required=False)
    campaign_id = _int(body.get("campaignId"), "campaignId")
    return wrapped(_state(request).create_audience(user, name, description, campaign_id))


async def load_audience(request: Request) -> Response:
    _user(request)
    return wrapped(_state(request).audience(_int(request.path_params["id"], "id")))


async def update_audience(request: Request) -> Response:
    _user(request)
    body = await _body(request)
    name = cast(str, _text(body, "name", required=True))
    return wrapped(
        _state(request).update_audience(_int(body.get("id"), "id"), name, _text(body, "description", required=False))
    )


async def delete_audience(request: Request) -> Response:
    _user(request)
    body = await _body(request)
    raw = request.query_params.get("id", body.get("id"))  # the shape is undocumented: either
    if raw is None:
        raise SandboxError(400, "'id' is required (query parameter or JSON body)")
    _state(request).delete_audience(_int(raw, "id"))
    return wrapped(True)


def _instant(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise SandboxError(400, f"'{field}' must be an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        raise SandboxError(400, f"'{field}' must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z") from None
    if moment.tzinfo is None:
        raise SandboxError(400, f"'{field}' needs a time zone (e.g. a trailing Z)")
    return moment


async def activate(request: Request) -> Response:
    _user(request)
    body = await _body(request)
    missing = [f for f in ("audienceId", "accountId", "name", "description", "startDate", "endDate") if f not in body]
    if missing:
        raise SandboxError(400, f"Missing fields: {', '.join(missing)}")
    start, end = _instant(body["startDate"], "startDate"), _instant(body["endDate"], "endDate")
    if end <= start:
        raise SandboxError(400, "'endDate' must be after 'startDate'")
    checked = {
        **body,
        "audienceId": _int(body["audienceId"], "audienceId"),
        "accountId": _int(body["accountId"], "accountId"),
    }
    return wrapped(_state(request).activate(checked))


async def platform_accounts(request: Request) -> Response:
    _user(request)
    return wrapped([dict(account) for account in _state(request).accounts])


async def crm_upload(request: Request) -> Response:
    """`{"stage": "processing"|"ready", "rows": N, "matchRates": {"EMAIL": 0.6}, "mode": "opt-in"}`."""
    body = await _body(request)
    stage = body.get("stage", "ready")
    if stage not in ("processing", "ready"):
        raise SandboxError(400, "'stage' must be 'processing' or 'ready'")
    rates_raw = body.get("matchRates", {"EMAIL": 0.62})
    if not isinstance(rates_raw, dict) or not all(
        k in DATA_TYPES and isinstance(v, int | float | Decimal) and 0 <= v <= 1 for k, v in rates_raw.items()
    ):
        raise SandboxError(400, f"'matchRates' maps data types ({', '.join(DATA_TYPES)}) to 0.0-1.0")
    rows = _int(body.get("rows", 1000), "rows")
    mode = body.get("mode", "opt-in")
    audience = _state(request).upload_crm(
        _int(request.path_params["id"], "id"),
        stage,
        rows,
        {k: float(v) for k, v in rates_raw.items()},
        mode if isinstance(mode, str) else "opt-in",
    )
    return wrapped(audience)


async def expire_sessions(request: Request) -> Response:
    _state(request).expire_sessions()
    return wrapped(True)


async def reset(request: Request) -> Response:
    _state(request).reset()
    return wrapped(True)


async def stats(request: Request) -> Response:
    counts: Stats = request.app.state.stats
    return JsonResponse({"counts": counts.counts, "total": counts.total()})


async def faults(request: Request) -> Response:
    """`{"script": [503, null]}` scripts the next answers; `{}` clears."""
    injector: FaultInjector = request.app.state.faults
    body = await _body(request)
    script = body.get("script")
    if script is None:
        injector.clear()
    else:
        injector.script(cast(list[int | None], script))
    return JsonResponse(injector.state())


class WrappedFaults:
    """Core's fault injection and request counts, with the fault bodies in Digital Audience's wrapper."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, counts: Stats) -> None:
        self.app = app
        self.injector = injector
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_ADMIN):
            await self.app(scope, receive, send)
            return
        self.counts.record(f"{scope['method']} {scope['path']}")
        delay = self.injector.next_latency()
        if delay > 0:
            await anyio.sleep(delay)
        fault = self.injector.next_fault()
        if fault is not None:
            response = wrapped(None, status=fault.status, status_code=fault.status, message=str(fault.body["error"]))
            response.headers.update(fault.headers)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _error(request: Request, exc: Exception) -> Response:
    error = cast(SandboxError, exc)
    return wrapped(None, status=error.status, status_code=error.status_code, message=error.message)


async def _not_found(request: Request, exc: Exception) -> Response:
    return wrapped(None, status=404, status_code=404, message="No such route")


def create_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    """The sandbox app; `app.state.sandbox` (SandboxState), `.faults` and `.stats` are the test handles."""
    config = config or SandboxConfig()
    state = SandboxState(config)
    injector = FaultInjector(seed=config.seed)
    counts = Stats()
    routes = [
        Route("/account/login", login, methods=["POST"]),
        Route("/campaign/createcampaign", create_campaign, methods=["POST"]),
        Route("/audience/createcrmaudience", create_audience, methods=["POST"]),
        # The longer path of the document's curl example, accepted too.
        Route("/audience/create/api/audience/createcrmaudience", create_audience, methods=["POST"]),
        Route("/audience/update", update_audience, methods=["POST"]),
        Route("/audience/loadaudiencebyid/{id}", load_audience, methods=["GET"]),
        Route("/audience/loadAudienceById/{id}", load_audience, methods=["GET"]),
        Route("/audience/delete", delete_audience, methods=["DELETE"]),
        Route("/audience/activate", activate, methods=["POST"]),
        Route("/organisation/loadplatformaccounts", platform_accounts, methods=["GET"]),
        Route("/_sandbox/audiences/{id}/crm-upload", crm_upload, methods=["POST"]),
        Route("/_sandbox/sessions/expire", expire_sessions, methods=["POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/faults", faults, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(WrappedFaults, injector=injector, counts=counts)],
        exception_handlers={SandboxError: _error, HTTPException: _not_found},
    )
    app.state.sandbox = state
    app.state.faults = injector
    app.state.stats = counts
    return app
