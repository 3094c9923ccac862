"""Appizer's tools through the real MCP client, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from audience_mcp.platforms.appizer.sandbox.service import READ_ONLY_KEY, REVOKED_KEY
from audience_mcp.platforms.appizer.tools.state import audience_key
from tests.support.appizer import APP, OTHER_APP, AppizerFactory, AppizerHarness, table
from tests.support.harness import Answer, call, tool_error

pytestmark = pytest.mark.anyio

ACTIVE_PREMIUM = "Users with plan=premium AND last_active within 7 days"


async def create(client: Client, name: str, criteria: str = "Users with plan=premium", **args: Any) -> dict[str, Any]:
    return await call(client, "appizer_create_audience", name=name, criteria=criteria, **args)


async def test_create_returns_the_computed_user_count_and_journals_the_write(
    appizer: AppizerHarness, appizer_client: Client
) -> None:
    result = await create(appizer_client, "Active Premium Users", ACTIVE_PREMIUM, description="Premium, active")
    assert result["created"] is True and result["audience_id"].startswith("aud_")
    listed = appizer.sandbox.list(APP)
    assert result["user_count"] == listed[0]["user_count"] > 0
    changes = (await call(appizer_client, "list_recent_changes", platform="appizer"))["changes"]
    assert [(c["change_id"], c["action"], c["status"], c["audience_id"]) for c in changes] == [
        (result["change_id"], "create", "succeeded", result["audience_id"])
    ]


async def test_conditions_are_rendered_into_the_documented_phrasing(appizer_client: Client) -> None:
    result = await call(
        appizer_client,
        "appizer_create_audience",
        name="Engaged premium",
        criteria="Users with plan=premium",
        conditions=[
            {"field": "plan", "op": "equals", "value": "premium"},
            {"event": "app_open", "op": ">", "count": 10},
            {"field": "last_active", "within_days": "last week"},
            {"not": {"field": "subscribed_newsletter"}},
        ],
    )
    assert result["criteria"] == (
        "Users with plan=premium AND triggered event=app_open more than 10 times AND last_active within 7 days "
        "AND NOT subscribed_newsletter"
    )
    assert any("both criteria and conditions" in a for a in result["adjustments"])
    assert "'last week' read as the last 7 days" in result["adjustments"]


async def test_dry_run_sends_nothing(appizer: AppizerHarness, appizer_client: Client) -> None:
    result = await create(appizer_client, "Preview", "plan = premium", dry_run=True)
    assert result["created"] is False
    assert result["request_body"] == {"app_id": APP, "name": "Preview", "criteria": "Users with plan=premium"}
    assert appizer.sandbox.stats.total() == 0


async def test_a_count_of_zero_is_a_warning_with_what_to_check(appizer_client: Client) -> None:
    result = await create(appizer_client, "Nobody", "Users with country=ZZ")
    assert result["user_count"] == 0
    assert any(f"match no user of app {APP}" in w for w in result["warnings"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"name": "   ", "criteria": "Users with email"}, "name is empty"),
        ({"name": "x" * 101, "criteria": "Users with email"}, "1-100 characters"),
        ({"name": "Empty"}, "Give criteria"),
        ({"name": "Empty", "criteria": "  "}, "Give criteria"),
        ({"name": "Bad op", "conditions": [{"field": "plan", "op": "~", "value": "x"}]}, "Unknown operator"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_sent(
    appizer: AppizerHarness, appizer_client: Client, args: dict[str, Any], expected: str
) -> None:
    message = await tool_error(appizer_client, "appizer_create_audience", **args)
    assert expected in message
    assert appizer.sandbox.stats.total() == 0


async def test_unreadable_criteria_say_how_to_phrase_them(appizer_client: Client) -> None:
    message = await tool_error(appizer_client, "appizer_create_audience", name="Cats", criteria="people who love cats")
    assert "could not read the criteria" in message and "conditions" in message


async def test_a_duplicate_name_is_a_conflict_that_says_what_to_do(appizer_client: Client) -> None:
    await create(appizer_client, "Weekly")
    message = await tool_error(appizer_client, "appizer_create_audience", name="weekly", criteria="Users with email")
    assert "already exists" in message and "another name" in message


async def test_list_is_a_table_with_paging_and_has_more(appizer_client: Client) -> None:
    ids = [(await create(appizer_client, f"Segment {i}"))["audience_id"] for i in range(5)]
    first = await call(appizer_client, "appizer_list_audiences", page_size=2)
    assert first["columns"] == ["audience_id", "name", "user_count", "created_at", "updated_at"]
    assert [r["audience_id"] for r in table(first)] == ids[:2]
    assert first["has_more"] is True and first["total"] == 5
    last = await call(appizer_client, "appizer_list_audiences", page=3, page_size=2)
    assert [r["audience_id"] for r in table(last)] == ids[4:] and last["has_more"] is False


async def test_search_filters_by_name_across_pages(appizer_client: Client) -> None:
    for i in range(4):
        await create(appizer_client, f"{'VIP' if i % 2 else 'Other'} {i}")
    found = await call(appizer_client, "appizer_list_audiences", search="vip")
    assert [r["name"] for r in table(found)] == ["VIP 1", "VIP 3"] and found["total"] == 2


async def test_get_finds_an_audience_by_paging_and_names_the_missing_one(appizer_client: Client) -> None:
    created = await create(appizer_client, "Premium")
    got = await call(appizer_client, "appizer_get_audience", audience_id=created["audience_id"])
    assert got["audience"]["name"] == "Premium" and got["audience"]["user_count"] == created["user_count"]
    message = await tool_error(appizer_client, "appizer_get_audience", audience_id="aud_nope")
    assert "aud_nope" in message and "appizer_list_audiences" in message


async def test_an_unknown_app_gets_an_error_naming_the_setting(appizer_client: Client) -> None:
    message = await tool_error(appizer_client, "appizer_list_audiences", app_id="app_999")
    assert "app_999" in message and "APPIZER_APP_ID" in message


async def test_another_app_is_reached_with_app_id(appizer_client: Client) -> None:
    await create(appizer_client, "In the other app", app_id=OTHER_APP)
    assert table(await call(appizer_client, "appizer_list_audiences")) == []
    assert len(table(await call(appizer_client, "appizer_list_audiences", app_id=OTHER_APP))) == 1


async def test_without_a_default_app_the_error_says_to_pass_or_configure_one(make_appizer: AppizerFactory) -> None:
    async with make_appizer(default_app=None).client() as client:
        message = await tool_error(client, "appizer_list_audiences")
    assert "app_id" in message and "APPIZER_APP_ID" in message


@pytest.mark.parametrize(
    ("key", "expected"), [(REVOKED_KEY, "revoked"), ("not-a-key", "INVALID_API_KEY"), (READ_ONLY_KEY, "write access")]
)
async def test_key_problems_name_the_setting(make_appizer: AppizerFactory, key: str, expected: str) -> None:
    async with make_appizer(key=key).client() as client:
        message = await tool_error(client, "appizer_create_audience", name="X", criteria="Users with email")
    assert expected in message and "APPIZER_API_KEY" in message


async def test_a_create_that_fails_upstream_is_journaled_as_failed_and_not_retried(
    appizer: AppizerHarness, appizer_client: Client
) -> None:
    appizer.sandbox.faults.script([503])
    message = await tool_error(appizer_client, "appizer_create_audience", name="X", criteria="Users with email")
    assert "may or may not have been applied" in message
    assert appizer.sandbox.stats.get("POST /v1/audiences") == 1
    changes = (await call(appizer_client, "list_recent_changes", platform="appizer"))["changes"]
    assert changes[0]["status"] == "failed"


async def test_restore_change_says_plainly_there_is_no_delete_and_asks_nothing(appizer: AppizerHarness) -> None:
    answer = Answer("accept", {"confirm": True})
    async with appizer.client(elicitation_callback=answer) as client:
        created = await create(client, "Keep me")
        message = await tool_error(client, "restore_change", change_id=created["change_id"])
        assert "no delete" in message and "Appizer dashboard" in message and "nothing was changed" in message
        assert answer.questions == []
        assert len(appizer.sandbox.list(APP)) == 1
        again = (await call(client, "list_recent_changes", platform="appizer"))["changes"][0]
        assert again["restored_by"] is None


async def test_every_sighting_records_the_size_at_most_once_an_hour(appizer: AppizerHarness) -> None:
    async with appizer.client() as client:
        created = await create(client, "Premium")
        await call(client, "appizer_list_audiences")
        await call(client, "appizer_get_audience", audience_id=created["audience_id"])
        journal = await appizer.journal(client)
        key = audience_key(APP, created["audience_id"])
        assert [o.data["user_count"] for o in journal.observations.history(key)] == [created["user_count"]]
        appizer.sandbox.change_users(APP, "Users with plan=premium", 0.5, {"plan": "free"})
        appizer.time.advance(3600)
        got = await call(client, "appizer_get_audience", audience_id=created["audience_id"])
        history = journal.observations.history(key)
    assert [o.data["user_count"] for o in history] == [got["audience"]["user_count"], created["user_count"]]
    assert got["audience"]["previous_user_count"] == created["user_count"]
    assert got["audience"]["user_count"] < created["user_count"]


async def test_a_used_up_rate_limit_says_when_to_call_again_without_spending_a_request(
    appizer: AppizerHarness, appizer_client: Client
) -> None:
    appizer.sandbox.rate_limit = 1
    await call(appizer_client, "appizer_list_audiences")
    message = await tool_error(appizer_client, "appizer_list_audiences")
    assert message == "Appizer is rate-limiting requests. Call the tool again in 60 seconds."
    assert appizer.sandbox.stats.get("GET /v1/audiences") == 1


async def test_conditions_sent_as_json_text_are_read_and_other_text_is_refused(appizer_client: Client) -> None:
    result = await call(
        appizer_client,
        "appizer_create_audience",
        name="From text",
        conditions='[{"field": "plan", "value": "pro"}]',
        dry_run=True,
    )
    assert result["criteria"] == "Users with plan=pro"
    message = await tool_error(appizer_client, "appizer_create_audience", name="X", conditions="plan=premium")
    assert "put text in criteria" in message


async def test_a_long_description_is_refused_in_words_not_a_schema_dump(appizer_client: Client) -> None:
    message = await tool_error(
        appizer_client, "appizer_create_audience", name="X", criteria="Users with email", description="d" * 501
    )
    assert message == "description is longer than 500 characters (this server's limit); shorten it."
