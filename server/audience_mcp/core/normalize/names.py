"""Invisible characters in names: what a name may not carry, and how it is cleaned.

A name is shown to people (in the neuroflash app, in confirmation questions), so characters
that are not visible text are never kept: NUL and other control characters, bidi embeddings,
overrides and isolates (which reorder how the rest of a line reads), and zero-width spaces.
The zero-width joiner and non-joiner are kept between visible characters, since emoji
sequences and Persian or Indic spellings need them. A name that is nothing but such
characters is no name at all.
"""

from __future__ import annotations

import unicodedata

# Cc control, Cf format (bidi marks and overrides, zero-width spaces), Zl/Zp line and paragraph
# separators, Cs lone surrogates.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_JOINERS = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ: part of how some words and emoji are spelled
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_invisible(ch: str) -> bool:
    """Not visible text: see INVISIBLE_CATEGORIES (tabs and newlines count; spaces do not)."""
    return unicodedata.category(ch) in INVISIBLE_CATEGORIES


def _kind(ch: str) -> str:
    if ch == "\x00":
        return "NUL"
    if ch in _BIDI:
        return "text-direction"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "control"
    return "zero-width" if category == "Cf" else "invisible"


def without_invisible(text: str) -> tuple[str, list[str]]:
    """`text` with invisible characters removed (whitespace controls become spaces), and what kinds went.

    Tabs and line breaks become spaces rather than vanishing, so "a\\tb" stays two words; the
    caller collapses whitespace afterwards.
    """
    kept: list[str] = []
    kinds: list[str] = []
    for index, ch in enumerate(text):
        if not is_invisible(ch):
            kept.append(ch)
            continue
        if ch in _JOINERS and 0 < index < len(text) - 1:
            before, after = text[index - 1], text[index + 1]
            if not (is_invisible(before) or before.isspace() or is_invisible(after) or after.isspace()):
                kept.append(ch)
                continue
        if ch.isspace():
            kept.append(" ")  # \t, \n, \r, \x1c-\x1f, \x85: collapsed by the caller, not a removal
            continue
        kind = _kind(ch)
        if kind not in kinds:
            kinds.append(kind)
    return "".join(kept), kinds
