"""The one wrapper around every tool function: what goes in, one deadline, and what comes out.

- Arguments: a text holding a lone surrogate (results.py says why) is refused before the tool
  runs; nothing is sent.
- Deadline: the call runs in a `call_scope` (core/http/deadline.py), so every request it makes,
  with all their retries and backoff, shares one deadline (AUDIENCE_MCP_CALL_DEADLINE_SECONDS).
- Results: a returned model becomes structured content plus compact JSON text (results.py); a
  CallToolResult the tool built itself is sent as built.
- Secrets: the result (structured content and text) and any error text pass the one redactor
  (core/secrets.py). An upstream that echoes an access token in an error body cannot put it
  into what the model reads, even where a message was built outside core/http.

One wrapper rather than one per concern: it runs on every call, and each layer of async
wrapping is paid on each of them.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from audience_mcp.core.http.deadline import call_scope
from audience_mcp.core.mcp.results import has_lone_surrogate, model_result, without_lone_surrogates
from audience_mcp.core.secrets import redactor


def _redacted_result(result: Any) -> Any:
    """A result the tool built itself (not a model), redacted and sendable; anything else as it is."""
    if isinstance(result, CallToolResult):
        content = [
            TextContent(type="text", text=redactor.redact(without_lone_surrogates(block.text)))
            if isinstance(block, TextContent)
            else block
            for block in result.content
        ]
        structured = redactor.redact_value(without_lone_surrogates(result.structured_content))
        return result.model_copy(update={"content": content, "structured_content": structured})
    if isinstance(result, str):
        return redactor.redact(without_lone_surrogates(result))
    return result


def _refusal(invalid: list[str]) -> ToolError:
    return ToolError(
        f"{', '.join(sorted(invalid))}: contains text that is not valid Unicode (a lone surrogate such as "
        "\\ud800); nothing was sent. Send the text as valid UTF-8."
    )


def guarded(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wrap an async tool function as the module docstring says."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        invalid = [name for name, value in kwargs.items() if has_lone_surrogate(value)]
        if invalid:
            raise _refusal(invalid)
        try:
            with call_scope():
                result = await fn(*args, **kwargs)
        except Exception as exc:
            message = str(exc)
            if redactor and redactor.holds_secret(message):
                # The SDK would put str(exc) into the error text the model reads.
                raise ToolError(redactor.redact(without_lone_surrogates(message))) from None
            if isinstance(exc, ToolError) and has_lone_surrogate(message):
                raise ToolError(without_lone_surrogates(message)) from exc
            raise
        # A CallToolResult is a pydantic model too, but one the tool built itself: it is sent as built.
        if isinstance(result, BaseModel) and not isinstance(result, CallToolResult):
            return model_result(result)
        return _redacted_result(result)

    return wrapper
