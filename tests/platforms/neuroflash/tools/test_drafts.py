"""neuroflash_draft_audience_from_url: neuroflash_create_audience's arguments drafted from web pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mcp import Client

from tests.support.harness import WS, Harness, ServerFactory, call, stored, tool_error

pytestmark = pytest.mark.anyio

IMPORT = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences-url-imports"
CREATE = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
CREATE_ONLY = {"dry_run", "workspace_id"}  # create's parameters that are not audience fields


async def create_parameters(client: Client) -> set[str]:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    return set(tools["neuroflash_create_audience"].input_schema["properties"]) - CREATE_ONLY


async def test_a_draft_is_exactly_the_create_arguments_and_writes_nothing(harness: Harness, client: Client) -> None:
    result = await call(client, "neuroflash_draft_audience_from_url", urls="www.example.de/marketing-software")

    arguments = result["arguments"]
    assert set(arguments) == await create_parameters(client)
    assert arguments["name"] == "Visitors of example.de"
    assert (arguments["country"], arguments["native_language"], arguments["shared"]) == ("DE", "de", False)
    assert sum(Decimal(str(v)) for v in arguments["gender_distribution"].values()) == 1
    assert harness.sandbox.stats.get(IMPORT) == 1
    assert harness.sandbox.stats.get(CREATE) == 0
    assert harness.sandbox.store.count(WS) == 0


async def test_the_draft_passed_on_unchanged_creates_that_audience(harness: Harness, client: Client) -> None:
    arguments = (await call(client, "neuroflash_draft_audience_from_url", urls=["https://shop.example.fr"]))[
        "arguments"
    ]

    created = await call(client, "neuroflash_create_audience", **arguments)

    body = stored(harness.sandbox, created["audience"]["id"])
    assert (body["name"], body["country"], body["interests"]) == (
        arguments["name"],
        "FR",
        arguments["interests"],
    )
    assert created["adjustments"] == []  # a draft is already what create accepts


async def test_the_draft_passed_on_with_the_users_changes_creates_the_changed_audience(
    harness: Harness, client: Client
) -> None:
    arguments = (await call(client, "neuroflash_draft_audience_from_url", urls="https://example.com"))["arguments"]

    changed = {**arguments, "name": "Example fans", "min_age": 30, "max_age": 55, "country": "Austria"}
    created = await call(client, "neuroflash_create_audience", **changed)

    body = stored(harness.sandbox, created["audience"]["id"])
    assert (body["name"], body["minAge"], body["maxAge"], body["country"]) == ("Example fans", 30, 55, "AT")
    assert created["adjustments"] == ["country: 'Austria' -> 'AT'."]


async def test_a_draft_made_by_the_sandbox_says_it_is_made_up(make_server: ServerFactory) -> None:
    harness = make_server(sandbox=True)
    async with harness.client() as client:
        result = await call(client, "neuroflash_draft_audience_from_url", urls="https://example.com")

    assert result["adjustments"][0].startswith("made up: the built-in sandbox invented this draft")


async def test_a_draft_from_the_real_service_does_not(client: Client) -> None:
    result = await call(client, "neuroflash_draft_audience_from_url", urls="https://example.com")

    assert not any("made up" in note for note in result["adjustments"])


async def test_the_draft_tool_is_read_only_and_served_in_read_only_mode(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)
    async with harness.client() as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await call(client, "neuroflash_draft_audience_from_url", urls="https://example.com")

    tool = tools["neuroflash_draft_audience_from_url"]
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert "create=" not in (tool.description or "")
    assert set(tool.input_schema["properties"]) == {"urls", "audience_model_id", "workspace_id"}
    assert result["arguments"]["name"]
    assert harness.sandbox.stats.get(CREATE) == 0


@pytest.mark.parametrize(
    "urls", ["ftp://example.com/file", "mailto:someone@example.com", "javascript:void(0)", "", " , "]
)
async def test_something_that_is_not_a_web_address_is_refused(harness: Harness, client: Client, urls: str) -> None:
    message = await tool_error(client, "neuroflash_draft_audience_from_url", urls=urls)

    assert "URL" in message or "web address" in message
    assert harness.sandbox.stats.get(IMPORT) == 0


async def test_more_than_ten_urls_are_refused(client: Client) -> None:
    urls = [f"https://example.com/page{i}" for i in range(11)]

    message = await tool_error(client, "neuroflash_draft_audience_from_url", urls=urls)

    assert "At most 10 URLs" in message


async def test_an_unknown_audience_model_says_to_omit_it(client: Client) -> None:
    message = await tool_error(
        client, "neuroflash_draft_audience_from_url", urls="https://example.com", audience_model_id="no-such-model"
    )

    assert "audience_model_id" in message
