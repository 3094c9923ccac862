"""neuroflash_update_audience: fetch-merge-PUT that changes only what was asked, and nothing else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.fields import profile_param
from tests.support.harness import STORED_BODY, Harness, call, stored, stored_literals, tool_error

pytestmark = pytest.mark.anyio

PUT = "PUT /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}"
# A version-B field and a field no published version has: both must survive every update.
WITH_UNKNOWN_FIELDS: dict[str, Any] = {
    **STORED_BODY,
    "additionalInformation": "x",
    "futureField": {"a": [1]},
}

# (tool parameter, value passed, API field, value the API must then hold)
FIELD_UPDATES = [
    ("name", "Senior marketing leaders", "name", "Senior marketing leaders"),
    ("min_age", 30, "minAge", 30),
    ("max_age", "50", "maxAge", 50),
    ("residence", "Hamburg", "residence", "Hamburg"),
    (
        "gender_distribution",
        {"female": 0.25, "male": 0.25, "nonBinary": 0.25, "preferNotToSay": 0.25},
        "genderDistribution",
        {"female": 0.25, "male": 0.25, "nonBinary": 0.25, "preferNotToSay": 0.25},
    ),
    ("interests", ["gardening", "cycling"], "interests", ["gardening", "cycling"]),
    ("needs", "time, money", "needs", ["time", "money"]),
    ("pain_points", ["bad weather"], "painPoints", ["bad weather"]),
    ("country", "France", "country", "FR"),
    ("native_language", "French", "nativeLanguage", "fr"),
    ("shared", False, "shared", False),
]


@pytest.mark.parametrize(("param", "value", "api_field", "expected"), FIELD_UPDATES, ids=[u[0] for u in FIELD_UPDATES])
async def test_updating_one_field_leaves_every_other_field_byte_for_byte_unchanged(
    harness: Harness, client: Client, param: str, value: Any, api_field: str, expected: Any
) -> None:
    audience_id = harness.seed(WITH_UNKNOWN_FIELDS)
    before = stored_literals(harness.sandbox, audience_id)

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, **{param: value})

    after = stored_literals(harness.sandbox, audience_id)
    assert stored(harness.sandbox, audience_id)[api_field] == expected
    assert set(after) == set(before)
    assert {k: v for k, v in after.items() if k != api_field} == {k: v for k, v in before.items() if k != api_field}
    assert result["updated"] is True
    assert result["changed"] == [{"field": param, "old": WITH_UNKNOWN_FIELDS[api_field], "new": expected}]
    assert harness.sandbox.stats.get(PUT) == 1


async def test_list_items_are_added_and_removed_without_touching_the_rest(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(WITH_UNKNOWN_FIELDS)
    before = stored_literals(harness.sandbox, audience_id)

    result = await call(
        client,
        "neuroflash_update_audience",
        audience_id=audience_id,
        add_interests="LinkedIn ads, podcasts",
        remove_interests=["ai"],
        add_needs=["budget approval"],
        remove_pain_points="manual workflows",
    )

    body = stored(harness.sandbox, audience_id)
    assert body["interests"] == ["content marketing", "LinkedIn ads", "podcasts"]
    assert body["needs"] == ["scale content production", "budget approval"]
    assert body["painPoints"] == []
    after = stored_literals(harness.sandbox, audience_id)
    untouched = set(before) - {"interests", "needs", "painPoints"}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert {c["field"] for c in result["changed"]} == {"interests", "needs", "pain_points"}
    changed = {c["field"]: c for c in result["changed"]}
    assert changed["interests"]["old"] == ["AI", "content marketing"]
    assert changed["interests"]["new"] == ["content marketing", "LinkedIn ads", "podcasts"]


async def test_adding_an_item_that_is_already_there_changes_nothing(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, add_interests=["ai"])

    assert result["updated"] is False and result["changed"] == []
    assert harness.sandbox.stats.get(PUT) == 0


async def test_an_empty_country_removes_it(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, country="")

    assert stored(harness.sandbox, audience_id)["country"] is None
    assert result["changed"] == [{"field": "country", "old": "US", "new": None}]
    assert any("country: removed" in a for a in result["adjustments"])


@pytest.mark.parametrize("stored_country", ["absent", None])
async def test_removing_a_country_that_is_not_there_changes_nothing(
    harness: Harness, client: Client, stored_country: str | None
) -> None:
    body = {k: v for k, v in STORED_BODY.items() if k != "country"}
    if stored_country is None:
        body["country"] = None
    audience_id = harness.seed(body)

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, country="  ")

    assert result["updated"] is False and result["changed"] == []
    assert harness.sandbox.stats.get(PUT) == 0
    assert ("country" in stored(harness.sandbox, audience_id)) is (stored_country is None)


async def test_an_update_that_changes_nothing_sends_no_put(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(WITH_UNKNOWN_FIELDS)
    before = harness.sandbox.store.get(audience_id)

    result = await call(
        client,
        "neuroflash_update_audience",
        audience_id=audience_id,
        name="Marketing leaders",
        min_age="25",
        country="United States",
        gender_distribution="50% female, 40% male, 7% non-binary, 3% prefer not to say",
    )

    assert result["updated"] is False and result["changed"] == []
    assert result["audience"]["id"] == audience_id
    assert harness.sandbox.stats.get(PUT) == 0
    assert harness.sandbox.store.get(audience_id) == before


async def test_an_update_without_any_field_is_refused(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id)

    assert "Nothing to update" in message


async def test_the_result_reports_old_and_new_values_and_the_detailed_audience(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, min_age=30, max_age=60)

    assert result["changed"] == [
        {"field": "min_age", "old": 25, "new": 30},
        {"field": "max_age", "old": 45, "new": 60},
    ]
    assert (result["audience"]["min_age"], result["audience"]["max_age"]) == (30, 60)
    assert result["audience"]["interests"] == ["AI", "content marketing"]


async def test_ages_that_would_cross_are_refused_and_nothing_is_sent(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()  # 25-45

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, min_age=50)

    assert "min_age (50) is greater than max_age (45)" in message
    assert harness.sandbox.stats.get(PUT) == 0


async def test_a_stale_expected_updated_at_is_refused(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(updated_at="2025-03-01T10:00:00.000Z")

    message = await tool_error(
        client,
        "neuroflash_update_audience",
        audience_id=audience_id,
        name="Changed name",
        expected_updated_at="2025-02-01T10:00:00.000Z",
    )

    assert "2025-03-01T10:00:00.000Z" in message and "neuroflash_get_audience" in message
    assert stored(harness.sandbox, audience_id)["name"] == "Marketing leaders"
    assert harness.sandbox.stats.get(PUT) == 0


async def test_a_matching_expected_updated_at_lets_the_update_through(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    current = (await call(client, "neuroflash_get_audience", audience_id=audience_id))["audience"]

    result = await call(
        client,
        "neuroflash_update_audience",
        audience_id=audience_id,
        name="Changed name",
        expected_updated_at=current["updated_at"],
    )

    assert result["updated"] is True
    assert stored(harness.sandbox, audience_id)["name"] == "Changed name"


async def test_dry_run_returns_the_full_body_and_writes_nothing(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(WITH_UNKNOWN_FIELDS)
    before = stored_literals(harness.sandbox, audience_id)

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, residence="Munich", dry_run=True)

    assert result["updated"] is False
    assert result["changed"] == [{"field": "residence", "old": "Berlin", "new": "Munich"}]
    expected = {profile_param(k): v for k, v in {**WITH_UNKNOWN_FIELDS, "residence": "Munich"}.items()}
    assert result["request_body"] == expected
    assert "min_age" in expected and "futureField" in expected  # parameter names; unmodeled fields keep theirs
    assert stored_literals(harness.sandbox, audience_id) == before
    assert harness.sandbox.stats.get(PUT) == 0


async def test_fifty_concurrent_partial_updates_of_one_audience_all_take_effect(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed(WITH_UNKNOWN_FIELDS)
    updates: list[dict[str, Any]] = [
        {"name": "Renamed concurrently"},
        {"residence": "Cologne"},
        {"max_age": 60},
        {"country": "AT"},
        {"shared": False},
    ]
    updates += [{"add_interests": [f"interest {i}"]} for i in range(15)]
    updates += [{"add_needs": [f"need {i}"]} for i in range(15)]
    updates += [{"add_pain_points": [f"pain {i}"]} for i in range(14)]
    updates.append({"remove_interests": ["AI"]})
    assert len(updates) == 50

    async def update(args: dict[str, Any]) -> None:
        await call(client, "neuroflash_update_audience", audience_id=audience_id, **args)

    async with anyio.create_task_group() as tg:
        for args in updates:
            tg.start_soon(update, args)

    body = stored(harness.sandbox, audience_id)
    assert body["name"] == "Renamed concurrently"
    assert (body["residence"], body["maxAge"], body["country"], body["shared"]) == ("Cologne", 60, "AT", False)
    assert sorted(body["interests"]) == sorted(["content marketing", *(f"interest {i}" for i in range(15))])
    assert sorted(body["needs"]) == sorted(["scale content production", *(f"need {i}" for i in range(15))])
    assert sorted(body["painPoints"]) == sorted(["manual workflows", *(f"pain {i}" for i in range(14))])
    assert (body["additionalInformation"], body["futureField"]) == ("x", {"a": [1]})
    assert harness.sandbox.stats.get(PUT) == 50


async def test_stored_shares_that_do_not_sum_to_one_block_other_updates_with_a_clear_error(
    harness: Harness, client: Client
) -> None:
    broken = {**STORED_BODY, "genderDistribution": {"female": 0.5, "male": 0.3, "nonBinary": 0.1, "preferNotToSay": 0}}
    audience_id = harness.seed(broken)

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, name="Fixed name")

    assert "gender_distribution sums to 0.9" in message
    assert "Pass corrected values" in message
    assert harness.sandbox.stats.get(PUT) == 0
    assert stored(harness.sandbox, audience_id)["name"] == "Marketing leaders"


async def test_stored_invalid_shares_can_be_fixed_in_the_same_update(harness: Harness, client: Client) -> None:
    broken = {**STORED_BODY, "genderDistribution": {"female": 0.5, "male": 0.3, "nonBinary": 0.1, "preferNotToSay": 0}}
    audience_id = harness.seed(broken)

    result = await call(
        client,
        "neuroflash_update_audience",
        audience_id=audience_id,
        name="Fixed name",
        gender_distribution={"female": 0.5, "male": 0.4, "nonBinary": 0.1, "preferNotToSay": 0},
    )

    body = stored(harness.sandbox, audience_id)
    assert body["name"] == "Fixed name"
    assert body["genderDistribution"] == {"female": 0.5, "male": 0.4, "nonBinary": 0.1, "preferNotToSay": 0}
    assert {c["field"] for c in result["changed"]} == {"name", "gender_distribution"}


async def test_an_audience_missing_a_required_field_names_it(harness: Harness, client: Client) -> None:
    body = {k: v for k, v in STORED_BODY.items() if k != "residence"}
    audience_id = harness.seed(body)

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, name="Fixed name")

    assert "residence is missing" in message
    assert harness.sandbox.stats.get(PUT) == 0


async def test_updating_an_unknown_audience_says_to_call_list_audiences(client: Client) -> None:
    message = await tool_error(client, "neuroflash_update_audience", audience_id="nope", name="New name")

    assert "neuroflash_list_audiences" in message


async def test_integer_shares_are_sent_back_as_they_were_stored(harness: Harness, client: Client) -> None:
    shares = {"female": 1, "male": 0, "nonBinary": 0, "preferNotToSay": 0}
    audience_id = harness.seed({**STORED_BODY, "genderDistribution": shares})
    before = stored_literals(harness.sandbox, audience_id)

    await call(client, "neuroflash_update_audience", audience_id=audience_id, name="Renamed")

    assert stored_literals(harness.sandbox, audience_id)["genderDistribution"] == before["genderDistribution"]


async def test_shares_with_long_decimals_that_sum_to_one_do_not_block_an_update(
    harness: Harness, client: Client
) -> None:
    third = Decimal("0.33333333333333333333")
    shares = {"female": third, "male": third, "nonBinary": Decimal("0.33333333333333333334"), "preferNotToSay": 0}
    audience_id = harness.seed({**STORED_BODY, "genderDistribution": shares})

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, name="Renamed")

    assert result["updated"] is True
