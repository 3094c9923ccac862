"""neuroflash_bootstrap_audience_from_url: a profile drafted from web pages, created only on request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mcp import Client

from tests.support.harness import WS, Harness, ServerFactory, call, stored, tool_error

pytestmark = pytest.mark.anyio

IMPORT = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences-url-imports"
CREATE = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
PROFILE_KEYS = {
    "name",
    "min_age",
    "max_age",
    "residence",
    "gender_distribution",
    "interests",
    "needs",
    "pain_points",
    "country",
    "native_language",
    "shared",
}


async def test_a_preview_returns_create_arguments_and_creates_nothing(harness: Harness, client: Client) -> None:
    result = await call(client, "neuroflash_bootstrap_audience_from_url", urls="www.example.de/marketing-software")

    assert result["created"] is False and result["audience"] is None
    profile = result["profile"]
    assert set(profile) == PROFILE_KEYS
    assert profile["name"] == "Visitors of example.de"
    assert (profile["country"], profile["native_language"], profile["shared"]) == ("DE", "de", False)
    assert sum(Decimal(str(v)) for v in profile["gender_distribution"].values()) == 1
    assert harness.sandbox.stats.get(IMPORT) == 1
    assert harness.sandbox.stats.get(CREATE) == 0
    assert harness.sandbox.store.count(WS) == 0


async def test_the_preview_can_be_passed_to_create_audience_as_is(harness: Harness, client: Client) -> None:
    profile = (await call(client, "neuroflash_bootstrap_audience_from_url", urls=["https://shop.example.fr"]))[
        "profile"
    ]

    created = await call(client, "neuroflash_create_audience", **profile)

    assert created["created"] is True
    assert stored(harness.sandbox, created["audience"]["id"])["country"] == "FR"


async def test_create_applies_the_overrides_before_creating(harness: Harness, client: Client) -> None:
    result = await call(
        client,
        "neuroflash_bootstrap_audience_from_url",
        urls=["https://example.com", "https://example.com/about"],
        create=True,
        overrides={"name": "Example fans", "min_age": "30", "max_age": 55, "country": "Austria", "shared": True},
    )

    assert result["created"] is True
    body = stored(harness.sandbox, result["audience"]["id"])
    assert (body["name"], body["minAge"], body["maxAge"], body["country"], body["shared"]) == (
        "Example fans",
        30,
        55,
        "AT",
        True,
    )
    assert result["profile"]["name"] == "Example fans"
    assert any("country: 'Austria' -> 'AT'" in a for a in result["adjustments"])
    assert harness.sandbox.stats.get(CREATE) == 1


@pytest.mark.parametrize(("flag", "shared"), [("false", False), ("no", False), (False, False), ("true", True)])
async def test_the_shared_override_is_read_as_a_flag_not_as_truthiness(
    harness: Harness, client: Client, flag: object, shared: bool
) -> None:
    result = await call(
        client,
        "neuroflash_bootstrap_audience_from_url",
        urls="https://example.com",
        create=True,
        overrides={"shared": flag},
    )

    assert result["profile"]["shared"] is shared
    assert stored(harness.sandbox, result["audience"]["id"])["shared"] is shared


async def test_a_shared_override_that_is_not_a_flag_is_refused(harness: Harness, client: Client) -> None:
    message = await tool_error(
        client,
        "neuroflash_bootstrap_audience_from_url",
        urls="https://example.com",
        create=True,
        overrides={"shared": "maybe"},
    )

    assert "overrides.shared must be true or false" in message
    assert harness.sandbox.stats.get(IMPORT) == 0


async def test_an_unknown_override_is_refused_before_anything_is_sent(harness: Harness, client: Client) -> None:
    message = await tool_error(
        client,
        "neuroflash_bootstrap_audience_from_url",
        urls="https://example.com",
        create=True,
        overrides={"minAge": 30},
    )

    assert "Unknown overrides: minAge" in message
    assert "min_age" in message  # the allowed names are listed
    assert harness.sandbox.stats.get(IMPORT) == 0
    assert harness.sandbox.stats.get(CREATE) == 0


@pytest.mark.parametrize(
    "urls", ["ftp://example.com/file", "mailto:someone@example.com", "javascript:void(0)", "", " , "]
)
async def test_something_that_is_not_a_web_address_is_refused(harness: Harness, client: Client, urls: str) -> None:
    message = await tool_error(client, "neuroflash_bootstrap_audience_from_url", urls=urls)

    assert "URL" in message or "web address" in message
    assert harness.sandbox.stats.get(IMPORT) == 0


async def test_more_than_ten_urls_are_refused(client: Client) -> None:
    urls = [f"https://example.com/page{i}" for i in range(11)]

    message = await tool_error(client, "neuroflash_bootstrap_audience_from_url", urls=urls)

    assert "At most 10 URLs" in message


async def test_an_unknown_audience_model_says_to_omit_it(client: Client) -> None:
    message = await tool_error(
        client, "neuroflash_bootstrap_audience_from_url", urls="https://example.com", audience_model_id="no-such-model"
    )

    assert "audience_model_id" in message


async def test_read_only_mode_refuses_to_create(make_server: ServerFactory) -> None:
    harness = make_server(read_only=True)
    async with harness.client() as client:
        preview = await call(client, "neuroflash_bootstrap_audience_from_url", urls="https://example.com")
        message = await tool_error(
            client, "neuroflash_bootstrap_audience_from_url", urls="https://example.com", create=True
        )

    assert preview["created"] is False
    assert "read-only" in message and "create=false" in message
    assert harness.sandbox.stats.get(IMPORT) == 1  # the preview's only: the refusal sends nothing
    assert harness.sandbox.stats.get(CREATE) == 0
    assert harness.sandbox.store.count(WS) == 0
