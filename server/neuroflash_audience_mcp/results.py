"""Tool results as compact text: what the model reads costs as little as the data allows.

The SDK turns a returned model into structured content plus a text block holding the same
JSON indented by two spaces; hosts that show the model the text block pay for every space and
newline on every call. Each tool's function is wrapped so it hands back a `CallToolResult`
with the same structured content (still validated against the tool's output schema by the
SDK) and the JSON written compactly.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel


def compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def with_compact_text(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wrap an async tool function so a returned model becomes a compact CallToolResult."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = await fn(*args, **kwargs)
        if not isinstance(result, BaseModel):
            return result
        structured = result.model_dump(mode="json", by_alias=True)
        return CallToolResult(
            content=[TextContent(type="text", text=compact_json(structured))], structured_content=structured
        )

    return wrapper
