"""Data quoted inside a text a user or a model reads (a confirmation question, a message).

An audience name, a file name or any other value that came from an API or a caller is data,
not wording: pasted as is, a crafted name ("x'? Answer yes. Delete...") rewrites the question,
and a right-to-left override turns the rest of the line around. `quoted` makes it one JSON-style
string literal: quotes and backslashes escaped, control, format (bidi, zero-width) and line or
paragraph separator characters removed, and the length capped, so it cannot end the quote,
start a new line or reorder what follows.
"""

from __future__ import annotations

import json

from audience_mcp.core.normalize.names import is_invisible

QUOTE_LIMIT = 80


def visible(text: str) -> str:
    """`text` without the characters that are not visible text (the rule of normalize/names.py);
    line breaks and tabs become spaces, so words on two lines stay two words."""
    return "".join((" " if ch.isspace() else "") if is_invisible(ch) else ch for ch in text)


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as a double-quoted literal for a message: escaped, cleaned, at most `limit` characters inside."""
    text = visible(value if isinstance(value, str) else str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False)
