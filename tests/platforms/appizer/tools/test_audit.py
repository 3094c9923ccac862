"""audit_audiences' Appizer checks, on audiences the sandbox really holds."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from tests.support.appizer import APP, AppizerHarness
from tests.support.harness import call

pytestmark = pytest.mark.anyio


async def create(client: Client, name: str, criteria: str) -> dict[str, Any]:
    return await call(client, "appizer_create_audience", name=name, criteria=criteria)


def by_check(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["check"], []).append(finding)
    return found


async def test_a_clean_app_has_no_findings(appizer_client: Client) -> None:
    await create(appizer_client, "Premium", "Users with plan=premium")
    report = await call(appizer_client, "audit_audiences", platforms=["appizer"])
    assert report["findings"] == [] and report["summary"]["audiences_scanned"] == 1


async def test_zero_users_unknown_fields_and_duplicate_criteria_are_found_with_fixes(appizer_client: Client) -> None:
    nobody = await create(appizer_client, "Nobody", "Users with country=ZZ")
    unknown = await create(appizer_client, "VIPs", "Users with vip_level=gold")
    first = await create(appizer_client, "Premium A", "Users with plan=premium AND country=US")
    second = await create(appizer_client, "Premium B", "users with country=US and plan=premium")
    found = by_check(await call(appizer_client, "audit_audiences", platforms=["appizer"]))
    assert [f["audiences"][0]["id"] for f in found["appizer_zero_users"]] == [nobody["audience_id"]]
    [reference] = found["appizer_unknown_references"]
    assert reference["audiences"][0]["id"] == unknown["audience_id"] and "vip_level" in reference["problem"]
    assert reference["severity"] == "error" and "appizer_create_audience" in reference["fix"]
    [copies] = found["appizer_duplicate_criteria"]
    assert {a["id"] for a in copies["audiences"]} == {first["audience_id"], second["audience_id"]}
    assert "dashboard" in copies["fix"]


async def test_two_audiences_with_the_same_name_are_reported(appizer: AppizerHarness, appizer_client: Client) -> None:
    # The sandbox refuses a second name (409), as an API might not: store one behind its back.
    await create(appizer_client, "Weekly", "Users with plan=pro")
    appizer.sandbox._audiences[APP].append(
        {**appizer.sandbox._audiences[APP][0], "audience_id": "aud_copy", "criteria": "Users with email"}
    )
    found = by_check(await call(appizer_client, "audit_audiences", platforms=["appizer"]))
    [names] = found["appizer_duplicate_names"]
    assert names["audience_count"] == 2 and "Rename" in names["fix"]


async def test_a_size_drop_of_more_than_30_percent_since_the_previous_sighting(
    appizer: AppizerHarness, appizer_client: Client
) -> None:
    falling = await create(appizer_client, "Premium", "Users with plan=premium")
    steady = await create(appizer_client, "Pro", "Users with plan=pro")
    appizer.time.advance(2 * 3600)
    appizer.sandbox.change_users(APP, "Users with plan=premium", 0.5, {"plan": "free"})
    report = await call(appizer_client, "audit_audiences", platforms=["appizer"], checks=["appizer_size_drop"])
    [drop] = report["findings"]
    assert drop["audiences"][0]["id"] == falling["audience_id"] != steady["audience_id"]
    assert "fell by 50%" in drop["problem"] and str(falling["user_count"]) in drop["problem"]
    assert "appizer_get_audience" in drop["fix"]


async def test_a_small_drop_is_not_reported(appizer: AppizerHarness, appizer_client: Client) -> None:
    await create(appizer_client, "Premium", "Users with plan=premium")
    appizer.time.advance(2 * 3600)
    appizer.sandbox.change_users(APP, "Users with plan=premium", 0.2, {"plan": "free"})
    report = await call(appizer_client, "audit_audiences", platforms=["appizer"], checks=["appizer_size_drop"])
    assert report["findings"] == []


async def test_without_an_app_the_audit_says_why_appizer_was_not_read(make_appizer: Any) -> None:
    harness = make_appizer(default_app=None)

    async with Client(harness.server) as client:
        report = await call(client, "audit_audiences", platforms=["appizer"])

    (summary,) = report["summary"]["platforms"]
    assert (summary["audiences_scanned"], summary["complete"]) == (0, False)
    assert summary["note"] == "Not audited: no app chosen. Set APPIZER_APP_ID (Appizer has no route that lists apps)."
