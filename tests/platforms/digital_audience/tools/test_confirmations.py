"""Delete and activation go through the confirmation protocol: the user's yes (elicitation, on both
protocol generations) or a single-use token; never on a first call alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from tests.support.digital_audience import GOOGLE_ACCOUNT, META_ACCOUNT, DAHarness
from tests.support.harness import Answer, call, tool_error

pytestmark = pytest.mark.anyio

MODES = [pytest.param({}, id="2026-07-28"), pytest.param({"mode": "legacy"}, id="2025-11-25")]
ACTIVATE = "digital_audience_activate_audience"
DELETE = "digital_audience_delete_audience"


def future(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")


def activation_args(audience_id: int, **changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "audience_id": audience_id,
        "account_id": META_ACCOUNT,
        "start_date": future(10),
        "end_date": "for 30 days",
    }
    return {**args, **changes}


# -- delete ---------------------------------------------------------------------------------------


async def test_delete_first_returns_a_preview_and_a_token_and_deletes_nothing(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Buyers")

    result = await call(da_client, DELETE, audience_id=audience_id)

    assert result["status"] == "confirmation_required"
    assert result["preview"]["name"] == "Buyers"
    assert result["confirm_token"]
    assert audience_id in da.sandbox.audiences


async def test_delete_with_the_token_deletes_once(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience()
    token = (await call(da_client, DELETE, audience_id=audience_id))["confirm_token"]

    result = await call(da_client, DELETE, audience_id=audience_id, confirm_token=token)
    again = await tool_error(da_client, DELETE, audience_id=audience_id, confirm_token=token)

    assert result["status"] == "deleted" and isinstance(result["change_id"], int)
    assert audience_id not in da.sandbox.audiences
    assert "unknown, already used or expired" in again
    listed = (await call(da_client, "digital_audience_list_audiences"))["audiences"]
    assert audience_id not in {row["id"] for row in listed}


async def test_a_delete_token_does_not_delete_another_audience(da: DAHarness, da_client: Client) -> None:
    first, second = da.audience(), da.audience()
    token = (await call(da_client, DELETE, audience_id=first))["confirm_token"]

    message = await tool_error(da_client, DELETE, audience_id=second, confirm_token=token)

    assert f"issued for audience '{first}'" in message
    assert second in da.sandbox.audiences


@pytest.mark.parametrize("mode", MODES)
async def test_delete_confirmed_through_elicitation(da: DAHarness, mode: dict[str, Any]) -> None:
    audience_id = da.audience(name="Buyers")
    answer = Answer("accept", {"confirm": True})

    async with da.client(elicitation_callback=answer, **mode) as client:
        result = await call(client, DELETE, audience_id=audience_id)

    assert result["status"] == "deleted"
    assert audience_id not in da.sandbox.audiences
    assert "'Buyers'" in answer.questions[0]
    assert "CRM data" in answer.questions[0] and "not the data" in answer.questions[0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", [("accept", {"confirm": False}), ("decline", None), ("cancel", None)])
async def test_delete_not_confirmed_deletes_nothing(
    da: DAHarness, mode: dict[str, Any], answer: tuple[str, Any]
) -> None:
    audience_id = da.audience()

    async with da.client(elicitation_callback=Answer(*answer), **mode) as client:
        result = await call(client, DELETE, audience_id=audience_id)

    assert result["status"] == "declined"
    assert audience_id in da.sandbox.audiences


async def test_deleting_an_unknown_audience_asks_nobody(da: DAHarness) -> None:
    answer = Answer("accept", {"confirm": True})
    async with da.client(elicitation_callback=answer) as client:
        message = await tool_error(client, DELETE, audience_id=777777)

    assert "not found" in message
    assert answer.questions == []


# -- activation -----------------------------------------------------------------------------------


async def test_activation_first_returns_a_preview_with_the_normalized_window(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience(name="Buyers")
    start = future(10)

    result = await call(da_client, ACTIVATE, **activation_args(audience_id, start_date=start))

    preview = result["preview"]
    assert result["status"] == "confirmation_required" and result["confirm_token"]
    assert preview["start_date"] == f"{start}T00:00:00Z"
    end = datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(days=30)
    assert preview["end_date"] == end.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert preview["platform"] == "Meta Ads" and preview["account_name"] == "Acme DE"
    assert preview["segment_name"] == "Buyers"
    assert any("for 30 days" in note for note in result["adjustments"])
    assert da.sandbox.activations == []


async def test_activation_with_the_token_returns_flow_and_segment(da: DAHarness, da_client: Client) -> None:
    audience_id = da.audience()
    args = activation_args(audience_id)
    token = (await call(da_client, ACTIVATE, **args))["confirm_token"]

    result = await call(da_client, ACTIVATE, **args, confirm_token=token)

    assert result["status"] == "activated"
    assert len(result["flow_id"]) == 36 and result["segment_id"]
    assert da.sandbox.activations[0]["accountId"] == META_ACCOUNT
    assert da.stored(audience_id)["activationStatus"] == "Active"
    listed = (await call(da_client, "digital_audience_list_audiences"))["audiences"]
    assert [row["activation"] for row in listed if row["id"] == audience_id] == ["Active"]


@pytest.mark.parametrize(
    "change", [{"account_id": GOOGLE_ACCOUNT}, {"end_date": "for 31 days"}, {"name": "Other segment"}]
)
async def test_an_activation_token_confirms_only_its_own_arguments(
    da: DAHarness, da_client: Client, change: dict[str, Any]
) -> None:
    audience_id = da.audience()
    token = (await call(da_client, ACTIVATE, **activation_args(audience_id)))["confirm_token"]

    message = await tool_error(da_client, ACTIVATE, **activation_args(audience_id, **change), confirm_token=token)

    assert "was issued for" in message
    assert da.sandbox.activations == []


@pytest.mark.parametrize("mode", MODES)
async def test_activation_confirmed_through_elicitation(da: DAHarness, mode: dict[str, Any]) -> None:
    audience_id = da.audience(name="Buyers")
    answer = Answer("accept", {"confirm": True})

    async with da.client(elicitation_callback=answer, **mode) as client:
        result = await call(client, ACTIVATE, **activation_args(audience_id, start_date="1. Januar 2099"))

    assert result["status"] == "activated" and result["segment_id"]
    question = answer.questions[0]
    assert "'Buyers'" in question and "Meta Ads" in question and "'Acme DE'" in question
    assert "2099-01-01T00:00:00Z" in question and "2099-01-31T00:00:00Z" in question
    assert da.sandbox.activations[0]["startDate"] == "2099-01-01T00:00:00Z"


@pytest.mark.parametrize("mode", MODES)
async def test_activation_declined_activates_nothing(da: DAHarness, mode: dict[str, Any]) -> None:
    audience_id = da.audience()

    async with da.client(elicitation_callback=Answer("decline"), **mode) as client:
        result = await call(client, ACTIVATE, **activation_args(audience_id))

    assert result["status"] == "declined"
    assert da.sandbox.activations == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"start_date": "2020-01-01"}, "in the past"),
        ({"start_date": future(20), "end_date": future(10)}, "is not after start_date"),
        ({"end_date": "someday maybe"}, "could not read"),
        ({"account_id": 999}, "Valid account_id values: 501 (Acme DE), 502 (Acme Search)"),
        ({"audience_id": 888888}, "not found"),
    ],
)
async def test_an_activation_that_cannot_succeed_asks_nobody(
    da: DAHarness, change: dict[str, Any], expected: str
) -> None:
    answer = Answer("accept", {"confirm": True})
    args = {**activation_args(da.audience()), **change}

    async with da.client(elicitation_callback=answer) as client:
        message = await tool_error(client, ACTIVATE, **args)

    assert expected in message
    assert answer.questions == []
    assert da.sandbox.activations == []


async def test_platform_accounts_show_no_token(da_client: Client) -> None:
    result = await call(da_client, "digital_audience_list_platform_accounts")

    assert result["accounts"][0] == {
        "id": META_ACCOUNT,
        "name": "Acme DE",
        "platform": "Meta Ads",
        "advertiser_id": "act_1029384756",
        "agency": "Sandbox Agency",
    }
    assert "nfsentinel" not in repr(result)


# -- across replicas --------------------------------------------------------------------------------


async def test_an_activation_previewed_on_one_server_is_confirmed_once_on_another(
    make_da_server: Any, postgres_url: str
) -> None:
    """Two servers on one PostgreSQL state store and one platform, as two replicas: the token of one
    activates on the other, the plan the user saw (ActivationPlan, read back from the store), once."""
    first = make_da_server(state_db=postgres_url)
    second = make_da_server(state_db=postgres_url, app=first.app)
    audience_id = first.audience(name="Buyers")
    args = activation_args(audience_id)
    async with first.client() as one, second.client() as two:
        preview = await call(one, ACTIVATE, **args)
        done = await call(two, ACTIVATE, **args, confirm_token=preview["confirm_token"])
        again = await tool_error(one, ACTIVATE, **args, confirm_token=preview["confirm_token"])

    assert done["status"] == "activated" and done["preview"] == preview["preview"]
    assert "already used or expired" in again
    assert [a["accountId"] for a in first.sandbox.activations] == [META_ACCOUNT]
