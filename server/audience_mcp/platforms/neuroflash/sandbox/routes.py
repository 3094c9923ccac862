"""HTTP routes of the emulated workspace and audience services.

Check order for every ``/api`` request: bearer token (401), then the workspace in the path
(404 ``WORKSPACE_NOT_FOUND``), then the request body or query (400, every failing field at
once, like a ``@Valid`` argument in Spring), then the audience (404) and finally the
caller's permission (403) and the plan limit (403).
"""

from __future__ import annotations

import math

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from audience_mcp.core.sandboxkit.jsonio import JsonObject, JsonResponse, JsonValue
from audience_mcp.platforms.neuroflash.sandbox.accounts import Account
from audience_mcp.platforms.neuroflash.sandbox.errors import audience_model_not_found
from audience_mcp.platforms.neuroflash.sandbox.oauth import authenticate, sandbox_of
from audience_mcp.platforms.neuroflash.sandbox.service import Sandbox
from audience_mcp.platforms.neuroflash.sandbox.url_import import prepared_profile
from audience_mcp.platforms.neuroflash.sandbox.validation import (
    parse_json_object,
    validate_image,
    validate_list_params,
    validate_new_name,
    validate_profile,
    validate_url_import,
)

WORKSPACES_PATH = "/api/workspace-service/v1/workspaces"
WORKSPACE_PREFIX = "/api/audience-service/v1/workspaces/{workspaceId}"
AUDIENCES_PATH = f"{WORKSPACE_PREFIX}/target-audiences"
AUDIENCE_PATH = f"{AUDIENCES_PATH}/{{targetAudienceId}}"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _context(request: Request) -> tuple[Sandbox, Account, str]:
    """Authenticate and check the path's workspace; returns (sandbox, caller, workspace id)."""
    sandbox = sandbox_of(request)
    account = authenticate(request)
    workspace_id = request.path_params["workspaceId"]
    sandbox.require_workspace(account, workspace_id)
    return sandbox, account, workspace_id


async def list_workspaces(request: Request) -> Response:
    sandbox = sandbox_of(request)
    account = authenticate(request)
    items: list[JsonValue] = [
        {"id": w.id, "name": w.name, "role": w.role_of(account.user_id)} for w in sandbox.workspaces_of(account)
    ]
    if sandbox.config.workspace_envelope == "data":
        return JsonResponse({"data": items})
    page: JsonObject = {"size": len(items), "totalElements": len(items), "totalPages": 1, "number": 0}
    return JsonResponse({"_embedded": {"workspaces": items}, "page": page})


async def create_audience(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    body = validate_profile(parse_json_object(await request.body()))
    record = sandbox.create(account, workspace_id, body)
    return JsonResponse(sandbox.render(record, account, _base_url(request)), 201)


async def list_audiences(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    params = validate_list_params(request.query_params)
    total, records = sandbox.list(account, workspace_id, params)
    base_url = _base_url(request)
    data: list[JsonValue] = [sandbox.render(record, account, base_url) for record in records]
    page: JsonObject = {
        "currentPage": params.page,
        "size": params.size,
        "totalElements": total,
        "totalPages": math.ceil(total / params.size),
    }
    return JsonResponse({"data": data, "page": page})


async def get_audience(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    record = sandbox.require_visible(account, workspace_id, request.path_params["targetAudienceId"])
    return JsonResponse(sandbox.render(record, account, _base_url(request)))


async def update_audience(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    body = validate_profile(parse_json_object(await request.body()))
    record = sandbox.replace(account, workspace_id, request.path_params["targetAudienceId"], body)
    return JsonResponse(sandbox.render(record, account, _base_url(request)))


async def delete_audience(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    sandbox.delete(account, workspace_id, request.path_params["targetAudienceId"])
    return Response(status_code=204)


async def duplicate_audience(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    new_name = validate_new_name(parse_json_object(await request.body(), allow_empty=True))
    duplicate, original = sandbox.duplicate(account, workspace_id, request.path_params["targetAudienceId"], new_name)
    base_url = _base_url(request)
    return JsonResponse(
        {
            "duplicate": sandbox.render(duplicate, account, base_url),
            "original": sandbox.render(original, account, base_url),
        },
        201,
    )


async def get_image(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    image = sandbox.get_image(account, workspace_id, request.path_params["targetAudienceId"])
    return JsonResponse(sandbox.render_image(image, _base_url(request)))


async def put_image(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    upload = validate_image(parse_json_object(await request.body()))
    image = sandbox.put_image(account, workspace_id, request.path_params["targetAudienceId"], upload)
    return JsonResponse(sandbox.render_image(image, _base_url(request)))


async def delete_image(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    sandbox.delete_image(account, workspace_id, request.path_params["targetAudienceId"])
    return Response(status_code=204)


async def record_usage(request: Request) -> Response:
    sandbox, account, workspace_id = _context(request)
    sandbox.record_usage(account, workspace_id, request.path_params["targetAudienceId"])
    return Response(status_code=204)


async def get_limits(request: Request) -> Response:
    sandbox, _account, workspace_id = _context(request)
    return JsonResponse(sandbox.limits(workspace_id))


async def url_import(request: Request) -> Response:
    sandbox, _account, _workspace_id = _context(request)
    model_id, urls = validate_url_import(parse_json_object(await request.body()))
    if model_id not in sandbox.config.known_audience_models():
        raise audience_model_not_found(model_id)
    if sandbox.config.url_import_latency > 0:
        await anyio.sleep(sandbox.config.url_import_latency)
    return JsonResponse(prepared_profile(urls))


async def serve_image(request: Request) -> Response:
    """The "signed URL" target: the image bytes, no auth (the URL itself is the secret)."""
    found = sandbox_of(request).store.image_bytes(request.path_params["imageId"])
    if found is None or found[0].file_name != request.path_params["fileName"]:
        return JsonResponse({"error": "Object not found", "code": "NOT_FOUND"}, 404)
    image, data = found
    return Response(data, media_type=image.content_type, headers={"Cache-Control": "private, max-age=3600"})


def api_routes() -> list[Route]:
    return [
        Route(WORKSPACES_PATH, list_workspaces, methods=["GET"]),
        Route(AUDIENCES_PATH, list_audiences, methods=["GET"]),
        Route(AUDIENCES_PATH, create_audience, methods=["POST"]),
        Route(AUDIENCE_PATH, get_audience, methods=["GET"]),
        Route(AUDIENCE_PATH, update_audience, methods=["PUT"]),
        Route(AUDIENCE_PATH, delete_audience, methods=["DELETE"]),
        Route(f"{AUDIENCE_PATH}/duplication", duplicate_audience, methods=["POST"]),
        Route(f"{AUDIENCE_PATH}/image", get_image, methods=["GET"]),
        Route(f"{AUDIENCE_PATH}/image", put_image, methods=["PUT"]),
        Route(f"{AUDIENCE_PATH}/image", delete_image, methods=["DELETE"]),
        Route(f"{AUDIENCE_PATH}/usage", record_usage, methods=["PUT"]),
        Route(f"{WORKSPACE_PREFIX}/limits/target-audiences", get_limits, methods=["GET"]),
        Route(f"{WORKSPACE_PREFIX}/target-audiences-url-imports", url_import, methods=["POST"]),
        Route("/sandbox-storage/audience-images/{imageId}/{fileName}", serve_image, methods=["GET"]),
    ]
