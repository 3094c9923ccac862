"""restore_change over Digital Audience's journal: revert an update, re-create a deleted audience's
metadata (new id), and say plainly that an activation cannot be undone from here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mcp import Client

from tests.support.digital_audience import META_ACCOUNT, DAHarness
from tests.support.harness import call, tool_error

pytestmark = pytest.mark.anyio


async def test_undo_an_update_puts_name_and_description_back(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Old", description="Old text")
    change = (
        await call(
            da_client, "digital_audience_update_audience", audience_id=audience_id, name="New", description="New text"
        )
    )["change_id"]

    changes = (await call(da_client, "list_recent_changes", platform="digital_audience"))["changes"]
    result = await call(da_client, "restore_change", change_id=change)

    assert changes[0]["changed_fields"] == ["name", "description"]
    assert result["status"] == "restored"
    assert (da.stored(audience_id)["name"], da.stored(audience_id)["description"]) == ("Old", "Old text")


async def test_undo_an_update_refuses_to_overwrite_a_later_edit(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Old")
    change = (await call(da_client, "digital_audience_update_audience", audience_id=audience_id, name="New"))[
        "change_id"
    ]
    da.sandbox.update_audience(audience_id, "Someone else's", "x")
    da.sandbox.audiences[audience_id]["updated"] = "2099-01-01T00:00:00.000000Z"

    message = await tool_error(da_client, "restore_change", change_id=change)

    assert "force=true" in message
    assert da.stored(audience_id)["name"] == "Someone else's"


async def test_undo_a_delete_recreates_name_description_and_campaign_under_a_new_id(
    da: DAHarness, da_client: Client
) -> None:
    campaign_id = da.campaign("Spring")
    audience_id = da.audience(name="Buyers", description="Kept", campaign_id=campaign_id)
    token = (await call(da_client, "digital_audience_delete_audience", audience_id=audience_id))["confirm_token"]
    change = (await call(da_client, "digital_audience_delete_audience", audience_id=audience_id, confirm_token=token))[
        "change_id"
    ]

    result = await call(da_client, "restore_change", change_id=change)

    new_id = int(result["new_audience_id"])
    assert new_id != audience_id
    assert "new audience" in result["message"] and "CRM data is gone" in result["message"]
    stored = da.stored(new_id)
    assert (stored["name"], stored["description"], stored["campaignId"]) == ("Buyers", "Kept", campaign_id)


async def test_an_activation_cannot_be_undone_and_says_where_it_can(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience()
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    args = {"audience_id": audience_id, "account_id": META_ACCOUNT, "start_date": start, "end_date": "for 7 days"}
    token = (await call(da_client, "digital_audience_activate_audience", **args))["confirm_token"]
    activated = await call(da_client, "digital_audience_activate_audience", **args, confirm_token=token)

    message = await tool_error(da_client, "restore_change", change_id=activated["change_id"])

    assert "cannot be undone from here" in message
    assert activated["segment_id"] in message
    assert len(da.sandbox.activations) == 1


async def test_every_write_is_journaled_under_digital_audience(da: DAHarness, da_client: Client) -> None:
    campaign = await call(da_client, "digital_audience_create_campaign", name="C")
    await call(da_client, "digital_audience_create_audience", name="A", campaign_id=campaign["campaign_id"])

    changes = (await call(da_client, "list_recent_changes"))["changes"]

    assert [(c["platform"], c["tool"], c["status"]) for c in changes] == [
        ("digital_audience", "digital_audience_create_audience", "succeeded"),
        ("digital_audience", "digital_audience_create_campaign", "succeeded"),
    ]
