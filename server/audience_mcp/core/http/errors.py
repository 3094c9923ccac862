"""One error hierarchy for the neuroflash API, built from status and body in one place.

The API speaks two error formats (FACTS.md): generic `{"error": "...", "code": "..."}` and
validation `{"errors": [{"field", "message", "type"}]}`. `error_from_response` is the only
place that maps a status code to a class; the tool layer turns each class into a message
that tells the model what to do next.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2

LIMIT_REACHED_CODE = "TARGET_AUDIENCE_LIMIT_REACHED"


@dataclass(frozen=True)
class FieldError:
    """One entry of a validation error body."""

    field: str
    message: str


class APIError(Exception):
    """Base of every error the neuroflash client raises."""

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path


class APIConnectionError(APIError):
    """The request did not get an answer: connection refused, reset, DNS, or timeout.

    `reached_server` is False when the request provably never left (connect phase), True or
    None when it may have been processed: a create in that state must not be retried blindly.
    """

    def __init__(
        self, message: str, *, method: str | None = None, path: str | None = None, reached_server: bool | None
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.reached_server = reached_server


class APITimeoutError(APIConnectionError):
    """No answer within AUDIENCE_MCP_TIMEOUT_SECONDS."""


class UnsendableRequestError(APIError):
    """A value cannot be put into a request (a URL too long, text that is not valid Unicode).

    Raised before anything is sent, so nothing happened on the server.
    """


class APIStatusError(APIError):
    """The API answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        body: Any = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.code = code
        self.body = body
        self.request_id = request_id


class InvalidRequestError(APIStatusError):
    """400 or 422: the API rejected the body; `field_errors` lists what and why."""

    def __init__(self, message: str, *, field_errors: list[FieldError], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors


class AuthenticationError(APIStatusError):
    """401: the token is missing, expired or the client credentials are wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the caller may not do this (only the creator may update or delete an audience)."""


class PlanLimitReachedError(PermissionDeniedError):
    """403 with code TARGET_AUDIENCE_LIMIT_REACHED: the plan allows no more audiences."""

    def __init__(self, message: str, *, usage: int | None, limit: int | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.usage = usage
        self.limit = limit


class NotFoundError(APIStatusError):
    """404: no such audience, image, workspace or audience model (for this caller)."""


class RateLimitError(APIStatusError):
    """429: rate limit or quota; `retry_after` is the server's hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the service failed; usually transient."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds (also fractional) or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        from datetime import UTC, datetime

        seconds = (moment - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _json_body(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


_LIMIT_NUMBERS = re.compile(r"(\d+)\s*(?:of|/)\s*(\d+)")


def error_from_response(response: httpx2.Response) -> APIStatusError:
    """Build the matching APIStatusError from an error response (status >= 400)."""
    status = response.status_code
    body = _json_body(response)
    method = response.request.method
    path = response.request.url.path
    request_id = response.headers.get("x-request-id") or response.headers.get("x-correlation-id")
    code: str | None = None
    text: str | None = None
    field_errors: list[FieldError] = []
    if isinstance(body, dict):
        raw_code = body.get("code")
        code = str(raw_code) if raw_code is not None else None
        for key in ("error_description", "error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                text = value
                break
        errors = body.get("errors")
        if isinstance(errors, list):
            for item in errors:
                if isinstance(item, dict):
                    field_errors.append(FieldError(str(item.get("field", "")), str(item.get("message", ""))))
    if text is None:
        if field_errors:
            text = "; ".join(f"{e.field}: {e.message}" for e in field_errors)
        else:
            text = response.reason_phrase or f"HTTP {status}"
    common: dict[str, Any] = {
        "status": status,
        "code": code,
        "body": body,
        "request_id": request_id,
        "method": method,
        "path": path,
    }
    if status in (400, 422):
        return InvalidRequestError(text, field_errors=field_errors, **common)
    if status == 401:
        return AuthenticationError(text, **common)
    if status == 403:
        if code == LIMIT_REACHED_CODE:
            match = _LIMIT_NUMBERS.search(text)
            usage, limit = (int(match.group(1)), int(match.group(2))) if match else (None, None)
            return PlanLimitReachedError(text, usage=usage, limit=limit, **common)
        return PermissionDeniedError(text, **common)
    if status == 404:
        return NotFoundError(text, **common)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None and isinstance(body, dict):
            # Some vendors put the hint in the body (Appizer: details.retry_after).
            details = body.get("details")
            if isinstance(details, dict) and isinstance(details.get("retry_after"), int | float):
                retry_after = float(details["retry_after"])
        return RateLimitError(text, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(text, **common)
    return APIStatusError(text, **common)
