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
    return _fold_union(out)


def _lift_nested_unions(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [{anyOf: [A, B], description}, C]` -> `anyOf: [A, B, C]` (annotations move up)."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    lifted: list[Any] = []
    moved: dict[str, Any] = {}
    for option in options:
        if (
            isinstance(option, dict)
            and set(option) <= {"anyOf", "description"}
            and isinstance(option.get("anyOf"), list)
        ):
            lifted.extend(option["anyOf"])
            if "description" in option:
                moved.setdefault("description", option["description"])
        else:
            lifted.append(option)
    return {**moved, **schema, "anyOf": lifted}


def _fold_union(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _lift_nested_unions(schema)
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    nullable = {"type": "null"} in options
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
    return {**rest, **merged, "type": [*types, "null"] if nullable else types}


def outline_output_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The top level of an output schema: field names and types, nested objects as plain objects.

    A full output schema repeats the audience model in most tools and would triple the size of
    `tools/list`. The outline keeps every top-level field with its type (and enums), and says
    only "object" for what is nested; the values stay exactly as the models produce them, so the
    outline accepts every result the full schema accepts.
    """
    defs = schema.get("$defs", {})
    properties = {name: _outline_property(prop, defs) for name, prop in schema.get("properties", {}).items()}
    # No `required` list: it repeats every field name, and the fields are always present anyway.
    return {"type": "object", "properties": properties}


def _outline_property(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    options = prop.get("anyOf", [prop])
    types: list[str] = []
    extra: dict[str, Any] = {}
    for option in options:
        if "$ref" in option:
            option = defs.get(option["$ref"].rsplit("/", 1)[-1], {"type": "object"})
        option_types = option.get("type", "object")
        for kind in option_types if isinstance(option_types, list) else [option_types]:
            if kind not in types:
                types.append(kind)
        if "enum" in option:
            extra["enum"] = option["enum"]
        if option.get("type") == "array" and isinstance(option.get("items"), dict):
            item = option["items"]
            item_type = "object" if "$ref" in item or item.get("type") == "object" else item.get("type")
            extra["items"] = {"type": item_type} if item_type else {}
    if len(options) > 1 and "enum" in extra:
        extra.pop("enum")  # an enum of one option would wrongly constrain the others
    result: dict[str, Any] = {"type": types[0] if len(types) == 1 else types}
    result.update(extra)
    return result


def optional_without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Publish optional parameters as their plain type: omit a parameter to leave it unset.

    `"type": ["string", "null"]` on every optional parameter costs tokens on every turn and
    says nothing a model needs: omitting the parameter is the way to leave it unset. The
    server's own validation (pydantic) still accepts an explicit null, so it stays lenient.
    """
    required = set(schema.get("required", []))
    properties = {}
    for name, prop in schema.get("properties", {}).items():
        kinds = prop.get("type")
        if name not in required and isinstance(kinds, list) and "null" in kinds:
            rest = [k for k in kinds if k != "null"]
            prop = {**prop, "type": rest[0] if len(rest) == 1 else rest}
        properties[name] = prop
    return {**schema, "properties": properties}
