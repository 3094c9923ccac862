"""The one id check: the shortcut for plain ids answers exactly as the full check would."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from audience_mcp.core.http.paths import MAX_SEGMENT_LENGTH, UnsafePathSegmentError, _reason, path_segment

PLAIN = [str(uuid.uuid4()), "a" * 40, "A-b_9", "x" * MAX_SEGMENT_LENGTH, "0"]


@pytest.mark.parametrize("value", PLAIN)
def test_a_plain_id_is_sent_as_it_is_and_the_full_check_agrees(value: str) -> None:
    assert path_segment(value) == value
    assert _reason(value) is None and quote(value, safe="") == value


@pytest.mark.parametrize("value", ["x" * (MAX_SEGMENT_LENGTH + 1), "id\n", "..", "a/b", "a.b.", " id"])
def test_what_the_shortcut_does_not_take_goes_through_the_full_check(value: str) -> None:
    reason = _reason(value)
    if reason is None:
        assert path_segment(value) == quote(value, safe="")
    else:
        with pytest.raises(UnsafePathSegmentError, match="not a valid id"):
            path_segment(value)


def test_an_id_with_other_characters_is_percent_encoded() -> None:
    assert path_segment("a b+c") == "a%20b%2Bc"
