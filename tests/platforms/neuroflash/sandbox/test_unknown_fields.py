"""Unknown top-level fields stand in for a newer schema: stored and echoed back verbatim."""

from __future__ import annotations

from decimal import Decimal

import pytest

from audience_mcp.platforms.neuroflash.sandbox import Sandbox
from tests.support.sandbox import Api, guide_body

pytestmark = pytest.mark.anyio


async def test_an_unknown_field_on_create_is_stored_and_returned_as_is(api: Api, sandbox: Sandbox) -> None:
    extra = {"additionalInformation": "Prefers podcasts", "futureField": {"nested": [1, 2.5, None, True]}}

    created = await api.create_ok(guide_body(**extra))

    assert created["additionalInformation"] == "Prefers podcasts"
    assert created["futureField"] == {"nested": [1, 2.5, None, True]}
    fetched = (await api.request("GET", api.audience(created["id"]))).json()
    assert fetched["futureField"] == extra["futureField"]
    raw = sandbox.store.get_raw(created["id"])
    assert raw is not None
    assert raw["additionalInformation"] == "Prefers podcasts"
    assert raw["futureField"] == {"nested": [1, Decimal("2.5"), None, True]}


async def test_a_fetch_then_put_round_trip_keeps_unknown_fields(api: Api) -> None:
    created = await api.create_ok(guide_body(additionalInformation="Keep me"))
    fetched = (await api.request("GET", api.audience(created["id"]))).json()

    fetched["name"] = "Renamed audience"
    updated = (await api.request("PUT", api.audience(created["id"]), json=fetched)).json()

    assert updated["additionalInformation"] == "Keep me"
    assert updated["name"] == "Renamed audience"


async def test_a_put_without_the_unknown_field_drops_it_because_put_replaces_everything(api: Api) -> None:
    created = await api.create_ok(guide_body(additionalInformation="Old"))

    updated = (await api.request("PUT", api.audience(created["id"]), json=guide_body())).json()

    assert "additionalInformation" not in updated


async def test_duplicates_carry_the_unknown_fields_of_the_original(api: Api) -> None:
    created = await api.create_ok(guide_body(additionalInformation="Inherited"))

    duplicate = (await api.request("POST", api.audience(created["id"], "/duplication"))).json()["duplicate"]

    assert duplicate["additionalInformation"] == "Inherited"


async def test_the_list_shows_unknown_fields_too(api: Api) -> None:
    await api.create_ok(guide_body(additionalInformation="Listed"))

    assert (await api.list()).json()["data"][0]["additionalInformation"] == "Listed"
