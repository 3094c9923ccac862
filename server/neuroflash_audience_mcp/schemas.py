"""Compact JSON schemas for `tools/list`: same meaning, fewer tokens.

Every tool schema is read by the model on every turn, and pydantic's schemas spend much of
their size on `title` annotations, `default: null` and `anyOf: [X, {"type": "null"}]`. This
rewrites them to an equivalent form (titles dropped, null defaults dropped, nullable simple
types as `"type": [X, "null"]`). Clients validate structured results against the output
schema, so the rewrite must never change what validates: only annotations are dropped, and a
nullable union is folded only when both sides are plain `type` schemas.
"""

from __future__ import annotations

from typing import Any

_MAP_KEYS = frozenset({"properties", "$defs", "definitions", "patternProperties"})
_FOLDABLE = frozenset({"type", "description", "default", "items", "additionalProperties", "format", "enum"})


def compact_schema(schema: Any) -> Any:
    """A smaller schema that accepts exactly the same documents."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title":
            continue
        if key == "default" and value is None:
            continue
        if key in _MAP_KEYS and isinstance(value, dict):
            out[key] = {name: compact_schema(sub) for name, sub in value.items()}
        else:
            out[key] = compact_schema(value)
    return _fold_nullable(out)


def _fold_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    options = schema.get("anyOf")
    if not isinstance(options, list) or {"type": "null"} not in options:
        return schema
    others = [o for o in options if o != {"type": "null"}]
    # Fold only unions of plain typed schemas without their own constraints on other keys.
    if not others or not all(isinstance(o, dict) and "type" in o and set(o) <= _FOLDABLE for o in others):
        return schema
    types: list[str] = []
    merged: dict[str, Any] = {}
    for option in others:
        option_types = option["type"] if isinstance(option["type"], list) else [option["type"]]
        types.extend(t for t in option_types if t not in types)
        for key, value in option.items():
            if key == "type":
                continue
            if key in merged and merged[key] != value:
                return schema  # e.g. two array types with different items: keep the union
            merged[key] = value
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**rest, **merged, "type": [*types, "null"]}
