"""Activation windows from what models send, normalized to ISO 8601 UTC (pure, a fixed 'now')."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audience_mcp.core.normalize import NormalizationError
from audience_mcp.platforms.digital_audience.dates import normalize_window

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2027-01-01", "2027-01-31", ("2027-01-01T00:00:00Z", "2027-01-31T23:59:59Z")),
        ("1. Januar 2027", "31. Januar 2027", ("2027-01-01T00:00:00Z", "2027-01-31T23:59:59Z")),
        ("next Monday", "for 30 days", ("2026-12-07T00:00:00Z", "2027-01-06T00:00:00Z")),
        ("2027-01-01", "2 weeks", ("2027-01-01T00:00:00Z", "2027-01-15T00:00:00Z")),
        ("2027-01-01T10:00:00+02:00", "2027-01-02T10:00:00Z", ("2027-01-01T08:00:00Z", "2027-01-02T10:00:00Z")),
        ("2027-12-31T23:59:59Z", "for 1 day", ("2027-12-31T23:59:59Z", "2028-01-01T23:59:59Z")),
    ],
)
def test_windows_are_normalized(start: str, end: str, expected: tuple[str, str]) -> None:
    window = normalize_window(start, end, now=NOW)

    assert (window.start_iso, window.end_iso) == expected


def test_each_change_is_reported_and_canonical_input_reports_nothing() -> None:
    changed = normalize_window("1. Januar 2027", "for 30 days", now=NOW)
    canonical = normalize_window("2027-01-01T00:00:00Z", "2027-01-31T00:00:00Z", now=NOW)

    assert changed.adjustments == (
        "start_date: '1. Januar 2027' -> 2027-01-01T00:00:00Z.",
        "end_date: 'for 30 days' counted from the start -> 2027-01-31T00:00:00Z.",
    )
    assert canonical.adjustments == ()


def test_today_starts_now() -> None:
    window = normalize_window("2026-12-03", "2026-12-10", now=NOW)

    assert window.start_iso == "2026-12-03T09:30:00Z"
    assert "today starts now" in window.adjustments[0]


@pytest.mark.parametrize(
    ("start", "end", "field", "text"),
    [
        ("2026-11-01", "2027-01-01", "start_date", "in the past"),
        ("2027-02-01", "2027-01-01", "end_date", "is not after start_date"),
        ("2027-02-01", "2027-02-01T00:00:00Z", "end_date", "is not after start_date"),
        ("whenever", "2027-01-01", "start_date", "could not read"),
        ("2027-02-30", "2027-03-01", "start_date", "not a calendar date"),
        ("2027-01-01", "x" * 10_000, "end_date", "too long"),
        ("", "2027-01-01", "start_date", "send a date"),
    ],
)
def test_windows_that_cannot_work_are_refused(start: str, end: str, field: str, text: str) -> None:
    with pytest.raises(NormalizationError) as caught:
        normalize_window(start, end, now=NOW)

    assert caught.value.field == field
    assert text in caught.value.message
