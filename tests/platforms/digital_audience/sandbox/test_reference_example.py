"""The seed document's example, replayed against the sandbox over plain HTTP (no client code).

The Audience API file shows one request and its response (create CRM audience); the sandbox must
answer it with exactly the documented fields, wrapper and values, and accept the document's
longer curl path too. The CRM-upload simulation route moves an audience NODATA -> PROCESSING -> READY.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

pytestmark = pytest.mark.anyio

# The documented response of POST /audience/createcrmaudience (ids and times vary).
EXAMPLE_RESPONSE: dict[str, Any] = {
    "data": {
        "userId": 123,
        "description": "audience description",
        "campaignId": 123,
        "campaignName": "audience campaign",
        "dataUpdated": None,
        "startDate": None,
        "endDate": None,
        "activationStatus": "New",
        "activationStatusId": 0,
        "lifetimeStatus": None,
        "lifetimeStatusId": None,
        "tagCollection": None,
        "crmData": None,
        "audienceState": "NODATA",
        "audienceStateId": 5,
        "type": "ONBOARDING",
        "typeId": 0,
        "sourceAudienceId": None,
        "sourceAudienceTypeId": None,
        "canCreateLookalike": False,
        "hasSegments": False,
        "id": 69249,
        "name": "testfhdfhdfh",
        "created": "2025-12-15T11:36:16.489708Z",
        "updated": "2025-12-15T11:36:16.489708Z",
    },
    "status": {"statusCode": 0, "message": None},
    "success": True,
}
VARYING = {"userId", "campaignId", "id", "created", "updated"}


@pytest.fixture
async def http(sandbox_app: Any) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox_app), base_url="http://s") as client:
        login = await client.post("/account/login", json={"userName": "sandbox-user", "password": "sandbox-password"})
        assert login.json()["data"] is True
        yield client


async def _campaign(http: httpx2.AsyncClient) -> int:
    response = await http.post("/campaign/createcampaign", json={"name": "audience campaign"})
    campaign_id: int = response.json()["data"]["id"]
    return campaign_id


@pytest.mark.parametrize(
    "path", ["/audience/createcrmaudience", "/audience/create/api/audience/createcrmaudience"], ids=["heading", "curl"]
)
async def test_the_documented_create_request_gets_the_documented_response(http: httpx2.AsyncClient, path: str) -> None:
    campaign_id = await _campaign(http)
    body = {"name": "testfhdfhdfh", "description": "audience description", "campaignId": campaign_id}

    response = await http.post(path, json=body)

    answer = response.json()
    assert response.status_code == 200
    assert set(answer) == set(EXAMPLE_RESPONSE)
    assert set(answer["data"]) == set(EXAMPLE_RESPONSE["data"])
    assert {k: v for k, v in answer["data"].items() if k not in VARYING} == {
        k: v for k, v in EXAMPLE_RESPONSE["data"].items() if k not in VARYING
    }
    assert answer["data"]["campaignId"] == campaign_id
    assert answer["status"] == EXAMPLE_RESPONSE["status"] and answer["success"] is True


async def test_the_body_examples_quoted_campaign_id_is_accepted(http: httpx2.AsyncClient) -> None:
    campaign_id = await _campaign(http)

    response = await http.post("/audience/createcrmaudience", json={"name": "q", "campaignId": str(campaign_id)})

    assert response.json()["data"]["campaignId"] == campaign_id


async def test_without_a_session_the_answer_is_a_wrapped_not_logged_in(sandbox_app: Any) -> None:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox_app), base_url="http://s") as anonymous:
        response = await anonymous.get("/organisation/loadplatformaccounts")

    assert response.status_code == 401
    assert response.json() == {
        "data": None,
        "status": {"statusCode": 401, "message": "Not logged in"},
        "success": False,
    }


async def test_the_accounts_carry_access_tokens_on_the_wire(http: httpx2.AsyncClient) -> None:
    accounts = (await http.get("/organisation/loadplatformaccounts")).json()["data"]

    assert all(account["accessToken"].startswith("nfsentinel-") for account in accounts)
    assert {"id", "name", "platformId", "platformName", "advertiserId", "clientId"} <= set(accounts[0])


async def test_a_crm_upload_moves_the_audience_from_nodata_to_processing_to_ready(http: httpx2.AsyncClient) -> None:
    campaign_id = await _campaign(http)
    audience_id = (
        await http.post("/audience/createcrmaudience", json={"name": "a", "campaignId": campaign_id})
    ).json()["data"]["id"]
    upload = f"/_sandbox/audiences/{audience_id}/crm-upload"

    processing = (
        await http.post(upload, json={"stage": "processing", "rows": 200, "matchRates": {"EMAIL": 0.25}})
    ).json()
    ready = (await http.post(upload, json={"stage": "ready"})).json()
    loaded = (await http.get(f"/audience/loadaudiencebyid/{audience_id}")).json()["data"]

    assert processing["data"]["audienceState"] == "PROCESSING"
    assert processing["data"]["crmData"]["insightsState"] == "PENDING"
    assert ready["data"]["audienceState"] == "READY"
    assert loaded["crmData"]["size"] == 200
    entry = next(iter(loaded["crmData"]["history"]["history"].values()))
    assert entry["matchRates"] == {"EMAIL": 0.25}
    assert entry["dataSet"]["EMAIL"] == {"TOTAL": 200, "UNIQUE": 200, "MATCH": 50, "UMATCH": 50, "NOMATCH": 150}


async def test_activation_refuses_a_window_that_ends_before_it_starts(http: httpx2.AsyncClient) -> None:
    campaign_id = await _campaign(http)
    audience_id = (
        await http.post("/audience/createcrmaudience", json={"name": "a", "campaignId": campaign_id})
    ).json()["data"]["id"]
    body = {"audienceId": audience_id, "accountId": 501, "name": "s", "description": "d"}

    response = await http.post(
        "/audience/activate", json={**body, "startDate": "2030-02-01T00:00:00Z", "endDate": "2030-01-01T00:00:00Z"}
    )

    assert response.status_code == 400
    assert response.json()["success"] is False
