"""Honest tool annotations, named once so every tool module uses the same shapes.

openWorldHint is left out: the spec's default (true) is right for every tool here, as they all
reach the neuroflash API, and each annotation costs tokens on every turn.
"""

from mcp_types import ToolAnnotations


def read_only(title: str) -> ToolAnnotations:
    return ToolAnnotations(title=title, read_only_hint=True)


def writes(title: str, *, idempotent: bool, destructive: bool = False) -> ToolAnnotations:
    return ToolAnnotations(
        title=title,
        read_only_hint=False,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
    )
