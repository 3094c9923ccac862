"""The two error shapes of the neuroflash API, as exceptions the routes raise.

Generic errors are ``{"error": "<human text>", "code": "<MACHINE_CODE>"}``; validation errors
are ``{"errors": [{"field", "message", "type": "validation"}, ...]}`` and list every failing
field at once (not RFC 7807 problem details).
"""

from __future__ import annotations

from dataclasses import dataclass

from audience_mcp.core.sandboxkit.jsonio import JsonObject


class ApiError(Exception):
    """An error answered with ``{"error", "code"}`` and the given status."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> JsonObject:
        return {"error": self.message, "code": self.code}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_json(self) -> JsonObject:
        return {"field": self.field, "message": self.message, "type": "validation"}


class ValidationFailed(ApiError):
    """400 with the list of every failing field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(400, "VALIDATION_ERROR", "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    def body(self) -> JsonObject:
        return {"errors": [error.as_json() for error in self.errors]}


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "UNAUTHORIZED", message, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def workspace_not_found() -> ApiError:
    return ApiError(404, "WORKSPACE_NOT_FOUND", "Workspace not found")


def audience_not_found() -> ApiError:
    return ApiError(404, "TARGET_AUDIENCE_NOT_FOUND", "Target audience not found")


def image_not_found() -> ApiError:
    return ApiError(404, "IMAGE_NOT_FOUND", "Target audience image not found")


def insufficient_permissions() -> ApiError:
    return ApiError(
        403,
        "INSUFFICIENT_PERMISSIONS",
        "Only the creator of a target audience can update or delete it",
    )


def limit_reached(usage: int, limit: int) -> ApiError:
    return ApiError(
        403,
        "TARGET_AUDIENCE_LIMIT_REACHED",
        f"Target audience limit reached ({usage} of {limit})",
    )


def audience_model_not_found(model_id: str) -> ApiError:
    return ApiError(404, "AUDIENCE_MODEL_NOT_FOUND", f"Audience model {model_id!r} not found")
