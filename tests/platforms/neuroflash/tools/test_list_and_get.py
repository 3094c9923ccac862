"""neuroflash_list_audiences (pages, filters, concise summaries) and neuroflash_get_audience (concise vs detailed)."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.support.harness import OWNER, STORED_BODY, Harness, call, summaries, tool_error

pytestmark = pytest.mark.anyio


def seed_many(harness: Harness, count: int) -> list[str]:
    return [
        harness.seed(dict(STORED_BODY, name=f"Audience {i:02d}"), created_at=f"2025-01-{i + 1:02d}T00:00:00Z")
        for i in range(count)
    ]


async def test_pages_report_page_total_total_pages_and_has_more(harness: Harness, client: Client) -> None:
    ids = seed_many(harness, 5)

    first = await call(client, "neuroflash_list_audiences", page_size=2)
    second = await call(client, "neuroflash_list_audiences", page_size=2, page=2)
    last = await call(client, "neuroflash_list_audiences", page_size=2, page=3)

    assert (first["page"], first["page_size"], first["total"], first["total_pages"], first["has_more"]) == (
        1,
        2,
        5,
        3,
        True,
    )
    assert (second["page"], second["has_more"]) == (2, True)
    assert (last["page"], last["total"], last["has_more"]) == (3, 5, False)
    assert [len(p["audiences"]) for p in (first, second, last)] == [2, 2, 1]
    seen = [a["id"] for p in (first, second, last) for a in summaries(p)]
    assert sorted(seen) == sorted(ids)  # every audience exactly once across the pages


async def test_a_page_past_the_end_is_empty_and_has_no_more(harness: Harness, client: Client) -> None:
    seed_many(harness, 2)

    result = await call(client, "neuroflash_list_audiences", page=5, page_size=2)

    assert result["audiences"] == [] and result["has_more"] is False and result["total"] == 2


async def test_an_empty_workspace_lists_nothing(client: Client) -> None:
    result = await call(client, "neuroflash_list_audiences")

    assert (result["audiences"], result["total"], result["total_pages"], result["has_more"]) == ([], 0, 0, False)


async def test_country_and_language_filters_accept_names(harness: Harness, client: Client) -> None:
    german = harness.seed(dict(STORED_BODY, name="Berlin makers", country="DE", nativeLanguage="de"))
    harness.seed(dict(STORED_BODY, name="Austin makers", country="US", nativeLanguage="en"))
    swiss_french = harness.seed(dict(STORED_BODY, name="Geneva makers", country="CH", nativeLanguage="fr"))

    by_country = await call(client, "neuroflash_list_audiences", country="Germany")
    by_language = await call(client, "neuroflash_list_audiences", native_language="German")
    by_native_names = await call(client, "neuroflash_list_audiences", country="Schweiz", native_language="Französisch")

    assert [a["id"] for a in summaries(by_country)] == [german]
    assert [a["id"] for a in summaries(by_language)] == [german]
    assert [a["id"] for a in summaries(by_native_names)] == [swiss_french]


async def test_search_matches_part_of_the_name_ignoring_case(harness: Harness, client: Client) -> None:
    wanted = harness.seed(dict(STORED_BODY, name="Young Parents in Hamburg"))
    harness.seed(dict(STORED_BODY, name="Retirees"))

    result = await call(client, "neuroflash_list_audiences", search="parents")

    assert [a["id"] for a in summaries(result)] == [wanted]
    assert result["total"] == 1


async def test_an_unknown_country_filter_suggests_close_matches(client: Client) -> None:
    message = await tool_error(client, "neuroflash_list_audiences", country="Germny")

    assert "Germany (DE)" in message


async def test_list_entries_are_concise_with_counts_but_no_lists(harness: Harness, client: Client) -> None:
    harness.seed(dict(STORED_BODY, interests=["a", "b", "c"], needs=[], painPoints=["x"]))

    page = await call(client, "neuroflash_list_audiences")
    [summary] = summaries(page)

    assert (summary["interests_count"], summary["needs_count"], summary["pain_points_count"]) == (3, 0, 1)
    assert {k: summary[k] for k in ("female", "male", "nonBinary", "preferNotToSay")} == STORED_BODY[
        "genderDistribution"
    ]
    assert (summary["country"], summary["native_language"], summary["min_age"]) == ("US", "en", 25)
    assert summary["updated_at"] and summary["name"] == STORED_BODY["name"]
    # A table: the field names once, one row of plain values per audience; no lists in it.
    assert all(not isinstance(cell, list | dict) for cell in page["audiences"][0])


async def test_get_audience_is_concise_by_default(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    audience = (await call(client, "neuroflash_get_audience", audience_id=audience_id))["audience"]

    assert audience["id"] == audience_id and audience["name"] == "Marketing leaders"
    assert audience["interests_count"] == 2
    # The lists themselves, not only their counts (issue 11): a user asks "which interests?".
    assert audience["interests"] == ["AI", "content marketing"]
    assert (audience["needs"], audience["pain_points"]) == (["scale content production"], ["manual workflows"])
    # Metadata is left out, not null: `image_url: null` would read as "no image".
    assert not {"created_at", "can_update", "image_url", "other_fields"} & audience.keys()


async def test_get_audience_detailed_adds_lists_metadata_and_unknown_fields(harness: Harness, client: Client) -> None:
    audience_id = harness.seed(dict(STORED_BODY, additionalInformation="B2B only", futureField={"a": [1]}))

    audience = (await call(client, "neuroflash_get_audience", audience_id=audience_id, response_format="detailed"))[
        "audience"
    ]

    assert audience["interests"] == ["AI", "content marketing"]
    assert audience["needs"] == ["scale content production"]
    assert audience["pain_points"] == ["manual workflows"]
    assert audience["created_by_user_id"] == OWNER.user_id
    assert audience["created_at"] and audience["viewed_at"]
    assert (audience["can_update"], audience["can_delete"]) == (True, True)
    assert audience["other_fields"] == {"additionalInformation": "B2B only", "futureField": {"a": [1]}}


async def test_get_audience_of_an_unknown_id_says_to_call_list_audiences(client: Client) -> None:
    message = await tool_error(client, "neuroflash_get_audience", audience_id="missing-id")

    assert "'missing-id' was not found" in message
    assert "neuroflash_list_audiences" in message
