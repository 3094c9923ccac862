"""neuroflash_delete_audience never deletes on a first call alone: a confirm_token, or the user's answer."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from audience_mcp.core.mcp.confirmations import Confirmations
from tests.support.harness import OWNER, STORED_BODY, Answer, Harness, call, tool_error

pytestmark = pytest.mark.anyio

DELETE = "DELETE /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}"
# Default: the 2026-07-28 protocol (elicitation rides InputRequiredResult); legacy: 2025-11-25.
MODES = [pytest.param({}, id="2026-07-28"), pytest.param({"mode": "legacy"}, id="2025-11-25")]


class Clock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


def exists(harness: Harness, audience_id: str) -> bool:
    return harness.sandbox.store.get_raw(audience_id) is not None


async def test_the_first_call_returns_a_preview_and_a_token_and_deletes_nothing(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_delete_audience", audience_id=audience_id)

    assert result["status"] == "confirmation_required"
    assert result["preview"]["id"] == audience_id
    assert result["preview"]["name"] == "Marketing leaders"
    assert result["preview"]["created_by_user_id"] == OWNER.user_id
    assert result["confirm_token"]
    assert 0 < result["expires_in_seconds"] <= 600
    assert "confirm_token" in result["message"]
    assert exists(harness, audience_id)
    assert harness.sandbox.stats.get(DELETE) == 0


async def test_the_token_deletes(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    token = (await call(client, "neuroflash_delete_audience", audience_id=audience_id))["confirm_token"]

    result = await call(client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token)

    assert result["status"] == "deleted"
    assert not exists(harness, audience_id)


async def test_a_token_works_only_once(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    token = (await call(client, "neuroflash_delete_audience", audience_id=audience_id))["confirm_token"]
    await call(client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token)
    harness.seed({**STORED_BODY, "id": audience_id})  # an audience with the same id exists again

    message = await tool_error(client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token)

    assert "unknown, already used or expired" in message
    assert exists(harness, audience_id)
    assert harness.sandbox.stats.get(DELETE) == 1


async def test_a_token_is_bound_to_its_audience(harness: Harness, client: Client) -> None:
    first = harness.seed()
    second = harness.seed()
    token = (await call(client, "neuroflash_delete_audience", audience_id=first))["confirm_token"]

    message = await tool_error(client, "neuroflash_delete_audience", audience_id=second, confirm_token=token)

    assert f"issued for audience '{first}'" in message
    assert f"Call neuroflash_delete_audience(audience_id='{second}') without a token" in message
    assert exists(harness, first) and exists(harness, second)
    assert harness.sandbox.stats.get(DELETE) == 0


async def test_an_unknown_token_deletes_nothing(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    message = await tool_error(client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token="made-up")

    assert "without a token" in message
    assert exists(harness, audience_id)


@pytest.mark.parametrize(("elapsed", "deleted"), [(599.0, True), (600.0, False), (3600.0, False)])
async def test_a_token_expires_after_ten_minutes(
    harness: Harness, client: Client, elapsed: float, deleted: bool
) -> None:
    clock = Clock()
    (await harness.app_state(client)).confirmations = Confirmations(clock=clock)
    audience_id = harness.seed()
    issued = await call(client, "neuroflash_delete_audience", audience_id=audience_id)
    assert issued["expires_in_seconds"] == 600

    clock.now += elapsed
    result = await client.call_tool(
        "neuroflash_delete_audience", {"audience_id": audience_id, "confirm_token": issued["confirm_token"]}
    )

    assert result.is_error is not deleted
    assert exists(harness, audience_id) is not deleted


async def test_deleting_an_unknown_audience_says_to_call_list_audiences(client: Client) -> None:
    message = await tool_error(client, "neuroflash_delete_audience", audience_id="nope")

    assert "neuroflash_list_audiences" in message


@pytest.mark.parametrize("mode", MODES)
async def test_the_user_confirming_through_elicitation_deletes(harness: Harness, mode: dict[str, Any]) -> None:
    audience_id = harness.seed()
    answer = Answer("accept", {"confirm": True})

    async with harness.client(elicitation_callback=answer, **mode) as client:
        result = await call(client, "neuroflash_delete_audience", audience_id=audience_id)

    assert result["status"] == "deleted"
    assert result["confirm_token"] is None
    assert not exists(harness, audience_id)
    assert len(answer.questions) == 1
    assert "'Marketing leaders'" in answer.questions[0] and audience_id in answer.questions[0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(("accept", {"confirm": False}), id="accept-false"),
        pytest.param(("decline", None), id="decline"),
        pytest.param(("cancel", None), id="cancel"),
    ],
)
async def test_the_user_not_confirming_deletes_nothing(
    harness: Harness, mode: dict[str, Any], answer: tuple[str, dict[str, Any] | None]
) -> None:
    audience_id = harness.seed()
    callback = Answer(*answer)

    async with harness.client(elicitation_callback=callback, **mode) as client:
        result = await call(client, "neuroflash_delete_audience", audience_id=audience_id)

    assert result["status"] == "declined"
    assert result["confirm_token"] is None
    assert "nothing deleted" in result["message"]
    assert exists(harness, audience_id)
    assert harness.sandbox.stats.get(DELETE) == 0
    assert len(callback.questions) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_without_elicitation_gets_the_token_flow_in_both_protocols(
    harness: Harness, mode: dict[str, Any]
) -> None:
    audience_id = harness.seed()

    async with harness.client(**mode) as client:
        first = await call(client, "neuroflash_delete_audience", audience_id=audience_id)
        assert exists(harness, audience_id)
        second = await call(
            client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=first["confirm_token"]
        )

    assert (first["status"], second["status"]) == ("confirmation_required", "deleted")
    assert not exists(harness, audience_id)
