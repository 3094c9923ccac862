"""Names with NUL, bidi or zero-width characters are cleaned (with an adjustment) or refused, in every writer."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.support.harness import STORED_BODY, Harness, call, stored, tool_error

pytestmark = pytest.mark.anyio

BASIC = {"min_age": 25, "max_age": 45, "residence": "Berlin"}


async def test_create_removes_a_nul_byte_and_says_so(harness: Harness, client: Client) -> None:
    result = await call(client, "neuroflash_create_audience", name="Night\x00 owls", **BASIC)

    assert result["audience"]["name"] == "Night owls"
    assert "name: removed NUL characters, which are not visible text." in result["adjustments"]
    assert stored(harness.sandbox, result["audience"]["id"])["name"] == "Night owls"


async def test_update_removes_a_bidi_override_and_says_so(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_update_audience", audience_id=audience_id, name="\u202eLeaders EU")

    assert result["audience"]["name"] == "Leaders EU"
    assert "name: removed text-direction characters, which are not visible text." in result["adjustments"]


async def test_update_refuses_a_name_of_zero_width_characters_and_sends_nothing(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed()

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, name="\u200b" * 5)

    assert message.startswith("name: has no visible characters")
    assert stored(harness.sandbox, audience_id) == STORED_BODY


async def test_duplicate_cleans_the_new_name(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(
        client, "neuroflash_duplicate_audience", audience_id=audience_id, new_name="Copy\u2066 EU\u2069"
    )

    assert result["duplicate"]["name"] == "Copy EU"
