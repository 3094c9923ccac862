"""What models and users commonly write, read right through the real tools (issue 11, points 7 to 9)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.sandbox import Sandbox
from tests.support.harness import PNG_BASE64, STORED_BODY, WS, Harness, call, stored, tool_error

pytestmark = pytest.mark.anyio

BASIC: dict[str, Any] = {"name": "Marketing leads", "min_age": 25, "max_age": 45, "residence": "Berlin"}


async def test_bulleted_text_lists_lose_their_markers(client: Client, sandbox: Sandbox) -> None:
    result = await call(
        client, "neuroflash_create_audience", **BASIC, interests="- LinkedIn\n- content marketing", needs="1. speed"
    )

    body = stored(sandbox, result["audience"]["id"])
    assert (body["interests"], body["needs"]) == (["LinkedIn", "content marketing"], ["speed"])
    assert "interests: removed list markers (bullets or numbers) from 2 items." in result["adjustments"]


@pytest.mark.parametrize(
    "shares", ["60% women, rest men", "60/40 women/men", "60% women and the rest are men", "women/men 60/40"]
)
async def test_common_two_way_splits_are_read(client: Client, sandbox: Sandbox, shares: str) -> None:
    result = await call(client, "neuroflash_create_audience", **BASIC, gender_distribution=shares)

    body = stored(sandbox, result["audience"]["id"])
    assert body["genderDistribution"] == {"female": 0.6, "male": 0.4, "nonBinary": 0.0, "preferNotToSay": 0.0}


async def test_the_rest_is_said_in_adjustments(client: Client) -> None:
    result = await call(client, "neuroflash_create_audience", **BASIC, gender_distribution="60% women, rest men")

    assert "gender_distribution: 'the rest' read as 40% male." in result["adjustments"]


async def test_a_hedged_share_names_its_gender_and_asks_for_the_rest(client: Client) -> None:
    message = await tool_error(
        client, "neuroflash_create_audience", **BASIC, gender_distribution="mostly women (about 60%)"
    )

    assert "no gender named" not in message
    assert message.startswith("gender_distribution: the shares add up to 60% (read as percentages), not 100%;")
    assert 'or name who the rest are ("60% women, rest men")' in message


async def test_a_partial_update_of_the_shares_keeps_the_stored_proportions(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(
        {**STORED_BODY, "genderDistribution": {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}}
    )

    result = await call(
        client, "neuroflash_update_audience", audience_id=audience_id, gender_distribution={"female": 0.7}
    )

    shares = stored(harness.sandbox, audience_id)["genderDistribution"]
    assert shares == {"female": 0.7, "male": 0.24, "nonBinary": 0.042, "preferNotToSay": 0.018}
    assert result["adjustments"] == [
        "gender_distribution: only female given; scaled the stored male, nonBinary, preferNotToSay "
        "proportionally to the remaining 30%."
    ]


async def test_a_region_as_country_names_its_countries(client: Client, sandbox: Sandbox) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **BASIC, country="DACH")

    assert message == (
        "country: 'DACH' is a region (Germany (DE), Austria (AT), Switzerland (CH)), and an audience has one "
        "country. Ask the user which one (e.g. 'DE'); the region can go into residence."
    )
    assert sandbox.store.count(WS) == 0


async def test_a_locale_as_country_and_a_language_with_its_region_are_read(client: Client, sandbox: Sandbox) -> None:
    result = await call(
        client, "neuroflash_create_audience", **BASIC, country="de-DE", native_language="Deutsch (Österreich)"
    )

    body = stored(sandbox, result["audience"]["id"])
    assert (body["country"], body["nativeLanguage"]) == ("DE", "de")
    assert "country: 'de-DE' is a locale; used its region part 'DE'." in result["adjustments"]
    assert (
        "native_language: 'Deutsch (Österreich)' -> 'de' (the part in parentheses is not kept)."
        in result["adjustments"]
    )


async def test_expected_updated_at_that_is_no_timestamp_says_so(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    message = await tool_error(
        client, "neuroflash_update_audience", audience_id=audience_id, name="Renamed", expected_updated_at="yesterday"
    )

    assert message.startswith("expected_updated_at: 'yesterday' is not a timestamp;")
    assert "audience changed" not in message
    assert stored(harness.sandbox, audience_id)["name"] == STORED_BODY["name"]


async def test_a_content_type_the_bytes_contradict_is_said(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(
        client,
        "neuroflash_set_audience_image",
        audience_id=audience_id,
        image_base64=PNG_BASE64,
        content_type="image/jpeg",
    )
    agreeing = await call(
        client,
        "neuroflash_set_audience_image",
        audience_id=audience_id,
        image_base64=PNG_BASE64,
        content_type="image/png",
    )

    assert result["adjustments"] == ["content_type: the bytes are image/png, not 'image/jpeg'; sent as image/png."]
    assert agreeing["adjustments"] == []


async def test_a_name_passed_as_an_id_gets_the_search_that_finds_it(harness: Harness, client: Client) -> None:
    harness.seed()

    message = await tool_error(client, "neuroflash_get_audience", audience_id="Marketing leaders")

    assert message == (
        "Audience 'Marketing leaders' was not found in this workspace; audience_id takes an id, not a name. "
        "Call neuroflash_list_audiences(search='Marketing leaders') to find its id."
    )
    found = await call(client, "neuroflash_list_audiences", search="Marketing leaders")
    assert found["total"] == 1


async def test_a_dry_run_preview_uses_the_parameter_names(client: Client) -> None:
    preview = await call(client, "neuroflash_create_audience", **BASIC, pain_points="slow tools", dry_run=True)

    body = preview["request_body"]
    assert (body["min_age"], body["max_age"], body["pain_points"]) == (25, 45, ["slow tools"])
    assert not {"minAge", "maxAge", "painPoints", "genderDistribution"} & body.keys()


async def test_the_default_gender_split_is_in_the_schema(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    shares = tools["neuroflash_create_audience"].input_schema["properties"]["gender_distribution"]

    assert "omitted: 50% female, 40% male, 7% nonBinary, 3% preferNotToSay" in shares["description"]
