"""Digital Audience's answers, read into the shared error hierarchy.

Every response is wrapped `{"data", "status": {"statusCode", "message"}, "success"}`. Its error
format and status codes are not documented (FACTS.md), so this reader is tolerant: an HTTP
error status, `success: false` or a non-zero `statusCode` is an error whatever the HTTP status,
and `status.message` is carried into the text. Which class it becomes is read from the HTTP
status when it is an error status, else from the message (the only hint a wrapped 200 gives).
"""

from __future__ import annotations

import re
from typing import Any

import httpx2

from audience_mcp.core.http.errors import (
    APIStatusError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    json_body,
    response_fields,
    status_error,
)

# Assumption (unconfirmed): an expired session is worded like "not logged in" / "unauthorized".
_NOT_LOGGED_IN = re.compile(r"not\s+logged\s+in|log\s*in\s+required|unauthori[sz]ed|session\s+expired", re.I)
_NOT_FOUND = re.compile(r"not\s+found|does\s+not\s+exist|unknown\s+(audience|account|campaign)", re.I)
_FORBIDDEN = re.compile(r"forbidden|not\s+allowed|permission|access\s+denied", re.I)


def wrapper_status(body: Any) -> tuple[bool, int | None, str | None]:
    """(is an error, statusCode, status.message) of a wrapped body; a body without a wrapper is no error."""
    if not isinstance(body, dict):
        return False, None, None
    status = body.get("status")
    code: int | None = None
    message: str | None = None
    if isinstance(status, dict):
        raw = status.get("statusCode")
        code = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        text = status.get("message")
        message = text if isinstance(text, str) and text else None
    failed = body.get("success") is False or (code is not None and code != 0)
    return failed, code, message


def is_not_logged_in(response: httpx2.Response) -> bool:
    """The session is gone: a 401, or a wrapped error that says so (the auth flow logs in again)."""
    if response.status_code == 401:
        return True
    failed, _, message = wrapper_status(json_body(response))
    return failed and message is not None and bool(_NOT_LOGGED_IN.search(message))


def _text(message: str | None, code: int | None, response: httpx2.Response) -> str:
    if message:
        return message
    if code is not None:
        return f"statusCode {code}"
    return response.reason_phrase or f"HTTP {response.status_code}"


def classify(response: httpx2.Response) -> APIStatusError:
    """The APIStatusError for an answer that is an error (HTTP >= 400, or a wrapped failure)."""
    body = json_body(response)
    _, code, message = wrapper_status(body)
    text = _text(message, code, response)
    machine_code = str(code) if code is not None else None
    if response.status_code >= 400:
        return status_error(response, text, code=machine_code, body=body)
    # A wrapped failure with a 2xx status: the message is all there is to go by.
    common = response_fields(response, code=machine_code, body=body)
    if _NOT_LOGGED_IN.search(text):
        return AuthenticationError(text, **common)
    if _NOT_FOUND.search(text):
        return NotFoundError(text, **common)
    if _FORBIDDEN.search(text):
        return PermissionDeniedError(text, **common)
    return InvalidRequestError(text, field_errors=[], **common)
