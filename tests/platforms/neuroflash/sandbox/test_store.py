"""Direct store access for tests, and persistence of a file database across restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, SANDBOX_WORKSPACE_ID, ImageData, Sandbox
from tests.support.sandbox import Api, connect, guide_body

pytestmark = pytest.mark.anyio


async def test_insert_raw_stores_shares_summing_to_0_9_that_the_api_would_refuse(api: Api, sandbox: Sandbox) -> None:
    shares = {"female": 0.5, "male": 0.3, "nonBinary": 0.05, "preferNotToSay": 0.05}
    assert (await api.create(genderDistribution=shares)).status_code == 400

    audience_id = sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, guide_body(genderDistribution=shares))

    fetched = (await api.request("GET", api.audience(audience_id))).json()
    assert fetched["genderDistribution"] == shares


async def test_insert_raw_keeps_a_missing_key_missing(api: Api, sandbox: Sandbox) -> None:
    body = guide_body()
    del body["residence"]
    del body["genderDistribution"]["nonBinary"]

    audience_id = sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, body)

    fetched = (await api.request("GET", api.audience(audience_id))).json()
    assert "residence" not in fetched
    assert set(fetched["genderDistribution"]) == {"female", "male", "preferNotToSay"}
    # A client that PUTs it back unchanged meets the validation the API applies.
    assert (await api.request("PUT", api.audience(audience_id), json=fetched)).status_code == 400


async def test_insert_raw_sets_creator_timestamps_and_image(api: Api, sandbox: Sandbox) -> None:
    audience_id = sandbox.store.insert_raw(
        SANDBOX_WORKSPACE_ID,
        guide_body(shared=True),
        created_by_user_id=SANDBOX_ACCOUNTS[1].user_id,
        created_at="2024-05-01T10:00:00Z",
        updated_at=datetime(2024, 5, 2, tzinfo=UTC),
        viewed_at=1_714_730_400.5,
        image=ImageData(b"GIF89a", "image/gif", "seed.gif"),
    )

    fetched = (await api.request("GET", api.audience(audience_id))).json()

    assert fetched["createdByUserId"] == SANDBOX_ACCOUNTS[1].user_id
    assert fetched["ownerCustomerId"] == 12346
    assert (fetched["createdAt"], fetched["updatedAt"], fetched["viewedAt"]) == (
        "2024-05-01T10:00:00.000Z",
        "2024-05-02T00:00:00.000Z",
        "2024-05-03T10:00:00.500Z",
    )
    assert fetched["_embedded"]["permissions"]["canUpdate"] is False
    assert fetched["_embedded"]["image"]["fileName"] == "seed.gif"
    assert (await api.http.get(fetched["_embedded"]["image"]["url"])).content == b"GIF89a"


async def test_insert_raw_bypasses_the_limit_and_uses_a_given_id(make_app: Callable[..., Starlette]) -> None:
    app = make_app(create_limit=1)
    store = app.state.sandbox.store
    store.insert_raw(SANDBOX_WORKSPACE_ID, guide_body())

    fixed = store.insert_raw(SANDBOX_WORKSPACE_ID, guide_body(id="fixed-id"))

    assert fixed == "fixed-id"
    assert store.count(SANDBOX_WORKSPACE_ID) == 2
    async with connect(app) as api:
        limits = (await api.request("GET", api.path("/limits/target-audiences"))).json()["create"]
        assert (limits["isAvailable"], limits["usage"]) == (False, 2)
        assert (await api.create()).json()["error"] == "Target audience limit reached (2 of 1)"


async def test_get_raw_returns_the_stored_body_with_exact_decimals(api: Api, sandbox: Sandbox) -> None:
    created = await api.create_ok()

    raw = sandbox.store.get_raw(created["id"])

    assert raw is not None
    assert raw["genderDistribution"] == {
        "female": Decimal("0.5"),
        "male": Decimal("0.4"),
        "nonBinary": Decimal("0.07"),
        "preferNotToSay": Decimal("0.03"),
    }
    assert "id" not in raw and "createdAt" not in raw
    assert sandbox.store.get_raw("no-such-id") is None


async def test_a_file_database_survives_a_restart(make_app: Callable[..., Starlette], tmp_path: Path) -> None:
    db_path = str(tmp_path / "nested" / "dir" / "sandbox.db")
    first = make_app(db_path=db_path)
    async with connect(first) as api:
        created = await api.create_ok(guide_body(additionalInformation="persisted"))
        await api.request(
            "PUT",
            api.audience(created["id"], "/image"),
            json={"base64": "R0lGODlh", "contentType": "image/gif", "fileName": "p.gif"},
        )
    first.state.sandbox.close()

    second = make_app(db_path=db_path)
    async with connect(second) as api:
        fetched = (await api.request("GET", api.audience(created["id"]))).json()
        image = (await api.request("GET", api.audience(created["id"], "/image"))).json()
        download = await api.http.get(image["url"])

    assert fetched["name"] == created["name"]
    assert fetched["additionalInformation"] == "persisted"
    assert fetched["genderDistribution"] == created["genderDistribution"]
    assert download.content == b"GIF89a"


async def test_tokens_do_not_survive_a_restart(make_app: Callable[..., Starlette], tmp_path: Path) -> None:
    db_path = str(tmp_path / "sandbox.db")
    async with connect(make_app(db_path=db_path)) as api:
        headers = api.headers

    async with connect(make_app(db_path=db_path)) as other:
        response = await other.http.get("/api/workspace-service/v1/workspaces", headers=headers)

    assert response.status_code == 401


def test_reset_wipes_audiences_and_images(sandbox: Sandbox) -> None:
    audience_id = sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, guide_body(), image=ImageData(b"x"))

    sandbox.store.reset()

    assert sandbox.store.count(SANDBOX_WORKSPACE_ID) == 0
    assert sandbox.store.get(audience_id) is None
