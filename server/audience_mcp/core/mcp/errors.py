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

from audience_mcp.core.http.errors import APIError
from audience_mcp.core.normalize import NormalizationError

Explain = Callable[[APIError], str]


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
