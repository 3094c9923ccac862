"""Building and merging audience profiles from tool arguments.

Create: every argument is normalized and the complete body is built (defaults say so in
`adjustments`). Update: the fetched body is the base, only the given arguments are applied
on top (list add/remove included), and everything else, unknown fields too, is sent back
exactly as it was read. `diff` tells what really changes, so an update that changes
nothing sends no PUT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from audience_mcp.core.http.wire import decimal_of, plain
from audience_mcp.core.normalize import (
    Adjusted,
    NormalizationError,
    apply_list_edits,
    check_age_range,
    normalize_age,
    normalize_country,
    normalize_language,
    normalize_name,
    normalize_residence,
    normalize_text_list,
)
from audience_mcp.platforms.neuroflash.api import AudienceProfile
from audience_mcp.platforms.neuroflash.fields import API_FIELDS, profile_param
from audience_mcp.platforms.neuroflash.gender import GENDER_KEYS, default_gender_shares, normalize_gender_shares

LIST_PARAMS = ("interests", "needs", "pain_points")
# What a full body must hold for the API to accept it (gender_distribution is checked apart).
REQUIRED_PARAMS = ("name", "min_age", "max_age", "residence", "interests", "needs", "pain_points")


class FieldChange(BaseModel):
    field: str
    old: Any
    new: Any


@dataclass
class Draft:
    """A body being built, with the sentences that explain what was adjusted.

    `body` is the wire body (what is sent and journaled, unknown fields included); the builders
    read and write it by tool parameter, so the wire names stay in `fields.API_FIELDS`.
    """

    body: dict[str, Any]
    adjustments: list[str] = field(default_factory=list)

    def take(self, adjusted: Adjusted[Any]) -> Any:
        self.adjustments.extend(adjusted.adjustments)
        return adjusted.value

    def get(self, param: str) -> Any:
        return self.body.get(API_FIELDS[param])

    def set(self, param: str, value: Any) -> None:
        self.body[API_FIELDS[param]] = value


def build_profile(
    *,
    name: object,
    min_age: object,
    max_age: object,
    residence: object,
    gender_distribution: object = None,
    interests: object = None,
    needs: object = None,
    pain_points: object = None,
    country: object = None,
    native_language: object = None,
    shared: bool = False,
) -> Draft:
    """The complete create body from a model's arguments; raises NormalizationError."""
    draft = Draft(body={})
    draft.set("name", draft.take(normalize_name(name)))
    low = draft.take(normalize_age(min_age, "min_age"))
    high = draft.take(normalize_age(max_age, "max_age"))
    check_age_range(low, high)
    draft.set("min_age", low)
    draft.set("max_age", high)
    draft.set("residence", draft.take(normalize_residence(residence)))
    if gender_distribution is None:
        draft.set("gender_distribution", draft.take(default_gender_shares()))
    else:
        draft.set("gender_distribution", draft.take(normalize_gender_shares(gender_distribution)))
    draft.set("interests", draft.take(normalize_text_list(interests, "interests")))
    draft.set("needs", draft.take(normalize_text_list(needs, "needs")))
    draft.set("pain_points", draft.take(normalize_text_list(pain_points, "pain_points")))
    country_code = draft.take(normalize_country(country))
    if country_code is not None:
        draft.set("country", country_code)
    language = draft.take(normalize_language(native_language))
    if language is not None:
        draft.set("native_language", language)
    draft.set("shared", bool(shared))
    return draft


def merge_update(current: dict[str, Any], args: dict[str, Any]) -> Draft:
    """Apply the given update arguments to the current body (a copy); raises NormalizationError.

    `args` holds only what the model passed (None = not given). `country=""` or
    `native_language=""` removes the value.
    """
    draft = Draft(body=dict(current))
    if args.get("name") is not None:
        draft.set("name", draft.take(normalize_name(args["name"])))
    for param in ("min_age", "max_age"):
        if args.get(param) is not None:
            draft.set(param, draft.take(normalize_age(args[param], param)))
    if args.get("residence") is not None:
        draft.set("residence", draft.take(normalize_residence(args["residence"])))
    if args.get("gender_distribution") is not None:
        # The stored split fills in shares given only in part ({"female": 0.7}).
        shares = normalize_gender_shares(args["gender_distribution"], stored=draft.get("gender_distribution"))
        draft.set("gender_distribution", draft.take(shares))
    for param in ("country", "native_language"):
        value = args.get(param)
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            # Nothing to remove when it is absent or null already: touching it would report a
            # None -> None change and send a needless PUT.
            if draft.get(param) is not None:
                draft.set(param, None)
                draft.adjustments.append(f"{param}: removed, as an empty value was given.")
            continue
        normalizer = normalize_country if param == "country" else normalize_language
        draft.set(param, draft.take(normalizer(value)))
    if args.get("shared") is not None:
        draft.set("shared", bool(args["shared"]))
    for param in LIST_PARAMS:
        if args.get(param) is not None:
            draft.set(param, draft.take(normalize_text_list(args[param], param)))
        add, remove = args.get(f"add_{param}"), args.get(f"remove_{param}")
        if add is not None or remove is not None:
            current_list = draft.get(param)
            base = [str(item) for item in current_list] if isinstance(current_list, list) else []
            draft.set(param, draft.take(apply_list_edits(base, add, remove, param)))
    low, high = draft.get("min_age"), draft.get("max_age")
    if isinstance(low, int) and isinstance(high, int):
        check_age_range(low, high)
    return draft


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    if _is_number(old) and _is_number(new):
        return _decimal(old) == _decimal(new)
    return bool(old == new) and type(old) is type(new)


def _decimal(value: float | Decimal) -> Decimal:
    """A number as the decimal its JSON literal denotes (a float by its shortest repr)."""
    return value if isinstance(value, Decimal) else decimal_of(value)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Field-by-field changes, named by tool parameter."""
    changes = []
    for key in list(old.keys()) + [k for k in new if k not in old]:
        if key in old and key in new and _same(old[key], new[key]):
            continue
        changes.append(FieldChange(field=profile_param(key), old=plain(old.get(key)), new=plain(new.get(key))))
    return changes


def body_problems(body: dict[str, Any]) -> list[str]:
    """What would make the API refuse this full body; an update must not send it as is.

    Audiences written by other clients can hold data the API now refuses (shares that do
    not sum to 1, a missing key). Sending such a body back would fail, and fixing it
    silently would change what the user did not ask to change, so the model is told.
    """
    problems = [f"{param} is missing" for param in REQUIRED_PARAMS if body.get(API_FIELDS[param]) is None]
    shares = body.get(API_FIELDS["gender_distribution"])
    if not isinstance(shares, dict) or any(not _is_number(shares.get(k)) for k in GENDER_KEYS):
        problems.append("gender_distribution lacks one of female, male, nonBinary, preferNotToSay")
    else:
        total = sum((_decimal(shares[k]) for k in GENDER_KEYS), Decimal(0))
        if total != 1:
            problems.append(f"gender_distribution sums to {total} instead of exactly 1")
    return problems


def profile_from_body(body: dict[str, Any]) -> AudienceProfile:
    return AudienceProfile.model_validate(body)


__all__ = [
    "API_FIELDS",
    "Draft",
    "FieldChange",
    "NormalizationError",
    "body_problems",
    "build_profile",
    "diff",
    "merge_update",
    "profile_from_body",
]
