"""Digital Audience's words for every API error: what failed and what the model should do next."""

from __future__ import annotations

from contextlib import AbstractContextManager

from audience_mcp.core.http.errors import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnsendableRequestError,
)
from audience_mcp.core.mcp import errors as core_errors
from audience_mcp.core.mcp.errors import tool_error

SETTINGS = "DIGITAL_AUDIENCE_API_URL, DIGITAL_AUDIENCE_USERNAME and DIGITAL_AUDIENCE_PASSWORD"


def explain(error: APIError, *, action: str, what: str | None = None, writes: bool = False) -> str:
    """The message for the model: what failed and what to do next."""
    if isinstance(error, UnsendableRequestError):
        return f"Could not {action}: {error.message}"
    if isinstance(error, AuthenticationError):
        return (
            f"Digital Audience did not accept the login ({error.message}). Check {SETTINGS} in the server's "
            "environment; the user has to fix this, retrying will not help."
        )
    if isinstance(error, NotFoundError):
        target = what or "The audience"
        return (
            f"{target} was not found on Digital Audience ({error.message}). Call digital_audience_list_audiences "
            "(audiences) or digital_audience_list_platform_accounts (accounts) for valid ids."
        )
    if isinstance(error, PermissionDeniedError):
        return f"Digital Audience does not allow this user to {action}: {error.message}. Ask the account's admin."
    if isinstance(error, InvalidRequestError):
        return f"Digital Audience rejected the request to {action}: {error.message}. Fix the values and retry."
    if isinstance(error, RateLimitError):
        wait = f"{max(1, round(error.retry_after))} seconds" if error.retry_after is not None else "a minute"
        return f"Digital Audience is rate-limiting requests. Call the tool again in {wait}."
    return core_errors.unanswered(
        error, service="Digital Audience", action=action, writes=writes, check_with="digital_audience_get_audience"
    ) or core_errors.refused(error, service="Digital Audience", action=action)


def api_errors(action: str, *, what: str | None = None, writes: bool = False) -> AbstractContextManager[None]:
    """Re-raise API and input errors of the block as ToolErrors in Digital Audience's words."""
    return core_errors.api_errors(lambda error: explain(error, action=action, what=what, writes=writes))


__all__ = ["api_errors", "explain", "tool_error"]
