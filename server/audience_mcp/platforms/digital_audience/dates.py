"""The activation window: what models send as dates -> ISO 8601 UTC, with what was changed.

ISO dates and date-times are read directly; anything else ("1. Januar 2027", "next Monday",
"in 2 weeks") goes to `dateparser`, imported on first use only (it loads its language tables,
about half a second). An end written as a duration ("for 30 days", "30 days", "2 weeks") counts
from the start. A date without a time starts at 00:00:00 and ends at 23:59:59 UTC, as in the
reference example (2024-01-01T00:00:00Z to 2024-12-31T23:59:59Z). A window that ends before it
starts, or starts in the past, is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from audience_mcp.core.normalize import NormalizationError

_DURATION = re.compile(r"^\s*(?:for\s+|in\s+|\+)?(\d{1,4})\s*(day|week|month|year)s?\s*$", re.I)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
# Minutes of slack for "starts in the past": a start of "now" sent a moment ago is not past.
_GRACE = timedelta(minutes=5)
# A date is short; longer text is refused before the parser sees it (its cost grows with the text).
MAX_DATE_TEXT = 64


@dataclass(frozen=True)
class ActivationWindow:
    start: datetime
    end: datetime
    adjustments: tuple[str, ...]

    @property
    def start_iso(self) -> str:
        return iso(self.start)

    @property
    def end_iso(self) -> str:
        return iso(self.end)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_with_dateparser(text: str, base: datetime) -> datetime | None:
    import dateparser  # lazily: its tables are not needed until a free-form date arrives

    settings: Any = {
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base.replace(tzinfo=None),
    }
    parsed = dateparser.parse(text, settings=settings)
    return parsed if isinstance(parsed, datetime) else None


def _read(raw: object, field: str, *, base: datetime, end_of_day: bool) -> tuple[datetime, bool]:
    """(the instant, whether the text named a date without a time)."""
    if not isinstance(raw, str) or not raw.strip():
        raise NormalizationError(field, f"{field}: send a date such as '2027-01-01' or '1. Januar 2027'.")
    text = raw.strip()
    if len(text) > MAX_DATE_TEXT:
        raise NormalizationError(field, f"{field}: too long for a date; send e.g. '2027-01-01' or 'next Monday'.")
    if _DATE_ONLY.match(text):
        try:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError:
            raise NormalizationError(field, f"{field}: '{text}' is not a calendar date.") from None
        return (day + timedelta(days=1, seconds=-1) if end_of_day else day), True
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), False
    except ValueError:
        pass
    parsed = _parse_with_dateparser(text, base)
    if parsed is None:
        raise NormalizationError(
            field, f"{field}: could not read '{text}' as a date; send e.g. '2027-01-01' or 'next Monday'."
        )
    parsed = parsed.astimezone(UTC)
    # A day named in words ("next Monday", "1. Januar 2027") carries no time of its own.
    has_time = bool(re.search(r"\d{1,2}:\d{2}|\b(am|pm|uhr|noon|midnight)\b", text, re.I))
    if not has_time:
        day = parsed.replace(hour=0, minute=0, second=0, microsecond=0)
        return (day + timedelta(days=1, seconds=-1) if end_of_day else day), True
    return parsed, False


def normalize_window(start_date: object, end_date: object, *, now: datetime) -> ActivationWindow:
    """The window in UTC, or a NormalizationError that says what to send."""
    notes: list[str] = []
    start, start_is_day = _read(start_date, "start_date", base=now, end_of_day=False)
    if start_is_day and start.date() == now.date() and start < now:
        start = now.replace(microsecond=0)
        notes.append(f"start_date: today starts now ({iso(start)}).")
    duration = _DURATION.match(end_date) if isinstance(end_date, str) else None
    if duration is not None:
        count, unit = int(duration.group(1)), duration.group(2).lower()
        end = start + timedelta(days=count * _UNIT_DAYS[unit])
    else:
        end, _ = _read(end_date, "end_date", base=start, end_of_day=True)
    for field, raw, value in (("start_date", start_date, start), ("end_date", end_date, end)):
        if duration is not None and field == "end_date":
            continue
        if raw != iso(value):
            notes.append(f"{field}: '{raw}' -> {iso(value)}.")
    if duration is not None:
        notes.append(f"end_date: '{end_date}' counted from the start -> {iso(end)}.")
    if start < now - _GRACE:
        raise NormalizationError("start_date", f"start_date: {iso(start)} is in the past; send today or a later date.")
    if end <= start:
        raise NormalizationError(
            "end_date", f"end_date: {iso(end)} is not after start_date {iso(start)}; send a later end date."
        )
    return ActivationWindow(start=start, end=end, adjustments=tuple(notes))
