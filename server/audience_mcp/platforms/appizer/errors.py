"""Appizer's error responses, read into the shared error hierarchy.

The body is `{error, message, code, details}` (FACTS.md). `status_error` picks the class from the
status; 409 (a conflict: the sandbox's answer to a duplicate name) gets its own class, and a 429's
wait comes from `Retry-After` or `details.retry_after` (core reads both).
"""

from __future__ import annotations

from typing import Any

import httpx2

from audience_mcp.core.http.errors import (
    APIStatusError,
    FieldError,
    body_code,
    json_body,
    response_fields,
    status_error,
)

# The documented codes (FACTS.md); the tools word each one.
INVALID_REQUEST = "INVALID_REQUEST"
MISSING_FIELD = "MISSING_FIELD"
INVALID_TYPE = "INVALID_TYPE"
MISSING_AUTH = "MISSING_AUTH"
INVALID_API_KEY = "INVALID_API_KEY"
REVOKED_API_KEY = "REVOKED_API_KEY"
INSUFFICIENT_PERMISSIONS = "INSUFFICIENT_PERMISSIONS"
RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"


class ConflictError(APIStatusError):
    """409: the request clashes with an existing resource (an audience of that name)."""


def _message(body: Any) -> str | None:
    # `message` is the human text; `error` is a short title ("Bad Request") in their examples.
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def _field_errors(body: Any) -> list[FieldError]:
    details = body.get("details") if isinstance(body, dict) else None
    if isinstance(details, dict) and isinstance(details.get("field"), str):
        return [FieldError(details["field"], _message(body) or "invalid")]
    return []


def classify(response: httpx2.Response) -> APIStatusError:
    """The APIStatusError for an Appizer error response (status >= 400)."""
    body = json_body(response)
    code = body_code(body)
    if response.status_code == 409:
        return ConflictError(_message(body) or "Conflict", **response_fields(response, code=code, body=body))
    return status_error(response, _message(body), code=code, body=body, field_errors=_field_errors(body))


def details(error: APIStatusError) -> dict[str, Any]:
    """The `details` object of an error body, or {}."""
    value = error.body.get("details") if isinstance(error.body, dict) else None
    return value if isinstance(value, dict) else {}
