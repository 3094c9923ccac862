"""Data inside a question or a message is one quoted literal: escaped, cleaned, capped."""

import json

import pytest

from audience_mcp.core.mcp.quoting import QUOTE_LIMIT, quoted


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("Marketing leaders", '"Marketing leaders"', id="plain"),
        pytest.param('say "yes"', '"say \\"yes\\""', id="quotes-escaped"),
        pytest.param("a\\b", '"a\\\\b"', id="backslash-escaped"),
        pytest.param("line\nbreak\rand\ttab", '"line break and tab"', id="line-breaks-become-spaces"),
        pytest.param("\u202eevil\u202c name", '"evil name"', id="bidi-removed"),
        pytest.param("zero\u200bwidth\x00nul", '"zerowidthnul"', id="invisible-removed"),
        pytest.param(42, '"42"', id="not-text"),
    ],
)
def test_data_is_quoted_as_one_clean_literal(value: object, shown: str) -> None:
    assert quoted(value) == shown


def test_long_data_is_capped() -> None:
    text = quoted("x" * 1000)

    inside = json.loads(text)
    assert len(inside) == QUOTE_LIMIT and inside.endswith("…")
