"""The outermost wrapper of every tool function: one deadline per call, no secret in what leaves.

- Deadline: the call runs in a `call_scope` (core/http/deadline.py), so every request it makes,
  with all their retries and backoff, shares one deadline (AUDIENCE_MCP_CALL_DEADLINE_SECONDS).
- Secrets: the result (structured content and text) and any error text pass the one redactor
  (core/secrets.py). An upstream that echoes an access token in an error body cannot put it
  into what the model reads, even where a message was built outside core/http.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent

from audience_mcp.core.http.deadline import call_scope
from audience_mcp.core.secrets import redactor


def _redacted_result(result: Any) -> Any:
    if not redactor:
        return result
    if isinstance(result, CallToolResult):
        content = [
            TextContent(type="text", text=redactor.redact(block.text)) if isinstance(block, TextContent) else block
            for block in result.content
        ]
        structured = redactor.redact_value(result.structured_content)
        return result.model_copy(update={"content": content, "structured_content": structured})
    if isinstance(result, str):
        return redactor.redact(result)
    return result


def guarded(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wrap an async tool function: one deadline over its requests, secrets masked on the way out."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with call_scope():
                result = await fn(*args, **kwargs)
        except Exception as exc:
            if redactor and redactor.holds_secret(str(exc)):
                # The SDK would put str(exc) into the error text the model reads.
                raise ToolError(redactor.redact(str(exc))) from None
            raise
        return _redacted_result(result)

    return wrapper
