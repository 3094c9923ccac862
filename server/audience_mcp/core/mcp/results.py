"""The two wrappers every tool function runs in: clean arguments in, compact text out.

- Results: the SDK turns a returned model into structured content plus a text block holding
  the same JSON indented by two spaces; hosts that show the model the text block pay for every
  space and newline on every call. The wrapper hands back a `CallToolResult` with the same
  structured content (still validated against the output schema by the SDK) and compact JSON.
- Lone surrogates: JSON can carry `"\\ud800"`, which is not Unicode. A tool that quoted such a
  value in an error or a result produced a message the SDK (mcp 2.3) cannot encode, and its
  stdio writer died, leaving the server hung for good. An argument holding one is refused
  before the tool runs (nothing is sent; storing a replacement character would change the
  user's data silently), and error texts and results are cleaned on the way out.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel


def compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a Python str holds no valid surrogate pairs


def without_lone_surrogates(value: Any) -> Any:
    """The same value with every lone surrogate in a string replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    return value


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def refusing_lone_surrogates(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wrap an async tool function: refuse arguments that are not Unicode, keep error texts sendable."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        invalid = sorted(name for name, value in kwargs.items() if _has_surrogate(value))
        if invalid:
            raise ToolError(
                f"{', '.join(invalid)}: contains text that is not valid Unicode (a lone surrogate such as "
                "\\ud800); nothing was sent. Send the text as valid UTF-8."
            )
        try:
            return await fn(*args, **kwargs)
        except ToolError as exc:
            message = str(exc)
            if _has_surrogate(message):
                raise ToolError(without_lone_surrogates(message)) from exc
            raise

    return wrapper


def with_compact_text(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wrap an async tool function: a returned model becomes structured content plus compact JSON text."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = await fn(*args, **kwargs)
        if not isinstance(result, BaseModel):
            return result
        structured = result.model_dump(mode="json", by_alias=True)
        text = compact_json(structured)
        # Data read from the API could carry a lone surrogate too (an escaped "\ud800" in JSON).
        # The JSON text holds every string of the result, so one search of it replaces a walk of
        # the whole structure on every call; only a result with a surrogate is walked and redone.
        if _LONE_SURROGATE.search(text):
            structured = without_lone_surrogates(structured)
            text = compact_json(structured)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

    return wrapper
