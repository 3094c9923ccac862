"""neuroflash's words for every API error: what failed and what the model should do next.

core/mcp/errors.py turns errors into ToolErrors; this module is neuroflash's `explain` (its
setting names, its tools, its creator rule) and the `api_errors` its tools use.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager

from audience_mcp.core.mcp import errors as core_errors
from audience_mcp.core.mcp.errors import tool_error
from audience_mcp.platforms.neuroflash.api import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitReachedError,
    RateLimitError,
)
from audience_mcp.platforms.neuroflash.fields import PARAM_NAMES

# What an audience id looks like (a UUID or another token with digits): no spaces, a digit, 8+ characters.
_ID_LIKE = re.compile(r"(?=\S*\d)\S{8,}")

# API field names -> the tool parameter names the model knows (the one table, in fields.py).
_PARAM_NAMES = PARAM_NAMES


def param_name(api_field: str) -> str:
    head, _, rest = api_field.partition(".")
    name = _PARAM_NAMES.get(head, head)
    return f"{name}.{rest}" if rest else name


def explain(error: APIError, *, action: str, audience_id: str | None = None, writes: bool = False) -> str:
    """The message for the model: what failed and what to do next."""
    if isinstance(error, InvalidRequestError):
        fields = "; ".join(f"{param_name(e.field)}: {e.message}" for e in error.field_errors)
        return f"neuroflash rejected the request to {action}: {fields or error.message}. Fix these values and retry."
    if isinstance(error, AuthenticationError):
        return (
            "neuroflash rejected the credentials (HTTP 401). Check NEUROFLASH_CLIENT_ID and "
            "NEUROFLASH_CLIENT_SECRET (or NEUROFLASH_ACCESS_TOKEN, which wins when set) in the server's "
            "environment; the user has to fix this, retrying will not help."
        )
    if isinstance(error, PlanLimitReachedError):
        used = f"{error.usage} of {error.limit} audiences used" if error.limit is not None else "no audiences left"
        return (
            f"Plan limit reached: {used}. Delete an audience that is no longer needed (neuroflash_delete_audience) "
            "or upgrade the neuroflash plan, then retry."
        )
    if isinstance(error, PermissionDeniedError):
        return (
            f"Not allowed to {action}: only the creator of an audience can change or delete it. "
            "Duplicate it (neuroflash_duplicate_audience) to get your own copy and change that."
        )
    if isinstance(error, NotFoundError):
        if error.code == "WORKSPACE_NOT_FOUND":
            return "That workspace does not exist for these credentials. Call neuroflash_list_workspaces for valid ids."
        if error.code == "AUDIENCE_MODEL_NOT_FOUND":
            return "Unknown audience_model_id. Omit it to use the configured default model."
        if error.code == "IMAGE_NOT_FOUND":
            return f"Audience '{audience_id}' has no image."
        target = f"Audience '{audience_id}'" if audience_id else "The audience"
        if audience_id and not _ID_LIKE.fullmatch(audience_id):
            # A name passed as an id ("Marketing leads"): the search finds its id.
            search = audience_id.replace("'", "")[:60]
            return (
                f"{target} was not found in this workspace; audience_id takes an id, not a name. "
                f"Call neuroflash_list_audiences(search='{search}') to find its id."
            )
        return f"{target} was not found in this workspace. Call neuroflash_list_audiences to find the right id."
    if isinstance(error, RateLimitError):
        return f"neuroflash is rate-limiting requests (HTTP 429). {core_errors.retry_hint(error.retry_after)}"
    return core_errors.unanswered(
        error,
        service="neuroflash",
        action=action,
        writes=writes,
        check_with="neuroflash_list_audiences or neuroflash_get_audience",
    ) or core_errors.refused(error, service="neuroflash", action=action)


def api_errors(action: str, *, audience_id: str | None = None, writes: bool = False) -> AbstractContextManager[None]:
    """Re-raise API and input errors of the block as ToolErrors in neuroflash's words."""
    return core_errors.api_errors(lambda error: explain(error, action=action, audience_id=audience_id, writes=writes))


__all__ = ["api_errors", "explain", "param_name", "tool_error"]
