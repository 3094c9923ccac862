"""The words for each gender share a model may use ("women", "Frauen", "non-binary", "n/a").

Data and its index only; gender.py reads them.
"""

from __future__ import annotations

from audience_mcp.core.normalize.text import fold

# Alias -> canonical key. Keys are compared after folding (case, accents) and dropping spaces,
# dashes, underscores, dots and slashes, so "Non-Binary", "non_binary" and "NON BINARY" are one.
_ALIASES: dict[str, tuple[str, ...]] = {
    "female": ("female", "females", "women", "woman", "f", "w", "frauen", "frau", "weiblich"),
    "male": (
        "male",
        "males",
        "men",
        "man",
        "m",
        "männer",
        "maenner",
        "mann",
        "männlich",
        "maennlich",
    ),
    "nonBinary": (
        "nonBinary",
        "non-binary",
        "nb",
        "enby",
        "diverse",
        "divers",
        "other",
        "others",
        "x",
        "nichtbinär",
        "nichtbinaer",
    ),
    "preferNotToSay": (
        "preferNotToSay",
        "prefer_not_to_say",
        "prefer-not-to-say",
        "unknown",
        "undisclosed",
        "not_specified",
        "unspecified",
        "n/a",
        "na",
        "none",
        "no_answer",
        "keine Angabe",
    ),
}


def alias_key(text: str) -> str:
    return "".join(fold(text).split())


def _build_alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in _ALIASES.items():
        for alias in aliases:
            index[alias_key(alias)] = canonical
    return index


ALIAS_INDEX = _build_alias_index()  # a few dozen entries; cheap enough to build at import
