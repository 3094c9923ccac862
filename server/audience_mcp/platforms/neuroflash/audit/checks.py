"""The checks of one audience, and of the plan: pure functions from wire data to an Issue.

Each check reads an audience as the list endpoint returns it (camelCase JSON, fractions as
`Decimal` when parsed with `parse_float=Decimal`, floats accepted too) and returns an Issue
(one sentence saying what is wrong, and the tool call that fixes it) or None. They never
raise, whatever the data: audiences written by other clients can hold anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from audience_mcp.core.audit.findings import Severity
from audience_mcp.core.audit.values import embedded_image, items, number, text, timestamp, whole_number
from audience_mcp.core.normalize.fields import MAX_AGE  # the bound the update tool enforces
from audience_mcp.core.normalize.shares import largest_remainder
from audience_mcp.platforms.neuroflash.gender import GENDER_KEYS

if TYPE_CHECKING:
    from audience_mcp.platforms.neuroflash.models import CreateLimit


@dataclass(frozen=True)
class AuditParams:
    """What the checks compare against; `now` is injected so tests can fix it."""

    now: datetime
    stale_after_days: int = 180
    wide_age_span: int = 40


@dataclass(frozen=True)
class Issue:
    problem: str
    fix: str | None = None


@dataclass(frozen=True)
class PlanUsage:
    """The workspace's create limit as GET .../limits/target-audiences reports it."""

    usage: int | None
    limit: int | None
    unlimited: bool = False
    available: bool | None = None

    @classmethod
    def from_limit(cls, create: CreateLimit) -> PlanUsage:
        """The plan as the client's model reads the limits response (the one place that reads it)."""
        return cls(
            usage=create.usage, limit=create.limit, unlimited=bool(create.is_unlimited), available=create.is_available
        )


AudienceCheck = Callable[[Mapping[str, Any], AuditParams], Issue | None]


def allowed(audience: Mapping[str, Any], permission: str) -> bool:
    """Whether the caller may do this (`canUpdate`, `canDelete`); unknown counts as allowed, since
    the API reports permissions only where it knows them and a wrong refusal would hide a fix."""
    embedded = audience.get("_embedded")
    permissions = embedded.get("permissions") if isinstance(embedded, dict) else None
    return not (isinstance(permissions, dict) and permissions.get(permission) is False)


def creator(audience: Mapping[str, Any]) -> str:
    user = text(audience.get("createdByUserId"))
    return f"user {user!r}" if user else "its creator"


def not_yours(issue: Issue, audience: Mapping[str, Any]) -> Issue:
    """The same problem, with a fix the caller can run when the suggested call would be refused (403)."""
    fix = issue.fix or ""
    if fix.startswith(("neuroflash_update_audience", "neuroflash_set_audience_image")) and not allowed(
        audience, "canUpdate"
    ):
        return Issue(
            issue.problem,
            f"Not yours: only {creator(audience)} can change it. Ask them to fix it, or fix your own copy: "
            f"neuroflash_duplicate_audience(audience_id={_id(audience)}), then update the copy.",
        )
    if fix.startswith("neuroflash_delete_audience") and not allowed(audience, "canDelete"):
        return Issue(issue.problem, f"Not yours: only {creator(audience)} can delete it; ask them to.")
    return issue


def _id(audience: Mapping[str, Any]) -> str:
    value = audience.get("id")
    return repr(value if isinstance(value, str) else "")


def _update(audience: Mapping[str, Any], *args: str) -> str:
    return f"neuroflash_update_audience(audience_id={_id(audience)}, {', '.join(args)})"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def check_required_fields(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    """Name, residence and both ages present and readable (the API requires them on every save)."""
    broken: list[str] = []
    fixes: list[str] = []
    for api_field, param in (("name", "name"), ("residence", "residence")):
        if text(audience.get(api_field)) is None:
            broken.append(param)
            fixes.append(f"{param}='...'")
    for api_field, param in (("minAge", "min_age"), ("maxAge", "max_age")):
        age = whole_number(audience.get(api_field))
        if age is None or not 0 <= age <= MAX_AGE:
            broken.append(param)
            fixes.append(f"{param}=...")
    if not broken:
        return None
    return Issue(
        f"{_join(broken)} {'is' if len(broken) == 1 else 'are'} missing or invalid, so every update will be refused.",
        _update(audience, *fixes),
    )


def _rescaled(shares: dict[str, Decimal]) -> str | None:
    """Shares scaled to sum to exactly 1 in steps of 0.0001 (largest remainder), as a dict literal."""
    if sum(shares.values(), Decimal(0)) <= 0:
        return None
    units = 10_000
    scaled = largest_remainder([shares[key] for key in GENDER_KEYS], units)
    parts = [f'"{key}": {Decimal(share) / units}' for key, share in zip(GENDER_KEYS, scaled, strict=True)]
    return "{" + ", ".join(parts) + "}"


def check_gender_shares(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    """All four shares present, numbers from 0 to 1, and their JSON literals summing to exactly 1."""
    shares = audience.get("genderDistribution")
    if not isinstance(shares, dict):
        return Issue(
            "Has no gender distribution, so every update will be refused.",
            _update(
                audience, 'gender_distribution={"female": ..., "male": ..., "nonBinary": ..., "preferNotToSay": ...}'
            ),
        )
    values = {key: number(shares.get(key)) for key in GENDER_KEYS}
    missing = [key for key in GENDER_KEYS if shares.get(key) is None]
    invalid = [key for key, value in values.items() if key not in missing and (value is None or not 0 <= value <= 1)]
    usable = {
        key: (value if key not in missing and key not in invalid and value is not None else Decimal(0))
        for key, value in values.items()
    }
    suggestion = _rescaled(usable)
    fix = _update(audience, f"gender_distribution={suggestion or '{...}'}")
    if missing:
        return Issue(f"Gender shares lack {_join(missing)}, so every update will be refused.", fix)
    if invalid:
        return Issue(f"Gender share {_join(invalid)} is not a number from 0 to 1.", fix)
    total = sum(usable.values(), Decimal(0))
    if total != 1:
        return Issue(
            f"Gender shares sum to {total.normalize():f}, not exactly 1, so every update will be refused.", fix
        )
    return None


def _ages(audience: Mapping[str, Any]) -> tuple[int, int] | None:
    low, high = whole_number(audience.get("minAge")), whole_number(audience.get("maxAge"))
    return None if low is None or high is None else (low, high)


def check_age_range_inverted(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    ages = _ages(audience)
    if ages is None or ages[0] <= ages[1]:
        return None
    low, high = ages
    return Issue(
        f"min_age {low} is greater than max_age {high}.", _update(audience, f"min_age={high}", f"max_age={low}")
    )


def check_age_range_wide(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    ages = _ages(audience)
    if ages is None or ages[0] > ages[1] or ages[1] - ages[0] <= params.wide_age_span:
        return None
    low, high = ages
    return Issue(
        f"Ages {low}-{high} span {high - low} years, too wide to describe one audience.",
        _update(audience, "min_age=...", "max_age=..."),
    )


_LISTS = (("interests", "interests"), ("needs", "needs"), ("painPoints", "pain points"))


def check_empty_lists(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    """Interests, needs and pain points each with at least one entry."""
    empty = [(api_field, label) for api_field, label in _LISTS if not items(audience.get(api_field))]
    if not empty:
        return None
    params_to_add = [f"add_{label.replace(' ', '_')}=[...]" for _, label in empty]
    return Issue(f"Has no {_join([label for _, label in empty])}.", _update(audience, *params_to_add))


def check_missing_country(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    if text(audience.get("country")) is not None:
        return None
    return Issue("Has no country.", _update(audience, "country='...'"))


def check_missing_native_language(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    if text(audience.get("nativeLanguage")) is not None:
        return None
    return Issue("Has no native language.", _update(audience, "native_language='...'"))


def check_stale(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    """Neither updated nor viewed within `stale_after_days`.

    Judged only when updatedAt reads as a date and viewedAt is null or a date: an unknown
    date could be recent, so a missing updatedAt or a garbled date is never called stale.
    """
    updated = timestamp(audience.get("updatedAt"))
    raw_viewed = audience.get("viewedAt")
    viewed = timestamp(raw_viewed)
    if updated is None or (raw_viewed is not None and viewed is None):
        return None
    last = max(updated, viewed) if viewed is not None else updated
    if params.now - last <= timedelta(days=params.stale_after_days):
        return None
    return Issue(
        f"Neither updated nor used since {last.date().isoformat()} (over {params.stale_after_days} days).",
        f"neuroflash_delete_audience(audience_id={_id(audience)}) if it is no longer needed",
    )


def check_no_image(audience: Mapping[str, Any], params: AuditParams) -> Issue | None:
    if embedded_image(audience):
        return None
    return Issue("Has no image.", f"neuroflash_set_audience_image(audience_id={_id(audience)}, file_path='...')")


def check_plan_usage(plan: PlanUsage) -> Issue | None:
    """At or above 90% of the plan's audience limit (or nothing left to create)."""
    if plan.unlimited or plan.usage is None:
        return None
    limit = plan.limit
    if limit is None or limit <= 0:
        if plan.available is not False:
            return None
        problem = f"The plan allows no more audiences ({plan.usage} used)."
    elif plan.usage * 10 < limit * 9:
        return None
    else:
        problem = f"{plan.usage} of the plan's {limit} audiences are used ({plan.usage * 100 // limit}%)."
    return Issue(
        problem, "neuroflash_delete_audience(audience_id='...') for audiences no longer needed, or upgrade the plan"
    )


AUDIENCE_CHECKS: dict[str, AudienceCheck] = {
    "required_fields": check_required_fields,
    "gender_shares": check_gender_shares,
    "age_range_inverted": check_age_range_inverted,
    "age_range_wide": check_age_range_wide,
    "empty_lists": check_empty_lists,
    "missing_country": check_missing_country,
    "missing_native_language": check_missing_native_language,
    "stale": check_stale,
    "no_image": check_no_image,
}

# Every check by its stable name, in report order within a severity.
CHECKS: dict[str, Severity] = {
    "required_fields": "error",
    "gender_shares": "error",
    "age_range_inverted": "error",
    "age_range_wide": "warning",
    "empty_lists": "warning",
    "missing_country": "warning",
    "duplicate_names": "warning",
    "plan_usage": "warning",
    "missing_native_language": "info",
    "near_identical": "info",
    "stale": "info",
    "no_image": "info",
}
