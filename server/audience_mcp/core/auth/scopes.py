"""Which OAuth scope a tool needs, decided by its annotations here and nowhere else.

- `audiences:read`: the read-only tools (`read_only_hint`).
- `audiences:write`: every tool that writes.
- `audiences:delete`: also needed by destructive tools (deletes, activations, undoing a change),
  on top of `audiences:write`.

A caller without a token (stdio, or HTTP with --no-auth on loopback) and the shared static
bearer token hold every scope; an OAuth access token holds what its `scope` claim grants.
"""

from __future__ import annotations

from collections.abc import Iterable

from mcp_types import ToolAnnotations

READ = "audiences:read"
WRITE = "audiences:write"
DELETE = "audiences:delete"
ALL_SCOPES: tuple[str, ...] = (READ, WRITE, DELETE)


def scopes_for(annotations: ToolAnnotations | None) -> tuple[str, ...]:
    """The scopes a tool with these annotations needs; unannotated tools count as destructive writes."""
    if annotations is not None and annotations.read_only_hint:
        return (READ,)
    # MCP's default for destructive_hint is true: a writing tool that does not say otherwise may destroy.
    if annotations is not None and annotations.destructive_hint is False:
        return (WRITE,)
    return (WRITE, DELETE)


def missing_scopes(needed: Iterable[str], granted: Iterable[str]) -> list[str]:
    have = set(granted)
    return [scope for scope in needed if scope not in have]


def refusal(tool: str, missing: list[str], granted: Iterable[str]) -> str:
    """The text a caller gets when its token lacks a scope: which one, and what it can do instead."""
    have = sorted(set(granted) & set(ALL_SCOPES))
    held = f"it grants {', '.join(have)}" if have else f"it grants none of {', '.join(ALL_SCOPES)}"
    return (
        f"{tool} needs the OAuth scope {' and '.join(missing)}, which your access token does not grant ({held}). "
        "Nothing was done. Ask your identity provider's administrator for the scope, or use a tool your token "
        "allows."
    )
