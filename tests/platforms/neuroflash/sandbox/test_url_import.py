"""The URL import derives a create-ready profile from the URLs alone, deterministically."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import DEFAULT_AUDIENCE_MODEL_ID
from tests.support.sandbox import Api, connect

pytestmark = pytest.mark.anyio


async def url_import(api: Api, urls: Any, model: Any = DEFAULT_AUDIENCE_MODEL_ID) -> Any:
    return await api.request(
        "POST", api.path("/target-audiences-url-imports"), json={"audienceModelId": model, "urls": urls}
    )


async def test_the_same_urls_give_the_same_profile_whatever_their_spelling_or_order(api: Api) -> None:
    first = (await url_import(api, ["https://shop.example.com/", "https://www.blog.example.com"])).json()
    again = (await url_import(api, ["https://blog.example.com#top", "HTTPS://Shop.Example.com"])).json()
    other = (await url_import(api, ["https://another-brand.io"])).json()

    first.pop("name")
    again.pop("name")
    assert first == again
    assert other != first


async def test_the_name_says_whose_visitors_these_are(api: Api) -> None:
    one = (await url_import(api, ["https://www.example.com/about"])).json()
    three = (await url_import(api, ["https://a.com", "https://b.com", "https://c.com"])).json()

    assert one["name"] == "Visitors of example.com"
    assert three["name"] == "Visitors of a.com and 2 more sites"


@pytest.mark.parametrize(
    ("url", "country", "language"),
    [
        ("https://www.beispiel.de", "DE", "de"),
        ("https://shop.co.uk", "GB", "en"),
        ("https://exemple.fr/", "FR", "fr"),
        ("https://example.com", "US", "en"),
        ("http://startup.io", "US", "en"),
    ],
)
async def test_country_and_language_follow_an_obvious_top_level_domain(
    api: Api, url: str, country: str, language: str
) -> None:
    profile = (await url_import(api, [url])).json()

    assert (profile["country"], profile["nativeLanguage"]) == (country, language)


@pytest.mark.parametrize("host", ["example.com", "beispiel.de", "a.io", "b.fr", "long-brand-name.nl", "x.pl"])
async def test_the_profile_passes_the_create_validation_even_after_a_float_round_trip(api: Api, host: str) -> None:
    response = await url_import(api, [f"https://{host}"])
    profile = response.json()  # floats, as any client would parse them

    shares = [Decimal(str(profile["genderDistribution"][key])) for key in sorted(profile["genderDistribution"])]
    assert sum(shares) == 1
    assert all(share == share.quantize(Decimal("0.01")) for share in shares)
    assert profile["shared"] is False
    assert 0 <= profile["minAge"] <= profile["maxAge"] <= 150
    assert all(
        profile[key] and all(isinstance(v, str) for v in profile[key]) for key in ("interests", "needs", "painPoints")
    )
    assert (await api.create(profile)).status_code == 201


async def test_gender_shares_are_written_as_two_decimal_fractions(api: Api) -> None:
    response = await url_import(api, ["https://example.com"])

    gender = response.text.split('"genderDistribution":{', 1)[1].split("}", 1)[0]
    for pair in gender.split(","):
        literal = pair.split(":")[1]
        assert len(literal.split(".")[1]) == 2, gender


async def test_an_unknown_audience_model_is_404(api: Api) -> None:
    response = await url_import(api, ["https://example.com"], model="0000")

    assert response.status_code == 404
    assert response.json()["code"] == "AUDIENCE_MODEL_NOT_FOUND"


async def test_configured_audience_models_are_accepted(make_app: Callable[..., Starlette]) -> None:
    async with connect(make_app(audience_model_ids=("custom-model",))) as api:
        assert (await url_import(api, ["https://example.com"], model="custom-model")).status_code == 200
        assert (await url_import(api, ["https://example.com"])).status_code == 200


@pytest.mark.parametrize(
    ("urls", "model", "fields"),
    [
        ([], DEFAULT_AUDIENCE_MODEL_ID, ["urls"]),
        (None, DEFAULT_AUDIENCE_MODEL_ID, ["urls"]),
        ("https://example.com", DEFAULT_AUDIENCE_MODEL_ID, ["urls"]),
        ([f"https://site{i}.com" for i in range(11)], DEFAULT_AUDIENCE_MODEL_ID, ["urls"]),
        (["ftp://example.com"], DEFAULT_AUDIENCE_MODEL_ID, ["urls[0]"]),
        (["https://ok.com", "example.com", 7], DEFAULT_AUDIENCE_MODEL_ID, ["urls[1]", "urls[2]"]),
        (["https://"], DEFAULT_AUDIENCE_MODEL_ID, ["urls[0]"]),
        (["https://example.com"], "", ["audienceModelId"]),
        (["https://example.com"], 538, ["audienceModelId"]),
        (["https://example.com"], None, ["audienceModelId"]),
    ],
)
async def test_url_import_requests_are_validated(api: Api, urls: Any, model: Any, fields: list[str]) -> None:
    response = await url_import(api, urls, model)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == fields


async def test_the_configured_import_latency_is_awaited(
    make_app: Callable[..., Starlette], monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(anyio, "sleep", record)
    async with connect(make_app(url_import_latency=12.5)) as api:
        assert (await url_import(api, ["https://example.com"])).status_code == 200

    assert waits == [12.5]
