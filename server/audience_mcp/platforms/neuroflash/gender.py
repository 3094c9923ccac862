"""Gender shares: whatever a model sends -> four fractions that sum to exactly 1.

The API compares the sum like Java's BigDecimal, so 0.1 + 0.2 + 0.7 style float noise is a 400.
All arithmetic here is exact (``Fraction``); the output is built from integer units of 1/10000 so
``repr`` of every float is its short decimal and the JSON literals add up to exactly 1.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

from audience_mcp.core.http.wire import decimal_of
from audience_mcp.core.normalize.adjusted import Adjusted, NormalizationError
from audience_mcp.core.normalize.shares import largest_remainder
from audience_mcp.core.normalize.text import describe_type, shorten, show
from audience_mcp.platforms.neuroflash.gender_names import ALIAS_INDEX, alias_key

FIELD = "gender_distribution"

# The one definition; the sandbox keeps a copy, proven equal by tests/platforms/neuroflash/sandbox/test_shared_rules.py.
GENDER_KEYS: tuple[str, ...] = ("female", "male", "nonBinary", "preferNotToSay")
DEFAULT_GENDER_SHARES: dict[str, float] = {
    "female": 0.5,
    "male": 0.4,
    "nonBinary": 0.07,
    "preferNotToSay": 0.03,
}

_EXAMPLE = '{"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}'
_UNITS = 10_000  # 4 decimals
_NOISE = Fraction(1, 10**9)  # differences below this are float noise, not a change worth reporting
_TOLERANCE = Fraction(5, 100)  # sums within 5 percentage points of 100% are scaled, others rejected
_MAX_NUMBER_TEXT = 40  # longer "numbers" are not shares; also keeps Decimal/Fraction work bounded


_NUMBER_TEXT = re.compile(
    r"^(?P<num>[-+]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+))\s*(?P<pct>%|percent|prozent|pct)?$",
    re.IGNORECASE,
)
_NUMBER_IN_TEXT = re.compile(
    r"(?:(?<![\w.,])[-+])?[0-9]+(?:[.,][0-9]+)?(?:\s*(?:%|percent\b|prozent\b|pct\b))?",
    re.IGNORECASE,
)
_LABEL_SPLIT = re.compile(r"[\s,;:=(){}\[\]\"'|&+*<>]+")
_FILLER_WORDS = frozenset(
    {"and", "und", "et", "y", "e", "plus", "or", "oder", "are", "is", "sind", "the", "die", "der", "of"}
    # Hedges around a share ("mostly women (about 60%)") name no gender and change no number.
    | {"about", "around", "approximately", "approx", "roughly", "circa", "ca", "mostly", "mainly", "some"}
    | {"etwa", "ungefähr", "rund", "meist", "überwiegend", "hauptsächlich"}
)
# "60% women, rest men": the share of the gender named next to it is what the others leave.
_REST_WORDS = re.compile(r"\b(?:the\s+)?(?:rest|remainder|remaining|restliche[nr]?)\b", re.IGNORECASE)
_REST_MARK = "0%"  # stands in for the rest while the text is read; its value is computed after
_REST = object()
# "60/40 women/men": numbers and names each joined by slashes, in the same order.
_SHARE = r"[0-9]+(?:[.,][0-9]+)?\s*%?"
_NAME = r"[^\W\d][^/,;:()0-9]*?"
_SLASHED = (
    re.compile(rf"^\s*(?P<nums>{_SHARE}(?:\s*/\s*{_SHARE})+)\s+(?P<names>{_NAME}(?:\s*/\s*{_NAME})+)\s*$"),
    re.compile(rf"^\s*(?P<names>{_NAME}(?:\s*/\s*{_NAME})+)\s*:?\s+(?P<nums>{_SHARE}(?:\s*/\s*{_SHARE})+)\s*$"),
)


def _error(message: str) -> NormalizationError:
    return NormalizationError(FIELD, f"{FIELD}: {message}")


def _format_percent(fraction: Fraction) -> str:
    """``fraction`` (1 = 100%) as a percent number for a message: 98, 98.5, 99.99999."""
    value = fraction * 100
    if value > 10**6:
        return "more than 1000000"
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        shown = exact.quantize(Decimal("0.01"))
        if shown == 100 and fraction != 1:
            shown = exact.quantize(Decimal("1e-8"))
        text = format(shown.normalize(), "f")
    return text


# --- reading the input --------------------------------------------------------------------------


def _pairs_from_raw(raw: object, notes: list[str]) -> list[tuple[str, object]]:
    """The (key as written, value) pairs from a mapping, a JSON object string or free text."""
    if isinstance(raw, Mapping):
        pairs: list[tuple[str, object]] = []
        for key, value in raw.items():
            if not isinstance(key, str):
                raise _error(f"keys must be strings (got {describe_type(key)}); send an object like {_EXAMPLE}.")
            pairs.append((key, value))
        return pairs
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise _error(f"got an empty string; send an object like {_EXAMPLE}.")
        if text.startswith("{"):
            try:
                parsed = json.loads(text, parse_float=Decimal)
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, dict):
                return _pairs_from_raw(parsed, notes)
        pairs = _pairs_from_text(text)
        notes.append(f"{FIELD}: read the text '{shorten(text, 60)}' as shares.")
        return pairs
    raise _error(f"got {describe_type(raw)}; send an object like {_EXAMPLE}.")


def _clean_label(chunk: str) -> str:
    """A label from free text without punctuation and filler words: ", and women:" -> "women"."""
    return " ".join(w for w in _LABEL_SPLIT.split(chunk) if w and w.casefold() not in _FILLER_WORDS)


def _is_framing(chunk: str) -> bool:
    """Text around the pairs that names no gender ("Split:", "(estimated)."), so it can be ignored."""
    return not any(alias_key(word) in ALIAS_INDEX for word in _clean_label(chunk).split())


def _trim_edge(label: str, *, keep_end: bool) -> str:
    """Drop framing words before the first label ("Split female") or after the last ("men estimated")."""
    words = label.split()
    for size in range(len(words), 0, -1):
        candidate = " ".join(words[-size:] if keep_end else words[:size])
        if alias_key(candidate) in ALIAS_INDEX:
            return candidate
    return label


def _unslashed(text: str) -> str:
    """ "60/40 women/men" -> "60 women, 40 men"; other text unchanged."""
    for pattern in _SLASHED:
        match = pattern.match(text)
        if match:
            nums = [n.strip() for n in match.group("nums").split("/")]
            names = [n.strip() for n in match.group("names").split("/")]
            if len(nums) == len(names):
                return ", ".join(f"{num} {name}" for num, name in zip(nums, names, strict=True))
    return text


def _pairs_from_text(text: str) -> list[tuple[str, object]]:
    """Free text such as "60% women, 38% men, 2% non-binary" or "female 50, male 40, diverse 10"."""
    text = _unslashed(text)
    rest = _REST_WORDS.search(text)
    rest_at = -1
    if rest is not None:
        rest_at = rest.start() + 1
        text = f"{text[: rest.start()]} {_REST_MARK} {text[rest.end() :]}"
    matches = list(_NUMBER_IN_TEXT.finditer(text))
    if not matches:
        raise _error(
            f"found no numbers in '{shorten(text)}'; send an object like {_EXAMPLE} "
            'or text like "50% female, 40% male, 7% non-binary, 3% prefer not to say".'
        )
    numbers = [m.group(0) for m in matches]
    bounds = [0, *(x for m in matches for x in m.span()), len(text)]
    chunks = [_clean_label(text[bounds[i] : bounds[i + 1]]) for i in range(0, len(bounds), 2)]
    unresolved: list[str] = []
    # "female 50, male 40" (each label before its number) or "50% female, 40% male" (after).
    for labels_first in (True, False):
        if not _is_framing(chunks[-1] if labels_first else chunks[0]):
            continue
        labels = chunks[:-1] if labels_first else chunks[1:]
        edge = 0 if labels_first else -1
        labels[edge] = _trim_edge(labels[edge], keep_end=labels_first)
        bad = [label for label in labels if alias_key(label) not in ALIAS_INDEX]
        if not bad:
            values: list[object] = [
                _REST if match.start() == rest_at else number for match, number in zip(matches, numbers, strict=True)
            ]
            return list(zip(labels, values, strict=True))
        if not unresolved or ("" in unresolved and "" not in bad):  # name a word, not a bare number
            unresolved = bad
    named = ", ".join(repr(shorten(b, 20)) if b else "a bare number" for b in unresolved[:3])
    detail = f" (no gender named by {named})" if unresolved else ""
    raise _error(
        f"could not read '{shorten(text)}' as shares{detail}; send an object like {_EXAMPLE} "
        'or text like "50% female, 40% male, 7% non-binary, 3% prefer not to say".'
    )


def _resolve_keys(pairs: list[tuple[str, object]], notes: list[str]) -> dict[str, tuple[str, object]]:
    resolved: dict[str, tuple[str, object]] = {}
    unknown: list[str] = []
    renamed: list[str] = []
    for written, value in pairs:
        canonical = ALIAS_INDEX.get(alias_key(written))
        if canonical is None:
            unknown.append(written)
            continue
        if canonical in resolved:
            first = resolved[canonical][0]
            raise _error(
                f"'{shorten(first, 30)}' and '{shorten(written, 30)}' both give the {canonical} share; "
                f"send each share once, e.g. {_EXAMPLE}."
            )
        resolved[canonical] = (written, value)
        if alias_key(written) != alias_key(canonical):
            renamed.append(f"'{shorten(written, 30)}' as {canonical}")
    if unknown:
        names = ", ".join(repr(shorten(u, 30)) for u in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise _error(
            f"unknown key(s) {names}{more}; use female, male, nonBinary and preferNotToSay "
            f"(aliases such as women, men, diverse and unknown also work), e.g. {_EXAMPLE}."
        )
    if renamed:
        notes.append(f"{FIELD}: read {', '.join(renamed)}.")
    return resolved


def _parse_value(key: str, value: object) -> tuple[Fraction, bool]:
    """The number and whether it was written with a percent sign."""
    hint = 'send a number such as 0.5 (fraction) or 50 / "50%" (percent).'
    if isinstance(value, bool) or value is None:
        raise _error(f"{key} is {json.dumps(value)}, not a number; {hint}")
    if isinstance(value, int):
        return Fraction(value), False
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error(f"{key} is {value!r}, not a finite number; {hint}")
        return Fraction(decimal_of(value)), False
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _error(f"{key} is {value}, not a finite number; {hint}")
        if abs(value.adjusted()) > _MAX_NUMBER_TEXT:
            raise _error(f"{key} is {value:.3e}, which is not a usable share; {hint}")
        return Fraction(value), False
    if isinstance(value, Fraction):
        return value, False
    if isinstance(value, str):
        text = value.strip()
        match = _NUMBER_TEXT.match(text) if len(text) <= _MAX_NUMBER_TEXT else None
        if match is None:
            raise _error(f"{key} is '{shorten(text, 30)}', not a number; {hint}")
        try:
            number = Decimal(match.group("num").replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern only lets valid decimals through
            raise _error(f"{key} is '{shorten(text, 30)}', not a number; {hint}") from None
        return Fraction(number), match.group("pct") is not None
    raise _error(f"{key} is {describe_type(value)}, not a number; {hint}")


# --- the public functions -----------------------------------------------------------------------


def normalize_gender_shares(raw: object, stored: object = None) -> Adjusted[dict[str, float]]:
    """Turn any reasonable gender split into the API's four fractions summing to exactly 1.

    `stored` is the audience's current split (an update): shares given only in part, such as
    {"female": 0.7}, keep the stored proportions of the others, scaled to what is left.
    """
    notes: list[str] = []
    pairs = _pairs_from_raw(raw, notes)
    resolved = _resolve_keys(pairs, notes)
    if not resolved:
        raise _error(f"no shares given; send all four shares adding up to 100%, e.g. {_EXAMPLE}.")
    rest_key = next((key for key, (_, value) in resolved.items() if value is _REST), None)
    if rest_key is not None:
        del resolved[rest_key]
        if not resolved:
            raise _error(f"'the rest' needs the other shares; send e.g. \"60% women, rest men\" or {_EXAMPLE}.")

    parsed = {key: _parse_value(key, value) for key, (_, value) in resolved.items()}
    for key, (number, _) in parsed.items():
        if number < 0:
            shown = show(resolved[key][1], 20)
            raise _error(
                f"{key} is negative ({shown}); shares cannot be negative. Send numbers from 0 to 1 (or 0 to 100%), "
                f"e.g. {_EXAMPLE}."
            )

    bare_in_percent = any(number > 1 for number, pct in parsed.values() if not pct)
    in_percent = {key: pct or bare_in_percent for key, (_, pct) in parsed.items()}
    fractions = {key: number / 100 if in_percent[key] else number for key, (number, _) in parsed.items()}
    if any(in_percent[key] and fractions[key] != 0 for key in fractions):
        notes.append(f"{FIELD}: read as percentages and converted to fractions.")

    if rest_key is not None:
        rest = 1 - sum(fractions.values(), Fraction(0))
        if rest < 0:
            raise _error(
                f"the other shares already add up to {_format_percent(1 - rest)}%, so nothing is left for "
                f"'the rest' ({rest_key}); give shares that add up to 100%, e.g. {_EXAMPLE}."
            )
        fractions[rest_key] = rest
        in_percent[rest_key] = False
        notes.append(f"{FIELD}: 'the rest' read as {_format_percent(rest)}% {rest_key}.")

    missing = [key for key in GENDER_KEYS if key not in fractions]
    total = sum(fractions.values(), Fraction(0))
    kept = _stored_others(stored, missing)
    if kept is not None and 0 < total < 1 - _TOLERANCE:
        for key, share in kept.items():
            fractions[key] = share * (1 - total)
        notes.append(
            f"{FIELD}: only {', '.join(k for k in GENDER_KEYS if k not in kept)} given; scaled the stored "
            f"{', '.join(kept)} proportionally to the remaining {_format_percent(1 - total)}%."
        )
        total = Fraction(1)
    elif missing:
        notes.append(f"{FIELD}: no share given for {', '.join(missing)}; set to 0.")

    if total == 0:
        raise _error(f"all shares are 0; give all four shares so they add up to 100%, e.g. {_EXAMPLE}.")
    if abs(total - 1) > _TOLERANCE:
        if all(in_percent.values()) and bare_in_percent:
            how = "read as percentages because a value is above 1; send all fractions (0-1) or all percentages"
        elif all(in_percent.values()):
            how = "read as percentages"
        elif not any(in_percent.values()):
            how = "read as fractions because no value is above 1"
        else:
            how = "values with % read as percentages, the others as fractions"
        rest_hint = ' or name who the rest are ("60% women, rest men")' if total < 1 else ""
        raise _error(
            f"the shares add up to {_format_percent(total)}% ({how}), not 100%; give all four shares "
            f"so they add up to 100%, e.g. {_EXAMPLE}{rest_hint}."
        )
    if abs(total - 1) > _NOISE:
        notes.append(f"{FIELD}: shares summed to {_format_percent(total)}%; scaled proportionally to exactly 100%.")

    shares = [fractions.get(key, Fraction(0)) / total for key in GENDER_KEYS]
    units = largest_remainder(shares, _UNITS)  # ties go to the earlier key in GENDER_KEYS order
    if any(abs(Fraction(u, _UNITS) - share) > _NOISE for u, share in zip(units, shares, strict=True)):
        notes.append(f"{FIELD}: rounded to 4 decimals so the shares add up to exactly 1.")
    value = {key: u / _UNITS for key, u in zip(GENDER_KEYS, units, strict=True)}
    return Adjusted(value, tuple(notes))


def _stored_others(stored: object, missing: list[str]) -> dict[str, Fraction] | None:
    """The stored shares of the `missing` keys as proportions of their sum; None when they cannot be kept."""
    if not missing or not isinstance(stored, Mapping):
        return None
    shares: dict[str, Fraction] = {}
    for key in missing:
        value = stored.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not math.isfinite(value):
            return None
        shares[key] = Fraction(decimal_of(value)) if isinstance(value, float) else Fraction(value)
    others = sum(shares.values(), Fraction(0))
    if others <= 0 or any(share < 0 for share in shares.values()):
        return None
    return {key: share / others for key, share in shares.items()}


def default_gender_shares() -> Adjusted[dict[str, float]]:
    """The guide's starting split, for when the user gave none, with a sentence saying so."""
    return Adjusted(
        dict(DEFAULT_GENDER_SHARES),
        (f"{FIELD}: none given; used the default 50% female, 40% male, 7% non-binary, 3% prefer not to say.",),
    )
