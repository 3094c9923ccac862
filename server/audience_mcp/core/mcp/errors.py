"""Turn every API or input error into a ToolError whose text tells the model what to do next.

Only ToolError text reaches the model (anything else becomes a bare "Error executing tool"),
so every failure a tool can anticipate passes through here. Each platform words its own
errors (its `explain`: its settings, its tools, its rules); this module only applies it.
Messages never carry secrets: they are built from our own words, field names, ids and the
API's error text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from mcp.server.mcpserver.exceptions import ToolError

from audience_mcp.core.http.errors import APIConnectionError, APIError, APIStatusError, ServerError
from audience_mcp.core.normalize import NormalizationError

Explain = Callable[[APIError], str]


def retry_hint(seconds: float | None) -> str:
    """When to call again after a rate limit (the API's Retry-After, or a minute)."""
    if seconds is None:
        return "Wait a minute and call the tool again."
    wait = max(1, round(seconds))
    return f"Call the tool again in {wait} second{'s' if wait != 1 else ''}."


def unanswered(error: APIError, *, service: str, action: str, writes: bool, check_with: str) -> str | None:
    """The words for a server error or no answer, the same on every platform; None for other errors.

    A write is "may or may not have been applied" only when a request may have reached the
    service (issue 10): a refused connection or a failing token endpoint sent nothing.
    `check_with` names the call that shows whether it was applied.
    """
    if not isinstance(error, ServerError | APIConnectionError):
        return None
    what = f"HTTP {error.status}" if isinstance(error, APIStatusError) else error.message
    if writes and not (isinstance(error, APIConnectionError) and error.reached_server is False):
        return (
            f"{service} did not confirm the request to {action} ({what}); it may or may not have been applied. "
            f"Check with {check_with} before retrying, so nothing is done twice."
        )
    return f"{service} is not answering properly ({what}); nothing was changed. Try again in a minute."


def refused(error: APIError, *, service: str, action: str) -> str:
    """The words for any other API error: what the service said, and for what."""
    if isinstance(error, APIStatusError):
        return f"{service} refused the request to {action} (HTTP {error.status}): {error.message}"
    return f"Could not {action}: {error.message}"


def tool_error(message: str) -> ToolError:
    return ToolError(message)


@contextmanager
def api_errors(explain: Explain) -> Iterator[None]:
    """Re-raise API errors of the block as ToolErrors worded by `explain`, input errors as they are."""
    try:
        yield
    except APIError as exc:
        raise ToolError(explain(exc)) from exc
    except NormalizationError as exc:
        raise ToolError(str(exc)) from exc
