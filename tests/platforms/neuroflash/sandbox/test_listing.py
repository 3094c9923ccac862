"""Listing: 1-based pages, size clamping, search and filters, stable newest-first order, speed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, SANDBOX_WORKSPACE_ID, Sandbox
from tests.support.sandbox import START, Api, connect, guide_body

pytestmark = pytest.mark.anyio

COUNTRIES = ("US", "DE", "fr")
LANGUAGES = ("en", "de", "FR")


def seed(sandbox: Sandbox, count: int) -> list[str]:
    """``count`` audiences one second apart; returns ids newest first."""
    ids = []
    for index in range(count):
        body = guide_body(
            name=f"Audience {index:04d} {'Gamers' if index % 10 == 0 else 'Readers'}",
            country=COUNTRIES[index % 3],
            nativeLanguage=LANGUAGES[index % 3],
        )
        ids.append(sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, body, created_at=START + index))
    return ids[::-1]


async def test_pages_are_1_based_and_cover_every_audience_once_in_newest_first_order(
    api: Api, sandbox: Sandbox
) -> None:
    expected = seed(sandbox, 260)

    first = (await api.list()).json()
    seen: list[str] = []
    for page in range(1, 5):
        body = (await api.list(page=page, size=75)).json()
        assert body["page"] == {"currentPage": page, "size": 75, "totalElements": 260, "totalPages": 4}
        seen.extend(a["id"] for a in body["data"])

    assert first["page"] == {"currentPage": 1, "size": 20, "totalElements": 260, "totalPages": 13}
    assert [a["id"] for a in first["data"]] == expected[:20]
    assert seen == expected


async def test_a_page_past_the_end_is_empty_but_reports_the_totals(api: Api, sandbox: Sandbox) -> None:
    seed(sandbox, 5)

    body = (await api.list(page=3, size=5)).json()

    assert body == {"data": [], "page": {"currentPage": 3, "size": 5, "totalElements": 5, "totalPages": 1}}


async def test_sizes_above_200_are_clamped_to_200(api: Api, sandbox: Sandbox) -> None:
    seed(sandbox, 250)

    body = (await api.list(size=1000)).json()

    assert len(body["data"]) == 200
    assert body["page"] == {"currentPage": 1, "size": 200, "totalElements": 250, "totalPages": 2}


async def test_an_empty_workspace_has_zero_pages(api: Api) -> None:
    body = (await api.list()).json()

    assert body == {"data": [], "page": {"currentPage": 1, "size": 20, "totalElements": 0, "totalPages": 0}}


async def test_search_is_a_case_insensitive_substring_of_the_name(api: Api, sandbox: Sandbox) -> None:
    seed(sandbox, 250)

    body = (await api.list(search="gAMERS", size=200)).json()

    assert body["page"]["totalElements"] == 25
    assert all("Gamers" in a["name"] for a in body["data"])
    assert (await api.list(search="audience 0042")).json()["data"][0]["name"] == "Audience 0042 Readers"


async def test_search_folds_non_ascii_case_too(api: Api) -> None:
    await api.create_ok(name="ÄLTERE Zielgruppe")

    assert (await api.list(search="ältere")).json()["page"]["totalElements"] == 1


async def test_country_and_native_language_filters_are_case_insensitive_exact_matches(
    api: Api, sandbox: Sandbox
) -> None:
    seed(sandbox, 251)

    by_country = (await api.list(country="de", size=200)).json()
    by_language = (await api.list(nativeLanguage="fr", size=200)).json()
    both = (await api.list(country="us", nativeLanguage="EN", size=200)).json()
    partial = (await api.list(country="D")).json()

    assert by_country["page"]["totalElements"] == 84
    assert {a["country"] for a in by_country["data"]} == {"DE"}
    assert by_language["page"]["totalElements"] == 83
    assert {a["nativeLanguage"] for a in by_language["data"]} == {"FR"}
    assert both["page"]["totalElements"] == 84
    assert partial["page"]["totalElements"] == 0


async def test_filters_combine_with_search_and_paging(api: Api, sandbox: Sandbox) -> None:
    seed(sandbox, 300)

    body = (await api.list(search="gamers", country="US", size=4, page=2)).json()

    assert body["page"]["totalElements"] == 10  # indexes 0, 30, 60, ... are Gamers in the US
    assert [a["name"] for a in body["data"]] == [
        "Audience 0150 Gamers",
        "Audience 0120 Gamers",
        "Audience 0090 Gamers",
        "Audience 0060 Gamers",
    ]


async def test_audiences_created_in_the_same_millisecond_are_ordered_by_id_stably(api: Api, sandbox: Sandbox) -> None:
    ids = [sandbox.store.insert_raw(SANDBOX_WORKSPACE_ID, guide_body(), created_at=START) for _ in range(30)]

    pages = [(await api.list(page=page, size=7)).json()["data"] for page in range(1, 6)]
    again = [(await api.list(page=page, size=7)).json()["data"] for page in range(1, 6)]

    listed = [a["id"] for page in pages for a in page]
    assert listed == sorted(ids)
    assert listed == [a["id"] for page in again for a in page]


async def test_a_200_item_page_of_10000_audiences_takes_milliseconds(make_app: Callable[..., Starlette]) -> None:
    app = make_app(create_limit=None)
    sandbox: Sandbox = app.state.sandbox
    other = SANDBOX_ACCOUNTS[1].user_id
    for index in range(10_000):
        sandbox.store.insert_raw(
            SANDBOX_WORKSPACE_ID,
            guide_body(name=f"Audience {index}", shared=index % 2 == 0),
            created_by_user_id=other if index % 4 == 3 else SANDBOX_ACCOUNTS[0].user_id,
            created_at=START + index,
        )

    async with connect(app) as api:
        await api.list(size=200)  # warm-up
        started = time.perf_counter()
        response = await api.list(page=20, size=200)
        elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert len(response.json()["data"]) == 200
    assert response.json()["page"]["totalElements"] == 7_500
    # A few ms on a laptop; generous bound so a loaded CI machine does not flake.
    assert elapsed < 0.5, elapsed
