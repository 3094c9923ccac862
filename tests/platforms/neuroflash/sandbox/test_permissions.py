"""Only creators change audiences; other members see shared ones and may duplicate them."""

from __future__ import annotations

import base64

import pytest

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS
from tests.support.sandbox import GUIDE_BODY, Api, guide_body

pytestmark = pytest.mark.anyio

FORBIDDEN = {
    "error": "Only the creator of a target audience can update or delete it",
    "code": "INSUFFICIENT_PERMISSIONS",
}
IMAGE = {"base64": base64.b64encode(b"GIF89a").decode(), "contentType": "image/gif", "fileName": "i.gif"}


async def test_another_member_sees_a_shared_audience_with_read_only_permissions(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=True)

    response = await api2.request("GET", api2.audience(created["id"]))

    assert response.status_code == 200
    audience = response.json()
    assert audience["_embedded"]["permissions"] == {
        "canDelete": False,
        "canDuplicate": True,
        "canUpdate": False,
        "canView": True,
    }
    assert audience["newPermissions"]["updateAllowed"] is False
    assert audience["createdByUserId"] == SANDBOX_ACCOUNTS[0].user_id
    assert audience["_embedded"]["createdByCustomer"]["legacyId"] == 12345


async def test_another_member_cannot_put_or_delete_a_shared_audience(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=True)

    put = await api2.request("PUT", api2.audience(created["id"]), json=guide_body(name="Hijacked"))
    delete = await api2.request("DELETE", api2.audience(created["id"]))

    assert (put.status_code, put.json()) == (403, FORBIDDEN)
    assert (delete.status_code, delete.json()) == (403, FORBIDDEN)
    assert (await api.request("GET", api.audience(created["id"]))).json() == created


async def test_another_member_cannot_change_or_remove_the_image_of_a_shared_audience(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=True)
    assert (await api.request("PUT", api.audience(created["id"], "/image"), json=IMAGE)).status_code == 200

    put = await api2.request("PUT", api2.audience(created["id"], "/image"), json=IMAGE)
    delete = await api2.request("DELETE", api2.audience(created["id"], "/image"))
    get = await api2.request("GET", api2.audience(created["id"], "/image"))

    assert (put.status_code, put.json()) == (403, FORBIDDEN)
    assert (delete.status_code, delete.json()) == (403, FORBIDDEN)
    assert get.status_code == 200


async def test_an_unshared_audience_of_another_account_does_not_exist_for_it(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=False)

    responses = [
        await api2.request("GET", api2.audience(created["id"])),
        await api2.request("PUT", api2.audience(created["id"]), json=GUIDE_BODY),
        await api2.request("DELETE", api2.audience(created["id"])),
        await api2.request("POST", api2.audience(created["id"], "/duplication")),
        await api2.request("PUT", api2.audience(created["id"], "/usage")),
        await api2.request("GET", api2.audience(created["id"], "/image")),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json()["code"] == "TARGET_AUDIENCE_NOT_FOUND"
    assert (await api2.list()).json()["page"]["totalElements"] == 0


async def test_the_list_shows_own_audiences_and_others_shared_ones(api: Api, api2: Api) -> None:
    mine_private = await api.create_ok(name="Mine private", shared=False)
    mine_shared = await api.create_ok(name="Mine shared", shared=True)
    theirs_private = await api2.create_ok(name="Theirs private", shared=False)
    theirs_shared = await api2.create_ok(name="Theirs shared", shared=True)

    seen_by_1 = {a["id"] for a in (await api.list()).json()["data"]}
    seen_by_2 = {a["id"] for a in (await api2.list()).json()["data"]}

    assert seen_by_1 == {mine_private["id"], mine_shared["id"], theirs_shared["id"]}
    assert seen_by_2 == {mine_shared["id"], theirs_private["id"], theirs_shared["id"]}


async def test_another_member_may_duplicate_a_shared_audience_and_owns_the_copy(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=True)

    response = await api2.request("POST", api2.audience(created["id"], "/duplication"), json={"newName": "My copy"})

    assert response.status_code == 201
    duplicate = response.json()["duplicate"]
    assert duplicate["createdByUserId"] == SANDBOX_ACCOUNTS[1].user_id
    assert duplicate["ownerCustomerId"] == 12346
    assert duplicate["_embedded"]["permissions"]["canUpdate"] is True
    assert response.json()["original"]["_embedded"]["permissions"]["canUpdate"] is False
    put = await api2.request("PUT", api2.audience(duplicate["id"]), json=guide_body(name="My copy, edited"))
    assert put.status_code == 200


async def test_another_member_may_record_a_usage_of_a_shared_audience(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=True)

    response = await api2.request("PUT", api2.audience(created["id"], "/usage"))

    assert response.status_code == 204


async def test_a_creator_who_unshares_an_audience_hides_it_from_the_other_member(api: Api, api2: Api) -> None:
    created = await api.create_ok(shared=True)
    assert (await api2.request("GET", api2.audience(created["id"]))).status_code == 200

    await api.request("PUT", api.audience(created["id"]), json=guide_body(shared=False))

    assert (await api2.request("GET", api2.audience(created["id"]))).status_code == 404
