"""Tools published from precomputed schemas, built the SDK's way on their first call.

`Tool.from_function` creates a tool's argument model and derives both JSON schemas with
pydantic: several milliseconds per tool, most of the server's start-up, spent before the
first `tools/list` can be answered although a session calls only a few tools. So the
published form of each tool (its description, the compact input schema and the outlined output
schema that registry.py makes) is computed once, by `python -m audience_mcp.dev.catalog --write`,
and kept in `published_tools.json`, keyed by a fingerprint of the tool function's declaration:
its `def` line through its docstring, as written in the source. That text is read from the tool
module's file without importing the module, so a platform declares its tools by name
("package.module:function", registry.ToolSpec) and no tool module is imported at start-up.
At start-up a tool whose fingerprint matches is listed from the file as a `DeferredTool`, which
imports its module and builds the SDK tool on its first call and delegates to it; any other tool
(no entry, a changed signature or docstring, no readable source) is built at start-up as before.
A test fails when the file differs from what the tools would publish now, so a change that the
fingerprint cannot see (a field description in a type alias, a default named from another
module) is caught in CI.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import ToolAnnotations
from pydantic import PrivateAttr

# Bump when registry.py or schemas.py change how a schema is published: every entry goes stale.
PUBLICATION_FORMAT = 2

# A tool or prompt function: the function itself, or where it lives as "package.module:function".
ToolTarget = Callable[..., Any] | str


def target_name(target: ToolTarget) -> str:
    """The function's name, without importing its module."""
    return target.rpartition(":")[2] if isinstance(target, str) else target.__name__


def load_target(target: ToolTarget) -> Callable[..., Any]:
    """The function, its module imported now if the target names it."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def _through_docstring(source: str) -> str:
    """A declaration's text from its `def` through the end of its docstring (all of it if it has none)."""
    opening = source.find('"""')
    closing = source.find('"""', opening + 3) if opening >= 0 else -1
    return source if closing < 0 else source[: closing + 3]


def _declaration_in_module(module: str, name: str, sources: dict[str, str | None]) -> str | None:
    """The declaration of the top-level function `name` in `module`'s source file, not importing it."""
    if module not in sources:
        sources[module] = None
        try:
            spec = importlib.util.find_spec(module)  # imports the parent packages only
            if spec is not None and spec.origin and spec.origin.endswith(".py"):
                sources[module] = Path(spec.origin).read_text(encoding="utf-8")
        except (ImportError, OSError, ValueError):
            pass
    source = sources[module]
    if source is None:
        return None
    # A plain search (a compiled pattern per tool would cost more than the rest of this module).
    for start in (f"\nasync def {name}(", f"\ndef {name}("):
        found = source.find(start)
        if found >= 0:
            return _through_docstring(source[found + 1 :])
    return None


def _declaration_of_function(fn: Callable[..., Any]) -> str | None:
    try:
        return _through_docstring(inspect.getsource(fn))
    except (OSError, TypeError):
        return None


def fingerprint(target: ToolTarget, sources: dict[str, str | None] | None = None) -> str | None:
    """What the published schemas of a tool function are derived from, as far as it is cheap to see:
    its module, its name and its declaration's text (signature and docstring as written).

    A function given by name is read from its module's file, not imported; `sources` caches the
    files read. None when the source cannot be read: the tool is then built at start-up.
    """
    if isinstance(target, str):
        module, _, name = target.partition(":")
        text = _declaration_in_module(module, name, {} if sources is None else sources)
    else:
        module, name = target.__module__, target.__qualname__
        text = _declaration_of_function(target)
    if text is None:
        return None
    material = repr((PUBLICATION_FORMAT, module, name, text))
    return hashlib.sha256(material.encode("utf-8", "backslashreplace")).hexdigest()[:24]


@dataclass(frozen=True)
class Published:
    """How a tool is listed: what `tools/list` shows of it, as the built tool would show it."""

    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None


class PublishedSchemas:
    """The precomputed descriptions and schemas of tools, by tool name."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self._entries = entries
        self._sources: dict[str, str | None] = {}  # module -> its source text, read once

    @classmethod
    def load(cls, path: Path) -> PublishedSchemas:
        """The file's entries; none when it is missing or unreadable (every tool is then built at start-up)."""
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls({})
        return cls(entries if isinstance(entries, dict) else {})

    def entry(self, name: str, target: ToolTarget) -> Mapping[str, Any] | None:
        """The entry of `name`, if it was made from this very declaration."""
        entry = self._entries.get(name)
        if not isinstance(entry, dict) or "fingerprint" not in entry:
            return None
        current = fingerprint(target, self._sources)
        if current is None or entry["fingerprint"] != current:
            return None
        return entry

    def get(self, name: str, target: ToolTarget) -> Published | None:
        """How this tool is listed, if the entry was made from this very declaration."""
        entry = self.entry(name, target)
        if entry is None:
            return None
        return Published(entry["description"], entry["input_schema"], entry.get("output_schema"))


def published_entry(target: ToolTarget, tool: Tool) -> dict[str, Any]:
    """The file's entry for a tool built at start-up (what `dev.catalog --write` stores)."""
    return {
        "fingerprint": fingerprint(target),
        "description": tool.description,
        "input_schema": tool.parameters,
        "output_schema": tool.output_schema,
    }


def published_prompt_entry(target: ToolTarget, prompt: Prompt) -> dict[str, Any]:
    """The entry of a prompt in `published_prompts.json`: what `prompts/list` shows of it."""
    return {
        "fingerprint": fingerprint(target),
        "description": prompt.description,
        "arguments": [argument.model_dump() for argument in prompt.arguments or []],
    }


class DeferredPrompt(Prompt):
    """A prompt listed from its published entry; the SDK's prompt (`Prompt.from_function`: an
    argument model and a validating wrapper) is built on its first `prompts/get`, which it renders.

    Subclasses the SDK's public `Prompt` and overrides only its public `render`.
    """

    _build: Callable[[], Prompt] = PrivateAttr()
    _built: Prompt | None = PrivateAttr(default=None)

    @classmethod
    def publish(cls, *, name: str, entry: Mapping[str, Any], build: Callable[[], Prompt]) -> DeferredPrompt:
        prompt = cls(
            name=name,
            description=entry["description"],
            arguments=[PromptArgument.model_validate(argument) for argument in entry["arguments"]],
            fn=_not_built,
        )
        prompt._build = build
        return prompt

    @property
    def built(self) -> bool:
        return self._built is not None

    def sdk_prompt(self) -> Prompt:
        if self._built is None:
            self._built = self._build()
        return self._built

    async def render(self, arguments: dict[str, Any] | None, context: Any) -> Any:
        return await self.sdk_prompt().render(arguments, context)


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


async def _not_built(**_: Any) -> Any:  # pragma: no cover - run() and render() never call the placeholder
    raise RuntimeError("a deferred tool or prompt runs through the SDK's")
