"""Toolsets and their publication: which tools a server serves, and how they are advertised.

A platform declares its tools as toolsets (as github-mcp-server does); the server picks the
toolsets it serves (`AUDIENCE_MCP_TOOLSETS`) and read-only mode is one filter here, on each
tool's `read_only_hint`, instead of a decision inside every toolset. Tools are built with the
SDK's public `Tool.from_function` and handed to `MCPServer(tools=...)`; the compact schemas and
the call wrapper are applied once, at build time, before anything reads them. With
precomputed schemas (published.py), a tool is listed from them and built on its first call.
A platform names its tool functions ("package.module:function") instead of importing them, so
choosing, filtering and listing tools imports no tool module; what builds a tool is imported here
only when one is built.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from mcp.server.mcpserver.tools import Tool
from mcp_types import ToolAnnotations

from audience_mcp.core.mcp.published import DeferredTool, Published, PublishedSchemas, load_target, target_name

ToolFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its function (the name is the function's) and its honest annotations.

    `function` is the function, or where it lives as "package.module:function": then its module
    is imported when the tool is built (on its first call, when published.py lists it).
    `read_only_annotations` is for a tool that writes only when asked to (a draft tool's
    `create=true`): read-only mode serves it with these, and the tool refuses the writing path.
    """

    function: ToolFunction | str
    annotations: ToolAnnotations
    read_only_annotations: ToolAnnotations | None = None

    @property
    def name(self) -> str:
        return target_name(self.function)

    @property
    def fn(self) -> ToolFunction:
        """The tool function, its module imported now if the spec names it."""
        return cast(ToolFunction, load_target(self.function))

    def annotations_for(self, *, read_only: bool) -> ToolAnnotations | None:
        """The annotations to serve in this mode; None when the tool is not served at all."""
        if not read_only or self.annotations.read_only_hint:
            return self.annotations
        return self.read_only_annotations


@dataclass(frozen=True)
class Toolset:
    """Tools that belong together and are switched on or off together."""

    name: str
    description: str
    tools: tuple[ToolSpec, ...] = field(default_factory=tuple)


class SettingsChoiceError(ValueError):
    """A setting chose something the server does not have; the text says what exists."""


class UnknownToolsetError(SettingsChoiceError):
    """AUDIENCE_MCP_TOOLSETS named a toolset no enabled platform has."""


def select_toolsets(toolsets: Sequence[Toolset], wanted: Iterable[str]) -> list[Toolset]:
    """The toolsets named in `wanted` (all of them when it is empty), in declaration order."""
    names = {name.strip().lower() for name in wanted if name.strip()}
    if not names:
        return list(toolsets)
    unknown = names - {toolset.name for toolset in toolsets}
    if unknown:
        known = ", ".join(toolset.name for toolset in toolsets)
        raise UnknownToolsetError(f"unknown toolsets: {', '.join(sorted(unknown))} (known: {known})")
    return [toolset for toolset in toolsets if toolset.name in names]


def build_tools(toolsets: Iterable[Toolset], *, read_only: bool, schemas: PublishedSchemas | None = None) -> list[Tool]:
    """The SDK tools to serve: read-only mode drops every tool that writes, here and only here.

    A tool with a current entry in `schemas` is built on its first call instead of now.
    """
    tools: list[Tool] = []
    for toolset in toolsets:
        for spec in toolset.tools:
            annotations = spec.annotations_for(read_only=read_only)
            if annotations is None:
                continue
            published = schemas.get(spec.name, spec.function) if schemas is not None else None
            if published is None:
                tools.append(_published(spec, annotations))
            else:
                tools.append(_deferred(spec, annotations, published))
    return tools


def _deferred(spec: ToolSpec, annotations: ToolAnnotations, published: Published) -> Tool:
    return DeferredTool.publish(
        name=spec.name,
        description=published.description,
        input_schema=published.input_schema,
        output_schema=published.output_schema,
        annotations=annotations,
        build=lambda: _published(spec, annotations),
    )


def _description(docstring: str) -> str:
    return " ".join(docstring.split())  # docstring indentation is not for the model


def _published(spec: ToolSpec, annotations: ToolAnnotations) -> Tool:
    # Imported here, not at start-up: a server whose tools are all deferred builds none before a call.
    from audience_mcp.core.mcp.access import scoped
    from audience_mcp.core.mcp.arguments import ArgumentCheckedTool
    from audience_mcp.core.mcp.call_guard import guarded
    from audience_mcp.core.mcp.schemas import compact_schema, optional_without_null, outline_output_schema

    # Arguments are checked and refused in the project's voice (arguments.py), not pydantic's.
    tool = ArgumentCheckedTool.from_function(spec.fn, name=spec.name, annotations=annotations)
    assert isinstance(tool, ArgumentCheckedTool)  # from_function builds the class it is called on
    # Shrink what every tools/list carries (schemas.py); validation still uses the pydantic models.
    output_schema = tool.fn_metadata.output_schema
    updates: dict[str, Any] = {
        # Wrapped after from_function, which resolves the annotations in the function's own module.
        "fn": guarded(tool.fn),
        "description": _description(tool.description),
        "parameters": optional_without_null(compact_schema(tool.parameters)),
    }
    if output_schema is not None:
        tool.fn_metadata.output_schema = outline_output_schema(compact_schema(output_schema))
    return scoped(tool.model_copy(update=updates))  # the caller's scopes are checked first (access.py)
