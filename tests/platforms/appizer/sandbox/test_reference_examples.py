"""The reference page's request and criteria examples, replayed against the sandbox as sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audience_mcp.platforms.appizer.sandbox.criteria import parse
from audience_mcp.platforms.appizer.sandbox.users import user_base
from tests.support.appizer import APP, REFERENCE_BODY, START, SharedTime, raw, sandbox_app

pytestmark = pytest.mark.anyio

EXAMPLES = [
    "Users who completed purchase in the last 30 days",
    "Users with email AND NOT subscribed to newsletter",
    "Users from country=US AND plan=premium",
    "Users who triggered event=app_open more than 10 times",
    "Users with signup_date before 2024-01-01",
]


async def test_the_reference_request_gets_the_documented_response_shape() -> None:
    response = await raw(sandbox_app(), "POST", "/v1/audiences", json=REFERENCE_BODY)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"success", "audience_id", "name", "user_count", "created_at", "message"}
    assert body["success"] is True and body["name"] == "Active Premium Users"
    assert body["created_at"].endswith("Z")
    assert all(name in response.headers for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"))


def _count_by_hand(criteria_check: object, app_id: str = APP) -> int:
    today = datetime.fromtimestamp(START, tz=UTC).date()
    return sum(1 for user in user_base(app_id, 10_000, today) if criteria_check(user))  # type: ignore[operator]


@pytest.mark.parametrize("criteria", EXAMPLES)
async def test_every_documented_example_is_read_and_counted_from_the_users(criteria: str) -> None:
    time = SharedTime()
    app = sandbox_app(time)
    response = await raw(app, "POST", "/v1/audiences", json={**REFERENCE_BODY, "name": criteria, "criteria": criteria})
    assert response.status_code == 201, response.text
    count = response.json()["user_count"]
    expected = _count_by_hand(parse(criteria, datetime.fromtimestamp(START, tz=UTC).date()).matches)
    assert count == expected
    assert 0 < count < 10_000  # a real segment of the user base, not everyone and not no one


async def test_the_examples_count_what_they_say() -> None:
    """Spot checks of the evaluator against the users' own fields (not against itself)."""
    today = datetime.fromtimestamp(START, tz=UTC).date()
    users = user_base(APP, 10_000, today)
    us_premium = parse("Users from country=US AND plan=premium", today)
    assert sum(map(us_premium.matches, users)) == sum(1 for u in users if u.country == "US" and u.plan == "premium")
    heavy = parse("Users who triggered event=app_open more than 10 times", today)
    assert sum(map(heavy.matches, users)) == sum(1 for u in users if u.event_counts["app_open"] > 10)
    unsubscribed = parse("Users with email AND NOT subscribed to newsletter", today)
    assert sum(map(unsubscribed.matches, users)) == sum(1 for u in users if u.email and not u.subscribed_newsletter)


async def test_text_the_sandbox_cannot_read_is_400_invalid_criteria() -> None:
    response = await raw(sandbox_app(), "POST", "/v1/audiences", json={**REFERENCE_BODY, "criteria": "fans of cats"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_REQUEST" and "criteria" in response.json()["message"].lower()


async def test_criteria_naming_an_unknown_field_match_nobody_and_say_so() -> None:
    response = await raw(
        sandbox_app(), "POST", "/v1/audiences", json={**REFERENCE_BODY, "criteria": "Users with vip=yes"}
    )
    assert response.status_code == 201
    assert response.json()["user_count"] == 0 and response.json()["unknown_fields"] == ["vip"]


async def test_the_users_route_changes_sizes_over_time() -> None:
    app = sandbox_app()
    await raw(app, "POST", "/v1/audiences", json=REFERENCE_BODY)
    before = (await raw(app, "GET", "/v1/audiences", params={"app_id": APP})).json()["audiences"][0]["user_count"]
    changed = await raw(
        app,
        "POST",
        f"/_sandbox/apps/{APP}/users",
        json={"where": "Users with plan=premium", "fraction": 0.5, "set": {"plan": "free"}},
    )
    assert changed.status_code == 200 and changed.json()["changed"] > 0
    after = (await raw(app, "GET", "/v1/audiences", params={"app_id": APP})).json()["audiences"][0]["user_count"]
    assert 0 < after < before


async def test_the_list_pages_with_the_documented_pagination() -> None:
    app = sandbox_app()
    for i in range(3):
        await raw(app, "POST", "/v1/audiences", json={**REFERENCE_BODY, "name": f"S{i}"})
    body = (await raw(app, "GET", "/v1/audiences", params={"app_id": APP, "limit": 2, "offset": 2})).json()
    assert body["pagination"] == {"total": 3, "limit": 2, "offset": 2, "has_more": False}
    assert [a["name"] for a in body["audiences"]] == ["S2"]
    assert {"audience_id", "name", "description", "user_count", "created_at", "updated_at"} <= set(body["audiences"][0])
    over = await raw(app, "GET", "/v1/audiences", params={"app_id": APP, "limit": 101})
    assert over.status_code == 400
    missing = await raw(app, "GET", "/v1/audiences", params={"app_id": "app_999"})
    assert missing.status_code == 404
