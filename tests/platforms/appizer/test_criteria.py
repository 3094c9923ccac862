"""Conditions rendered in the documented phrasing, and what models send normalized and reported."""

from __future__ import annotations

import pytest

from audience_mcp.core.normalize import NormalizationError
from audience_mcp.platforms.appizer.criteria import build, normalize_text, render, signature


def test_the_issue_example_renders_in_the_reference_phrasing() -> None:
    result = render(
        [
            {"field": "plan", "op": "=", "value": "premium"},
            {"event": "app_open", "op": ">", "count": 10},
            {"field": "last_active", "within_days": 7},
            {"not": {"field": "subscribed_newsletter"}},
        ]
    )
    assert result.text == (
        "Users with plan=premium AND triggered event=app_open more than 10 times AND last_active within 7 days "
        "AND NOT subscribed_newsletter"
    )
    assert result.adjustments == []


def test_the_reference_example_is_rendered_exactly() -> None:
    result = render([{"field": "plan", "value": "premium"}, {"field": "last_active", "within_days": 7}])
    assert result.text == "Users with plan=premium AND last_active within 7 days"


def test_words_for_operators_periods_quotes_and_duplicates_are_normalized_and_reported() -> None:
    result = render(
        [
            {"field": "plan", "op": "equals", "value": '"premium"'},
            {"field": "plan", "op": "is", "value": "premium"},
            {"field": "last_active", "within_days": "last week"},
            {"event": "purchase", "op": "at least", "count": "3"},
            {"field": "signup_date", "before": "2024-01-01"},
        ]
    )
    assert result.text == (
        "Users with plan=premium AND last_active within 7 days AND triggered event=purchase more than 2 times "
        "AND signup_date before 2024-01-01"
    )
    assert "operator 'equals' read as '='" in result.adjustments
    assert "value of plan unquoted" in result.adjustments
    assert "duplicate condition 'plan=premium' dropped" in result.adjustments
    assert "'last week' read as the last 7 days" in result.adjustments


def test_text_criteria_are_normalized_and_the_change_reported() -> None:
    result = normalize_text('  plan = "premium"  and not subscribed_newsletter and plan=premium ')
    assert result.text == "Users with plan=premium AND NOT subscribed_newsletter"
    assert any("duplicate" in a for a in result.adjustments)


def test_conditions_win_over_criteria_when_both_are_given_and_that_is_reported() -> None:
    result = build("Users with country=US", [{"field": "plan", "value": "pro"}])
    assert result.text == "Users with plan=pro"
    assert any("both criteria and conditions" in a for a in result.adjustments)


@pytest.mark.parametrize(
    ("criteria", "conditions"),
    [
        (None, None),
        ("   ", None),
        ("", []),
        (None, [{"op": "="}]),
        (None, [{"field": "plan", "op": "~", "value": "x"}]),
    ],
)
def test_empty_or_unreadable_input_is_refused_with_what_to_send(
    criteria: str | None, conditions: list[dict[str, str]] | None
) -> None:
    with pytest.raises(NormalizationError) as caught:
        build(criteria, conditions)
    assert caught.value.field in ("criteria", "conditions")
    assert len(str(caught.value)) > 20


def test_equivalent_criteria_share_a_signature() -> None:
    assert signature("Users with plan=premium AND last_active within 7 days") == signature(
        "users with  last_active within 7 days and plan=premium"
    )
    assert signature("Users with plan=premium") != signature("Users with plan=pro")
