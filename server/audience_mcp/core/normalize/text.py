"""Small text helpers shared by the normalizers (private to the package)."""

from __future__ import annotations

import unicodedata

# Combining marks are dropped only after letters of these scripts (Latin, Greek, Cyrillic and the
# Latin extension block), so "Türkçe" folds to "turkce" while Devanagari or kana keep the marks
# that change which word it is.
_FOLDABLE_BASES = ((0x0000, 0x052F), (0x1E00, 0x1EFF))


def _foldable(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _FOLDABLE_BASES)


def fold(text: str) -> str:
    """A lookup key: accents (on Latin/Greek/Cyrillic letters), case, punctuation, spacing ignored."""
    out: list[str] = []
    base_foldable = False
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if not base_foldable:
                out.append(ch)
            continue
        base_foldable = _foldable(ch)
        out.append(ch if ch.isalnum() else " ")
    folded = unicodedata.normalize("NFC", "".join(out)).casefold()
    return " ".join(folded.split())


def collapse_whitespace(text: str) -> str:
    """Trim and turn every run of whitespace (any Unicode space, tabs, newlines) into one space."""
    return " ".join(text.split())


def shorten(text: str, limit: int = 40) -> str:
    """Text for quoting inside a message: at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_type(value: object) -> str:
    """A model-friendly name of a JSON-ish type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def show(value: object, limit: int = 30) -> str:
    """``str(value)`` for a message, shortened, and safe for ints past Python's int->str limit."""
    try:
        text = str(value)
    except ValueError:  # int (or a Fraction of ints) with more than 4300 digits
        return "a number with thousands of digits"
    return shorten(text, limit)
