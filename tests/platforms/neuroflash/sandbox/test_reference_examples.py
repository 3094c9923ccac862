"""Every example request of the reference and the lifecycle guide, replayed against the sandbox."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, SANDBOX_WORKSPACE_ID
from tests.support.sandbox import BASE_URL, GUIDE_BODY, WORKSPACES_PATH, Api, Clock, fetch_token

pytestmark = pytest.mark.anyio

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AUDIENCE_KEYS = {
    "_embedded",
    "country",
    "createdAt",
    "createdByUserId",
    "genderDistribution",
    "id",
    "interests",
    "maxAge",
    "minAge",
    "name",
    "nativeLanguage",
    "needs",
    "newPermissions",
    "ownerCustomerId",
    "painPoints",
    "residence",
    "shared",
    "updatedAt",
    "viewedAt",
    "workspaceId",
}
IMAGE_KEYS = {"createdAt", "createdByUserId", "fileName", "id", "targetAudienceId", "updatedAt", "url"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def assert_audience_shape(audience: dict[str, Any], *, creator: bool = True) -> None:
    assert set(audience) == AUDIENCE_KEYS
    assert uuid.UUID(audience["id"]).version == 4
    for key in ("createdAt", "updatedAt", "viewedAt"):
        assert ISO_MS.match(audience[key]), audience[key]
    assert audience["workspaceId"] == SANDBOX_WORKSPACE_ID
    assert audience["_embedded"]["permissions"] == {
        "canDelete": creator,
        "canDuplicate": True,
        "canUpdate": creator,
        "canView": True,
    }
    assert audience["newPermissions"] == {
        "deletionAllowed": creator,
        "duplicationAllowed": True,
        "updateAllowed": creator,
        "viewingAllowed": True,
    }
    assert set(audience["_embedded"]["createdByCustomer"]) == {"email", "hadTrial", "legacyId", "name"}


async def test_step_2_workspaces_come_in_the_embedded_envelope_the_guide_reads(api: Api) -> None:
    response = await api.request("GET", WORKSPACES_PATH)

    assert response.status_code == 200
    workspaces = response.json()["_embedded"]["workspaces"]
    assert workspaces == [{"id": SANDBOX_WORKSPACE_ID, "name": "Sandbox workspace", "role": "OWNER"}]


async def test_workspaces_can_be_served_in_the_data_envelope_with_extra_workspaces(
    make_app: Callable[..., Starlette],
) -> None:
    app = make_app(workspace_envelope="data", extra_workspaces=("Second team",))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE_URL) as http:
        api = Api(http, await fetch_token(http))
        body = (await api.request("GET", WORKSPACES_PATH)).json()

        assert [w["name"] for w in body["data"]] == ["Sandbox workspace", "Second team"]
        assert body["data"][0]["id"] == SANDBOX_WORKSPACE_ID
        extra = Api(http, api.headers["Authorization"].split()[1], body["data"][1]["id"])
        assert (await extra.create()).status_code == 201
        assert (await extra.list()).json()["page"]["totalElements"] == 1
        assert (await api.list()).json()["page"]["totalElements"] == 0


async def test_step_3_url_import_returns_a_prepared_profile_that_step_4_accepts(api: Api) -> None:
    response = await api.request(
        "POST",
        api.path("/target-audiences-url-imports"),
        json={"audienceModelId": "538b1efc6f88ad88feebf7acd8c618facb54fe82", "urls": ["https://your-brand.com"]},
    )

    assert response.status_code == 200
    profile = response.json()
    assert "id" not in profile
    assert set(profile) == {
        "name",
        "minAge",
        "maxAge",
        "residence",
        "genderDistribution",
        "interests",
        "needs",
        "painPoints",
        "country",
        "nativeLanguage",
        "shared",
    }
    created = await api.create(profile)
    assert created.status_code == 201, created.text


async def test_step_4_create_with_the_guides_body_returns_201_and_the_documented_shape(api: Api, clock: Clock) -> None:
    response = await api.create(GUIDE_BODY)

    assert response.status_code == 201
    audience = response.json()
    assert_audience_shape(audience)
    for key, value in GUIDE_BODY.items():
        assert audience[key] == value
    assert audience["createdAt"] == "2025-01-14T16:20:59.000Z"
    assert audience["createdAt"] == audience["updatedAt"] == audience["viewedAt"]
    assert audience["createdByUserId"] == SANDBOX_ACCOUNTS[0].user_id
    assert audience["ownerCustomerId"] == 12345
    assert "image" not in audience["_embedded"]
    assert audience["_embedded"]["createdByCustomer"]["name"] == "Sandbox User"


async def test_step_5_get_returns_the_created_audience(api: Api) -> None:
    created = await api.create_ok()

    response = await api.request("GET", api.audience(created["id"]))

    assert response.status_code == 200
    assert response.json() == created


async def test_the_list_example_returns_the_data_and_page_envelope(api: Api) -> None:
    created = await api.create_ok()

    response = await api.list()

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "page"}
    assert body["data"] == [created]
    assert body["page"] == {"currentPage": 1, "size": 20, "totalElements": 1, "totalPages": 1}


async def test_step_6_a_full_put_of_the_fetched_audience_with_a_change_is_applied(api: Api, clock: Clock) -> None:
    created = await api.create_ok()
    audience = (await api.request("GET", api.audience(created["id"]))).json()
    clock.advance(5)

    audience["name"] = "Senior marketing leaders"
    response = await api.request("PUT", api.audience(created["id"]), json=audience)

    assert response.status_code == 200
    updated = response.json()
    assert_audience_shape(updated)
    assert updated["name"] == "Senior marketing leaders"
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] == "2025-01-14T16:21:04.000Z"
    assert (await api.request("GET", api.audience(created["id"]))).json() == updated


async def test_updated_at_strictly_increases_even_when_the_clock_stands_still(api: Api) -> None:
    created = await api.create_ok()
    stamps = [created["updatedAt"]]
    for index in range(3):
        response = await api.request("PUT", api.audience(created["id"]), json={**GUIDE_BODY, "minAge": 20 + index})
        stamps.append(response.json()["updatedAt"])

    assert stamps == sorted(set(stamps))
    assert stamps[-1] == "2025-01-14T16:20:59.003Z"


async def test_step_7_delete_returns_204_and_the_audience_is_gone(api: Api) -> None:
    created = await api.create_ok()

    response = await api.request("DELETE", api.audience(created["id"]))

    assert response.status_code == 204
    assert response.content == b""
    gone = await api.request("GET", api.audience(created["id"]))
    assert gone.status_code == 404
    assert gone.json() == {"error": "Target audience not found", "code": "TARGET_AUDIENCE_NOT_FOUND"}
    assert (await api.request("DELETE", api.audience(created["id"]))).status_code == 404


async def test_duplication_with_new_name_returns_201_with_duplicate_and_original(api: Api) -> None:
    created = await api.create_ok()

    response = await api.request("POST", api.audience(created["id"], "/duplication"), json={"newName": "string"})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"duplicate", "original"}
    assert body["original"] == created
    duplicate = body["duplicate"]
    assert_audience_shape(duplicate)
    assert duplicate["name"] == "string"
    assert duplicate["id"] != created["id"]
    for key in ("genderDistribution", "interests", "needs", "painPoints", "residence", "minAge", "maxAge"):
        assert duplicate[key] == created[key]


async def test_duplication_without_a_body_names_the_copy_and_keeps_it_within_100_characters(api: Api) -> None:
    short = await api.create_ok()
    long = await api.create_ok(name="x" * 100)

    first = await api.request("POST", api.audience(short["id"], "/duplication"))
    second = await api.request("POST", api.audience(long["id"], "/duplication"), json={})

    assert first.json()["duplicate"]["name"] == "Marketing leaders (Copy)"
    assert second.json()["duplicate"]["name"] == "x" * 93 + " (Copy)"


async def test_image_put_get_download_and_delete_follow_the_reference(api: Api) -> None:
    created = await api.create_ok()
    image_path = api.audience(created["id"], "/image")

    put = await api.request(
        "PUT",
        image_path,
        json={"base64": base64.b64encode(PNG).decode(), "contentType": "image/png", "fileName": "icon.png"},
    )
    assert put.status_code == 200
    image = put.json()
    assert set(image) == IMAGE_KEYS
    assert image["targetAudienceId"] == created["id"]
    assert image["fileName"] == "icon.png"
    assert image["createdByUserId"] == SANDBOX_ACCOUNTS[0].user_id
    assert image["url"] == f"{BASE_URL}/sandbox-storage/audience-images/{image['id']}/icon.png"

    got = await api.request("GET", image_path)
    assert got.status_code == 200
    assert got.json() == image
    audience = (await api.request("GET", api.audience(created["id"]))).json()
    assert audience["_embedded"]["image"] == image

    download = await api.http.get(image["url"])  # no Authorization: a signed URL
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"

    deleted = await api.request("DELETE", image_path)
    assert deleted.status_code == 204
    missing = await api.request("GET", image_path)
    assert missing.status_code == 404
    assert missing.json()["code"] == "IMAGE_NOT_FOUND"
    assert (await api.request("DELETE", image_path)).status_code == 404
    assert (await api.http.get(image["url"])).status_code == 404


async def test_replacing_an_image_keeps_its_id_and_serves_the_new_bytes(api: Api, clock: Clock) -> None:
    created = await api.create_ok()
    image_path = api.audience(created["id"], "/image")
    first = await api.request(
        "PUT",
        image_path,
        json={"base64": base64.b64encode(PNG).decode(), "contentType": "image/png", "fileName": "a.png"},
    )
    clock.advance(1)

    second = await api.request(
        "PUT",
        image_path,
        json={"base64": base64.b64encode(b"GIF89a").decode(), "contentType": "image/gif", "fileName": "b.gif"},
    )

    assert second.json()["id"] == first.json()["id"]
    assert second.json()["updatedAt"] > first.json()["updatedAt"]
    download = await api.http.get(second.json()["url"])
    assert (download.content, download.headers["content-type"]) == (b"GIF89a", "image/gif")


async def test_duplication_copies_the_image_under_a_new_id_with_the_same_file_name(api: Api) -> None:
    created = await api.create_ok()
    await api.request(
        "PUT",
        api.audience(created["id"], "/image"),
        json={"base64": base64.b64encode(PNG).decode(), "contentType": "image/png", "fileName": "icon.png"},
    )

    body = (await api.request("POST", api.audience(created["id"], "/duplication"))).json()

    original_image = body["original"]["_embedded"]["image"]
    copy_image = body["duplicate"]["_embedded"]["image"]
    assert copy_image["id"] != original_image["id"]
    assert copy_image["fileName"] == "icon.png"
    assert copy_image["targetAudienceId"] == body["duplicate"]["id"]
    assert (await api.http.get(copy_image["url"])).content == PNG


async def test_deleting_an_audience_deletes_its_image(api: Api) -> None:
    created = await api.create_ok()
    image = (
        await api.request(
            "PUT",
            api.audience(created["id"], "/image"),
            json={"base64": base64.b64encode(PNG).decode(), "contentType": "image/png", "fileName": "icon.png"},
        )
    ).json()

    await api.request("DELETE", api.audience(created["id"]))

    assert (await api.http.get(image["url"])).status_code == 404


async def test_usage_returns_204_and_moves_viewed_at_but_not_updated_at(api: Api, clock: Clock) -> None:
    created = await api.create_ok()
    clock.advance(60)

    response = await api.request("PUT", api.audience(created["id"], "/usage"), json={})

    assert response.status_code == 204
    audience = (await api.request("GET", api.audience(created["id"]))).json()
    assert audience["viewedAt"] == "2025-01-14T16:21:59.000Z"
    assert audience["updatedAt"] == created["updatedAt"]
    assert (await api.request("PUT", api.audience(created["id"], "/usage"))).status_code == 204


async def test_each_usage_moves_viewed_at_forward_even_when_the_clock_stands_still(api: Api) -> None:
    created = await api.create_ok()

    await api.request("PUT", api.audience(created["id"], "/usage"))
    await api.request("PUT", api.audience(created["id"], "/usage"))

    audience = (await api.request("GET", api.audience(created["id"]))).json()
    assert created["viewedAt"] == "2025-01-14T16:20:59.000Z"
    assert audience["viewedAt"] == "2025-01-14T16:20:59.002Z"


async def test_limits_report_usage_against_the_plan_limit(api: Api) -> None:
    await api.create_ok()
    await api.create_ok()

    response = await api.request("GET", api.path("/limits/target-audiences"))

    assert response.status_code == 200
    assert response.json() == {"create": {"isAvailable": True, "isUnlimited": False, "limit": 50, "usage": 2}}


async def test_an_unknown_workspace_is_404_workspace_not_found(api: Api) -> None:
    other = Api(api.http, api.headers["Authorization"].split()[1], str(uuid.uuid4()))

    for response in (
        await other.list(),
        await other.create(),
        await other.request("GET", other.path("/limits/target-audiences")),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "WORKSPACE_NOT_FOUND"


async def test_unknown_routes_are_json_404_and_wrong_methods_json_405(api: Api) -> None:
    missing = await api.request("GET", "/api/audience-service/v1/nothing-here")
    wrong = await api.request("PATCH", api.path("/target-audiences"))

    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "METHOD_NOT_ALLOWED"
    assert {"GET", "POST"} <= set(wrong.headers["allow"].split(", "))


async def test_healthz_answers_ok(http: httpx2.AsyncClient) -> None:
    response = await http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_responses_write_gender_shares_with_the_literal_they_were_sent_with(api: Api) -> None:
    raw = b'{"name":"Literal keepers","minAge":1,"maxAge":2,"residence":"Berlin","genderDistribution":' + (
        b'{"female":0.50,"male":0.40,"nonBinary":0.07,"preferNotToSay":0.030},'
        b'"interests":[],"needs":[],"painPoints":[],"shared":false}'
    )

    response = await api.request(
        "POST", api.path("/target-audiences"), content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 201, response.text
    assert '"genderDistribution":{"female":0.50,"male":0.40,"nonBinary":0.07,"preferNotToSay":0.030}' in response.text
