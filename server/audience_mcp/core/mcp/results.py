"""What a tool call hands back: a returned model as structured content plus compact JSON text.

- Results: the SDK turns a returned model into structured content plus a text block holding
  the same JSON indented by two spaces; hosts that show the model the text block pay for every
  space and newline on every call. `model_result` builds a `CallToolResult` with the same
  structured content (still validated against the output schema by the SDK) and compact JSON.
- Lone surrogates: JSON can carry `"\\ud800"`, which is not Unicode. A tool that quoted such a
  value in an error or a result produced a message the SDK (mcp 2.3) cannot encode, and its
  stdio writer died, leaving the server hung for good. An argument holding one is refused
  before the tool runs (call_guard.py: nothing is sent; storing a replacement character would
  change the user's data silently), and error texts and results are cleaned on the way out.
- Secrets: a result passes the one redactor (core/secrets.py) before it leaves.

The compact text holds every string of the structured content, keys included, each JSON-escaped
character by character. So one search of the text answers both questions for the whole result
(a lone surrogate? a secret?), and only a result that has one is walked and rebuilt. This runs on
every call, where walking the structure every time cost more than the rest of this module.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from audience_mcp.core.secrets import redactor


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


def has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


def model_result(result: BaseModel) -> CallToolResult:
    """`result` as structured content plus the same JSON, compact, as text; cleaned and redacted."""
    structured = result.model_dump(mode="json", by_alias=True)
    text = compact_json(structured)
    # Data read from an API could carry a lone surrogate too (an escaped "\ud800" in JSON).
    if _LONE_SURROGATE.search(text):
        structured = without_lone_surrogates(structured)
        text = compact_json(structured)
    if redactor and redactor.holds_secret(text):
        structured = redactor.redact_value(structured)
        text = compact_json(structured)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
