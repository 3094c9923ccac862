"""Arguments as models send them: wrong types, unknown names, camelCase, booleans for numbers.

Every refusal is in the project's voice (which parameter, what was sent, what to send; never
pydantic's dump or its URL) and changes nothing; every repair is said in `adjustments`.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.sandbox import Sandbox
from tests.support.harness import WS, Harness, call, stored, tool_error

pytestmark = pytest.mark.anyio

BASIC = {"name": "Marketing leads", "min_age": 25, "max_age": 45, "residence": "Berlin"}


def assert_our_voice(message: str) -> None:
    for pydantic_text in ("validation error", "pydantic", "Input should", "Arguments", "[type="):
        assert pydantic_text not in message, message


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        (
            "neuroflash_create_audience",
            {**BASIC, "min_age": 25.5, "interests": [1, 2]},
            [
                "min_age: got 25.5; send a whole number (0-120).",
                "interests: got [1, 2]; send a list of text items (or comma-separated text).",
            ],
        ),
        (
            "neuroflash_list_audiences",
            {"page_size": 500, "page": 0},
            [
                "page: 0 is out of range; send a whole number of at least 1.",
                "page_size: 500 is out of range; send a whole number from 1 to 200.",
            ],
        ),
        (
            "neuroflash_get_audience",
            {"audience_id": "a1", "response_format": "full"},
            ['response_format: "full" is not one of the options; send one of "concise", "detailed"'],
        ),
        (
            "neuroflash_create_audience",
            {"max_age": 30},
            ["name: missing; send text (3-100 characters).", "min_age: missing; send a whole number (0-120)."],
        ),
        (
            "audit_audiences",
            {"max_findings": "many"},
            ['max_findings: got "many"; send a whole number from 1 to 500.'],
        ),
    ],
)
async def test_wrong_types_are_refused_per_parameter_in_our_voice(
    client: Client, sandbox: Sandbox, tool: str, args: dict[str, object], expected: list[str]
) -> None:
    message = await tool_error(client, tool, **args)

    for sentence in expected:
        assert sentence in message
    assert message.endswith(f"Nothing was sent; call {tool} again with corrected arguments.")
    assert_our_voice(message)
    assert sandbox.store.count(WS) == 0


async def test_unknown_arguments_are_refused_naming_the_accepted_ones(client: Client, sandbox: Sandbox) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **BASIC, age_range="25-45", tone="friendly")

    assert message.startswith("Unknown arguments: age_range, tone; nothing was sent.")
    assert "neuroflash_create_audience accepts: name, min_age, max_age, residence, gender_distribution" in message
    assert sandbox.store.count(WS) == 0


async def test_a_typo_in_a_name_gets_the_close_parameter(client: Client) -> None:
    message = await tool_error(client, "neuroflash_list_audiences", page_sise=5)

    assert message.startswith("Unknown argument: page_sise (for page_sise perhaps page_size); nothing was sent.")


async def test_camel_case_names_from_an_api_body_are_read_as_the_parameters(client: Client, sandbox: Sandbox) -> None:
    result = await call(
        client,
        "neuroflash_create_audience",
        name="Marketing leads",
        minAge=25,
        maxAge=45,
        residence="Berlin",
        painPoints=["manual work"],
        nativeLanguage="de",
    )

    body = stored(sandbox, result["audience"]["id"])
    assert (body["minAge"], body["maxAge"], body["painPoints"]) == (25, 45, ["manual work"])
    assert body["nativeLanguage"] == "de"
    for note in ("minAge: read as min_age", "maxAge: read as max_age", "painPoints: read as pain_points"):
        assert note in result["adjustments"]


async def test_a_camel_case_name_next_to_its_own_parameter_is_refused(client: Client) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **BASIC, minAge=30)

    assert message == "Both minAge and min_age given; nothing was sent. Send only min_age."


async def test_one_text_for_a_list_parameter_is_read_as_a_list(harness: Harness, client: Client) -> None:
    harness.seed()

    result = await call(client, "audit_audiences", checks="no_image")

    assert result["adjustments"] == ['checks: read the text "no_image" as the list ["no_image"]']
    assert {finding["check"] for finding in result["findings"]} == {"no_image"}


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        ("neuroflash_create_audience", {**BASIC, "min_age": True}, "min_age: got true; send a whole number (0-120)."),
        ("restore_change", {"change_id": True}, "change_id: got true; send a whole number (from list_recent_changes)."),
        ("neuroflash_list_audiences", {"page": False}, "page: got false; send a whole number of at least 1."),
    ],
)
async def test_booleans_are_not_taken_for_numbers(
    harness: Harness, client: Client, tool: str, args: dict[str, object], expected: str
) -> None:
    audience_id = harness.seed()
    # Change 1 exists, so `true` read as 1 would act on it.
    await call(client, "neuroflash_update_audience", audience_id=audience_id, name="Renamed leads")

    message = await tool_error(client, tool, **args)

    assert message.startswith(expected)
    assert stored(harness.sandbox, audience_id)["name"] == "Renamed leads"


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"country": "..."}, "country"),
        ({"name": "…"}, "name"),
        ({"add_interests": ["..."]}, "add_interests"),
        ({"add_interests": "[...]"}, "add_interests"),
    ],
)
async def test_a_placeholder_copied_from_an_audit_fix_is_refused_and_nothing_is_sent(
    harness: Harness, client: Client, arguments: dict[str, Any], parameter: str
) -> None:
    audience_id = harness.seed()
    harness.sandbox.stats.reset()

    message = await tool_error(client, "neuroflash_update_audience", audience_id=audience_id, **arguments)

    assert message.startswith(f"{parameter}: got ")
    assert "a placeholder (as in an audit's fix); send the real value" in message
    assert harness.sandbox.stats.counts == {}
