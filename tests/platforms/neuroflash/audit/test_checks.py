"""Each check of one audience, and the plan check: fire exactly where they should, nowhere else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from audience_mcp.platforms.neuroflash.audit import AUDIENCE_CHECKS, AuditParams, PlanUsage
from audience_mcp.platforms.neuroflash.audit.checks import (
    check_age_range_inverted,
    check_gender_shares,
    check_plan_usage,
    check_stale,
)
from audience_mcp.platforms.neuroflash.models import CreateLimit
from tests.support.audit import NOW, REMOVE, audience, shares

PARAMS = AuditParams(now=NOW)
D = Decimal


def fired(item: dict[str, Any], params: AuditParams = PARAMS) -> set[str]:
    return {name for name, check in AUDIENCE_CHECKS.items() if check(item, params) is not None}


# (case, overrides, the checks that must fire: all others must not)
CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("clean", {}, set()),
    # gender_shares
    (
        "shares summing to 0.9",
        {"genderDistribution": shares(D("0.5"), D("0.3"), D("0.07"), D("0.03"))},
        {"gender_shares"},
    ),
    (
        "shares summing to 1.01",
        {"genderDistribution": shares(D("0.51"), D("0.4"), D("0.07"), D("0.03"))},
        {"gender_shares"},
    ),
    ("shares as floats summing to 1 as literals", {"genderDistribution": shares(0.1, 0.2, 0.7, 0)}, set()),
    ("trailing zeros in literals", {"genderDistribution": shares(D("0.50"), D("0.40"), D("0.070"), D("0.030"))}, set()),
    ("one share is 1", {"genderDistribution": shares(1, 0, 0, 0)}, set()),
    (
        "a missing gender key",
        {"genderDistribution": {"female": D("0.5"), "male": D("0.5"), "nonBinary": 0}},
        {"gender_shares"},
    ),
    ("a null gender share", {"genderDistribution": shares(D("0.5"), D("0.5"), 0, None)}, {"gender_shares"}),
    ("a share as a string", {"genderDistribution": shares("0.5", D("0.4"), D("0.07"), D("0.03"))}, {"gender_shares"}),
    ("a negative share", {"genderDistribution": shares(D("1.1"), D("-0.1"), 0, 0)}, {"gender_shares"}),
    ("a boolean share", {"genderDistribution": shares(True, 0, 0, 0)}, {"gender_shares"}),
    ("no gender distribution", {"genderDistribution": REMOVE}, {"gender_shares"}),
    ("gender distribution not an object", {"genderDistribution": [0.5, 0.5]}, {"gender_shares"}),
    ("an unknown extra gender key is ignored", {"genderDistribution": dict(shares(1, 0, 0, 0), other=D("0.2"))}, set()),
    # ages
    ("min_age above max_age", {"minAge": 50, "maxAge": 30}, {"age_range_inverted"}),
    ("inverted and wide is only inverted", {"minAge": 90, "maxAge": 18}, {"age_range_inverted"}),
    ("equal ages", {"minAge": 30, "maxAge": 30}, set()),
    ("a span of exactly 40 years", {"minAge": 20, "maxAge": 60}, set()),
    ("a span of 41 years", {"minAge": 20, "maxAge": 61}, {"age_range_wide"}),
    ("ages as integral decimals", {"minAge": D("25.0"), "maxAge": 45}, set()),
    # required_fields
    ("no min_age", {"minAge": REMOVE}, {"required_fields"}),
    ("max_age as text", {"maxAge": "45"}, {"required_fields"}),
    ("a fractional age", {"minAge": D("25.5")}, {"required_fields"}),
    ("an age above 120", {"maxAge": 130}, {"required_fields", "age_range_wide"}),
    ("a blank name", {"name": "   "}, {"required_fields"}),
    ("no residence", {"residence": REMOVE}, {"required_fields"}),
    ("residence null", {"residence": None}, {"required_fields"}),
    # empty_lists
    ("no interests", {"interests": []}, {"empty_lists"}),
    ("needs missing", {"needs": REMOVE}, {"empty_lists"}),
    ("pain points only blank", {"painPoints": ["  ", ""]}, {"empty_lists"}),
    ("interests as a string", {"interests": "AI, SEO"}, {"empty_lists"}),
    ("all three empty is one finding", {"interests": [], "needs": [], "painPoints": None}, {"empty_lists"}),
    # country and language
    ("no country", {"country": REMOVE}, {"missing_country"}),
    ("blank country", {"country": " "}, {"missing_country"}),
    ("no native language", {"nativeLanguage": None}, {"missing_native_language"}),
    # stale
    (
        "updated and viewed long ago",
        {"updatedAt": "2025-01-01T00:00:00.000Z", "viewedAt": "2025-02-01T00:00:00.000Z"},
        {"stale"},
    ),
    ("updated long ago, never viewed", {"updatedAt": "2025-01-01T00:00:00.000Z", "viewedAt": None}, {"stale"}),
    ("updated long ago, viewed recently", {"updatedAt": "2024-01-01T00:00:00.000Z"}, set()),
    ("viewed long ago, updated recently", {"viewedAt": "2024-01-01T00:00:00.000Z"}, set()),
    ("exactly 180 days ago", {"updatedAt": "2025-12-03T12:00:00.000Z", "viewedAt": None}, set()),
    ("181 days ago", {"updatedAt": "2025-12-02T12:00:00.000Z", "viewedAt": None}, {"stale"}),
    (
        "old, with an offset and no milliseconds",
        {"updatedAt": "2024-03-01T10:00:00+02:00", "viewedAt": REMOVE},
        {"stale"},
    ),
    ("old, naive (read as UTC)", {"updatedAt": "2024-03-01T10:00:00", "viewedAt": None}, {"stale"}),
    ("old, as epoch milliseconds", {"updatedAt": 1_700_000_000_000, "viewedAt": None}, {"stale"}),
    ("garbled updatedAt", {"updatedAt": "last Tuesday", "viewedAt": None}, set()),
    ("missing updatedAt", {"updatedAt": REMOVE, "viewedAt": "2020-01-01T00:00:00Z"}, set()),
    ("garbled viewedAt with an old updatedAt", {"updatedAt": "2020-01-01T00:00:00Z", "viewedAt": "soon"}, set()),
    ("updatedAt of a wrong type", {"updatedAt": ["2020"], "viewedAt": None}, set()),
    # no_image
    ("no _embedded", {"_embedded": REMOVE}, {"no_image"}),
    ("_embedded without image", {"_embedded": {"permissions": {}}}, {"no_image"}),
    ("image null", {"_embedded": {"image": None}}, {"no_image"}),
    ("_embedded not an object", {"_embedded": "x"}, {"no_image"}),
]


@pytest.mark.parametrize(("overrides", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_check_fires_exactly_on_the_audiences_that_violate_it(
    overrides: dict[str, Any], expected: set[str]
) -> None:
    assert fired(audience(**overrides)) == expected


def test_a_completely_garbled_audience_is_reported_without_crashing() -> None:
    garbled = {
        "id": "x",
        "name": 7,
        "minAge": "old",
        "genderDistribution": "50/50",
        "interests": {"a": 1},
        "_embedded": [],
    }

    assert fired(garbled) == set(AUDIENCE_CHECKS) - {"age_range_inverted", "age_range_wide", "stale"}


@pytest.mark.parametrize(
    ("days", "wide", "expected"),
    [(400, 40, set()), (100, 40, {"stale"}), (400, 10, {"age_range_wide"}), (100, 10, {"stale", "age_range_wide"})],
)
def test_stale_after_days_and_wide_age_span_move_the_thresholds(days: int, wide: int, expected: set[str]) -> None:
    item = audience(updatedAt="2025-11-01T00:00:00.000Z", viewedAt=None, minAge=25, maxAge=45)

    assert fired(item, AuditParams(now=NOW, stale_after_days=days, wide_age_span=wide)) == expected


def test_shares_off_by_float_noise_only_are_fine_because_literals_are_compared() -> None:
    floats = shares(0.7, 0.1, 0.1, 0.1)
    assert sum(floats.values()) != 1.0  # the float sum is 0.9999999999999999...

    assert check_gender_shares(audience(genderDistribution=floats), PARAMS) is None  # ...the literals sum to 1


def test_the_gender_fix_proposes_shares_rescaled_to_exactly_1() -> None:
    item = audience("g1", genderDistribution=shares(D("0.5"), D("0.3"), D("0.07"), D("0.03")))

    issue = check_gender_shares(item, PARAMS)

    assert issue is not None
    assert issue.problem == "Gender shares sum to 0.9, not exactly 1, so every update will be refused."
    assert issue.fix == (
        "neuroflash_update_audience(audience_id='g1', gender_distribution="
        '{"female": 0.5556, "male": 0.3333, "nonBinary": 0.0778, "preferNotToSay": 0.0333})'
    )


def test_a_missing_gender_key_is_named_and_filled_with_zero_in_the_fix() -> None:
    item = audience("g2", genderDistribution={"female": D("0.5"), "male": D("0.5")})

    issue = check_gender_shares(item, PARAMS)

    assert issue is not None
    assert "lack nonBinary and preferNotToSay" in issue.problem
    assert issue.fix is not None and '"nonBinary": 0, "preferNotToSay": 0' in issue.fix
    assert '"female": 0.5, "male": 0.5' in issue.fix


def test_all_zero_shares_get_a_placeholder_fix_instead_of_a_division_by_zero() -> None:
    issue = check_gender_shares(audience("g3", genderDistribution=shares(0, 0, 0, 0)), PARAMS)

    assert issue is not None and issue.fix == "neuroflash_update_audience(audience_id='g3', gender_distribution={...})"


def test_the_inverted_age_fix_swaps_the_ages() -> None:
    issue = check_age_range_inverted(audience("x", minAge=50, maxAge=30), PARAMS)

    assert issue is not None
    assert issue.problem == "min_age 50 is greater than max_age 30."
    assert issue.fix == "neuroflash_update_audience(audience_id='x', min_age=30, max_age=50)"


def test_every_fix_is_a_call_naming_the_audience() -> None:
    broken = audience(
        "b1",
        minAge=70,
        maxAge=10,
        residence=None,
        genderDistribution=None,
        interests=[],
        country=None,
        nativeLanguage=None,
        _embedded=None,
        updatedAt="2020-01-01T00:00:00Z",
        viewedAt=None,
    )

    issues = {name: check(broken, PARAMS) for name, check in AUDIENCE_CHECKS.items()}

    assert issues["age_range_wide"] is None
    fixes = {name: issue.fix for name, issue in issues.items() if issue is not None}
    assert set(fixes) == set(AUDIENCE_CHECKS) - {"age_range_wide"}
    for name, fix in fixes.items():
        assert fix is not None and "(audience_id='b1'" in fix, name
    assert fixes["empty_lists"] == "neuroflash_update_audience(audience_id='b1', add_interests=[...])"
    assert fixes["no_image"] == "neuroflash_set_audience_image(audience_id='b1', file_path='...')"
    assert fixes["stale"] is not None and fixes["stale"].startswith("neuroflash_delete_audience(audience_id='b1')")


def test_the_stale_problem_names_the_last_activity_date() -> None:
    item = audience(updatedAt="2025-01-01T00:00:00.000Z", viewedAt="2025-03-04T05:06:07.890Z")

    issue = check_stale(item, PARAMS)

    assert issue is not None and issue.problem == "Neither updated nor used since 2025-03-04 (over 180 days)."


@pytest.mark.parametrize(
    ("plan", "fires"),
    [
        (PlanUsage(usage=9, limit=10), True),
        (PlanUsage(usage=10, limit=10), True),
        (PlanUsage(usage=12, limit=10), True),
        (PlanUsage(usage=8, limit=10), False),
        (PlanUsage(usage=90, limit=100), True),
        (PlanUsage(usage=89, limit=100), False),
        (PlanUsage(usage=0, limit=10), False),
        (PlanUsage(usage=5000, limit=0, unlimited=True, available=True), False),
        (PlanUsage(usage=5, limit=None), False),
        (PlanUsage(usage=None, limit=10), False),
        (PlanUsage(usage=3, limit=0, available=False), True),
        (PlanUsage(usage=3, limit=0, available=None), False),
    ],
)
def test_plan_usage_fires_at_or_above_90_percent_of_a_real_limit(plan: PlanUsage, fires: bool) -> None:
    assert (check_plan_usage(plan) is not None) is fires


def test_plan_usage_says_how_much_is_used() -> None:
    issue = check_plan_usage(PlanUsage(usage=9, limit=10))

    assert issue is not None and issue.problem == "9 of the plan's 10 audiences are used (90%)."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"usage": 9, "limit": 10, "isAvailable": True}, PlanUsage(usage=9, limit=10, available=True)),
        ({"currentUsage": 3, "limit": 0, "unlimited": True}, PlanUsage(usage=3, limit=0, unlimited=True)),
        ({}, PlanUsage(usage=None, limit=None)),
    ],
)
def test_the_plan_is_read_from_the_clients_limits_model(body: dict[str, object], expected: PlanUsage) -> None:
    assert PlanUsage.from_limit(CreateLimit.model_validate(body)) == expected


@pytest.mark.parametrize(
    ("body", "plan_limit", "remaining", "can_create"),
    [
        ({"usage": 9, "limit": 10}, 10, 1, True),
        ({"usage": 12, "limit": 10}, 10, 0, False),
        ({"usage": 12, "limit": 10, "isAvailable": True}, 10, 0, True),
        ({"usage": 5000, "limit": 0, "isUnlimited": True}, None, None, True),
        ({"usage": 3}, None, None, False),
        ({"available": True}, None, None, True),
    ],
)
def test_the_limits_model_is_the_one_reading_of_usage_and_limit(
    body: dict[str, object], plan_limit: int | None, remaining: int | None, can_create: bool
) -> None:
    create = CreateLimit.model_validate(body)
    assert (create.plan_limit, create.remaining, create.can_create) == (plan_limit, remaining, can_create)
