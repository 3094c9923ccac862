"""The tolerant reader of raw list pages the audit feeds on."""

from __future__ import annotations

from typing import Any

import pytest

from audience_mcp.platforms.neuroflash.api import ResponseFormatError
from audience_mcp.platforms.neuroflash.fields import RawPage


def test_keeps_every_dict_item_and_skips_the_rest() -> None:
    page = RawPage.read({"data": [{"id": "a"}, "garbage", None, {"minAge": "x"}], "page": {"totalPages": 3}}, 1)
    assert page.audiences == [{"id": "a"}, {"minAge": "x"}]
    assert page.total_pages == 3


@pytest.mark.parametrize(
    ("info", "page", "expected"),
    [
        ({"totalPages": 4, "totalElements": 1, "size": 1}, 1, 4),
        ({"totalPages": True, "totalElements": 401, "size": 200}, 1, 3),
        ({"totalElements": 400, "size": 200}, 1, 2),
        ({"totalElements": 5, "size": 0}, 2, 2),
        ({}, 1, 1),
        ("not a dict", 3, 3),
    ],
)
def test_total_pages_from_whatever_paging_information_there_is(info: Any, page: int, expected: int) -> None:
    assert RawPage.read({"data": [], "page": info}, page).total_pages == expected


@pytest.mark.parametrize("body", [None, [], {"data": {"id": "a"}}, {"page": {}}])
def test_a_body_without_a_data_array_is_a_format_error(body: Any) -> None:
    with pytest.raises(ResponseFormatError):
        RawPage.read(body, 1)
