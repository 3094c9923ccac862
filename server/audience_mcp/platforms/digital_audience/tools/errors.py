"""Digital Audience's words for every API error: what failed and what the model should do next."""

from __future__ import annotations

from contextlib import AbstractContextManager

from audience_mcp.core.http.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
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
    if isinstance(error, ServerError | APIConnectionError):
        detail = f"HTTP {error.status}" if isinstance(error, APIStatusError) else error.message
        if writes and not (isinstance(error, APIConnectionError) and error.reached_server is False):
            return (
                f"Digital Audience did not confirm the request to {action} ({detail}); it may or may not have been "
                "applied. Check with digital_audience_get_audience before retrying, so nothing is done twice."
            )
        return f"Digital Audience is not answering properly ({detail}); nothing was changed. Try again in a minute."
    if isinstance(error, APIStatusError):
        return f"Digital Audience refused the request to {action} (HTTP {error.status}): {error.message}"
    return f"Could not {action}: {error.message}"


def api_errors(action: str, *, what: str | None = None, writes: bool = False) -> AbstractContextManager[None]:
    """Re-raise API and input errors of the block as ToolErrors in Digital Audience's words."""
    return core_errors.api_errors(lambda error: explain(error, action=action, what=what, writes=writes))


__all__ = ["api_errors", "explain", "tool_error"]
