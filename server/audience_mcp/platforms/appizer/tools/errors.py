"""Appizer's words for every API error: what failed and what the model should do next."""

from __future__ import annotations

from contextlib import AbstractContextManager

from audience_mcp.core.http.errors import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from audience_mcp.core.mcp import errors as core_errors
from audience_mcp.core.mcp.errors import tool_error
from audience_mcp.platforms.appizer.errors import (
    INVALID_TYPE,
    MISSING_FIELD,
    REVOKED_API_KEY,
    ConflictError,
    details,
)

_KEY_HELP = "Check APPIZER_API_KEY in the server's environment; the user has to fix this, retrying will not help."


def explain(error: APIError, *, action: str, app_id: str | None = None, writes: bool = False) -> str:
    """The message for the model: what failed and what to do next."""
    if isinstance(error, InvalidRequestError):
        field = details(error).get("field")
        if field == "criteria" or "criteria" in error.message.lower():
            return (
                f"Appizer could not read the criteria ({error.message}). Rephrase them like the documented "
                "examples ('Users with plan=premium AND last_active within 7 days', 'Users who triggered "
                "event=app_open more than 10 times'), or pass `conditions` instead."
            )
        if error.code in (MISSING_FIELD, INVALID_TYPE) and field:
            return f"Appizer rejected the request to {action}: {field}: {error.message}. Fix it and retry."
        return f"Appizer rejected the request to {action}: {error.message}. Fix the values and retry."
    if isinstance(error, AuthenticationError):
        if error.code == REVOKED_API_KEY:
            return f"Appizer says the API key was revoked. Create a new key in the Appizer dashboard. {_KEY_HELP}"
        return f"Appizer rejected the API key (HTTP 401, {error.code or 'unauthorized'}). {_KEY_HELP}"
    if isinstance(error, PermissionDeniedError):
        return (
            f"Appizer's API key may not {action} (INSUFFICIENT_PERMISSIONS). Use a key with write access "
            "(APPIZER_API_KEY); reading audiences still works."
        )
    if isinstance(error, NotFoundError):
        app = f"'{app_id}'" if app_id else "this app"
        return (
            f"Appizer knows no app {app} for this API key. Check the app id in the Appizer dashboard and pass "
            "it as app_id (APPIZER_APP_ID sets the default)."
        )
    if isinstance(error, ConflictError):
        return f"Appizer refused to {action}: {error.message}. Choose another name, or use the existing audience."
    if isinstance(error, RateLimitError):
        return f"Appizer is rate-limiting requests. {core_errors.retry_hint(error.retry_after)}"
    return core_errors.unanswered(
        error, service="Appizer", action=action, writes=writes, check_with="appizer_list_audiences"
    ) or core_errors.refused(error, service="Appizer", action=action)


def api_errors(action: str, *, app_id: str | None = None, writes: bool = False) -> AbstractContextManager[None]:
    """Re-raise API and input errors of the block as ToolErrors in Appizer's words."""
    return core_errors.api_errors(lambda error: explain(error, action=action, app_id=app_id, writes=writes))


__all__ = ["api_errors", "explain", "tool_error"]
