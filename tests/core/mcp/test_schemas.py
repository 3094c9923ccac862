"""Compacted schemas accept exactly what the originals accept."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audience_mcp.core.mcp.schemas import compact_schema

NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Country"}
NULLABLE_UNION = {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}], "title": "Age"}
NULLABLE_ARRAY = {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}
NULLABLE_REF = {
    "$defs": {"X": {"type": "object", "properties": {"a": {"type": "integer", "title": "A"}}, "title": "X"}},
    "anyOf": [{"$ref": "#/$defs/X"}, {"type": "null"}],
}
OBJECT_WITH_TITLE_PROPERTY = {
    "type": "object",
    "properties": {"title": {"type": "string", "title": "Title"}},
    "required": ["title"],
    "title": "Thing",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


def accepts(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


@pytest.mark.parametrize(
    "schema", [NULLABLE_STRING, NULLABLE_UNION, NULLABLE_ARRAY, NULLABLE_REF, OBJECT_WITH_TITLE_PROPERTY]
)
@given(value=json_values)
def test_a_compacted_schema_accepts_the_same_values(schema: dict[str, Any], value: Any) -> None:
    assert accepts(compact_schema(schema), value) == accepts(schema, value)


def test_titles_and_null_defaults_are_dropped_but_a_property_named_title_is_kept() -> None:
    compacted = compact_schema(OBJECT_WITH_TITLE_PROPERTY)
    assert "title" not in compacted and "title" in compacted["properties"]
    assert compact_schema(NULLABLE_STRING) == {"type": ["string", "null"]}


def test_a_nullable_reference_is_left_as_a_union() -> None:
    assert "anyOf" in compact_schema(NULLABLE_REF)


def test_lone_surrogates_become_replacement_characters_everywhere_in_a_value() -> None:
    from audience_mcp.core.mcp.results import without_lone_surrogates

    cleaned = without_lone_surrogates({"k\ud800": ["a\udfffb", {"x": "\ud83d"}], "n": 1, "ok": "Grüße 😀"})
    assert cleaned == {"k\ufffd": ["a\ufffdb", {"x": "\ufffd"}], "n": 1, "ok": "Grüße 😀"}
