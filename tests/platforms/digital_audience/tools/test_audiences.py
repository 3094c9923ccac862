"""Campaign and audience tools through the real MCP client against the sandbox."""

from __future__ import annotations

from functools import partial

import anyio
import pytest
from mcp import Client

from tests.support.digital_audience import DAHarness
from tests.support.harness import call, tool_error

pytestmark = pytest.mark.anyio


async def test_create_a_campaign_then_an_audience_in_it(da: DAHarness, da_client: Client) -> None:
    campaign = await call(da_client, "digital_audience_create_campaign", name="  Winter   sale ")
    created = await call(
        da_client,
        "digital_audience_create_audience",
        name="CRM buyers",
        campaign_id=campaign["campaign_id"],
        description="Bought twice",
    )

    audience = created["audience"]
    assert campaign["name"] == "Winter sale"
    assert created["created"] is True and isinstance(created["change_id"], int)
    assert audience["state"] == "NODATA" and audience["campaign_name"] == "Winter sale"
    assert da.stored(audience["id"])["description"] == "Bought twice"


async def test_dry_run_creates_nothing(da: DAHarness, da_client: Client) -> None:
    campaign_id = da.campaign()

    result = await call(da_client, "digital_audience_create_audience", name="A", campaign_id=campaign_id, dry_run=True)

    assert result["created"] is False
    assert result["request_body"] == {"name": "A", "campaignId": campaign_id}
    assert da.sandbox.audiences == {}


async def test_an_unknown_campaign_says_what_to_do(da_client: Client) -> None:
    message = await tool_error(da_client, "digital_audience_create_audience", name="A", campaign_id=424242)

    assert "Campaign 424242 not found" in message


async def test_get_summarizes_and_detailed_adds_the_crm_history(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience()
    da.sandbox.upload_crm(audience_id, "ready", 1000, {"EMAIL": 0.62, "PHONE": 0.2}, "opt-in")

    concise = (await call(da_client, "digital_audience_get_audience", audience_id=audience_id))["audience"]
    detailed = (
        await call(da_client, "digital_audience_get_audience", audience_id=audience_id, response_format="detailed")
    )["audience"]

    assert concise["state"] == "READY" and concise["size"] == 1000
    assert concise["match_rates"] == {"EMAIL": 0.62, "PHONE": 0.2}
    assert concise["uploads"] is None
    assert detailed["uploads"][0]["counts"]["EMAIL"]["MATCH"] == 620
    assert detailed["uploads"][0]["mode"] == "opt-in"


async def test_get_an_unknown_audience_names_the_list_tool(da_client: Client) -> None:
    message = await tool_error(da_client, "digital_audience_get_audience", audience_id=999999)

    assert "not found" in message and "digital_audience_list_audiences" in message


async def test_list_shows_what_this_server_has_seen_and_nothing_else(da: DAHarness, da_client: Client) -> None:
    unseen = da.audience("Never loaded")
    loaded = da.audience("Loaded once")
    await call(da_client, "digital_audience_get_audience", audience_id=loaded)
    campaign_id = da.campaign()
    created = (await call(da_client, "digital_audience_create_audience", name="Made here", campaign_id=campaign_id))[
        "audience"
    ]["id"]

    listed = (await call(da_client, "digital_audience_list_audiences"))["audiences"]

    assert {row["id"] for row in listed} == {loaded, created}
    assert unseen not in {row["id"] for row in listed}
    assert all(row["last_seen"].endswith("Z") for row in listed)


async def test_update_changes_the_name_and_keeps_the_description(da: DAHarness, da_client: Client) -> None:
    """The sandbox, like the API may, clears a description the update body leaves out."""
    audience_id = da.audience(name="Old", description="Keep this text")

    result = await call(da_client, "digital_audience_update_audience", audience_id=audience_id, name="New")

    assert result["updated"] is True
    assert result["changed"] == [{"field": "name", "old": "Old", "new": "New"}]
    assert da.stored(audience_id)["name"] == "New"
    assert da.stored(audience_id)["description"] == "Keep this text"


async def test_update_with_an_empty_description_clears_it(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(description="Remove me")

    await call(da_client, "digital_audience_update_audience", audience_id=audience_id, description="")

    assert da.stored(audience_id)["description"] is None


async def test_update_without_a_change_sends_nothing(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Same")
    da.app.state.stats.reset()

    result = await call(da_client, "digital_audience_update_audience", audience_id=audience_id, name="Same")

    assert result["updated"] is False
    assert "POST /audience/update" not in da.app.state.stats.counts


async def test_update_dry_run_shows_the_full_body(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Old", description="Kept")

    result = await call(
        da_client, "digital_audience_update_audience", audience_id=audience_id, name="New", dry_run=True
    )

    assert result["request_body"] == {"id": audience_id, "name": "New", "description": "Kept"}
    assert da.stored(audience_id)["name"] == "Old"


async def test_update_without_fields_is_refused(da: DAHarness, da_client: Client) -> None:
    message = await tool_error(da_client, "digital_audience_update_audience", audience_id=da.audience())

    assert "pass name or description" in message


async def test_concurrent_updates_of_one_audience_keep_both_changes(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Old", description="Old text")
    tool = "digital_audience_update_audience"

    async with anyio.create_task_group() as group:
        group.start_soon(partial(call, da_client, tool, audience_id=audience_id, name="New"))
        group.start_soon(partial(call, da_client, tool, audience_id=audience_id, description="New text"))

    assert (da.stored(audience_id)["name"], da.stored(audience_id)["description"]) == ("New", "New text")


async def test_an_update_whose_read_back_fails_is_still_reported_as_done(da: DAHarness, da_client: Client) -> None:
    """Found by the fault campaign: a 503 on the read-back made an applied update look failed."""
    audience_id = da.audience(name="Old", description="Kept")
    await call(da_client, "digital_audience_get_audience", audience_id=audience_id)  # logged in
    da.app.state.faults.script([None, None, 503, 503])  # load, update, then the read-back twice

    result = await call(da_client, "digital_audience_update_audience", audience_id=audience_id, name="New")

    assert result["updated"] is True and isinstance(result["change_id"], int)
    assert result["audience"]["name"] == "New"
    assert (da.stored(audience_id)["name"], da.stored(audience_id)["description"]) == ("New", "Kept")
