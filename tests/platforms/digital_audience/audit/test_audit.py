"""audit_audiences over the Digital Audience audiences this server knows, through the MCP client.

The sandbox's CRM-upload route puts audiences into each state (NODATA, PROCESSING, READY with
match rates), so every check is proven on data the client read from the API.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from tests.support.digital_audience import DAHarness
from tests.support.harness import call

pytestmark = pytest.mark.anyio
DAY = 86_400.0


async def audit(client: Client, **args: Any) -> dict[str, Any]:
    return await call(client, "audit_audiences", platforms=["digital_audience"], **args)


def by_check(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["check"], []).append(finding)
    return found


async def seen(client: Client, *ids: int) -> None:
    for audience_id in ids:
        await call(client, "digital_audience_get_audience", audience_id=audience_id)


async def test_each_check_finds_its_audience(da: DAHarness, da_client: Client) -> None:
    campaign = da.campaign()
    empty = da.audience("Empty", campaign_id=campaign)
    pending = da.audience("Pending", campaign_id=da.campaign())
    low = da.audience("Low match", campaign_id=da.campaign())
    good = da.audience("Good", campaign_id=da.campaign())
    twin_a, twin_b = da.audience("Twins", campaign_id=campaign), da.audience("twins ", campaign_id=campaign)
    da.sandbox.upload_crm(pending, "processing", 500, {"EMAIL": 0.7}, "opt-in")
    da.sandbox.audiences[pending]["dataUpdated"] = "2020-01-01T00:00:00.000000Z"
    da.sandbox.upload_crm(low, "ready", 500, {"EMAIL": 0.5, "PHONE": 0.12}, "opt-in")
    da.sandbox.upload_crm(good, "ready", 500, {"EMAIL": 0.8}, "opt-in")
    da.sandbox.audiences[good].update(endDate="2020-02-01T00:00:00Z", activationStatusId=1)
    await seen(da_client, empty, pending, low, good, twin_a, twin_b)

    report = await audit(da_client)

    found = by_check(report)
    ids = {check: {a["id"] for f in findings for a in f["audiences"]} for check, findings in found.items()}
    assert ids["no_crm_data"] == {str(empty), str(twin_a), str(twin_b)}
    assert ids["insights_pending"] == {str(pending)}
    assert ids["low_match_rate"] == {str(low)}
    assert "PHONE 12%" in found["low_match_rate"][0]["problem"]
    assert ids["activation_ended"] == {str(good)}
    assert ids["never_activated"] == {str(pending), str(low)}
    assert ids["duplicate_names_in_campaign"] == {str(twin_a), str(twin_b)}
    assert report["summary"]["audiences_scanned"] == 6


async def test_fixes_name_the_call_or_what_only_the_portal_can_do(da: DAHarness, da_client: Client) -> None:
    empty = da.audience("Empty")
    ended = da.audience("Ended")
    da.sandbox.upload_crm(ended, "ready", 10, {"EMAIL": 0.9}, "opt-in")
    da.sandbox.audiences[ended].update(endDate="2020-02-01T00:00:00Z", activationStatusId=1)
    await seen(da_client, empty, ended)

    found = by_check(await audit(da_client))

    assert "portal" in found["no_crm_data"][0]["fix"]
    assert found["activation_ended"][0]["fix"].startswith(f"digital_audience_activate_audience(audience_id={ended}")


async def test_only_known_audiences_are_audited_and_deleted_ones_are_dropped(da: DAHarness, da_client: Client) -> None:
    unknown = da.audience("Never seen")
    known = da.audience("Seen")
    gone = da.audience("Gone later")
    await seen(da_client, known, gone)
    da.sandbox.delete_audience(gone)

    report = await audit(da_client, checks=["no_crm_data"])

    ids = {a["id"] for f in report["findings"] for a in f["audiences"]}
    assert ids == {str(known)}
    assert str(unknown) not in ids
    listed = (await call(da_client, "digital_audience_list_audiences"))["audiences"]
    assert {row["id"] for row in listed} == {known}
