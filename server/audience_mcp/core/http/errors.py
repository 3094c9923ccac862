"""One error hierarchy for every API client, and the default way to classify a response.

Each platform reads its own error bodies (formats, machine codes) in a classifier of its own,
`Classifier`, which the requester is given; it builds on `status_error`, the one place that
maps a status code to a class, so every platform raises the same classes and the tool layer
can turn each into a message that tells the model what to do next. `classify` is the default
for an API without special rules: status to class, message and code read from common keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2

from audience_mcp.core.secrets import redactor


@dataclass(frozen=True)
class FieldError:
    """One entry of a validation error body."""

    field: str
    message: str


class APIError(Exception):
    """Base of every error an API client raises."""

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        # Messages quote API error bodies, which may echo a token or a secret: masked at the source.
        message = redactor.redact(message)
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
        self.body = redactor.redact_value(body)
        self.request_id = request_id


class InvalidRequestError(APIStatusError):
    """400 or 422: the API rejected the body; `field_errors` lists what and why."""

    def __init__(self, message: str, *, field_errors: list[FieldError], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors


class AuthenticationError(APIStatusError):
    """401: the token is missing, expired or the client credentials are wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the caller may not do this (for example change what someone else created)."""


class PlanLimitReachedError(PermissionDeniedError):
    """A 403 that says the plan's quota is used up; only a platform's classifier can tell.

    `usage` and `limit` are the figures the API gave, when it gave them.
    """

    def __init__(self, message: str, *, usage: int | None, limit: int | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.usage = usage
        self.limit = limit


class NotFoundError(APIStatusError):
    """404: no such resource (for this caller); `code` may say which kind."""


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


Classifier = Callable[[httpx2.Response], APIStatusError]
"""Turns an error response (status >= 400) into the matching APIStatusError."""


def json_body(response: httpx2.Response) -> Any:
    """The parsed body, or None when it is not JSON (an HTML error page from a proxy)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


# OAuth (RFC 6749) first, as it is the most specific, then the common names of other APIs.
_MESSAGE_KEYS = ("error_description", "error", "message", "detail")


def body_message(body: Any) -> str | None:
    """The human text of a JSON error body under one of the common keys, if any."""
    if isinstance(body, dict):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def body_code(body: Any) -> str | None:
    """The machine code of a JSON error body (`code`), if any."""
    raw = body.get("code") if isinstance(body, dict) else None
    return str(raw) if raw is not None else None


def response_fields(response: httpx2.Response, *, code: str | None, body: Any) -> dict[str, Any]:
    """The keyword arguments every APIStatusError takes, from the response and what was read."""
    return {
        "status": response.status_code,
        "code": code,
        "body": body,
        "request_id": response.headers.get("x-request-id") or response.headers.get("x-correlation-id"),
        "method": response.request.method,
        "path": response.request.url.path,
    }


def _body_retry_after(body: Any) -> float | None:
    # Some APIs put the hint in the body instead of the header: `details.retry_after`.
    details = body.get("details") if isinstance(body, dict) else None
    if isinstance(details, dict) and isinstance(details.get("retry_after"), int | float):
        return float(details["retry_after"])
    return None


def status_error(
    response: httpx2.Response,
    message: str | None,
    *,
    code: str | None = None,
    body: Any = None,
    field_errors: Sequence[FieldError] = (),
) -> APIStatusError:
    """The class for the response's status, with what a classifier read from the body."""
    status = response.status_code
    if message is None:
        if field_errors:
            message = "; ".join(f"{e.field}: {e.message}" for e in field_errors)
        else:
            message = response.reason_phrase or f"HTTP {status}"
    common = response_fields(response, code=code, body=body)
    if status in (400, 422):
        return InvalidRequestError(message, field_errors=list(field_errors), **common)
    if status == 401:
        return AuthenticationError(message, **common)
    if status == 403:
        return PermissionDeniedError(message, **common)
    if status == 404:
        return NotFoundError(message, **common)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            retry_after = _body_retry_after(body)
        return RateLimitError(message, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(message, **common)
    return APIStatusError(message, **common)


def classify(response: httpx2.Response) -> APIStatusError:
    """The default classifier: status to class, message and code from the common body keys."""
    body = json_body(response)
    return status_error(response, body_message(body), code=body_code(body), body=body)
