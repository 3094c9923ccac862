"""neuroflash_duplicate_audience (own and a colleague's shared audience) and neuroflash_record_audience_usage."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.support.harness import COLLEAGUE, OWNER, STORED_BODY, Harness, ServerFactory, call, stored, tool_error

pytestmark = pytest.mark.anyio


async def test_duplicate_without_a_new_name_appends_copy(harness: Harness, client: Client) -> None:
    original = harness.seed({**STORED_BODY, "futureField": {"a": [1]}})

    result = await call(client, "neuroflash_duplicate_audience", audience_id=original)

    copy_id = result["duplicate"]["id"]
    assert result["original_id"] == original and copy_id != original
    assert result["duplicate"]["name"] == "Marketing leaders (Copy)"
    copy, source = stored(harness.sandbox, copy_id), stored(harness.sandbox, original)
    assert {k: v for k, v in copy.items() if k != "name"} == {k: v for k, v in source.items() if k != "name"}
    assert source["name"] == "Marketing leaders"


async def test_duplicate_with_a_new_name_uses_it_trimmed(harness: Harness, client: Client) -> None:
    original = harness.seed()

    result = await call(client, "neuroflash_duplicate_audience", audience_id=original, new_name="  AT leads ")

    assert result["duplicate"]["name"] == "AT leads"
    assert stored(harness.sandbox, result["duplicate"]["id"])["name"] == "AT leads"


async def test_duplicate_with_a_new_name_too_short_is_refused(harness: Harness, client: Client) -> None:
    original = harness.seed()

    message = await tool_error(client, "neuroflash_duplicate_audience", audience_id=original, new_name="x")

    assert "new_name" in message
    assert harness.sandbox.store.count(harness.sandbox.workspaces[0].id) == 1


async def test_a_colleagues_shared_audience_can_be_duplicated_into_an_own_copy(
    harness: Harness, make_server: ServerFactory
) -> None:
    original = harness.seed(created_by_user_id=OWNER.user_id)  # shared: true
    colleague = make_server(app=harness.app, client_id=COLLEAGUE.client_id)

    async with colleague.client() as client:
        result = await call(client, "neuroflash_duplicate_audience", audience_id=original, new_name="My own copy")
        copy = (
            await call(
                client, "neuroflash_get_audience", audience_id=result["duplicate"]["id"], response_format="detailed"
            )
        )["audience"]
        renamed = await call(client, "neuroflash_update_audience", audience_id=copy["id"], residence="Leipzig")

    assert copy["created_by_user_id"] == COLLEAGUE.user_id
    assert copy["can_update"] is True
    assert renamed["updated"] is True
    assert stored(harness.sandbox, original)["residence"] == "Berlin"


async def test_duplicating_an_unknown_audience_says_to_call_list_audiences(client: Client) -> None:
    message = await tool_error(client, "neuroflash_duplicate_audience", audience_id="nope")

    assert "neuroflash_list_audiences" in message


async def test_recording_usage_moves_viewed_at(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(created_at="2024-01-01T00:00:00Z", viewed_at="2024-01-01T00:00:00Z")
    before = (await call(client, "neuroflash_get_audience", audience_id=audience_id, response_format="detailed"))[
        "audience"
    ]

    result = await call(client, "neuroflash_record_audience_usage", audience_id=audience_id)

    after = (await call(client, "neuroflash_get_audience", audience_id=audience_id, response_format="detailed"))[
        "audience"
    ]
    assert result == {"audience_id": audience_id, "recorded": True}
    assert before["viewed_at"].startswith("2024-01-01")
    assert after["viewed_at"] > before["viewed_at"]
    assert after["updated_at"] == before["updated_at"]


async def test_recording_usage_of_an_unknown_audience_is_an_error(client: Client) -> None:
    message = await tool_error(client, "neuroflash_record_audience_usage", audience_id="nope")

    assert "neuroflash_list_audiences" in message
