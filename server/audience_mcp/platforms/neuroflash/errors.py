"""neuroflash's error responses, read into the shared error hierarchy.

The API speaks two error formats (neuroflash's public API docs): generic `{"error": "...", "code": "..."}` and
validation `{"errors": [{"field", "message", "type"}]}`, listing every failing field at once.
Its 403 means two different things the tools must tell apart: INSUFFICIENT_PERMISSIONS (only
an audience's creator may change or delete it: duplicate it instead) and
TARGET_AUDIENCE_LIMIT_REACHED (the plan allows no more audiences: delete one or upgrade).
`classify` is the classifier the neuroflash client gives its transport.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2

from audience_mcp.core.http.errors import (
    APIStatusError,
    FieldError,
    PermissionDeniedError,
    PlanLimitReachedError,
    body_code,
    body_message,
    json_body,
    response_fields,
    status_error,
)

LIMIT_REACHED_CODE = "TARGET_AUDIENCE_LIMIT_REACHED"

# The limit error names its figures only in the text: "Target audience limit reached (2 of 2)".
_LIMIT_NUMBERS = re.compile(r"(\d+)\s*(?:of|/)\s*(\d+)")


def _field_errors(body: Any) -> list[FieldError]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        FieldError(str(item.get("field", "")), str(item.get("message", "")))
        for item in errors
        if isinstance(item, dict)
    ]


def classify(response: httpx2.Response) -> APIStatusError:
    """The APIStatusError for a neuroflash error response (status >= 400)."""
    body = json_body(response)
    code = body_code(body)
    field_errors = _field_errors(body)
    error = status_error(response, body_message(body), code=code, body=body, field_errors=field_errors)
    if isinstance(error, PermissionDeniedError) and code == LIMIT_REACHED_CODE:
        match = _LIMIT_NUMBERS.search(error.message)
        usage, limit = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        return PlanLimitReachedError(
            error.message, usage=usage, limit=limit, **response_fields(response, code=code, body=body)
        )
    # INSUFFICIENT_PERMISSIONS (the creator rule) and any other 403 stay a PermissionDeniedError.
    return error
