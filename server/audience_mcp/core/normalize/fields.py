"""Names, residence, ages and the three text lists (interests, needs, pain points)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from .adjusted import Adjusted, NormalizationError
from .names import without_invisible
from .text import collapse_whitespace, describe_type, shorten, show

# Stricter than the API (whose docs name no maximum): an age above 120 is a typo, not an audience.
MIN_AGE, MAX_AGE = 0, 120
NAME_MIN, NAME_MAX = 3, 100
RESIDENCE_MAX = 200
ITEM_MAX = 200
LIST_MAX = 100

_LIST_SEPARATORS = re.compile(r"[,;\r\n]+")
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+(?:\.0*)?$")
# Bullets and numbering a model copies from a chat answer ("- LinkedIn", "2) SEO"): a marker
# followed by a space, so "-5% churn" or "3D printing" keep their text.
_LIST_MARKER = re.compile(r"^(?:[-*+•‣◦–—·]|\d{1,2}[.)])\s+")


# --- text lists ---------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _quoted(items: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{shorten(item, 30)}'" for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _raw_items(raw: object, field: str, notes: list[str]) -> tuple[list[object], bool]:
    """The items, and whether they came from splitting text (whose pieces are trimmed silently)."""
    if isinstance(raw, list | tuple):
        return list(raw), False
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, list):
                return parsed, False
        parts = _LIST_SEPARATORS.split(text)
        count = sum(1 for part in parts if part.strip())
        if count > 1:
            notes.append(f"{field}: split the text into {count} items.")
        return list(parts), True
    raise NormalizationError(
        field,
        f'{field}: expected a list of strings such as ["SEO", "content marketing"], got {describe_type(raw)}.',
    )


def _item_text(item: object, field: str, position: int) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, int) and not isinstance(item, bool):
        if abs(item) >= 10**ITEM_MAX:
            raise NormalizationError(
                field, f"{field}: item {position} is a number longer than {ITEM_MAX} digits; send short text."
            )
        return str(item)
    if isinstance(item, float) and math.isfinite(item):
        return str(item)
    raise NormalizationError(
        field,
        f"{field}: item {position} is {describe_type(item)}; every item must be a short text, "
        'e.g. ["SEO", "content marketing"].',
    )


def normalize_text_list(raw: object, field: str) -> Adjusted[list[str]]:
    """A list of short texts: trimmed, no empties, no case-insensitive duplicates, order kept."""
    if raw is None:
        return Adjusted([])
    notes: list[str] = []
    items, from_text = _raw_items(raw, field, notes)
    converted = 0
    unmarked = 0
    trimmed = 0
    empties = 0
    duplicates: list[str] = []
    seen: set[str] = set()
    result: list[str] = []
    for position, item in enumerate(items, start=1):
        text = _item_text(item, field, position)
        converted += not isinstance(item, str)
        clean = collapse_whitespace(text)
        marker = _LIST_MARKER.match(clean)
        if marker:
            clean = clean[marker.end() :]
            unmarked += 1
        if not clean:
            empties += 1
            continue
        if len(clean) > ITEM_MAX:
            raise NormalizationError(
                field,
                f"{field}: item {position} ('{shorten(clean)}') has {len(clean)} characters; "
                f"keep each item at most {ITEM_MAX} characters (split it or shorten it).",
            )
        trimmed += clean != text
        key = clean.casefold()
        if key in seen:
            duplicates.append(clean)
            continue
        seen.add(key)
        result.append(clean)
    if len(result) > LIST_MAX:
        raise NormalizationError(
            field, f"{field}: {len(result)} items is too many; send at most {LIST_MAX} (keep the most important)."
        )
    if converted:
        notes.append(f"{field}: converted {_plural(converted, 'number')} to text.")
    if unmarked:
        notes.append(f"{field}: removed list markers (bullets or numbers) from {_plural(unmarked, 'item')}.")
    if trimmed and not from_text:
        notes.append(f"{field}: trimmed whitespace in {_plural(trimmed, 'item')}.")
    if empties and not from_text:
        notes.append(f"{field}: dropped {_plural(empties, 'empty item')}.")
    if duplicates:
        notes.append(f"{field}: removed {_plural(len(duplicates), 'duplicate')} ({_quoted(duplicates)}).")
    return Adjusted(result, tuple(notes))


def apply_list_edits(current: Sequence[str], add: object, remove: object, field: str) -> Adjusted[list[str]]:
    """Remove, then add (case-insensitive), keeping the current order and appending additions."""
    if isinstance(current, str) or not isinstance(current, Sequence):
        raise NormalizationError(field, f"{field}: the current value is {describe_type(current)}, not a list.")
    result: list[str] = []
    for position, item in enumerate(current, start=1):
        if not isinstance(item, str):
            raise NormalizationError(field, f"{field}: current item {position} is {describe_type(item)}, not text.")
        result.append(item)
    additions = normalize_text_list(add, field)
    removals = normalize_text_list(remove, field)
    notes = [*removals.adjustments, *additions.adjustments]

    for item in removals.value:
        key = item.casefold()
        kept = [existing for existing in result if existing.casefold() != key]
        if len(kept) == len(result):
            notes.append(f"'{shorten(item)}' was not in {field}; nothing removed.")
        result = kept
    for item in additions.value:
        key = item.casefold()
        present = next((existing for existing in result if existing.casefold() == key), None)
        if present is not None:
            notes.append(f"'{shorten(item)}' is already in {field} (as '{shorten(present)}'); not added again.")
            continue
        result.append(item)
    if len(result) > LIST_MAX:
        raise NormalizationError(
            field,
            f"{field}: the edit would leave {len(result)} items; at most {LIST_MAX} are allowed, so remove some first.",
        )
    return Adjusted(result, tuple(notes))


# --- ages ---------------------------------------------------------------------------------------


def _age_error(field: str, shown: str) -> NormalizationError:
    return NormalizationError(
        field, f"{field}: {shown} is not a whole number of years; send an integer from {MIN_AGE} to {MAX_AGE}."
    )


def _age_range_error(field: str, shown: str) -> NormalizationError:
    return NormalizationError(
        field, f"{field}: {shown} is outside {MIN_AGE}..{MAX_AGE}; send an age from {MIN_AGE} to {MAX_AGE}."
    )


def normalize_age(raw: object, field: str) -> Adjusted[int]:
    """A whole number of years in 0..120 from an int, 30.0 or " 30 "."""
    if isinstance(raw, bool) or raw is None:
        raise _age_error(field, json.dumps(raw))
    number: int
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float | Decimal | Fraction):
        finite = raw.is_finite() if isinstance(raw, Decimal) else math.isfinite(raw)
        if not finite:
            raise _age_error(field, show(raw))
        if not MIN_AGE <= raw <= MAX_AGE:  # before int(): int(Decimal("1e999999")) is slow
            raise _age_range_error(field, show(raw))
        if raw != int(raw):
            raise _age_error(field, show(raw))
        number = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not _INTEGER_TEXT.match(text) or len(text) > 20:
            raise _age_error(field, f"'{shorten(text, 30)}'")
        number = int(text.split(".")[0])
    else:
        raise _age_error(field, describe_type(raw))
    if not MIN_AGE <= number <= MAX_AGE:
        raise _age_range_error(field, show(number))
    return Adjusted(number)


def check_age_range(min_age: int, max_age: int) -> None:
    """Reject min_age > max_age (never swap silently: the model should confirm with the user)."""
    if min_age > max_age:
        raise NormalizationError(
            "min_age",
            f"min_age ({min_age}) is greater than max_age ({max_age}); send min_age <= max_age, "
            f"e.g. min_age={max_age} and max_age={min_age} if the values were swapped.",
        )


# --- single texts -------------------------------------------------------------------------------


def _text(raw: object, field: str, example: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(raw, str):
        raise NormalizationError(field, f"{field}: expected text such as '{example}', got {describe_type(raw)}.")
    clean = collapse_whitespace(raw)
    notes = (f"{field}: trimmed whitespace.",) if clean != raw and clean else ()
    return clean, notes


def normalize_name(raw: object, field: str = "name") -> Adjusted[str]:
    """An audience name of 3..100 visible characters, whitespace trimmed and collapsed.

    Control, bidi and zero-width characters are removed (names.py), with an adjustment.
    """
    removed: list[str] = []
    if isinstance(raw, str):
        raw, removed = without_invisible(raw)
    clean, notes = _text(raw, field, "Young urban professionals")
    if removed and not clean:
        raise NormalizationError(
            field,
            f"{field}: has no visible characters (only {', '.join(removed)} ones); send a name of "
            f"{NAME_MIN} to {NAME_MAX} visible characters, e.g. 'Young urban professionals'.",
        )
    if removed:
        notes = (f"{field}: removed {', '.join(removed)} characters, which are not visible text.",)
    if not NAME_MIN <= len(clean) <= NAME_MAX:
        raise NormalizationError(
            field,
            f"{field}: has {len(clean)} characters after trimming; send a name of {NAME_MIN} to {NAME_MAX} characters.",
        )
    return Adjusted(clean, notes)


def normalize_residence(raw: object) -> Adjusted[str]:
    """Where the audience lives ("Berlin", "urban areas in Germany"): non-empty, at most 200 characters."""
    field = "residence"
    clean, notes = _text(raw, field, "Berlin")
    if not clean:
        raise NormalizationError(
            field, f"{field}: is empty; send where the audience lives, e.g. 'Berlin' or 'urban Germany'."
        )
    if len(clean) > RESIDENCE_MAX:
        raise NormalizationError(
            field,
            f"{field}: has {len(clean)} characters; send at most {RESIDENCE_MAX}, e.g. 'Berlin' or 'urban Germany'.",
        )
    return Adjusted(clean, notes)
