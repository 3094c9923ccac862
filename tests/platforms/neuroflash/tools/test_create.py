"""neuroflash_create_audience: messy input normalized and explained, refused input explained, dry runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from mcp import Client

from audience_mcp.platforms.neuroflash.fields import profile_param
from audience_mcp.platforms.neuroflash.sandbox import Sandbox, SandboxConfig
from tests.support.harness import WS, Harness, ServerFactory, call, stored, tool_error

pytestmark = pytest.mark.anyio

CREATE = "POST /api/audience-service/v1/workspaces/{workspaceId}/target-audiences"
GENDER_KEYS = ("female", "male", "nonBinary", "preferNotToSay")
BASIC: dict[str, Any] = {"name": "Marketing leads", "min_age": 25, "max_age": 45, "residence": "Berlin"}


def share_sum(sandbox: Sandbox, audience_id: str) -> Decimal:
    """The exact decimal sum of the share literals the sandbox stored."""
    raw = sandbox.store.get_raw(audience_id)
    assert raw is not None
    shares = raw["genderDistribution"]
    assert isinstance(shares, dict)
    return sum((Decimal(str(shares[k])) for k in GENDER_KEYS), Decimal(0))


def nothing_created(sandbox: Sandbox) -> bool:
    return sandbox.store.count(WS) == 0 and sandbox.stats.get(CREATE) == 0


async def test_messy_input_is_normalized_and_every_fix_is_reported(sandbox: Sandbox, client: Client) -> None:
    result = await call(
        client,
        "neuroflash_create_audience",
        name="  German-speaking marketing leads ",
        min_age="25",
        max_age="45",
        residence="DACH region",
        gender_distribution={"women": "55%", "men": 40, "diverse": 3, "n/a": 2},
        interests="content marketing, SEO; AI tools, seo",
        needs=["scale content production"],
        pain_points="manual workflows",
        country="Germany",
        native_language="German",
    )

    assert result["created"] is True
    body = stored(sandbox, result["audience"]["id"])
    assert body["name"] == "German-speaking marketing leads"
    assert (body["minAge"], body["maxAge"]) == (25, 45)
    assert body["genderDistribution"] == {"female": 0.55, "male": 0.4, "nonBinary": 0.03, "preferNotToSay": 0.02}
    assert body["interests"] == ["content marketing", "SEO", "AI tools"]
    assert body["painPoints"] == ["manual workflows"]
    assert (body["country"], body["nativeLanguage"], body["shared"]) == ("DE", "de", False)
    adjustments = " | ".join(result["adjustments"])
    for expected in (
        "name: trimmed",
        "'women' as female",
        "percentages",
        "interests: split",
        "duplicate ('seo')",
        "country: 'Germany' -> 'DE'",
        "native_language: 'German' -> 'de'",
    ):
        assert expected in adjustments


async def test_free_text_shares_are_read(sandbox: Sandbox, client: Client) -> None:
    result = await call(client, "neuroflash_create_audience", **BASIC, gender_distribution="60% women, 40% men")

    body = stored(sandbox, result["audience"]["id"])
    assert body["genderDistribution"] == {"female": 0.6, "male": 0.4, "nonBinary": 0, "preferNotToSay": 0}
    assert any("read the text" in a for a in result["adjustments"])


async def test_iso_codes_and_lists_pass_through_without_adjustments(sandbox: Sandbox, client: Client) -> None:
    shares = {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}

    result = await call(
        client,
        "neuroflash_create_audience",
        **BASIC,
        gender_distribution=shares,
        interests=["AI"],
        country="DE",
        native_language="de",
        shared=True,
    )

    assert result["adjustments"] == []
    body = stored(sandbox, result["audience"]["id"])
    assert body["shared"] is True and body["interests"] == ["AI"]


async def test_omitted_gender_shares_get_the_default_and_say_so(sandbox: Sandbox, client: Client) -> None:
    result = await call(client, "neuroflash_create_audience", **BASIC)

    body = stored(sandbox, result["audience"]["id"])
    assert body["genderDistribution"] == {"female": 0.5, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}
    assert any(a.startswith("gender_distribution: none given; used the default") for a in result["adjustments"])
    assert (body["interests"], body["needs"], body["painPoints"]) == ([], [], [])


@pytest.mark.parametrize(
    "shares",
    [
        {"female": 33.3, "male": 33.3, "nonBinary": 33.3},
        {"female": 1 / 3, "male": 1 / 3, "nonBinary": 1 / 3, "preferNotToSay": 0},
        {"female": 0.1, "male": 0.2, "nonBinary": 0.3, "preferNotToSay": 0.4},
        "55% female, 44.5% male, 0.5% diverse",
    ],
)
async def test_the_stored_shares_sum_to_exactly_one(sandbox: Sandbox, client: Client, shares: object) -> None:
    result = await call(client, "neuroflash_create_audience", **BASIC, gender_distribution=shares)

    assert share_sum(sandbox, result["audience"]["id"]) == 1


async def test_min_age_above_max_age_is_refused_not_swapped(sandbox: Sandbox, client: Client) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **{**BASIC, "min_age": 50, "max_age": 20})

    assert "min_age (50) is greater than max_age (20)" in message
    assert nothing_created(sandbox)


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ({"female": 120, "male": 80}, "200%"),
        ({"female": 0.6}, "60%"),
    ],
)
async def test_shares_that_do_not_add_up_are_refused(
    sandbox: Sandbox, client: Client, shares: dict[str, Any], expected: str
) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **BASIC, gender_distribution=shares)

    assert message.startswith("gender_distribution:")
    assert expected in message
    assert nothing_created(sandbox)


async def test_an_unknown_country_is_refused_with_close_matches(sandbox: Sandbox, client: Client) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **BASIC, country="Frnace")

    assert "'Frnace' is not a country" in message
    assert "France (FR)" in message
    assert nothing_created(sandbox)


async def test_an_unknown_language_is_refused(sandbox: Sandbox, client: Client) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **BASIC, native_language="Klingonish")

    assert message.startswith("native_language:")
    assert nothing_created(sandbox)


async def test_a_name_too_short_is_refused(sandbox: Sandbox, client: Client) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **{**BASIC, "name": " ab "})

    assert message.startswith("name:")
    assert "3 to 100 characters" in message
    assert nothing_created(sandbox)


async def test_an_age_that_is_not_a_number_is_refused(sandbox: Sandbox, client: Client) -> None:
    message = await tool_error(client, "neuroflash_create_audience", **{**BASIC, "min_age": "young"})

    assert "min_age" in message
    assert nothing_created(sandbox)


async def test_dry_run_returns_the_exact_body_and_writes_nothing(sandbox: Sandbox, client: Client) -> None:
    args = {
        **BASIC,
        "gender_distribution": {"women": "55%", "men": "45%"},
        "interests": "SEO, AI",
        "country": "Germany",
    }

    preview = await call(client, "neuroflash_create_audience", **args, dry_run=True)

    assert preview["created"] is False and preview["audience"] is None
    assert nothing_created(sandbox)
    assert any("country: 'Germany' -> 'DE'" in a for a in preview["adjustments"])

    created = await call(client, "neuroflash_create_audience", **args)
    body = stored(sandbox, created["audience"]["id"])
    # The preview speaks the tool's parameter names; the stored body is the same under wire names.
    assert preview["request_body"] == {profile_param(k): v for k, v in body.items() if v is not None}
    assert preview["adjustments"] == created["adjustments"]


async def test_dry_run_needs_no_workspace_choice(make_server: ServerFactory) -> None:
    harness: Harness = make_server(config=SandboxConfig(db_path=":memory:", extra_workspaces=("Second",)))
    async with harness.client() as client:
        preview = await call(client, "neuroflash_create_audience", **BASIC, dry_run=True)

    assert preview["request_body"]["name"] == "Marketing leads"
    assert harness.sandbox.stats.get(CREATE) == 0


async def test_create_returns_the_detailed_audience(client: Client) -> None:
    result = await call(client, "neuroflash_create_audience", **BASIC, interests=["AI"])

    audience = result["audience"]
    assert audience["interests"] == ["AI"]
    assert audience["can_update"] is True
    assert audience["name"] == "Marketing leads"
