"""Tools published from precomputed schemas, built the SDK's way on their first call.

`Tool.from_function` creates a tool's argument model and derives both JSON schemas with
pydantic: several milliseconds per tool, most of the server's start-up, spent before the
first `tools/list` can be answered although a session calls only a few tools. So the
published form of each tool (the compact input schema and the outlined output schema that
registry.py makes) is computed once, by `python -m audience_mcp.dev.catalog --write`, and kept
in `published_tools.json`, keyed by a fingerprint of the tool function's name, signature and
docstring. At start-up a tool whose fingerprint matches is listed from the file as a
`DeferredTool`, which builds the SDK tool on its first call and delegates to it; any other
tool (no entry, a changed signature) is built at start-up as before. A test fails when the
file differs from what the tools would publish now, so a change that the fingerprint cannot
see (a field description in a type alias) is caught in CI.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import ToolAnnotations
from pydantic import PrivateAttr

# Bump when registry.py or schemas.py change how a schema is published: every entry goes stale.
PUBLICATION_FORMAT = 1


def fingerprint(fn: Callable[..., Any]) -> str:
    """What the published schemas of a tool function are derived from, as far as it is cheap to see.

    The annotations are the source text (`from __future__ import annotations`), so this costs no
    type evaluation; the test of the file covers what they refer to.
    """
    material = repr(
        (
            PUBLICATION_FORMAT,
            fn.__module__,
            fn.__qualname__,
            fn.__doc__,
            sorted((name, repr(value)) for name, value in fn.__annotations__.items()),
            fn.__defaults__,
            fn.__kwdefaults__,
        )
    )
    return hashlib.sha256(material.encode("utf-8", "backslashreplace")).hexdigest()[:24]


class PublishedSchemas:
    """The precomputed input and output schemas of tools, by tool name."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self._entries = entries

    @classmethod
    def load(cls, path: Path) -> PublishedSchemas:
        """The file's entries; none when it is missing or unreadable (every tool is then built at start-up)."""
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls({})
        return cls(entries if isinstance(entries, dict) else {})

    def get(self, name: str, fn: Callable[..., Any]) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """(input schema, output schema) of this tool if the entry was made from this very function."""
        entry = self._entries.get(name)
        if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint(fn):
            return None
        return entry["input_schema"], entry.get("output_schema")


def published_entry(fn: Callable[..., Any], tool: Tool) -> dict[str, Any]:
    """The file's entry for a tool built at start-up (what `dev.catalog --write` stores)."""
    return {"fingerprint": fingerprint(fn), "input_schema": tool.parameters, "output_schema": tool.output_schema}


class DeferredTool(Tool):
    """A tool listed from precomputed schemas; the SDK tool (argument model, output validation) is
    built on the first call, and every call runs through it.

    Subclasses the SDK's public `Tool` and overrides only its public `run`; the placeholder
    metadata below is never used to validate anything.
    """

    _build: Callable[[], Tool] = PrivateAttr()
    _built: Tool | None = PrivateAttr(default=None)

    @classmethod
    def publish(
        cls,
        *,
        name: str,
        description: str,
        input_schema: dict[str, Any],
        output_schema: dict[str, Any] | None,
        annotations: ToolAnnotations,
        build: Callable[[], Tool],
    ) -> DeferredTool:
        tool = cls(
            fn=_not_built,
            name=name,
            description=description,
            parameters=input_schema,
            fn_metadata=FuncMetadata(arg_model=ArgModelBase, output_schema=output_schema),
            is_async=True,
            annotations=annotations,
        )
        tool._build = build
        return tool

    @property
    def built(self) -> bool:
        return self._built is not None

    def sdk_tool(self) -> Tool:
        """The tool as `Tool.from_function` (and registry.py) make it; built once."""
        if self._built is None:
            self._built = self._build()
        return self._built

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        return await self.sdk_tool().run(arguments, context, convert_result=convert_result)


async def _not_built(**_: Any) -> Any:  # pragma: no cover - run() never calls the placeholder
    raise RuntimeError("a deferred tool runs through its SDK tool")
